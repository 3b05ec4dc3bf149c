# The two quick-start commands: `make demo` and `make test`. Everything is installed into .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_HOME ?= .shopkpi-demo

.PHONY: setup demo test lint typecheck unit bench bench-scoring bench-small bench-cli bench-engines bench-month bench-pages bench-large bench-load schema clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	$(BIN)/python -m shopkpi.web.translations
	touch $(STAMP)

NODE_STAMP := node_modules/.installed

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

setup: $(STAMP) $(NODE_STAMP)

demo: setup
	$(BIN)/shopkpi --home $(DEMO_HOME) demo

lint: setup
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: setup
	$(BIN)/mypy

# the whole suite on SQLite (the Spark group on its own), then the database-backed tests again on PostgreSQL where one is configured.
# --dist worksteal: each worker starts on half of the tests in order and a worker that runs out takes half of
# what the other has left (xdist's default hands each worker a fixed first quarter of its share, so the worker
# holding the browser and command-line tests ran on for minutes after the other had finished)
unit: setup
	$(BIN)/pytest -n 2 --dist worksteal -m "not spark" --durations=30
	@echo "== the Spark conformance group (one JVM, on its own)"
	$(BIN)/pytest -m spark tests/conformance
	@if [ -n "$$SHOPKPI_TEST_DATABASE_URL" ]; then \
		echo "== the application tests again on PostgreSQL"; \
		SHOPKPI_DATABASE_URL="$$SHOPKPI_TEST_DATABASE_URL" $(BIN)/pytest -n 2 --dist worksteal tests/appraisal $$(ls -d tests/web 2>/dev/null); \
	elif [ "$$CI" = "true" ]; then \
		echo "CI=true: SHOPKPI_TEST_DATABASE_URL must name a PostgreSQL server (see .ci/run)"; exit 1; \
	fi

test: lint typecheck unit

bench: bench-scoring bench-small bench-cli bench-month bench-pages

bench-scoring: setup
	$(BIN)/python bench/scoring.py

# shop data: import, the metric step and the close against hand SQL and pandas (bench/data_metrics.py)
bench-small: setup
	$(BIN)/python bench/data_metrics.py --employees 1000 --events 10000000

# the fixed cost of one `shopkpi import` call: a fresh process against one handed to the ready process (bench/cli_call.py)
bench-cli: setup
	$(BIN)/python bench/cli_call.py

# the metric step on PostgreSQL and Spark local against the same hand SQL there (bench/engine_metrics.py)
bench-engines: setup
	$(BIN)/python bench/engine_metrics.py --employees 1000 --events 10000000

# a month of companies of 100 and 1,000 people built as the demo builds them (bench/month.py; --large adds 5,000)
bench-month: setup
	$(BIN)/python bench/month.py

# every page opened as HR, the GM, a supervisor and an employee of a company of 5,000 (bench/pages.py)
bench-pages: setup
	$(BIN)/python bench/pages.py --people 5000

# run by hand, not in CI: 10,000 people, 100 million clickstream rows, a 10-million-row CSV imported once
bench-large: setup
	$(BIN)/python bench/data_metrics.py --employees 10000 --events 100000000 --import-rows 10000000 --import-runs 1

# HTTP load on the served demo company (bench/load.py): 50 users for 60 s, SQLite and PostgreSQL, 1 and 2 serve processes
bench-load: setup
	$(BIN)/python bench/load.py --users 50 --duration 60

# regenerate the committed files made from the code: template and metric-file JSON Schemas, the catalogue JSON
schema: setup
	$(BIN)/python -m shopkpi.scorecard.schema > src/shopkpi/scorecard/template.schema.json
	$(BIN)/python -m shopkpi.data.metrics.schema > src/shopkpi/data/metrics/metric-file.schema.json
	$(BIN)/python -m shopkpi.data.metrics.catalogue > src/shopkpi/data/metrics/catalogue.json

clean:
	rm -rf $(VENV) $(DEMO_HOME) .shopkpi-bench .pytest_cache .mypy_cache .ruff_cache
