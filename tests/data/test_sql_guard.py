"""The SQL guard: user metric SQL runs only if it is one SELECT over registered datasets."""

from __future__ import annotations

import pytest

from shopkpi.data.metrics.catalogue import MetricCatalogueError, catalogue_from_texts, dataset_schema
from shopkpi.data.metrics.sql_guard import SqlRefused, checked_aggregate, checked_condition, checked_select

SCHEMA = dataset_schema()

REFUSED_QUERIES = {
    "read_csv": ("SELECT * FROM read_csv('/etc/passwd')", "table function read_csv"),
    "read_csv_auto": ("SELECT * FROM read_csv_auto('x.csv')", "table function read_csv"),
    "read_parquet": ("SELECT * FROM read_parquet('warehouse/*.parquet')", "table function read_parquet"),
    "glob": ("SELECT * FROM glob('/home/*')", "table function glob"),
    "query": ("SELECT * FROM query('SELECT 1')", "table function query"),
    "file as table": ("SELECT * FROM 'secrets.csv'", "reading the file 'secrets.csv'"),
    "url as table": ("SELECT * FROM 'https://example.com/x.parquet'", "reading the file"),
    "joined table function": (
        "SELECT s.shop FROM shop_daily s JOIN read_json('x.json') j ON true",
        "table function read_json",
    ),
    "subquery table function": ("SELECT (SELECT count(*) FROM read_text('/etc/hosts')) AS n", "read_text"),
    "scalar file function": (
        "SELECT getenv('HOME') AS h FROM shop_daily",
        "function getenv() is not allowed",
    ),
    "other catalogue": ("SELECT * FROM other.main.shop_daily", "outside the registered datasets"),
    "COPY": ("COPY shop_daily TO 'out.csv'", "only SELECT is allowed, not COPY"),
    "ATTACH": ("ATTACH 'other.duckdb' AS other", "only SELECT is allowed, not ATTACH"),
    "INSTALL": ("INSTALL httpfs", "only SELECT is allowed, not INSTALL"),
    "LOAD": ("LOAD httpfs", "only SELECT is allowed, not LOAD"),
    "CREATE": ("CREATE TABLE x AS SELECT * FROM shop_daily", "only SELECT is allowed, not CREATE"),
    "DROP": ("DROP VIEW shop_daily", "only SELECT is allowed, not DROP"),
    "PRAGMA": ("PRAGMA database_list", "only SELECT is allowed, not PRAGMA"),
    "SET": ("SET enable_external_access = true", "only SELECT is allowed"),
    "multiple statements": ("SELECT 1 AS a; DROP VIEW shop_daily", "must be one statement, found 2"),
    "unknown table": ("SELECT * FROM payroll", "unknown table 'payroll'"),
    "unknown column": ("SELECT salary FROM shop_daily", "unknown or ambiguous column"),
    "garbage": ("SELEKT pv FROM shop_daily", "does not parse"),
}


@pytest.mark.parametrize("name", sorted(REFUSED_QUERIES))
def test_refused_queries_name_the_metric_and_the_reason(name: str) -> None:
    sql, reason = REFUSED_QUERIES[name]
    with pytest.raises(SqlRefused) as refused:
        checked_select(sql, subject="metric sneaky", schema=SCHEMA)
    assert str(refused.value).startswith("metric sneaky: SQL refused:")
    assert reason in str(refused.value)


def test_a_select_over_datasets_with_joins_and_ctes_passes() -> None:
    sql = (
        "WITH paid AS (SELECT shop, created_at, amount FROM orders WHERE status = 'paid') "
        "SELECT p.shop AS account, CAST(p.created_at AS DATE) AS date, sum(p.amount) AS value "
        "FROM paid p JOIN shop_daily s ON s.shop = p.shop AND s.date = CAST(p.created_at AS DATE) GROUP BY ALL"
    )
    query = checked_select(sql, subject="metric ok", schema=SCHEMA)
    assert query.named_selects == ["account", "date", "value"]


@pytest.mark.parametrize(
    ("expression", "reason"),
    [
        ("sum(pv); DROP VIEW shop_daily", "';' separates statements"),
        ("pv", "is not an aggregate expression"),
        ("sum(pv) + uv", "column 'uv' is used outside an aggregate function"),
        ("sum(salary)", "unknown or ambiguous column"),
        ("sum((SELECT count(*) FROM orders))", "subqueries are not allowed here"),
        ("sum(length(read_text('x')))", "function read_text() is not allowed"),
        ("sum(pv) OVER ()", "window functions are not allowed"),
    ],
)
def test_refused_aggregate_expressions(expression: str, reason: str) -> None:
    with pytest.raises(SqlRefused) as refused:
        checked_aggregate(expression, subject="metric m", dataset="shop_daily", schema=SCHEMA)
    assert reason in str(refused.value)


def test_aggregate_expressions_and_filters_that_pass() -> None:
    expression = checked_aggregate(
        "count(distinct user) filter (where behavior = 'buy')",
        subject="m",
        dataset="traffic_events",
        schema=SCHEMA,
    )
    assert expression.sql(dialect="duckdb") == 'COUNT(DISTINCT "user") FILTER(WHERE "behavior" = \'buy\')'
    condition = checked_condition(
        "status in ('paid', 'shipped')", subject="m", dataset="orders", schema=SCHEMA
    )
    assert condition.sql(dialect="duckdb") == "\"status\" IN ('paid', 'shipped')"
    # text tests DuckDB has (the guard refused ends_with and contains before)
    condition = checked_condition(
        "ends_with(status, 'ed') OR contains(buyer, '0')", subject="m", dataset="orders", schema=SCHEMA
    )
    assert condition.sql(dialect="duckdb") == "ENDS_WITH(\"status\", 'ed') OR CONTAINS(\"buyer\", '0')"


@pytest.mark.parametrize(
    ("condition", "reason"),
    [
        ("sum(amount) > 0", "may not use aggregate"),
        ("shop IN (SELECT shop FROM shop_daily)", "subqueries are not allowed"),
        ("1 = 1; COPY orders TO 'x'", "';' separates statements"),
    ],
)
def test_refused_filters(condition: str, reason: str) -> None:
    with pytest.raises(SqlRefused) as refused:
        checked_condition(condition, subject="metric m", dataset="orders", schema=SCHEMA)
    assert reason in str(refused.value)


def test_a_user_metric_file_with_refused_sql_is_refused_whole_naming_each_metric() -> None:
    user = """
metrics:
  stolen:
    type: query
    by: shop
    label_zh: 窃取
    label: Stolen
    definition: x
    definition_zh: x
    sql: "SELECT * FROM read_csv('/etc/passwd')"
  sneaky:
    type: aggregate
    label_zh: 偷偷
    label: Sneaky
    definition: x
    definition_zh: x
    dataset: shop_daily
    expression: "sum(pv); DROP VIEW shop_daily"
"""
    shipped = "metrics: {}"
    with pytest.raises(MetricCatalogueError) as refused:
        catalogue_from_texts([("shipped.yaml", shipped), ("user.yaml", user)])
    reasons = {p.metric: p.reason for p in refused.value.problems}
    assert "table function read_csv" in reasons["stolen"] and "metric stolen" in reasons["stolen"]
    assert "';' separates statements" in reasons["sneaky"]
