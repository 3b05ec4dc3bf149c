"""The canonical datasets: what one row is, its columns, its key and how it is attributed.

This registry is the contract between import (profiles, validation, warehouse) and metrics.
Every import profile maps a real export's headers onto these column names; every metric
reads these datasets by these names.

Attribution: a dataset whose rows belong to an account (a shop, a 旺旺 agent, a campaign, ...)
has `account_kind` (the `kind` of `accounts` rows that say who owns it) and `account_column`.
Datasets whose rows name the employee directly (employees, targets, inputs, ratings) have
`account_kind=None` and `account_column="employee"`; `accounts` itself has neither.
`date_column` is the column a row's date is taken from (the day of a timestamp); datasets
keyed by a period (`targets`, `inputs`, `ratings`) have `date_column=None` and a `period` column.

Money is `decimal` (cents, as the platforms export it); a target or an input is a `number`, which
holds a rate, a ratio or an amount exactly as written (`3.25%` is 0.0325) to ten decimals.

`cs_chats` (the 千牛/赤兔 询单明细: one chat of a buyer with an agent) and `order_credits` (订单归属: the
agent an order counts for, blank for 静默) carry the shops' own credit rules (`credit_rules`): an
`order_credits` row is imported from the platform's export or computed from `orders` and `cs_chats`.

`cs_daily` has one column beyond the spec's table, `date_from`: a row that covers a date range
(a 千牛 export for a whole month) has its first day in `date_from` and its last day in `date`.

A dataset may declare `rollup` columns: with every batch the warehouse then also stores the batch's
rows grouped by (account column, the row's day, these columns) with their count (see `rollups`);
`traffic_events` does, so that metrics over the clickstream read far fewer rows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

ColumnType = Literal["text", "date", "timestamp", "integer", "decimal", "number", "rate", "seconds"]

COLUMN_TYPES: tuple[ColumnType, ...] = (
    "text",
    "date",
    "timestamp",
    "integer",
    "decimal",
    "number",
    "rate",
    "seconds",
)
NUMBER_DECIMALS = 10  # the decimals a `number` holds (targets and inputs: rates, ratios, amounts)

DUCKDB_TYPES: Mapping[ColumnType, str] = MappingProxyType(
    {
        "text": "VARCHAR",
        "date": "DATE",
        "timestamp": "TIMESTAMP",
        "integer": "BIGINT",
        "decimal": "DECIMAL(18,2)",
        "number": f"DECIMAL(38,{NUMBER_DECIMALS})",
        "rate": "DECIMAL(12,6)",
        "seconds": "DECIMAL(14,3)",
    }
)

ORDER_STATUSES: tuple[str, ...] = ("created", "paid", "shipped", "delivered", "cancelled", "refunded")
BEHAVIORS: tuple[str, ...] = ("pv", "cart", "fav", "buy")
RATERS: tuple[str, ...] = ("supervisor", "self")
CREDIT_JUDGES: tuple[str, ...] = ("order", "payment", "order_first")
"""下单判定, 付款判定, 下单优先判定: how an order's agent is judged (`credit_rules`)."""


@dataclass(frozen=True)
class Column:
    name: str
    type: ColumnType
    required: bool
    label_zh: str

    @property
    def duckdb_type(self) -> str:
        return DUCKDB_TYPES[self.type]


@dataclass(frozen=True)
class Dataset:
    name: str
    label_zh: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    account_kind: str | None
    account_column: str | None
    date_column: str | None
    rollup: tuple[str, ...] = ()
    """Columns a roll-up groups by besides the account column and the row's day; empty: no roll-up."""
    blank_account: bool = False
    """A row without an account belongs to no one by design (an order no agent received: 静默), rather
    than to an account no one owned: it is not reported as unowned."""
    replaces_by: str | None = None
    """The column a corrected file replaces earlier rows by, when not the account column."""
    organisation: bool = False
    """The organisation itself (the roster, account ownership, positions): kept in the application
    database, not the warehouse; metrics read it from an `OrganisationSnapshot`."""

    def column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(f"dataset {self.name} has no column {name!r}")

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def required_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)


def _c(name: str, type_: ColumnType, label_zh: str, *, required: bool = False) -> Column:
    return Column(name=name, type=type_, required=required, label_zh=label_zh)


def _r(name: str, type_: ColumnType, label_zh: str) -> Column:
    return _c(name, type_, label_zh, required=True)


