"""Row overrides (an appeal's decision on one row) come after every other attribution rule: a
re-credited order counts for its new owner and no longer for the old one, an excluded row counts
for no one, and the drill-down lists both with HR's reason so that the rows add up to the value."""

from __future__ import annotations

from decimal import Decimal

from metric_tables import connection_with, employees, organisation_of, owns

from shopkpi.appraisal.exports.metric_rows_table import record
from shopkpi.data.metrics.catalogue import load_catalogue
from shopkpi.data.metrics.computation import compute_metrics
from shopkpi.data.metrics.row_overrides import RowOverride, rows_by_key, with_row_overrides
from shopkpi.data.metrics.rows import OVERRIDE_RULE, RowDrill
from shopkpi.scorecard.periods import Period

D = Decimal


def _order(number: int, shop: str, amount: str, day: str) -> dict[str, object]:
    return {
        "order_id": f"o{number}",
        "shop": shop,
        "buyer": f"b{number}",
        "created_at": f"{day} 10:00:00",
        "status": "paid",
        "amount": amount,
        "_batch": "b-orders",
        "_row": number + 1,  # the file's header is row 1
    }


# E1 runs shop S1 (orders o1 ¥10.00 and o2 ¥20.00), E2 runs S2 (o3 ¥35.50, o4 ¥4.50)
DATA = {
    "employees": employees("E1", "E2"),
    "accounts": [owns("E1", "shop", "S1"), owns("E2", "shop", "S2")],
    "orders": [
        _order(1, "S1", "10.00", "2026-10-01"),
        _order(2, "S1", "20.00", "2026-10-02"),
        _order(3, "S2", "35.50", "2026-10-03"),
        _order(4, "S2", "4.50", "2026-10-04"),
    ],
}
CREDIT_O3 = RowOverride("orders", "shop", "b-orders", 4, credit_to="E1", reason="E1 接的单")
EXCLUDE_O2 = RowOverride("orders", "shop", "b-orders", 3, credit_to=None, reason="E1 当天休假")


def _values(overrides: list[RowOverride]) -> dict[str, dict[str, Decimal | None]]:
    catalogue = with_row_overrides(load_catalogue(), overrides)
    found = compute_metrics(
        connection_with(DATA),
        "2026-10",
        catalogue,
        organisation=organisation_of(DATA),
        names=["gmv", "orders"],
    )
    return {e: v.plain() for e, v in found.employees.items()}


def test_a_re_credited_order_moves_exactly_its_amount_and_an_excluded_one_drops() -> None:
    before = _values([])
    assert before["E1"] == {"gmv": D("30.00"), "orders": D(2)}  # 10.00 + 20.00
    assert before["E2"] == {"gmv": D("40.00"), "orders": D(2)}  # 35.50 + 4.50
    after = _values([CREDIT_O3])
    # o3 (¥35.50) is E1's now: E1 30.00 + 35.50 = 65.50 and 3 orders; E2 40.00 − 35.50 = 4.50 and 1
    assert after["E1"] == {"gmv": D("65.50"), "orders": D(3)}
    assert after["E2"] == {"gmv": D("4.50"), "orders": D(1)}
    both = _values([CREDIT_O3, EXCLUDE_O2])
    # and o2 (¥20.00) counts for no one: E1 65.50 − 20.00 = 45.50, 2 orders; E2 unchanged
    assert both["E1"] == {"gmv": D("45.50"), "orders": D(2)}
    assert both["E2"] == after["E2"]


def test_an_override_decides_only_the_attribution_by_its_account_kind() -> None:
    by_agent = RowOverride("orders", "agent", "b-orders", 4, credit_to="E1", reason="客服的归属")
    assert _values([by_agent]) == _values([])  # gmv reads orders by shop: untouched


