"""The conformance suite's company: small, with every case the metric step has to get right.

The synthetic company (`load_warehouse`: 25 people, two months, a small clickstream) plus, in its
last month:

- rows no one owned: one shop's ownership is taken away;
- a mid-month hand-over: another shop, and a customer-service agent (whose rows cover date ranges,
  so some cross the hand-over), change owner on the 16th;
- a partly replaced batch: a corrected file for one shop and the month's first ten days replaces
  those rows of the earlier batch (and only those);
- user metrics: a team-scope aggregate, a team-scope query metric, a query metric by shop, and
  derived metrics reading `prev()`;
- order credit rules (`<home>/credit_rules`): the unowned shop's orders and chats credited by
  下单优先判定 with a reception filter (silent orders among them), and imported 订单归属 rows of another
  shop;
- a shift calendar (`<home>/shifts`): an agent account shared by 早班 and 晚班 of two people.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
from openpyxl import Workbook

from shopkpi.data.datasets import DATASETS
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
    credited: tuple[str, str]
    """(the shop whose orders a credit rule decides, the agent account shared by two shifts)."""


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
    ruled = unowned  # the function forms (test_function_forms) read the owned shops' orders alone
    shared, other = (a for a in agents if a != agent and "售后" not in a)
    owner = next(a.employee for a in accounts if a.kind == "agent" and a.account == shared)
    second = next(e for e in others if e != owner)
    _credit_case(home, last, ruled, shops[4], (shared, other), (owner, second))
    return Company(home, periods, organisation, unowned, (handed, agent), corrected, (ruled, shared))


def _credit_case(
    home: Path, period: Period, ruled: str, imported: str, agents: tuple[str, str], people: tuple[str, str]
) -> None:
    """Orders and chats of `ruled` decided by a credit rule, 订单归属 rows of `imported`, and `agents[0]`
    shared by 早班 (`people[0]`, every day) and 晚班 (`people[1]`, Mondays, Wednesdays and Fridays)."""
    shared, other = agents
    day = period.start + dt.timedelta(days=4)

    def at(days: int, clock: str) -> str:
        return f"{day + dt.timedelta(days=days)} {clock}:00"

    orders = [  # order, buyer, created, paid, amount
        ("c1", "u1", at(0, "10:00"), at(0, "10:05"), "120.00"),
        ("c2", "u2", at(0, "20:00"), at(0, "20:30"), "80.50"),
        ("c3", "u3", at(1, "11:00"), at(1, "12:00"), "45.00"),
        ("c4", "u4", at(2, "15:00"), None, "60.00"),
        ("c5", "spam", at(2, "18:00"), at(2, "18:01"), "10.00"),
        ("c6", "u6", at(3, "09:00"), at(3, "09:10"), "33.30"),
    ]
    _commit(
        home,
        "orders",
        "orders-credited",
        [
            {"order_id": o, "shop": ruled, "buyer": b, "created_at": c, "paid_at": p, "amount": a,
             "status": "paid" if p else "created"}
            for o, b, c, p, a in orders
        ],
    )  # fmt: skip
    chats = [  # agent, buyer, time
        (shared, "u1", at(0, "09:50")),
        (other, "u2", at(0, "19:00")),
        (shared, "u2", at(0, "19:40")),
        (other, "u3", at(1, "11:30")),
        (shared, "u4", at(2, "14:00")),
        (shared, "spam", at(2, "17:50")),
        (other, "u9", at(5, "21:00")),
    ]
    _commit(
        home,
        "cs_chats",
        "cs_chats-credited",
        [{"agent": a, "buyer": b, "ts": t, "shop": ruled} for a, b, t in chats],
    )
    _commit(
        home,
        "order_credits",
        "order_credits-imported",
        [
            {"order_id": "p1", "shop": imported, "created_at": at(1, "10:00"), "agent": other, "amount": "99.00",
             "status": "paid", "rule": "payment", "window_days": 3},
            {"order_id": "p2", "shop": imported, "created_at": at(1, "22:00"), "agent": shared, "amount": "15.00"},
            {"order_id": "p3", "shop": imported, "created_at": at(1, "23:00"), "amount": "7.00"},
        ],
    )  # fmt: skip
    (home / "credit_rules").mkdir(exist_ok=True)
    (home / "credit_rules" / "shops.yaml").write_text(
        f"credit_rules:\n  ruled:\n    shops: [{ruled}]\n    from: {period.start}\n    judge: order_first\n"
        "    window_days: 1\n    reception_filter: [spam]\n",
        encoding="utf-8",
    )
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["子账号", "班次", "开始", "结束", "星期", "工号"])
    sheet.append([shared, "早班", "09:30", "16:30", "1,2,3,4,5,6,7", people[0]])
    sheet.append([shared, "晚班", "16:30", "24:00", "1,3,5", people[1]])
    (home / "shifts").mkdir(exist_ok=True)
    book.save(home / "shifts" / "排班.xlsx")


def _commit(home: Path, dataset: str, batch: str, rows: list[dict[str, object]]) -> None:
    """`rows` of `dataset` (text values, typed by the registry) committed as one batch."""
    columns = DATASETS[dataset].columns
    connection = duckdb.connect()
    typed = ", ".join(f'"{c.name}" {c.duckdb_type}' for c in columns)
    connection.execute(f"CREATE TABLE t ({typed}, _batch VARCHAR, _row BIGINT)")
    marks = ", ".join("?" for _ in range(len(columns) + 2))
    connection.executemany(
        f"INSERT INTO t VALUES ({marks})",
        [[r.get(c.name) for c in columns] + [batch, i + 2] for i, r in enumerate(rows)],
    )
    staging = home / ".conformance"
    staging.mkdir(exist_ok=True)
    path = staging / f"{batch}.parquet"
    connection.execute(f"COPY t TO '{path}' (FORMAT parquet)")
    connection.close()
    column = DATASETS[dataset].account_column
    assert column is not None
    Warehouse(home).commit(
        [
            StagedBatch(
                id=batch,
                dataset=dataset,
                file_name=f"{batch}.xlsx",
                sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
                profile="conformance",
                row_count=len(rows),
                imported_by="conformance",
                imported_at=dt.datetime(2026, 1, 1),
                period=None,
                parquet=path,
                accounts=tuple({str(r.get(column)) for r in rows}),
                scope_from=None,
                scope_to=None,
            )
        ]
    )


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
