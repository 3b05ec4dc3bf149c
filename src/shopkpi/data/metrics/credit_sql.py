"""The credit rules (`credit_rules`) as CTEs of the metric statement: `_order_credits`, read in place of
the `order_credits` dataset wherever a metric reads it (the metric step and the rows behind a value).

    _credit_chats       the chats (`cs_chats`) less those of the rules' reception filters
    _credit_orders      the orders a rule decides (its shops, its days), with the rule's number
    _credit_candidates  each order's chats in the rule's window, with their stage (1 first, 2 after)
    _credit_picked      each order's agent: the last chat of the first stage that has one
    _order_credits      the decided orders (agent NULL: 静默) and the imported 订单归属 rows of the
                        orders no rule decides, with the columns of `order_credits`

The shape is the statement's portable one: joins, UNION ALL, row_number(), a timestamp less an
INTERVAL of whole days; every rule's parameters are literals.
"""

from __future__ import annotations

import datetime as dt

from sqlglot import exp

from shopkpi.data.datasets import DATASETS
from shopkpi.data.metrics import attribution as attr
from shopkpi.data.metrics.credit_rules import CreditRule, CreditRules
from shopkpi.data.metrics.sql_guard import DIALECT

TABLE = "_order_credits"
DATASET = "order_credits"
CHATS = "cs_chats"
ORDERS = "orders"
SHOWN = ("agent", "rule", "window_days", "chat_at")
"""The columns of an `order_credits` row that say why it counts for its agent (or for no one)."""


def reception_filter(rules: CreditRules, dataset: str) -> exp.Expr | None:
    """A row of `dataset` (cs_chats) whose buyer a rule's 接待过滤 leaves out of reception in its shops
    and days (columns unqualified, as a metric's filter names them); None when no rule filters."""
    conditions = []
    ds = DATASETS[dataset]
    assert ds.date_column is not None
    day = exp.cast(exp.column(ds.date_column, quoted=True), "DATE")
    for rule in rules.rules.values():
        if not rule.reception_filter:
            continue
        parts = [
            exp.column("shop", quoted=True).isin(*(exp.Literal.string(s) for s in rule.shops)),
            exp.column("buyer", quoted=True).isin(*(exp.Literal.string(b) for b in rule.reception_filter)),
            exp.GTE(this=day.copy(), expression=_date(rule.start)),
        ]
        if rule.end is not None:
            parts.append(exp.LTE(this=day.copy(), expression=_date(rule.end)))
        conditions.append(exp.Paren(this=exp.and_(*parts)))
    return exp.or_(*conditions) if conditions else None


