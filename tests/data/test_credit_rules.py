"""Order credit rules (业绩判定): each rule on the same seven orders gives the agent worked out by hand,
silent orders belong to no one, and 客服 + 静默 = 店铺 for the shop's sales."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pytest
from metric_tables import connection_with, employees, organisation_of, owns

from shopkpi.data.metrics.catalogue import MetricCatalogueError, load_catalogue, with_credit_rules
from shopkpi.data.metrics.computation import compute_metrics
from shopkpi.data.metrics.credit_rules import CreditRule, CreditRules
from shopkpi.data.metrics.credit_sql import TABLE, credit_ctes
from shopkpi.data.metrics.row_overrides import RowOverride, rows_by_key, with_row_overrides
from shopkpi.data.metrics.rows import RowDrill

D = Decimal
DAY = "2026-10-10"
SPAM = "广告号"


def _order(n: int, buyer: str, created: str, paid: str | None, status: str = "paid") -> dict[str, Any]:
    return {
        "order_id": f"o{n}",
        "shop": "S1",
        "buyer": buyer,
        "created_at": created,
        "paid_at": paid,
        "status": status,
        "amount": f"{n}00.00",
        "_row": n,
    }


def _chat(agent: str, buyer: str, ts: str) -> dict[str, Any]:
    return {"agent": agent, "buyer": buyer, "ts": ts, "shop": "S1"}


# order, its buyer's chats (agent at time), created, paid → the agent under each rule, by hand:
#   o1  A 10-10 09:00                        created 10:00, paid 10:05   chat 1 h before the order
#   o2  A 10-08 12:00, B 10-10 11:30         created 11:00, paid 12:00   A 47 h before; B between order and payment
#   o3  B 10-10 13:00, A 10-10 13:30         created 14:00, paid 14:10   the last chat before the order is A's
#   o4  (none)                               created 15:00, paid 15:01   静默 under every rule
#   o5  A 10-06 10:00, B 10-10 20:00         created 16:00, paid 10-11 09:00   A 4 days before; B after the order
#   o6  A 10-10 17:00                        created 17:30, never paid   payment rules have no payment to judge
#   o7  广告号 with A 10-10 18:00             created 18:30, paid 18:31   接待过滤: the chat is not reception
ORDERS = [
    _order(1, "b1", f"{DAY} 10:00:00", f"{DAY} 10:05:00"),
    _order(2, "b2", f"{DAY} 11:00:00", f"{DAY} 12:00:00"),
    _order(3, "b3", f"{DAY} 14:00:00", f"{DAY} 14:10:00"),
    _order(4, "b4", f"{DAY} 15:00:00", f"{DAY} 15:01:00"),
    _order(5, "b5", f"{DAY} 16:00:00", "2026-10-11 09:00:00"),
    _order(6, "b6", f"{DAY} 17:30:00", None, status="created"),
    _order(7, SPAM, f"{DAY} 18:30:00", f"{DAY} 18:31:00"),
]
CHATS = [
    _chat("A", "b1", f"{DAY} 09:00:00"),
    _chat("A", "b2", "2026-10-08 12:00:00"),
    _chat("B", "b2", f"{DAY} 11:30:00"),
    _chat("B", "b3", f"{DAY} 13:00:00"),
    _chat("A", "b3", f"{DAY} 13:30:00"),
    _chat("A", "b5", "2026-10-06 10:00:00"),
    _chat("B", "b5", f"{DAY} 20:00:00"),
    _chat("A", "b6", f"{DAY} 17:00:00"),
    _chat("A", SPAM, f"{DAY} 18:00:00"),
]
_ = None  # 静默
RULES: dict[str, tuple[dict[str, Any], list[str | None]]] = {
    #                                                          o1   o2   o3   o4   o5   o6   o7
    "下单判定 1天": ({"judge": "order", "window_days": 1}, ["A", _, "A", _, _, "A", _]),
    "下单判定 3天": ({"judge": "order", "window_days": 3}, ["A", "A", "A", _, _, "A", _]),
    "下单判定 1天 全静默跟进": (
        {"judge": "order", "window_days": 1, "silent_follow_up": True},
        ["A", "B", "A", _, "B", "A", _],
    ),
    "付款判定 1天": ({"judge": "payment", "window_days": 1}, ["A", "B", "A", _, "B", _, _]),
    "付款判定 3天": ({"judge": "payment", "window_days": 3}, ["A", "B", "A", _, "B", _, _]),
    "下单优先 1天": ({"judge": "order_first", "window_days": 1}, ["A", "B", "A", _, "B", "A", _]),
    "下单优先 3天": ({"judge": "order_first", "window_days": 3}, ["A", "A", "A", _, "B", "A", _]),
}


def _rules(**settings: Any) -> CreditRules:
    rule = CreditRule.model_validate(
        {"shops": ["S1"], "from": "2026-10-01", "reception_filter": [SPAM], **settings}
    )
    return CreditRules(MappingProxyType({"s1": rule}))


def _data() -> dict[str, list[dict[str, Any]]]:
    return {
        "employees": employees("EA", "EB", "ES"),
        "accounts": [owns("EA", "agent", "A"), owns("EB", "agent", "B"), owns("ES", "shop", "S1")],
        "orders": ORDERS,
        "cs_chats": CHATS,
    }


@pytest.mark.parametrize("name", list(RULES))
def test_each_rule_credits_the_orders_to_the_agent_worked_out_by_hand(name: str) -> None:
    settings, expected = RULES[name]
    ctes = credit_ctes(_rules(**settings), dt.date(2026, 10, 1), dt.date(2026, 10, 31), with_row=True)
    found = (
        connection_with(_data())
        .execute(
            f"WITH {', '.join(ctes)} SELECT order_id, agent, rule, window_days FROM {TABLE} ORDER BY order_id"
        )
        .fetchall()
    )
    assert [agent for _, agent, _, _ in found] == expected
    assert {(rule, days) for _, _, rule, days in found} == {(settings["judge"], settings["window_days"])}


@pytest.mark.parametrize("name", list(RULES))
def test_agents_plus_silent_is_the_shops_sales(name: str) -> None:
    settings, expected = RULES[name]
    catalogue = with_credit_rules(load_catalogue(), _rules(**settings))
    data = _data()
    values = compute_metrics(connection_with(data), "2026-10", catalogue, organisation=organisation_of(data))
    counted = [i for i, o in enumerate(ORDERS) if o["status"] == "paid"]  # o6 is not a counted order
    by_hand = {
        agent: sum((D(f"{i + 1}00.00") for i in counted if expected[i] == agent), D(0))
        for agent in ("A", "B")
    }
    silent = sum((D(f"{i + 1}00.00") for i in counted if expected[i] is None), D(0))
    credited = {e: values.employees[e].value("cs_credited_amount") for e in ("EA", "EB")}
    assert credited == {e: by_hand[a] or None for e, a in (("EA", "A"), ("EB", "B"))}
    shop = values.employees["ES"]
    assert shop.value("silent_amount") == silent
    # 客服 + 静默 = 店铺: 100 + 200 + 300 + 400 + 500 + 700 (o6 never paid)
    assert sum((v or D(0) for v in credited.values()), D(0)) + silent == shop.value("gmv") == D("2200.00")


def test_silent_orders_say_so_in_the_rows_and_credited_rows_name_the_rule() -> None:
    catalogue = with_credit_rules(load_catalogue(), _rules(judge="order", window_days=1))
    data = _data()
    silent = RowDrill(
        connection_with(data),
        catalogue,
        "silent_amount",
        "2026-10",
        organisation=organisation_of(data),
        employee="ES",
    )
    rows = {r.values["order_id"]: r for r in silent.rows()}
    assert sorted(o for o, r in rows.items() if r.counted is not None) == ["o2", "o4", "o5", "o7"]
    assert rows["o4"].credited_by.silent and rows["o4"].credited_by.credit_rule == "order"
    assert silent.value() == D("1800.00")  # 200 + 400 + 500 + 700
    agent = RowDrill(
        connection_with(data),
        catalogue,
        "cs_credited_amount",
        "2026-10",
        organisation=organisation_of(data),
        employee="EA",
    )
    credited = {r.values["order_id"]: r.credited_by for r in agent.rows()}
    assert sorted(credited) == ["o1", "o3", "o6"]
    assert (credited["o1"].credit_rule, credited["o1"].window_days) == ("order", 1)
    assert credited["o1"].chat_at == dt.datetime(2026, 10, 10, 9, 0)
    assert agent.value() == D("400.00")  # o1 100 + o3 300; o6 was never paid


def test_the_reception_filter_leaves_its_buyers_out_of_the_chat_counts() -> None:
    catalogue = with_credit_rules(load_catalogue(), _rules(judge="order", window_days=1))
    data = _data()
    values = compute_metrics(connection_with(data), "2026-10", catalogue, organisation=organisation_of(data))
    # A received b1, b2, b3, b5, b6 (广告号 filtered out): 5 buyers; B received b2, b3, b5
    assert values.employees["EA"].value("cs_chat_buyers") == D(5)
    assert values.employees["EB"].value("cs_chat_buyers") == D(3)


def test_credit_rules_from_the_home_and_their_mistakes(tmp_path: Path) -> None:
    folder = tmp_path / "credit_rules"
    folder.mkdir()
    (folder / "shops.yaml").write_text(
        "credit_rules:\n  flagship:\n    shops: [旗舰店]\n    from: 2026-01-01\n    to: 2026-06-30\n"
        "    judge: order\n    window_days: 1\n    silent_follow_up: true\n    reception_filter: [广告号]\n"
        "  flagship_later:\n    shops: [旗舰店]\n    from: 2026-07-01\n    judge: payment\n    window_days: 3\n",
        encoding="utf-8",
    )
    catalogue = load_catalogue(tmp_path)
    assert [r.judge for r in catalogue.credit.rules.values()] == ["order", "payment"]
    (folder / "bad.yaml").write_text(
        "credit_rules:\n  overlapping:\n    shops: [旗舰店]\n    from: 2026-06-01\n    judge: payment\n"
        "    window_days: 0\n  follow:\n    shops: [专营店]\n    from: 2026-01-01\n    judge: payment\n"
        "    window_days: 1\n    silent_follow_up: true\n",
        encoding="utf-8",
    )
    with pytest.raises(MetricCatalogueError) as refused:
        load_catalogue(tmp_path)
    text = str(refused.value)
    assert "bad.yaml: credit_rules.overlapping.window_days" in text
    assert "silent_follow_up applies to judge: order" in text
    (folder / "bad.yaml").write_text(
        "credit_rules:\n  overlapping:\n    shops: [旗舰店]\n    from: 2026-06-01\n    judge: payment\n    window_days: 1\n",
        encoding="utf-8",
    )
    with pytest.raises(MetricCatalogueError, match="overlapping and flagship both decide 旗舰店"):
        load_catalogue(tmp_path)


def test_an_appeal_decision_comes_after_the_credit_rule() -> None:
    # HR re-credits the silent o4 (file row 4 of the orders) to agent B's EB: the rule left it to no one
    appeal = RowOverride("order_credits", "agent", "orders-1", 4, credit_to="EB", reason="这单是我接的")
    rules = with_credit_rules(load_catalogue(), _rules(judge="order", window_days=1))
    catalogue = with_row_overrides(rules, [appeal])
    data = _data()
    values = compute_metrics(connection_with(data), "2026-10", catalogue, organisation=organisation_of(data))
    assert values.employees["EB"].value("cs_credited_amount") == D("400.00")  # o4 alone
    assert values.employees["EA"].value("cs_credited_amount") == D("400.00")  # o1 + o3, as before
    drill = RowDrill(
        connection_with(data),
        catalogue,
        "cs_credited_amount",
        "2026-10",
        organisation=organisation_of(data),
        employee="EB",
    )
    [row] = drill.rows()
    assert (row.values["order_id"], row.credited_by.rule, row.counted) == ("o4", "override", D("400.00"))


def test_an_order_number_names_the_credited_row_a_rule_left_silent() -> None:
    # "这单是我接的" by order number: o4 is a row of order_credits only as the rules compute it
    rules = with_credit_rules(load_catalogue(), _rules(judge="order", window_days=1))
    data = _data()
    drill = RowDrill(
        connection_with(data),
        rules,
        "cs_credited_amount",
        "2026-10",
        organisation=organisation_of(data),
        employee="EB",
    )
    [row] = rows_by_key(drill.connection, "order_credits", "o4", drill.period, drill.crediting)
    assert (row.batch, row.row, row.account, row.key) == (
        "orders-1",
        4,
        None,
        {"order_id": "o4", "shop": "S1"},
    )
    assert rows_by_key(drill.connection, "order_credits", "o4", drill.period) == []  # no 订单归属 imported