_ALL: tuple[Dataset, ...] = (
    Dataset(
        name="employees",
        label_zh="员工",
        columns=(
            _r("employee", "text", "工号"),
            _r("name", "text", "姓名"),
            _r("department", "text", "部门"),
            _r("position", "text", "岗位"),
            _c("supervisor", "text", "上级工号"),
            _c("base_salary", "decimal", "基本工资"),
            _c("hired_on", "date", "入职日期"),
            _c("left_on", "date", "离职日期"),
            _c("email", "text", "邮箱"),
            _c("mobile", "text", "手机"),
            _c("effective", "date", "生效日期"),
        ),
        key=("employee",),
        account_kind=None,
        account_column="employee",
        date_column=None,
        organisation=True,
    ),
    Dataset(
        name="accounts",
        label_zh="账号归属",
        columns=(
            _r("employee", "text", "工号"),
            _r("kind", "text", "账号类型"),
            _r("account", "text", "账号"),
            _c("valid_from", "date", "生效日期"),
            _c("valid_to", "date", "失效日期"),
        ),
        key=("kind", "account", "valid_from"),
        account_kind=None,
        account_column=None,
        date_column=None,
        organisation=True,
    ),
    Dataset(
        name="positions",
        label_zh="岗位",
        columns=(
            _r("position", "text", "岗位"),
            _c("template", "text", "考核表模板"),
            _c("quarter_template", "text", "季度考核表模板"),
            _c("year_template", "text", "年度考核表模板"),
        ),
        key=("position",),
        account_kind=None,
        account_column=None,
        date_column=None,
        organisation=True,
    ),
    Dataset(
        name="targets",
        label_zh="目标",
        columns=(
            _r("employee", "text", "工号"),
            _r("period", "text", "考核期间"),
            _r("name", "text", "目标名称"),
            _r("value", "number", "目标值"),
        ),
        key=("employee", "period", "name"),
        account_kind=None,
        account_column="employee",
        date_column=None,
    ),
    Dataset(
        name="inputs",
        label_zh="手工录入数据",
        columns=(
            _r("employee", "text", "工号"),
            _r("period", "text", "考核期间"),
            _r("name", "text", "项目名称"),
            _r("value", "number", "数值"),
        ),
        key=("employee", "period", "name"),
        account_kind=None,
        account_column="employee",
        date_column=None,
    ),
    Dataset(
        name="ratings",
        label_zh="评分",
        columns=(
            _r("employee", "text", "工号"),
            _r("period", "text", "考核期间"),
            _r("item", "text", "考核项目"),
            _r("rating", "text", "评分"),
            _r("rater", "text", "评分人"),
        ),
        key=("employee", "period", "item", "rater"),
        account_kind=None,
        account_column="employee",
        date_column=None,
    ),
    Dataset(
        name="shop_daily",
        label_zh="店铺/商品日报",
        columns=(
            _r("shop", "text", "店铺"),
            _r("date", "date", "统计日期"),
            _c("pv", "integer", "浏览量"),
            _c("uv", "integer", "访客数"),
            _c("buyers", "integer", "支付买家数"),
            _c("orders", "integer", "支付子订单数"),
            _c("gmv", "decimal", "支付金额"),
            _c("favorites", "integer", "收藏人数"),
            _c("carts", "integer", "加购人数"),
            _c("avg_stay_seconds", "seconds", "平均停留时长（秒）"),
            _c("new_uv", "integer", "新访客数"),
            _c("refund_amount", "decimal", "成功退款金额"),
            _c("item", "text", "商品ID"),
        ),
        key=("shop", "date", "item"),
        account_kind="shop",
        account_column="shop",
        date_column="date",
    ),
    Dataset(
        name="traffic_events",
        label_zh="流量行为明细",
        columns=(
            _r("user", "text", "用户"),
            _r("ts", "timestamp", "时间"),
            _r("behavior", "text", "行为类型"),
            _c("item", "text", "商品ID"),
            _c("category", "text", "类目"),
            _c("shop", "text", "店铺"),
        ),
        key=(),  # a clickstream may repeat an identical event; no key is checked
        account_kind="shop",
        account_column="shop",
        date_column="ts",
        rollup=("user", "behavior"),
    ),
    Dataset(
        name="orders",
        label_zh="订单",
        columns=(
            _r("order_id", "text", "订单编号"),
            _r("shop", "text", "店铺"),
            _r("buyer", "text", "买家"),
            _r("created_at", "timestamp", "下单时间"),
            _c("status", "text", "订单状态"),
            _c("paid_at", "timestamp", "付款时间"),
            _c("amount", "decimal", "订单金额"),
            _c("freight", "decimal", "运费"),
            _c("shipped_at", "timestamp", "发货时间"),
            _c("delivered_at", "timestamp", "签收时间"),
            _c("promised_at", "timestamp", "承诺送达时间"),
            _c("cs_agent", "text", "客服"),
            _c("refund_amount", "decimal", "退款金额"),
            _c("returned", "integer", "是否退货"),
            _c("review_score", "integer", "评价分"),
        ),
        key=("order_id", "shop"),
        account_kind="shop",
        account_column="shop",
        date_column="created_at",
    ),
    Dataset(
        name="cs_daily",
        label_zh="客服绩效日报",
        columns=(
            _r("agent", "text", "旺旺昵称"),
            _r("date", "date", "日期"),
            _c("date_from", "date", "起始日期"),
            _c("consultations", "integer", "咨询人数"),
            _c("received", "integer", "接待人数"),
            _c("inquiries", "integer", "询单人数"),
            _c("ordered_buyers", "integer", "下单人数"),
            _c("paid_buyers", "integer", "询单最终付款人数"),
            _c("paid_amount", "decimal", "询单最终付款金额"),
            _c("replied", "integer", "回复人数"),
            _c("first_response_seconds", "seconds", "首次响应时长（秒）"),
            _c("avg_response_seconds", "seconds", "平均响应时长（秒）"),
            _c("reply_rate", "rate", "旺旺回复率"),
            _c("satisfaction_rate", "rate", "客户满意率"),
            _c("refund_amount", "decimal", "成功退款金额"),
            _c("bad_reviews", "integer", "差评量"),
        ),
        key=("agent", "date"),
        account_kind="agent",
        account_column="agent",
        date_column="date",
    ),
    Dataset(
        name="cs_chats",
        label_zh="客服询单明细",
        columns=(
            _r("agent", "text", "客服子账号"),
            _r("buyer", "text", "买家"),
            _r("ts", "timestamp", "接待时间"),
            _r("shop", "text", "店铺"),
            _c("messages", "integer", "消息数"),
        ),
        key=("agent", "buyer", "ts"),
        account_kind="agent",
        account_column="agent",
        date_column="ts",
    ),
    Dataset(
        name="order_credits",
        label_zh="客服订单归属",
        columns=(
            _r("order_id", "text", "订单编号"),
            _r("shop", "text", "店铺"),
            _r("created_at", "timestamp", "下单时间"),
            _c("buyer", "text", "买家"),
            _c("agent", "text", "归属客服"),
            _c("paid_at", "timestamp", "付款时间"),
            _c("amount", "decimal", "订单金额"),
            _c("status", "text", "订单状态"),
            _c("rule", "text", "判定方式"),
            _c("window_days", "integer", "询单有效时长（天）"),
            _c("chat_at", "timestamp", "判定询单时间"),
        ),
        key=("order_id", "shop"),
        account_kind="agent",
        account_column="agent",
        date_column="created_at",
        blank_account=True,
        replaces_by="shop",
    ),
    Dataset(
        name="campaigns",
        label_zh="推广计划日报",
        columns=(
            _r("campaign", "text", "计划名称"),
            _r("date", "date", "日期"),
            _c("shop", "text", "店铺"),
            _c("impressions", "integer", "展现量"),
            _c("clicks", "integer", "点击量"),
            _c("cost", "decimal", "花费"),
            _c("orders", "integer", "成交笔数"),
            _c("gmv", "decimal", "成交金额"),
            _c("visitors", "integer", "访客数"),
        ),
        key=("campaign", "date"),
        account_kind="campaign",
        account_column="campaign",
        date_column="date",
    ),
    Dataset(
        name="sns_posts",
        label_zh="新媒体发布日报",
        columns=(
            _r("account", "text", "新媒体账号"),
            _r("date", "date", "日期"),
            _c("planned_posts", "integer", "计划发布数"),
            _c("posts", "integer", "发布数"),
            _c("original_posts", "integer", "原创数"),
            _c("fans", "integer", "粉丝数"),
            _c("replies", "integer", "回复数"),
            _c("reposts", "integer", "转发数"),
            _c("unanswered", "integer", "未回复数"),
            _c("complaints", "integer", "投诉数"),
        ),
        key=("account", "date"),
        account_kind="sns",
        account_column="account",
        date_column="date",
    ),
    Dataset(
        name="tasks",
        label_zh="设计/文案任务",
        columns=(
            _r("task_id", "text", "任务编号"),
            _r("assignee", "text", "执行人"),
            _r("kind", "text", "任务类型"),
            _c("assigned_at", "timestamp", "下达时间"),
            _c("due_at", "timestamp", "截止时间"),
            _c("delivered_at", "timestamp", "交付时间"),
            _c("passed", "integer", "是否一次通过"),
            _c("errors", "integer", "差错数"),
        ),
        key=("task_id",),
        account_kind="assignee",
        account_column="assignee",
        date_column="due_at",
    ),
)

DATASETS: Mapping[str, Dataset] = MappingProxyType({d.name: d for d in _ALL})


def dataset(name: str) -> Dataset:
    """The dataset called `name`, or a KeyError that lists the known ones."""
    try:
        return DATASETS[name]
    except KeyError:
        raise KeyError(f"unknown dataset {name!r}; known: {', '.join(DATASETS)}") from None
