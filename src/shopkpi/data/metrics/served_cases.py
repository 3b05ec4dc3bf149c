"""The orders an agent received (客服接待的订单): the `orders` rows whose 客服 (`cs_agent`) is an agent
account the employee owned on the order's day, in a span of days. A spot check (质检抽查) draws its
cases from them.

The rows are selected as the metric step selects a source's rows (`row_sql.dataset_rows`): the same
dataset, window and attribution, here by account kind `agent` through the `cs_agent` column, with
orders that name no buyer left out; each row is kept whole (order, shop, buyer, time, status, amount).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import duckdb

from shopkpi.data.metrics import attribution as attr
from shopkpi.data.metrics import row_sql
from shopkpi.data.metrics.catalogue import ResolvedSource
from shopkpi.data.metrics.org_snapshot import OrganisationSnapshot
from shopkpi.data.metrics.sql_guard import parsed_expression
from shopkpi.scorecard.periods import Period

SOURCE = ResolvedSource(
    dataset="orders",
    kind="agent",
    account_column="cs_agent",
    expression=parsed_expression("count(order_id)"),
    filter=parsed_expression("buyer is not null"),
)


@dataclass(frozen=True)
class ServedOrder:
    order_id: str
    shop: str
    buyer: str
    agent: str
    """The agent account that served it."""
    created_at: dt.datetime
    status: str | None
    amount: Decimal | None


def served_orders(
    connection: duckdb.DuckDBPyConnection,
    organisation: OrganisationSnapshot,
    employee: str,
    first: dt.date,
    last: dt.date,
) -> list[ServedOrder]:
    """The orders `employee` received from `first` to `last` (days of one month), by time and order."""
    month = Period.parse(f"{first:%Y-%m}")
    if not (month.start <= first <= last <= month.end):
        raise ValueError(f"{first}..{last} is not a span of days of one month")
    if not _has_orders(connection):
        return []
    organisation.register(connection, month.end)
    select = row_sql.dataset_rows("served_orders", 0, 0, SOURCE, month, employee, False)
    rows = connection.execute(
        f"SELECT q._account, q.order_id, q.shop, q.buyer, q.created_at, o.status, o.amount "
        f"FROM ({select.sql}) AS q LEFT JOIN {attr.quoted('orders')} AS o "
        f"ON o.order_id = q.order_id AND o.shop = q.shop "
        f"WHERE q._counted IS NOT NULL AND q._day BETWEEN ? AND ? "
        f"ORDER BY q.created_at, q.order_id, q.shop",
        [first, last],
    ).fetchall()
    return [
        ServedOrder(str(order), str(shop), str(buyer), str(agent), created, status, amount)
        for agent, order, shop, buyer, created, status, amount in rows
    ]


def _has_orders(connection: duckdb.DuckDBPyConnection) -> bool:
    """Whether the warehouse holds any imported orders (a company may import only 客服 day reports)."""
    found = connection.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'orders'"
    ).fetchall()
    return bool(found[0][0])
