"""Every metric on every engine: the same values and the same provenance as DuckDB.

Transpiling proves nothing; running does. The conformance company (`company`) is published to each
engine (`shopkpi warehouse publish`'s step), then every metric of the catalogue (the shipped ones
and the company's user metrics: team scope, query metrics, `prev()`) is computed there for each
period and compared, value by value and source by source, with DuckDB reading the roll-ups and
DuckDB reading the raw rows. Spark's part is marked `spark` (one JVM, run on its own by `make unit`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from conformance_company import Company

from shopkpi.data.engines import MetricEngine, open_engine
from shopkpi.data.engines.publish import publish
from shopkpi.data.metrics.catalogue import load_catalogue
from shopkpi.data.metrics.computation import MetricResults, compute_metrics
from shopkpi.data.warehouse.catalogue import Warehouse

Reading = dict[str, Any]
_CREDITED = ("cs_credited_amount", "cs_credited_orders", "silent_amount", "silent_orders", "cs_chat_buyers")


def reading(results: MetricResults) -> Reading:
    """What must agree: every value with its provenance, the unowned rows and the range crossings."""
    return {
        "values": {  # as printed: 12.5 and 12.50 are different answers
            (employee, name): (None if value.value is None else format(value.value, "f"), value.provenance)
            for employee, metrics in results.employees.items()
            for name, value in metrics.values.items()
        },
        "unowned": results.unowned,
        "crossings": results.range_crossings,
    }


def compute(company: Company, engine: MetricEngine, period: str, *, read_rollups: bool = True) -> Reading:
    catalogue = load_catalogue(company.home)
    return reading(
        compute_metrics(
            engine, period, catalogue, organisation=company.organisation, read_rollups=read_rollups
        )
    )


def on_duckdb(company: Company, period: str, *, read_rollups: bool) -> Reading:
    engine = open_engine(None, company.home)
    try:
        return compute(company, engine, period, read_rollups=read_rollups)
    finally:
        engine.close()


@pytest.fixture(scope="module")
def duckdb_readings(company: Company) -> dict[str, Reading]:
    return {period: on_duckdb(company, period, read_rollups=True) for period in company.periods}


def assert_same(expected: Reading, got: Reading, engine: str) -> None:
    wrong = [
        f"{key}: DuckDB {value!r}, {engine} {got['values'].get(key)!r}"
        for key, value in expected["values"].items()
        if got["values"].get(key) != value
    ]
    assert not wrong, f"{len(wrong)} values differ on {engine}:\n" + "\n".join(wrong[:10])
    assert set(got["values"]) == set(expected["values"])
    assert got["unowned"] == expected["unowned"]
    assert got["crossings"] == expected["crossings"]


def test_the_company_has_every_case(company: Company, duckdb_readings: dict[str, Reading]) -> None:
    last = duckdb_readings[company.periods[-1]]
    assert any(company.unowned_shop in u.accounts for u in last["unowned"])
    _, agent = company.handed_over
    assert any(agent in c.accounts for c in last["crossings"]), "a 千牛 range across the hand-over"
    sources = [s for value, provenance in last["values"].values() for s in provenance]
    assert any(company.corrected_batch in s.batches for s in sources)
    # credit rules and shifts: agents' credited sales, silent orders, a shared account split by shift
    found = {name: [v for (_, n), (v, _) in last["values"].items() if n == name and v] for name in _CREDITED}
    assert all(found.values()), found
    assert len(found["cs_chat_buyers"]) == 3  # the other agent, and the shared account's two people
    assert any(s.team for s in sources), "team-scope values"
    assert any(s.source.startswith("query ") for s in sources)
    values = last["values"]
    assert any(values[(e, "gmv_change")][0] is not None for e, n in values if n == "gmv_change"), "prev()"
    assert any(
        values[(e, "team_buyers_by_query")][0] is not None for e, n in values if n == "team_buyers_by_query"
    )
    employees_with_shop = {e for e, n in values if n == "gmv" and values[(e, n)][0] is not None}
    assert len(employees_with_shop) >= 5


def test_duckdb_reads_the_rows_as_it_reads_the_rollups(
    company: Company, duckdb_readings: dict[str, Reading]
) -> None:
    for period in company.periods:
        assert_same(duckdb_readings[period], on_duckdb(company, period, read_rollups=False), "DuckDB raw")


@pytest.fixture(scope="module")
def postgres(company: Company, postgres_url: str) -> Iterator[MetricEngine]:
    publish(company.home, postgres_url)
    engine = open_engine(postgres_url, company.home)
    yield engine
    engine.close()


def test_postgresql_gives_what_duckdb_gives(
    company: Company, postgres: MetricEngine, duckdb_readings: dict[str, Reading]
) -> None:
    for period in company.periods:
        assert_same(duckdb_readings[period], compute(company, postgres, period), "PostgreSQL")


def test_clickhouse_gives_what_duckdb_gives(
    company: Company, clickhouse_url: str, duckdb_readings: dict[str, Reading]
) -> None:
    publish(company.home, clickhouse_url)
    engine = open_engine(clickhouse_url, company.home)
    try:
        for period in company.periods:
            assert_same(duckdb_readings[period], compute(company, engine, period), "ClickHouse")
    finally:
        engine.close()


@pytest.mark.spark
def test_spark_gives_what_duckdb_gives(
    company: Company, spark_url: str, duckdb_readings: dict[str, Reading]
) -> None:
    publish(company.home, spark_url)
    engine = open_engine(spark_url, company.home)
    try:  # the last month only (its prev() reads the month before): a Spark statement takes minutes here
        period = company.periods[-1]
        assert_same(duckdb_readings[period], compute(company, engine, period), "Spark")
    finally:
        engine.close()


def test_a_publish_replaces_what_the_engine_held(company: Company, postgres_url: str) -> None:
    published = {p.dataset: p for p in publish(company.home, postgres_url)}
    connection = Warehouse(company.home).connect()
    try:
        (rows,) = connection.execute("SELECT count(*) FROM shop_daily").fetchone() or (0,)
    finally:
        connection.close()
    assert published["shop_daily"].rows == rows
    again = {p.dataset: p for p in publish(company.home, postgres_url)}
    assert again["shop_daily"].rows == rows  # replaced, not appended
