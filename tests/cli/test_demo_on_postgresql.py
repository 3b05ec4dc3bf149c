"""The demo home on PostgreSQL, as a new user runs it (issue 13): after `shopkpi warehouse publish --to
postgresql://…/DB`, `SHOPKPI_METRICS_ENGINE=postgresql://…/DB shopkpi metrics --period P --format json`
prints byte for byte what it prints on DuckDB, standard error included, for every month of the demo and
their quarter; and HR's recompute of the demo's open month through the served site stores in every
review the values, provenance and results that the same recompute stores on DuckDB.

The demo company is the run's shared build (tests/cli/conftest.py: `shopkpi demo --no-serve --months 2`,
in a subprocess); every command runs in a process of its own with the home's own SQLite database, as a
user's shell runs it. PostgreSQL is the run's database of `postgres_url` (tests/conftest.py): with
CI=true a missing server fails the test instead of skipping it."""

from __future__ import annotations

import json
import sqlite3
import subprocess
from pathlib import Path

import psycopg
import pytest
from served_home import Visitor, environment, served, shopkpi

pytestmark = pytest.mark.slow

PASSWORD = "shopkpi-demo"
ENGINE = "SHOPKPI_METRICS_ENGINE"


def run(home: Path, *args: str, engine: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in environment().items() if k != ENGINE}
    if engine is not None:
        env[ENGINE] = engine
    return subprocess.run(
        shopkpi("--home", str(home), *args), env=env, capture_output=True, text=True, timeout=600, check=False
    )


def metrics(home: Path, period: str, engine: str | None = None) -> tuple[str, str]:
    done = run(home, "metrics", "--period", period, "--format", "json", engine=engine)
    assert done.returncode == 0, f"metrics --period {period} on {engine or 'DuckDB'}:\n{done.stderr}"
    return done.stdout, done.stderr


def recomputed(home: Path, period: str, engine: str | None = None) -> dict[str, tuple[object, ...]]:
    """HR's recompute of the month through the served site (the form the month's page posts); each
    review's stored values, provenance and results by employee code, and the batches the computation read."""
    with served(home, extra={ENGINE: engine} if engine else {}) as base:
        hr = Visitor(base)
        hr.login("hr", PASSWORD)
        assert hr.get(f"/hr/cycles/{period}/")[0] == 200
        assert hr.post(f"/hr/cycles/{period}/recompute/") == 302
    return stored(home, period)


def stored(home: Path, period: str) -> dict[str, tuple[object, ...]]:
    con = sqlite3.connect(home / "shopkpi.sqlite3")
    try:
        reviews = {
            str(code): (json.loads(values), json.loads(provenance), json.loads(result), score, grade, pay)
            for code, values, provenance, result, score, grade, pay in con.execute(
                'SELECT e.code, r."values", r.provenance, r.result, r.score, r.grade, r.pay '
                "FROM appraisal_review r JOIN appraisal_employee e ON e.id = r.employee_id "
                "JOIN appraisal_cycle c ON c.id = r.cycle_id WHERE c.period = ?",
                (period,),
            )
        }
        batches, reason = con.execute(
            "SELECT m.batches, m.reason FROM appraisal_monthcomputation m "
            "JOIN appraisal_cycle c ON c.id = m.cycle_id WHERE c.period = ? ORDER BY m.id DESC LIMIT 1",
            (period,),
        ).fetchone()
    finally:
        con.close()
    assert reason == "recompute"
    return reviews | {"(batches read)": (json.loads(batches),)}


def forget_values(home: Path, period: str) -> int:
    """The month's live reviews' stored values and provenance emptied, so only a recompute fills them."""
    con = sqlite3.connect(home / "shopkpi.sqlite3")
    try:
        with con:
            return con.execute(
                "UPDATE appraisal_review SET \"values\" = '{}', provenance = '{}' "
                "WHERE values_frozen_at IS NULL AND cycle_id = (SELECT id FROM appraisal_cycle WHERE period = ?)",
                (period,),
            ).rowcount
    finally:
        con.close()


def test_the_demo_on_postgresql_prints_and_recomputes_what_it_does_on_duckdb(
    postgres_url: str,  # first: without a server no demo is built
    demo_home: Path,
) -> None:
    months = json.loads((demo_home / "demo.json").read_text(encoding="utf-8"))["periods"]
    quarters = sorted({f"{m[:4]}-Q{(int(m[5:]) - 1) // 3 + 1}" for m in months})
    periods = [*months, *quarters]
    assert periods == ["2026-05", "2026-06", "2026-Q2"]
    open_month = months[-1]  # the demo's month in progress

    on_duckdb = {p: metrics(demo_home, p) for p in periods}
    for period in periods:  # values, not a page of nulls: most of the demo's people have some
        people = [
            [v for v in r["metrics"].values() if v is not None] for r in json.loads(on_duckdb[period][0])
        ]
        assert sum(bool(values) for values in people) > len(people) // 2, period
        assert sum(len(values) for values in people) > 100, period
    duckdb_month = recomputed(demo_home, open_month)
    assert len(duckdb_month) > 20  # every review of the month, and the batches read

    done = run(demo_home, "warehouse", "publish", "--to", postgres_url)
    assert done.returncode == 0, done.stderr
    published = dict(line.split(": ", 1) for line in done.stdout.splitlines())
    for dataset in ("shop_daily", "traffic_events", "campaigns", "targets", "inputs", "ratings"):
        assert not published[dataset].startswith("0 rows"), (dataset, published)

    for period in periods:
        assert metrics(demo_home, period, postgres_url) == on_duckdb[period], period
    assert forget_values(demo_home, open_month) > 5
    assert recomputed(demo_home, open_month, postgres_url) == duckdb_month

    # it was PostgreSQL that answered: without its table neither front computes (and nothing is stored)
    with psycopg.connect(postgres_url, autocommit=True) as connection:
        connection.execute("DROP TABLE shop_daily")
    failed = run(demo_home, "metrics", "--period", open_month, engine=postgres_url)
    assert failed.returncode == 1 and 'relation "shop_daily" does not exist' in failed.stderr
    with served(demo_home, extra={ENGINE: postgres_url}) as base:
        hr = Visitor(base)
        hr.login("hr", PASSWORD)
        assert hr.post(f"/hr/cycles/{open_month}/recompute/") == 503  # the page says the engine failed
    assert stored(demo_home, open_month) == duckdb_month
