"""Attribution: owners on the row's date, hand-overs, unowned rows, date ranges and team scope."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from metric_tables import connection_with, employees, organisation_of, owns

from shopkpi.data.metrics.attribution import RangeCrossing, UnownedRows
from shopkpi.data.metrics.catalogue import catalogue_from_texts, load_catalogue
from shopkpi.data.metrics.computation import compute_metrics


def october_days(shop: str) -> list[dict[str, object]]:
    """A shop_daily row for every October day: uv = the day of the month, one buyer a day."""
    return [
        {"shop": shop, "date": f"2026-10-{day:02d}", "uv": day, "buyers": 1, "gmv": "10.00"}
        for day in range(1, 32)
    ]


def test_a_shop_handed_over_on_the_16th_splits_the_month() -> None:
    rows: dict[str, Any] = {
        "employees": employees("E1", "E2"),
        "accounts": [
            owns("E1", "shop", "S1", None, "2026-10-15"),
            owns("E2", "shop", "S1", "2026-10-16"),
        ],
        "shop_daily": october_days("S1"),
    }
    con = connection_with(rows)
    result = compute_metrics(
        con,
        "2026-10",
        load_catalogue(),
        organisation=organisation_of(rows),
        names=["uv", "buyers", "conversion_rate"],
    )
    first, second = result.employees["E1"].plain(), result.employees["E2"].plain()
    assert (first["uv"], first["buyers"]) == (120, 15)  # 1 + … + 15, days 1-15
    assert (second["uv"], second["buyers"]) == (376, 16)  # 16 + … + 31, days 16-31
    assert first["conversion_rate"] == Decimal("0.125000")  # 15 / 120
    assert second["conversion_rate"] == Decimal("0.042553")  # 16 / 376 = 0.0425531…
    assert result.unowned == ()


def test_timestamps_are_attributed_by_their_day_and_distinct_users_per_owner() -> None:
    events = [
        ("u1", "2026-10-10 12:00:00"),
        ("u1", "2026-10-15 23:59:59"),  # still E1's day
        ("u1", "2026-10-16 00:00:00"),  # E2's first day
        ("u2", "2026-10-20 08:00:00"),
    ]
    rows: dict[str, Any] = {
        "employees": employees("E1", "E2"),
        "accounts": [
            owns("E1", "shop", "S1", None, "2026-10-15"),
            owns("E2", "shop", "S1", "2026-10-16"),
        ],
        "traffic_events": [{"user": u, "ts": ts, "behavior": "pv", "shop": "S1"} for u, ts in events],
    }
    con = connection_with(rows)
    result = compute_metrics(
        con, "2026-10", load_catalogue(), organisation=organisation_of(rows), names=["pv", "uv"]
    )
    assert result.employees["E1"].plain() == {"pv": 2, "uv": 1}
    assert result.employees["E2"].plain() == {"pv": 2, "uv": 2}


def test_unowned_rows_are_reported_not_dropped_silently() -> None:
    rows: dict[str, Any] = {
        "employees": employees("E1"),
        "accounts": [owns("E1", "shop", "S1", "2026-10-11")],
        "shop_daily": [
            *october_days("S1"),  # days 1-10 belong to no one
            {"shop": "S9", "date": "2026-10-05", "uv": 7},  # no one ever owned S9
            {"shop": "S9", "date": "2026-09-05", "uv": 7},  # another period: not reported for October
        ],
    }
    con = connection_with(rows)
    result = compute_metrics(
        con, "2026-10", load_catalogue(), organisation=organisation_of(rows), names=["uv"]
    )
    assert result.employees["E1"].value("uv") == sum(range(11, 32))
    assert result.unowned == (UnownedRows(dataset="shop_daily", kind="shop", rows=11, accounts=("S1", "S9")),)
    assert "11 shop_daily rows belong to no one" in str(result.unowned[0])


def test_a_row_covering_a_range_belongs_to_the_owner_on_its_last_day_and_a_crossing_is_reported() -> None:
    rows: dict[str, Any] = {
        "employees": employees("E3", "E4", "E5"),
        "accounts": [
            owns("E3", "agent", "A1", None, "2026-10-15"),
            owns("E4", "agent", "A1", "2026-10-16"),
            owns("E5", "agent", "A2"),
        ],
        "cs_daily": [  # two 千牛 exports for the whole month
            {
                "agent": "A1",
                "date_from": "2026-10-01",
                "date": "2026-10-31",
                "inquiries": 100,
                "paid_buyers": 20,
            },
            {
                "agent": "A2",
                "date_from": "2026-10-01",
                "date": "2026-10-31",
                "inquiries": 50,
                "paid_buyers": 5,
            },
        ],
    }
    con = connection_with(rows)
    result = compute_metrics(
        con,
        "2026-10",
        load_catalogue(),
        organisation=organisation_of(rows),
        names=["cs_inquiries", "cs_conversion_rate"],
    )
    assert result.employees["E3"].value("cs_inquiries") is None
    assert result.employees["E4"].value("cs_inquiries") == 100
    assert result.employees["E4"].value("cs_conversion_rate") == Decimal("0.200000")
    assert result.employees["E5"].value("cs_inquiries") == 50
    assert result.range_crossings == (
        RangeCrossing(dataset="cs_daily", kind="agent", employee="E4", rows=1, accounts=("A1",)),
    )


TEAM = """
metrics:
  team_gmv:
    type: aggregate
    scope: team
    label_zh: 团队支付金额
    label: Team GMV
    definition: GMV of everyone reporting to the employee.
    definition_zh: 下属（含间接下属）的支付金额。
    dataset: shop_daily
    expression: sum(gmv)
  team_uv:
    type: aggregate
    scope: team
    label_zh: 团队访客数
    label: Team visitors
    definition: Visitors of everyone reporting to the employee.
    definition_zh: 下属的访客数。
    dataset: traffic_events
    expression: count(distinct user)
  team_gmv_by_query:
    type: query
    scope: team
    by: shop
    label_zh: 团队支付金额（查询）
    label: Team GMV (query)
    definition: The same as team_gmv, as a query.
    definition_zh: 与 team_gmv 相同，用查询写成。
    sql: SELECT shop AS account, date, gmv AS value, _batch AS batch FROM shop_daily
