"""The conformance suite's company: small, with every case the metric step has to get right.

The synthetic company (`load_warehouse`: 25 people, two months, a small clickstream) plus, in its
last month:

- rows no one owned: one shop's ownership is taken away;
- a mid-month hand-over: another shop, and a customer-service agent (whose rows cover date ranges,
  so some cross the hand-over), change owner on the 16th;
- a partly replaced batch: a corrected file for one shop and the month's first ten days replaces
  those rows of the earlier batch (and only those);
- user metrics: a team-scope aggregate, a team-scope query metric, a query metric by shop, and
  derived metrics reading `prev()`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from shopkpi.data.metrics.org_snapshot import OrganisationSnapshot, OwnershipRow
from shopkpi.data.warehouse.catalogue import StagedBatch, Warehouse
from shopkpi.scorecard.periods import Period
from shopkpi.synth.warehouse_load import load_warehouse

USER_METRICS = """
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
  team_buyers_by_query:
    type: query
    scope: team
    by: shop
    label_zh: 团队买家数（查询）
    label: Team buyers (query)
    definition: Buyers of everyone reporting to the employee, as a query.
    definition_zh: 下属的支付买家数，用查询写成。
    sql: SELECT shop AS account, date, buyers AS value, _batch AS batch FROM shop_daily
  paid_amount_by_query:
    type: query
    by: shop
    label_zh: 已付款订单金额（查询）
    label: Paid order amount (query)
    definition: Amount of paid orders per shop and day.
    definition_zh: 每店每日已付款订单金额。
    sql: >-
      SELECT shop AS account, CAST(created_at AS DATE) AS date, sum(amount) AS value, _batch AS batch
      FROM orders WHERE status IN ('paid', 'shipped', 'delivered') GROUP BY shop, CAST(created_at AS DATE), _batch
  gmv_change:
    type: derived
    label_zh: 支付金额环比
    label: GMV change
    definition: gmv / prev(gmv) - 1.
    definition_zh: 本期支付金额 ÷ 上期支付金额 − 1。
    expression: gmv / prev(gmv) - 1
  paid_amount_change:
    type: derived
    label_zh: 已付款金额变化
    label: Paid amount change
    definition: paid_amount_by_query - prev(paid_amount_by_query).
    definition_zh: 本期减上期。
    expression: paid_amount_by_query - prev(paid_amount_by_query)
"""


@dataclasses.dataclass(frozen=True)
class Company:
    home: Path
    periods: tuple[str, ...]
    organisation: OrganisationSnapshot
    unowned_shop: str
    handed_over: tuple[str, str]
    """(shop, agent) that change owner on the 16th."""
    corrected_batch: str


def build(home: Path) -> Company:
    load = load_warehouse(home, 25, 2, 11, events_rows=4000)
    last = Period.parse(load.period)
    periods = (last.previous().text, last.text)
    (home / "metrics").mkdir(exist_ok=True)
    (home / "metrics" / "conformance.yaml").write_text(USER_METRICS, encoding="utf-8")
    shops = sorted({a.account for a in load.organisation.accounts if a.kind == "shop"})
    agents = sorted({a.account for a in load.organisation.accounts if a.kind == "agent"})
    # a 千牛 agent: its rows cover date ranges, some across the hand-over
    unowned, handed, agent = shops[0], shops[1], next(a for a in agents if ":" in a and "售后" not in a)
    accounts: list[OwnershipRow] = []
    others = sorted({t.employee for t in load.organisation.terms})
    for row in load.organisation.accounts:
        if row.kind == "shop" and row.account == unowned:
            continue
        if (row.kind, row.account) in (("shop", handed), ("agent", agent)):
            successor = next(e for e in others if e != row.employee)
            middle = last.start + dt.timedelta(days=15)
            accounts.append(dataclasses.replace(row, valid_to=middle - dt.timedelta(days=1)))
            accounts.append(OwnershipRow(successor, row.kind, row.account, middle, None))
            continue
        accounts.append(row)
    organisation = OrganisationSnapshot(load.organisation.terms, tuple(accounts))
    corrected = _correct(home, shops[2], last)
    return Company(home, periods, organisation, unowned, (handed, agent), corrected)


def _correct(home: Path, shop: str, period: Period) -> str:
    """A corrected shop_daily file for `shop`, the period's first ten days, committed over the earlier batch."""
    warehouse = Warehouse(home)
    connection = warehouse.connect()
    first, tenth = period.start, period.start + dt.timedelta(days=9)
    try:
        table = connection.sql(
            "SELECT * EXCLUDE (_batch) REPLACE (gmv + 1 AS gmv, uv + 2 AS uv) FROM shop_daily "
            f"WHERE shop = '{shop}' AND date BETWEEN DATE '{first}' AND DATE '{tenth}' ORDER BY date"
        ).to_arrow_table()
    finally:
        connection.close()
    assert table.num_rows == 10, f"the synthetic company has no ten days of {shop}"
    batch = "shop_daily-corrected"
    table = table.append_column("_batch", pa.array([batch] * table.num_rows, pa.string()))
    staging = home / ".conformance"
    staging.mkdir(exist_ok=True)
    path = staging / f"{batch}.parquet"
    pq.write_table(table, path)
    warehouse.commit(
        [
            StagedBatch(
                id=batch,
                dataset="shop_daily",
                file_name="corrected.xlsx",
                sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
                profile="conformance",
                row_count=table.num_rows,
                imported_by="conformance",
                imported_at=dt.datetime(2026, 1, 1),
                period=None,
                parquet=path,
                accounts=(shop,),
                scope_from=first,
                scope_to=tenth,
            )
        ]
    )
    return batch
