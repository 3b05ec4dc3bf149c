"""The two-step aggregation gives what the aggregates as written give, in each of its three modes.

Random clickstreams (hypothesis) are attributed to two operators with a hand-over, and user metrics
over `traffic_events` are computed by shopkpi and by a plain DuckDB query written here (per
account and owner, then added).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st
from metric_tables import connection_with, employees, organisation_of, owns

from shopkpi.data.metrics.aggregation_plan import plan
from shopkpi.data.metrics.catalogue import catalogue_from_texts
from shopkpi.data.metrics.computation import compute_metrics

LABELS = "label_zh: 测\n    label: T\n    definition: t\n    definition_zh: 测"

# name → expression; the sets below put them in one block in each plan mode
EXPRESSIONS = {
    "events": "count(*)",
    "visitors": "count(distinct user)",
    "buying_visitors": "count(distinct user) filter (where behavior = 'buy')",
    "pv_events": "sum(case when behavior = 'pv' then 1 else 0 end)",
    "first_hour": "min(hour(ts))",
    "items": "count(distinct item)",
    "last_hour": "arg_max(hour(ts), ts)",
    "mean_hour": "avg(hour(ts))",
}
MODES = {
    "distinct": ["events", "visitors", "buying_visitors", "pv_events", "first_hour"],
    "direct": ["visitors", "items", "events"],
    "direct_mixed": ["visitors", "last_hour"],
    "direct_plain": ["events", "pv_events", "last_hour", "mean_hour", "first_hour"],
}


def catalogue_for(names: list[str]):  # type: ignore[no-untyped-def]
    body = "".join(
        f'  {n}:\n    type: aggregate\n    {LABELS}\n    dataset: traffic_events\n    expression: "{EXPRESSIONS[n]}"\n'
        for n in names
    )
    return catalogue_from_texts([("shipped.yaml", "metrics:\n" + body)])


def test_the_sets_above_really_take_each_mode() -> None:
    for mode, names in MODES.items():
        catalogue = catalogue_for(names)
        sqls = [catalogue.metrics[n].sources[0].expression.sql(dialect="duckdb") for n in names]
        assert plan(sqls).mode == mode.split("_")[0], mode


events = st.lists(
    st.tuples(
        st.sampled_from(["u1", "u2", "u3", "u4", None]),
        st.integers(min_value=0, max_value=40 * 24 - 1),  # hours from 2026-09-25
        st.sampled_from(["pv", "cart", "fav", "buy"]),
        st.sampled_from(["S1", "S2", "S3"]),
        st.sampled_from(["i1", "i2", None]),
        st.sampled_from(["b1", "b2"]),
    ),
    max_size=40,
)


NOT_ADDITIVE = ("first_hour", "last_hour", "mean_hour")  # compared on one-account employees only


# one visitor in two shops of one operator: counted once for each shop, whatever the mode
TWO_SHOPS = [("u1", 7 * 24, "pv", "S1", "i1", "b1"), ("u1", 8 * 24, "buy", "S2", "i2", "b2")]


@settings(max_examples=40, deadline=None)
@given(rows=events, mode=st.sampled_from(sorted(MODES)))
@example(rows=TWO_SHOPS, mode="distinct")
@example(rows=TWO_SHOPS, mode="direct")
@example(rows=TWO_SHOPS, mode="direct_mixed")
@example(rows=TWO_SHOPS, mode="direct_plain")
def test_each_mode_matches_plain_duckdb(rows: list[tuple[object, ...]], mode: str) -> None:
    start = datetime(2026, 9, 25)
    traffic = [
        {"user": u, "ts": start + timedelta(hours=h), "behavior": b, "shop": s, "item": i, "_batch": batch}
        for u, h, b, s, i, batch in rows
    ]
    accounts = [
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
    names = MODES[mode]
    results = compute_metrics(con, "2026-10", catalogue_for(names), organisation=organisation_of(rows))
    columns = ", ".join(f"{EXPRESSIONS[n]} AS {n}" for n in names)
    added = ", ".join(f"any_value({n})" if n in NOT_ADDITIVE else f"sum({n})" for n in names)
    expected = con.execute(
        f"""
        WITH per_account AS (
            SELECT a.employee, t.shop, {columns}
            FROM traffic_events t JOIN accounts a ON a.kind = 'shop' AND a.account = t.shop
             AND CAST(t.ts AS DATE) BETWEEN coalesce(a.valid_from, DATE '2000-01-01')
                                        AND coalesce(a.valid_to, DATE '2100-01-01')
            WHERE t.ts >= TIMESTAMP '2026-10-01' AND t.ts < TIMESTAMP '2026-11-01'
            GROUP BY ALL)
        SELECT employee, count(*), {added} FROM per_account GROUP BY employee
        """
    ).fetchall()
    for employee, shops, *values in expected:
        got = results.employees[employee].plain()
        for name, value in zip(names, values, strict=True):
            if shops > 1 and name in NOT_ADDITIVE:
                continue
            if value is None:
                assert got[name] is None, (employee, name)
            else:
                assert got[name] is not None and abs(got[name] - Decimal(str(value))) < Decimal("1e-9"), (
                    employee,
                    name,
                )
    unseen = {"E1", "E2"} - {row[0] for row in expected}
    for employee in unseen:
        assert set(results.employees[employee].plain().values()) == {None}