"""


def test_team_scope_covers_everyone_reporting_directly_or_not() -> None:
    # M ← L ← (E1, E2);  M ← E3;  X and Y supervise each other (a cycle must not loop)
    supervisors = {"L": "M", "E1": "L", "E2": "L", "E3": "M", "X": "Y", "Y": "X"}
    shops = {"M": "SM", "L": "SL", "E1": "S1", "E2": "S2", "E3": "S3", "X": "SX", "Y": "SY"}
    gmv = {
        "SM": "1000.00",
        "SL": "100.00",
        "S1": "10.00",
        "S2": "20.00",
        "S3": "30.00",
        "SX": "1.00",
        "SY": "2.00",
    }
    rows: dict[str, Any] = {
        "employees": employees(*shops, supervisor=supervisors),
        "accounts": [owns(e, "shop", s) for e, s in shops.items()],
        "shop_daily": [{"shop": s, "date": "2026-10-01", "gmv": g} for s, g in gmv.items()],
        "traffic_events": [  # the same visitor in E1's and E2's shops counts once for each shop
            {"user": "u", "ts": "2026-10-02 10:00:00", "behavior": "pv", "shop": "S1"},
            {"user": "u", "ts": "2026-10-02 10:05:00", "behavior": "pv", "shop": "S2"},
        ],
    }
    con = connection_with(rows)
    catalogue = catalogue_from_texts([("shipped.yaml", TEAM)])
    result = compute_metrics(con, "2026-10", catalogue, organisation=organisation_of(rows))
    team = {e: v.plain() for e, v in result.employees.items()}
    # L 100 + E1 10 + E2 20 + E3 30, not M's own
    assert team["M"] == {"team_gmv": Decimal("160.00"), "team_uv": 2, "team_gmv_by_query": Decimal("160.00")}
    assert team["L"] == {"team_gmv": Decimal("30.00"), "team_uv": 2, "team_gmv_by_query": Decimal("30.00")}
    assert set(team["E1"].values()) == {None}  # no one reports to E1
    assert team["X"]["team_gmv"] == Decimal("2.00") and team["Y"]["team_gmv"] == Decimal("1.00")
    provenance = result.employees["M"].values["team_gmv"].provenance
    assert [(p.source, p.rows, p.team) for p in provenance] == [("shop_daily", 4, True)]
    by_query = result.employees["M"].values["team_gmv_by_query"].provenance
    assert [(p.source, p.rows, p.batches, p.team) for p in by_query] == [
        ("query team_gmv_by_query", 4, ("shop_daily-1",), True)
    ]
