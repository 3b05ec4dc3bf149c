"""What people enter each month for the synthetic company: targets, inputs and ratings.

Each person's position has a built-in template (`company.POSITIONS`); the template's variables
that are not metrics (metric names are ASCII, entered names Chinese: 计划销售额, 违规用语次数 …)
are generated here from a table of kinds, and its rated items get a supervisor's and a self
rating. Sales targets are set around what the person's shops or agent account (the 总经理's: the
whole company's shops) are expected to sell, other targets around the person's own figures (`entered_metrics.MonthFigures.basis`), so
attainment spreads over the bands instead of all landing on one; a target is never 0. Metrics a
person's accounts cannot give are entered as inputs of the metric's name (`entered_metrics`). The
person who joins on the 28th of the last month (`Company.new_hire`) has nothing entered yet.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from shopkpi.synth.calendar import Month, SynthCalendar, conversion_factor, traffic_factor
from shopkpi.synth.company import GM, Company, Employee
from shopkpi.synth.entered_metrics import MonthFigures
from shopkpi.synth.tables import CanonicalTable, Value

TARGETS = "targets"
INPUTS = "inputs"


@dataclass(frozen=True)
class Kind:
    dataset: str  # targets or inputs
    how: str  # sales_target, sales, margin, money, count, few, rate, number, of, around
    low: float = 0.0
    high: float = 0.0
    base: str = ""  # for `of`: the variable this one is a share of; for `around`: the basis figure
    places: int = 2  # for `around`: decimals of the value (-2: whole hundreds)


def _t(how: str, low: float = 0, high: float = 0, base: str = "", places: int = 2) -> Kind:
    return Kind(TARGETS, how, low, high, base, places)


def _i(how: str, low: float = 0, high: float = 0, base: str = "") -> Kind:
    return Kind(INPUTS, how, low, high, base)


# Entered variables of the built-in templates (a name not listed gets a small count as an input).
VARIABLES: Mapping[str, Kind] = {
    "计划销售额": _t("sales_target"),
    "目标销售额": _t("sales_target"),
    "实际销售额": _i("sales"),
    "销售毛利": _i("margin"),
    "团队绩效分成": _i("money", 2000, 8000),
    "跟进服务金额": _i("money", 300, 2500),
    "客服部平均成交金额": _i("money", 80, 200),
    "下单人数": _i("cs_ordered"),
    "计划设计稿件数": _t("count", 20, 40),
    "实际完成稿件数": _i("of", 0.7, 1.1, "计划设计稿件数"),
    "设计作品数目标": _t("count", 15, 30),
    "设计日志作品数": _i("of", 0.6, 1.1, "设计作品数目标"),
    "设计日志篇数": _i("count", 2, 8),
    "页面访客数": _i("count", 5000, 40000),
    "页面点击次数": _i("of", 0.2, 0.6, "页面访客数"),
    "计划采购量": _t("count", 500, 3000),
    "实际采购量": _i("of", 0.8, 1.1, "计划采购量"),
    "采购质量合格率": _i("rate", 0.9, 1.0),
    "库存更新准确率": _i("rate", 0.9, 1.0),
    "工作能力达标率": _i("rate", 0.7, 1.0),
    "发货工作日": _i("number", 1, 3),
    "计划直播场次": _t("count", 12, 26),
    "实际直播场次": _i("of", 0.75, 1.1, "计划直播场次"),
    "计划直播时长": _t("count", 40, 120),
    "实际直播时长": _i("of", 0.75, 1.1, "计划直播时长"),
    "涨粉目标": _t("count", 500, 5000),
    "新增粉丝数": _i("of", 0.5, 1.3, "涨粉目标"),
    "售后工单数": _i("count", 150, 400),
    "按时处理工单数": _i("of", 0.85, 1.0, "售后工单数"),
    "中差评处理数": _i("count", 10, 40),
    "中差评修改数": _i("of", 0.3, 0.8, "中差评处理数"),
    "上期平均回复数": _i("number", 20, 80),
    "本期平均回复数": _i("of", 0.8, 1.3, "上期平均回复数"),
    "上期平均转发数": _i("number", 10, 50),
    "本期平均转发数": _i("of", 0.8, 1.3, "上期平均转发数"),
    "活动页面UV量": _i("count", 5000, 50000),
    "活动页面点击次数": _i("of", 0.2, 0.5, "活动页面UV量"),
    "活动成交人数": _i("of", 0.02, 0.06, "活动页面UV量"),
    "活动投入成本": _i("money", 5000, 30000),
    "活动成交额": _i("of", 1.5, 5.0, "活动投入成本"),
    "活动期间订单数": _i("count", 800, 5000),
    "活动订单数": _i("of", 0.2, 0.5, "活动期间订单数"),
    "活动期间成交额": _i("of", 3.0, 8.0, "活动投入成本"),
    "平均点击率目标": _t("rate", 0.25, 0.4),
    "活动ROI目标": _t("number", 2, 4),
    "活动订单比例目标": _t("rate", 0.25, 0.4),
    "跳出率": _i("rate", 0.3, 0.6),
    "跳出率目标": _t("rate", 0.35, 0.5),
    "UV量目标": _t("around", 0.85, 1.2, "uv", places=-2),
    "到达率目标": _t("around", 0.85, 1.2, "ctr", places=4),
    "平均获取成本目标": _t("around", 0.9, 1.25, "cost_per_uv"),
    "订单获取成本目标": _t("around", 0.9, 1.25, "cost_per_order"),
    "新访客占比目标": _t("rate", 0.5, 0.7),
    "店铺展现数": _i("count", 15000, 60000),
}
# (a name not listed, such as 违规用语次数 or 缺勤天数, is a count of incidents: usually 0, sometimes a few)


@cache
def _templates() -> Mapping[str, tuple[tuple[str, ...], tuple[tuple[str, tuple[str, ...]], ...]]]:
    """Template id -> (entered variables, rated items with their level names)."""
    from shopkpi.scorecard.loader import iter_builtin_templates

    found: dict[str, tuple[tuple[str, ...], tuple[tuple[str, tuple[str, ...]], ...]]] = {}
    for template in iter_builtin_templates():
        entered = tuple(sorted(v for v in template.variables if not v.isascii()))
        rated = tuple(
            (item.key, tuple(getattr(item.rule, "levels", None) or ()))
            for item in template.items
            if item.is_rated
        )
        found[template.id] = (entered, rated)
    return found


def expected_shop_sales(company: Company, month: Month) -> dict[str, float]:
    """What each shop is expected to sell in `month` (the model's mean, not the drawn data); 0 for a
    clickstream shop, whose behaviour log has no sales amounts to count towards gmv."""
    days = month.days()
    factor = sum(traffic_factor(d) * conversion_factor(d) for d in days)
    return {
        s.name: 0.0 if s.kind == "clickstream" else s.visitors * s.conversion * s.price * factor
        for s in company.shops
    }


def _sales(
    employee: Employee,
    company: Company,
    month: Month,
    shop_sales: Mapping[str, float],
    agent_sales: Mapping[tuple[str, str], float],
    average: float,
    rng: random.Random,
) -> float:
    days = month.days()
    total = 0.0
    for row in company.accounts:
        if row.employee != employee.id:
            continue
        if row.kind == "shop":
            owned = sum(
                1
                for d in days
                if (row.valid_from is None or row.valid_from <= d)
                and (row.valid_to is None or d <= row.valid_to)
            )
            total += shop_sales.get(row.account, 0.0) * owned / len(days)
        elif row.kind == "agent":
            total += agent_sales.get((row.account, month.text), 0.0)
    return total if total > 0 else average * rng.uniform(0.4, 1.2)


def _value(
    kind: Kind,
    sales: float,
    done: Mapping[str, Decimal],
    ordered: int,
    basis: Mapping[str, float],
    rng: random.Random,
) -> Decimal:
    if kind.how == "around":
        figure = basis.get(kind.base, 0.0)
        if figure <= 0:  # nothing to set it around (no plan traffic this month): a plain guess
            return Decimal(f"{rng.uniform(0.5, 5):.2f}")
        exact = figure * rng.uniform(kind.low, kind.high)
        if kind.places < 0:
            return Decimal(max(100, round(exact, kind.places)))
        return max(Decimal(1).scaleb(-kind.places), Decimal(f"{exact:.{kind.places}f}"))
    if kind.how == "sales_target":
        return Decimal(int(round(sales / rng.uniform(0.6, 1.15), -2)))
    if kind.how == "sales":
        return Decimal(f"{sales * rng.uniform(0.9, 1.1):.2f}")
    if kind.how == "margin":
        return Decimal(f"{sales * rng.uniform(0.12, 0.3):.2f}")
    if kind.how == "money":
        return Decimal(f"{rng.uniform(kind.low, kind.high):.2f}")
    if kind.how == "count":
        return Decimal(rng.randint(int(kind.low), int(kind.high)))
    if kind.how == "rate":
        return Decimal(f"{rng.uniform(kind.low, kind.high):.4f}")
    if kind.how == "number":
        return Decimal(f"{rng.uniform(kind.low, kind.high):.2f}")
    if kind.how == "of":
        base = done.get(kind.base, Decimal(0))
        exact = float(base) * rng.uniform(kind.low, kind.high)
        return Decimal(round(exact)) if base == base.to_integral_value() else Decimal(f"{exact:.2f}")
    if kind.how == "cs_ordered":
        return Decimal(ordered)
    return Decimal(rng.choices((0, 1, 2, 3, 4), weights=(60, 22, 10, 5, 3))[0])  # "few"


def entered_tables(
    company: Company, calendar: SynthCalendar, seed: int, figures: MonthFigures
) -> tuple[CanonicalTable, CanonicalTable, CanonicalTable]:
    """(targets, inputs, ratings) for every month and every person whose template is built in."""
    agent_sales, agent_ordered = figures.agent_sales, figures.agent_ordered
    new_hire = company.new_hire.employee if company.new_hire else None
    rng = random.Random(f"shopkpi-synth-entered-{seed}")
    templates = _templates()
    targets: list[tuple[Value, ...]] = []
    inputs: list[tuple[Value, ...]] = []
    ratings: list[tuple[Value, ...]] = []
    agents_of: dict[str, list[str]] = {}
    for row in company.accounts:
        if row.kind == "agent":
            agents_of.setdefault(row.employee, []).append(row.account)
    for month in calendar.months:
        shop_sales = expected_shop_sales(company, month)
        selling = [v for v in shop_sales.values() if v > 0]
        average = sum(selling) / max(1, len(selling))
        for employee in company.employees:
            if employee.template not in templates or employee.id == new_hire:
                continue
            entered, rated = templates[employee.template]
            sales = (  # the 总经理's sales plan is the whole company's
                sum(shop_sales.values())
                if employee.position == GM
                else _sales(employee, company, month, shop_sales, agent_sales, average, rng)
            )
            ordered = sum(agent_ordered.get((a, month.text), 0) for a in agents_of.get(employee.id, []))
            basis = figures.basis.get((employee.id, month.text), {})
            done: dict[str, Decimal] = {}
            # bases first, so that a share (`of`) finds the value it is a share of
            for name in sorted(entered, key=lambda n: VARIABLES.get(n, _i("few")).how == "of"):
                kind = VARIABLES.get(name, _i("few"))
                done[name] = _value(kind, sales, done, ordered, basis, rng)
                (targets if kind.dataset == TARGETS else inputs).append(
                    (employee.id, month.text, name, done[name])
                )
            for name, value in sorted(figures.inputs.get((employee.id, month.text), {}).items()):
                inputs.append((employee.id, month.text, name, value))
            for item, levels in rated:
                for rater in ("supervisor", "self"):
                    if levels:
                        rating = rng.choice(levels)
                    else:
                        rating = str(
                            rng.choices(
                                (100, 95, 90, 85, 80, 75, 70, 60), weights=(6, 10, 18, 22, 20, 12, 8, 4)
                            )[0]
                        )
                    ratings.append((employee.id, month.text, item, rating, rater))
    return (
        CanonicalTable("targets", ("employee", "period", "name", "value"), targets),
        CanonicalTable("inputs", ("employee", "period", "name", "value"), inputs),
        CanonicalTable("ratings", ("employee", "period", "item", "rating", "rater"), ratings),
    )
