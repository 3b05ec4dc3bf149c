"""Which aggregates read the clickstream roll-up (and how they are rewritten), which fall back to the
rows, and that random clickstreams give the same metrics either way."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
import sqlglot
from hypothesis import example, given, settings
from hypothesis import strategies as st
from metric_tables import connection_with, employees, organisation_of, owns

from shopkpi.data.datasets import DATASETS
from shopkpi.data.metrics.catalogue import MetricCatalogue, catalogue_from_texts, load_catalogue
from shopkpi.data.metrics.compiler import compile_period
from shopkpi.data.metrics.computation import compute_metrics
from shopkpi.data.warehouse.rollup_reading import readable, rewritten
from shopkpi.scorecard.periods import Period

TRAFFIC = DATASETS["traffic_events"]


def normal(sql: str) -> str:
    return sqlglot.parse_one(sql, read="duckdb").sql(dialect="duckdb", identify=True)


def over_rollup(*values: str) -> list[str] | None:
    trees = [sqlglot.parse_one(v, read="duckdb") for v in values]
    result = rewritten(TRAFFIC, trees, "d")
    return None if result is None else [normal(t.sql(dialect="duckdb")) for t in result]


@pytest.mark.parametrize(
    ("written", "over_the_rollup"),
    [
        ("count(*)", 'COALESCE(SUM("d"."_n"), 0)'),
        (
            "count(*) FILTER (WHERE d.behavior = 'pv')",
            'COALESCE(SUM("d"."_n") FILTER(WHERE d.behavior = \'pv\'), 0)',
        ),
        ("count(d.user)", 'COALESCE(SUM("d"."_n") FILTER(WHERE NOT d.user IS NULL), 0)'),
        (
            "count(d.user) FILTER (WHERE d.shop = 'S1')",
            'COALESCE(SUM("d"."_n") FILTER(WHERE NOT d.user IS NULL AND d.shop = \'S1\'), 0)',
        ),
        ("count_if(d.behavior = 'buy')", 'COALESCE(SUM("d"."_n") FILTER(WHERE d.behavior = \'buy\'), 0)'),
        ("count(DISTINCT d.user)", "COUNT(DISTINCT d.user)"),
        (
            "count(DISTINCT d.user) FILTER (WHERE d.behavior IN ('buy', 'cart'))",
            "COUNT(DISTINCT d.user) FILTER(WHERE d.behavior IN ('buy', 'cart'))",
        ),
        ("max(length(d.user))", "MAX(LENGTH(d.user))"),
        ("min(d._batch)", "MIN(d._batch)"),
        ("bool_or(d.behavior = 'buy')", "BOOL_OR(d.behavior = 'buy')"),
        # around the aggregates the expression stays as written; each aggregate is rewritten
        (
            "count(DISTINCT d.user) FILTER (WHERE d.behavior = 'buy') * 1.0 / count(*)",
            'COUNT(DISTINCT d.user) FILTER(WHERE d.behavior = \'buy\') * 1.0 / COALESCE(SUM("d"."_n"), 0)',
        ),
        (
            "CASE WHEN count(*) FILTER (WHERE d.shop = 'S1') > 0 THEN count(DISTINCT d.user) END",
            'CASE WHEN COALESCE(SUM("d"."_n") FILTER(WHERE d.shop = \'S1\'), 0) > 0 '
            "THEN COUNT(DISTINCT d.user) END",
        ),
    ],
)
def test_what_reads_the_rollup_and_how(written: str, over_the_rollup: str) -> None:
    assert over_rollup(written) == [normal(over_the_rollup)]


@pytest.mark.parametrize(
    "written",
    [
        "sum(length(d.user))",  # a sum over repeated rows is not a sum over groups
        "avg(length(d.user))",
        "arg_max(length(d.user), d.ts)",
        "count(DISTINCT d.item)",  # item is not kept
        "count(*) FILTER (WHERE d.item = 'i1')",
        "min(hour(d.ts))",  # the roll-up keeps the day of ts, not its time
        "count(DISTINCT d.ts)",
        "count(*) FILTER (WHERE d.category = 'c')",
        "median(length(d.user))",
    ],
)
def test_what_falls_back_to_the_rows(written: str) -> None:
    assert over_rollup(written) is None
    assert over_rollup("count(DISTINCT d.user)", written) is None  # one value that cannot: the whole block


def test_which_blocks_can_read_a_rollup() -> None:
    assert readable(TRAFFIC, "shop") and readable(TRAFFIC, "user")
    assert not readable(TRAFFIC, "category")  # attributed by a column the roll-up does not keep
    assert not readable(TRAFFIC, "item")
    assert not any(readable(DATASETS[d], "shop") for d in ("shop_daily", "orders", "campaigns"))


LABELS = "label_zh: 测\n    label: T\n    definition: t\n    definition_zh: 测"


def catalogue(metrics: dict[str, tuple[str, str | None]]) -> MetricCatalogue:
    """User metrics over traffic_events: name → (expression, filter)."""
    body = ""
    for name, (expression, condition) in metrics.items():
        body += f'  {name}:\n    type: aggregate\n    {LABELS}\n    dataset: traffic_events\n    expression: "{expression}"\n'
        if condition:
            body += f'    filter: "{condition}"\n'
    return catalogue_from_texts([("shipped.yaml", "metrics: {}"), ("user.yaml", "metrics:\n" + body)])


def test_the_statement_reads_the_rollup_only_where_every_value_can() -> None:
    period = Period.parse("2026-10")
    shipped = load_catalogue()
    sql = compile_period(shipped, ["uv", "pv", "buyers"], period, rollups_read={"traffic_events"}).sql
    assert "FROM _rollup_traffic_events" in sql and 'FROM "traffic_events"' not in sql
    raw = compile_period(shipped, ["uv", "pv", "buyers"], period).sql
    assert "_rollup" not in raw and 'FROM "traffic_events"' in raw
    mixed = catalogue({"visitors": ("count(distinct user)", None), "items": ("count(distinct item)", None)})
    sql = compile_period(mixed, ["visitors", "items"], period, rollups_read={"traffic_events"}).sql
    # the values read the rows (items needs them); the rows per account and day still come from the roll-up
    assert sql.count('FROM "traffic_events"') == 1 and sql.count("FROM _rollup_traffic_events") == 1


EXPRESSIONS: dict[str, tuple[str, str | None]] = {
    "events": ("count(*)", None),
    "page_views": ("count(*) filter (where behavior = 'pv')", None),
    "visitors": ("count(distinct user)", None),
    "buyers": ("count(distinct user) filter (where behavior = 'buy')", None),
    "engaged": ("count(distinct user)", "behavior in ('buy', 'cart', 'fav')"),
    "engaged_events": ("count(*)", "behavior <> 'pv'"),
    "named_events": ("count(user)", None),
    "buy_events": ("count_if(behavior = 'buy')", None),
    "longest_name": ("max(length(user))", None),
    "s1_visitors": ("count(distinct user) filter (where shop = 'S1')", None),
    "items": ("count(distinct item)", None),  # falls back
}
BLOCKS = {
    "rollup": [n for n in EXPRESSIONS if n != "items"],
    "rows": list(EXPRESSIONS),
}

events = st.lists(
    st.tuples(
        st.sampled_from(["u1", "u2", "u3", "u4", None]),
        st.integers(min_value=0, max_value=40 * 24 - 1),  # hours from 2026-09-25
        st.sampled_from(["pv", "cart", "fav", "buy"]),
        st.sampled_from(["S1", "S2", "S3", None]),
        st.sampled_from(["i1", "i2", None]),
        st.sampled_from(["b1", "b2"]),
    ),
    max_size=40,
)
# one visitor of one shop on three days, twice on one of them: one visitor, four events
REPEATS = [
    ("u1", 7 * 24 + 1, "pv", "S2", "i1", "b1"),
    ("u1", 7 * 24 + 2, "pv", "S2", "i1", "b1"),
    ("u1", 8 * 24, "buy", "S2", "i2", "b1"),
    ("u1", 9 * 24, "pv", "S2", "i2", "b2"),
]
ROLLUP_VIEW = (
    'CREATE VIEW _rollup_traffic_events AS SELECT shop, CAST(ts AS DATE) AS ts, "user", behavior, '
    "count(*) AS _n, _batch FROM traffic_events GROUP BY ALL"
)


@settings(max_examples=40, deadline=None)
@given(rows=events, block=st.sampled_from(sorted(BLOCKS)))
@example(rows=REPEATS, block="rollup")
def test_random_clickstreams_give_the_same_metrics_over_the_rollup_and_the_rows(
    rows: list[tuple[object, ...]], block: str
) -> None:
    start = datetime(2026, 9, 25)
    traffic = [
        {"user": u, "ts": start + timedelta(hours=h), "behavior": b, "shop": s, "item": i, "_batch": batch}
        for u, h, b, s, i, batch in rows
    ]
    accounts = [  # a hand-over on the 16th
        owns("E1", "shop", "S1", None, "2026-10-15"),
        owns("E2", "shop", "S1", "2026-10-16"),
        owns("E1", "shop", "S2"),
    ]
    rows: dict[str, Any] = {
        "employees": employees("E1", "E2"),
        "accounts": accounts,
        "traffic_events": traffic,
    }
    con = connection_with(rows)
    con.execute(ROLLUP_VIEW)
    metrics = catalogue({n: EXPRESSIONS[n] for n in BLOCKS[block]})
    via_rollup = compute_metrics(con, "2026-10", metrics, organisation=organisation_of(rows))
    via_rows = compute_metrics(
        con, "2026-10", metrics, organisation=organisation_of(rows), read_rollups=False
    )
    assert ("FROM _rollup_traffic_events AS d JOIN" in via_rollup.sql) == (block == "rollup")
    assert "_rollup" not in via_rows.sql
    assert via_rollup.employees == via_rows.employees  # values and provenance (rows, batches)
    assert via_rollup.unowned == via_rows.unowned
    if rows == REPEATS:
        got = via_rollup.employees["E1"].plain()
        assert (got["visitors"], got["events"], got["page_views"], got["buyers"]) == (1, 4, 3, 1)