def test_the_rows_name_the_decision_and_add_up_to_the_value() -> None:
    catalogue = with_row_overrides(load_catalogue(), [CREDIT_O3, EXCLUDE_O2])
    drill = RowDrill(
        connection_with(DATA), catalogue, "gmv", "2026-10", organisation=organisation_of(DATA), employee="E1"
    )
    rows = {r.values["order_id"]: r for r in drill.rows()}
    assert sorted(rows) == ["o1", "o2", "o3"]
    assert [rows[o].counted for o in ("o1", "o2", "o3")] == [D("10.00"), None, D("35.50")]
    assert rows["o2"].excluded == "override" and rows["o2"].override == EXCLUDE_O2
    credit = rows["o3"].credited_by
    assert (credit.rule, credit.employee, credit.account) == (OVERRIDE_RULE, "E1", "S2")
    assert rows["o3"].override == CREDIT_O3 and rows["o1"].credited_by.rule == "owner"
    assert drill.value() == D("45.50") == _values([CREDIT_O3, EXCLUDE_O2])["E1"]["gmv"]
    assert [r.values["order_id"] for r in drill.find("b-orders", 4)] == ["o3"]
    # `shopkpi metrics --rows --format json` names the decision
    assert record(rows["o2"])["override"] == {"credit_to": None, "reason": "E1 当天休假"}
    assert record(rows["o3"])["override"] == {"credit_to": "E1", "reason": "E1 接的单"}
    assert record(rows["o1"])["override"] is None


def test_an_order_number_names_its_row() -> None:
    found = rows_by_key(connection_with(DATA), "orders", "o3", Period.parse("2026-10"))
    assert [(r.batch, r.row, r.account, r.key["order_id"]) for r in found] == [("b-orders", 4, "S2", "o3")]
    assert rows_by_key(connection_with(DATA), "orders", "o3", Period.parse("2026-09")) == []


def _events(batch: str) -> list[dict[str, object]]:
    """A clickstream file of S1 with the same event twice (rows 2 and 3) and another (row 4)."""
    same = {"user": "u1", "ts": "2026-10-05 09:00:00", "behavior": "buy", "shop": "S1", "_batch": batch}
    return [{**same, "_row": 2}, {**same, "_row": 3}, {**same, "behavior": "cart", "_row": 4}]


def test_an_override_finds_its_row_by_its_reference_in_whatever_batch_holds_it_now() -> None:
    from datetime import date

    from shopkpi.data.metrics.row_overrides import RowReference, locate

    key = RowReference("key", (("order_id", "o3"), ("shop", "S2")))
    # the second of two identical clicks: its whole content and which of the batch's identical rows it is
    content = RowReference(
        "content",
        (
            ("user", "u1"),
            ("ts", "2026-10-05 09:00:00"),
            ("behavior", "buy"),
            ("item", None),
            ("category", None),
            ("shop", "S1"),
        ),
        nth=1,
    )
    gone = RowReference("key", (("order_id", "o9"), ("shop", "S2")))
    overrides = [
        RowOverride("orders", "shop", "b-withdrawn", 4, "E1", "E1 接的单", key),
        RowOverride("traffic_events", "shop", "b-withdrawn", 3, None, "测试流量", content),
        RowOverride("orders", "shop", "b-withdrawn", 9, None, "已删除的订单", gone),
    ]
    data = {**DATA, "traffic_events": _events("b-again")}  # imported again as batch b-again
    found = locate(connection_with(data), load_catalogue(), overrides, date(2026, 10, 1), date(2026, 10, 31))
    assert sorted((o.dataset, o.batch, o.row) for o in found.applied) == [
        ("orders", "b-orders", 4),  # o3 is row 4 of b-orders
        ("traffic_events", "b-again", 3),  # the second identical click, not the first (row 2)
    ]
    assert [(u.override.reason, u.matches) for u in found.unfound] == [("已删除的订单", 0)]
    # the same click in two current batches: which one is meant is unclear, so it is not applied
    twice = {**data, "traffic_events": _events("b-again") + _events("b-other")}
    unclear = locate(
        connection_with(twice), load_catalogue(), overrides[1:2], date(2026, 10, 1), date(2026, 10, 31)
    )
    assert not unclear.applied and [u.matches for u in unclear.unfound] == [4]