def credit_ctes(rules: CreditRules, first: dt.date, last: dt.date, *, with_row: bool = False) -> list[str]:
    """The CTEs ending with `_order_credits`, for the orders created from `first` to `last`. `with_row`:
    the rows keep `_row` (the warehouse's row of the file), as the rows behind a value read them."""
    in_force = rules.in_force(first, last)
    imported = _columns({}, "c") + f", c._batch AS _batch{', c._row AS _row' if with_row else ''}"
    if not in_force:
        return [f"{TABLE} AS (SELECT {imported} FROM {attr.quoted(DATASET)} AS c)"]
    decided = " UNION ALL ".join(
        _decided(i, rule, first, last, with_row) for i, (_, rule) in enumerate(in_force)
    )
    filtered = reception_filter(rules, CHATS)
    keep = "" if filtered is None else f" AND NOT ({_qualified(filtered, 'c')})"
    earliest = first - dt.timedelta(days=max(rule.window_days for _, rule in in_force))
    keep += f" AND c.{_q('ts')} >= TIMESTAMP '{earliest.isoformat()} 00:00:00'"  # no older chat counts
    stages = " ".join(_stages(i, rule) for i, (_, rule) in enumerate(in_force))
    rule_of = " ".join(f"WHEN {i} THEN {attr.literal(rule.judge)}" for i, (_, rule) in enumerate(in_force))
    days_of = " ".join(f"WHEN {i} THEN {rule.window_days}" for i, (_, rule) in enumerate(in_force))
    computed = _columns(
        {
            "agent": "p._agent",
            "rule": f"CASE r._rule {rule_of} END",
            "window_days": f"CAST(CASE r._rule {days_of} END AS BIGINT)",
            "chat_at": "p._ts",
        },
        "r",
    )
    return [
        f"_credit_chats AS (SELECT c.{_q('shop')} AS _shop, c.{_q('buyer')} AS _buyer, c.{_q('agent')} AS _agent, "
        f"c.{_q('ts')} AS _ts FROM {attr.quoted(CHATS)} AS c WHERE c.{_q('agent')} IS NOT NULL{keep})",
        f"_credit_orders AS ({decided})",
        "_credit_candidates AS (SELECT * FROM (SELECT r.order_id AS _order, r.shop AS _shop, ch._agent AS _agent, "
        f"ch._ts AS _ts, CASE {stages} END AS _stage FROM _credit_orders AS r JOIN _credit_chats AS ch "
        "ON ch._shop = r.shop AND ch._buyer = r.buyer) AS x WHERE _stage IS NOT NULL)",
        "_credit_picked AS (SELECT _order, _shop, _agent, _ts FROM (SELECT _order, _shop, _agent, _ts, "
        "row_number() OVER (PARTITION BY _order, _shop ORDER BY _stage, _ts DESC, _agent) AS _n "
        "FROM _credit_candidates) AS x WHERE _n = 1)",
        f"{TABLE} AS (SELECT {computed}, r._batch AS _batch{', r._row AS _row' if with_row else ''} "
        "FROM _credit_orders AS r LEFT JOIN _credit_picked AS p ON p._order = r.order_id AND p._shop = r.shop "
        f"UNION ALL SELECT {imported} FROM {attr.quoted(DATASET)} AS c "
        "LEFT JOIN (SELECT DISTINCT order_id, shop FROM _credit_orders) AS k ON k.order_id = c.order_id "
        "AND k.shop = c.shop WHERE k.order_id IS NULL)",
    ]


def _decided(index: int, rule: CreditRule, first: dt.date, last: dt.date, with_row: bool) -> str:
    """The orders `rule` decides among those created from `first` to `last`."""
    start = max(first, rule.start)
    end = last if rule.end is None else min(last, rule.end)
    shops = ", ".join(attr.literal(s) for s in rule.shops)
    read = ", ".join(
        f"o.{_q(c)} AS {c}"
        for c in ("order_id", "shop", "buyer", "created_at", "paid_at", "amount", "status")
    )
    return (
        f"SELECT {read}, o._batch AS _batch{', o._row AS _row' if with_row else ''}, {index} AS _rule "
        f"FROM {attr.quoted(ORDERS)} AS o WHERE o.{_q('shop')} IN ({shops}) "
        f"AND {attr.in_dates(DATASETS[ORDERS], 'o', start, end)}"
    )


def _stages(index: int, rule: CreditRule) -> str:
    """`WHEN … THEN stage` of one rule: 1 the chats it reads first, 2 those it reads when there are none."""
    window = f"INTERVAL '{rule.window_days}' DAY"
    before_order = f"ch._ts <= r.created_at AND ch._ts >= r.created_at - {window}"
    before_payment = f"ch._ts <= r.paid_at AND ch._ts >= r.paid_at - {window}"
    this = f"r._rule = {index}"
    if rule.judge == "payment":
        return f"WHEN {this} AND {before_payment} THEN 1"
    found = f"WHEN {this} AND {before_order} THEN 1"
    if rule.judge == "order_first":
        return f"{found} WHEN {this} AND {before_payment} THEN 2"
    if rule.silent_follow_up:
        return f"{found} WHEN {this} AND ch._ts > r.created_at AND {before_payment} THEN 2"
    return found


def _columns(given: dict[str, str], alias: str) -> str:
    """The columns of `order_credits` in order: `given` ones, else `alias`'s column of the same name."""
    return ", ".join(
        f"{given.get(c.name, f'{alias}.{_q(c.name)}')} AS {_q(c.name)}" for c in DATASETS[DATASET].columns
    )


def _q(name: str) -> str:
    return attr.quoted(name)


def _date(day: dt.date) -> exp.Expr:
    return exp.cast(exp.Literal.string(day.isoformat()), "DATE")


def _qualified(tree: exp.Expr, alias: str) -> str:
    copied = tree.copy()
    for column in list(copied.find_all(exp.Column)):
        if not column.args.get("table"):
            column.set("table", exp.to_identifier(alias))
    return copied.sql(dialect=DIALECT)
