"""The orders an agent received (`served_orders`): orders whose 客服 is an agent account the employee
owned on the order's day, in a span of days, each kept whole; the cases a spot check draws from."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from metric_tables import connection_with, employees, organisation_of, owns

from shopkpi.data.metrics.served_cases import served_orders


def _order(row: int, order_id: str, buyer: str | None, created: str, agent: str | None) -> dict[str, object]:
    return {
        "order_id": order_id,
        "shop": "S1",
        "buyer": buyer,
        "created_at": created,
        "status": "paid",
        "amount": "88.00",
        "cs_agent": agent,
        "_row": row,
    }


# agent account 店铺:小冰 is E1's until 8 October and E2's from the 9th; 店铺:小焦 is E2's all month
ROWS: dict[str, list[dict[str, object]]] = {
    "employees": employees("E1", "E2"),
    "accounts": [
        owns("E1", "agent", "店铺:小冰", None, "2026-10-08"),
        owns("E2", "agent", "店铺:小冰", "2026-10-09"),
        owns("E2", "agent", "店铺:小焦"),
    ],
    "orders": [
        _order(2, "o1", "b1", "2026-10-05 10:00:00", "店铺:小冰"),  # E1's week 2 (5 Oct is a Monday)
        _order(3, "o2", "b2", "2026-10-06 11:00:00", "店铺:小冰"),  # E1
        _order(4, "o3", None, "2026-10-07 12:00:00", "店铺:小冰"),  # no buyer: not a case
        _order(5, "o4", "b3", "2026-10-07 13:00:00", None),  # no 客服: nobody's
        _order(6, "o5", "b4", "2026-10-09 09:00:00", "店铺:小冰"),  # E2 from the 9th
        _order(7, "o6", "b5", "2026-10-10 09:00:00", "店铺:小焦"),  # E2
        _order(8, "o7", "b6", "2026-10-12 09:00:00", "店铺:小冰"),  # E2, the next week
    ],
}
WEEK_2 = (dt.date(2026, 10, 5), dt.date(2026, 10, 11))


def test_the_orders_of_the_agents_accounts_in_the_week_each_whole() -> None:
    found = served_orders(connection_with(ROWS), organisation_of(ROWS), "E1", *WEEK_2)
    assert [(o.order_id, o.buyer, o.agent) for o in found] == [
        ("o1", "b1", "店铺:小冰"),
        ("o2", "b2", "店铺:小冰"),
    ]
    first = found[0]
    assert (first.shop, first.created_at, first.status, first.amount) == (
        "S1",
        dt.datetime(2026, 10, 5, 10, 0),
        "paid",
        Decimal("88.00"),
    )


def test_an_account_handed_over_counts_for_its_owner_on_the_day() -> None:
    found = served_orders(connection_with(ROWS), organisation_of(ROWS), "E2", *WEEK_2)
    assert [o.order_id for o in found] == ["o5", "o6"]


def test_a_span_must_lie_in_one_month() -> None:
    with pytest.raises(ValueError, match="one month"):
        served_orders(connection_with(ROWS), organisation_of(ROWS), "E1", dt.date(2026, 9, 28), WEEK_2[1])
