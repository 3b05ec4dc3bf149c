"""Figures the synthetic company enters for metrics its exports cannot give a person.

A catalogue metric comes from the accounts a person owns. Some cards need a metric of a shop or a
channel the person does not own, or one their platform's export lacks; a real company copies the
figure into the month's `inputs` under the metric's name (an input wins over a metric of the same
name), and so does the synthetic company, from the data it generated:

- 推广专员 own 直通车 plans, not shops: `uv` and `orders` are their plans' 访客数 and 成交笔数 (推广
  report), `new_uv_ratio` the new visitors' share of that paid traffic (生意参谋 流量来源);
- the 总经理 (scored on the 电子商务部经理 card) owns no shop: `pv`, `uv`, `gmv` and `conversion_rate` of
  all the company's 生意参谋 reports;
- an 活动策划专员 compares an activity with the `conversion_rate` of the shop it runs in;
- a 售后客服 is scored on the `refund_rate` (生意参谋 成功退款金额 / 支付金额) and `bad_review_rate`
  (评价 module) of the shop they serve;
- a 京东 agent's 京东商智 report has no 询单 figures (spec: the JD export), so `cs_inquiries`,
  `cs_paid_buyers`, `cs_aov`, `cs_reply_rate` and `cs_avg_response_seconds` (which the catalogue
  weights by inquiries) come from 京东咚咚.

`MonthFigures.basis` holds the plain figures the targets of a card are set around (a 推广专员's uv,
click rate and costs), so that attainment spreads over the bands.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from shopkpi.synth.calendar import SynthCalendar
from shopkpi.synth.company import AFTERSALES, GM, PLANNER, PROMOTION, Company
from shopkpi.synth.tables import CanonicalTable, as_float, as_int

Key = tuple[str, str]  # (employee or account, YYYY-MM)


@dataclass
class MonthFigures:
    agent_sales: dict[Key, float] = field(default_factory=dict)  # 旺旺/京东 account, month -> paid amount
    agent_ordered: dict[Key, int] = field(default_factory=dict)  # account, month -> buyers who ordered
    inputs: dict[Key, dict[str, Decimal]] = field(default_factory=dict)  # employee, month -> metric inputs
    basis: dict[Key, dict[str, float]] = field(default_factory=dict)  # employee, month -> target basis


def _sums(table: CanonicalTable, key: str, columns: tuple[str, ...]) -> dict[Key, dict[str, float]]:
    """Σ of `columns` by (`key` column, month of the row's date)."""
    k, d = table.columns.index(key), table.columns.index("date")
    found: dict[Key, dict[str, float]] = defaultdict(lambda: dict.fromkeys(columns, 0.0))
    indexes = [(c, table.columns.index(c)) for c in columns if c in table.columns]
    for row in table.rows:
        sums = found[(str(row[k]), str(row[d])[:7])]
        for name, i in indexes:
            sums[name] += as_float(row[i])
    return dict(found)


def _rate(value: float) -> Decimal:
    return Decimal(f"{value:.4f}")


def _money(value: float) -> Decimal:
    return Decimal(f"{value:.2f}")


def month_figures(
    company: Company,
    calendar: SynthCalendar,
    seed: int,
    shop_daily: CanonicalTable,
    qianniu: CanonicalTable,
    jd_cs: CanonicalTable,
    campaigns: CanonicalTable,
) -> MonthFigures:
    rng = random.Random(f"shopkpi-synth-entered-metrics-{seed}")
    figures = MonthFigures()
    for table in (qianniu, jd_cs):
        for key, sums in _sums(table, "agent", ("paid_amount", "ordered_buyers")).items():
            figures.agent_sales[key] = figures.agent_sales.get(key, 0.0) + sums["paid_amount"]
            figures.agent_ordered[key] = figures.agent_ordered.get(key, 0) + round(sums["ordered_buyers"])
    shops = _sums(shop_daily, "shop", ("pv", "uv", "buyers", "gmv", "refund_amount"))
    plans = _sums(campaigns, "campaign", ("impressions", "clicks", "cost", "orders", "visitors"))
    agents = {a.employee: a for a in company.agents}
    plans_of: dict[str, list[str]] = defaultdict(list)
    for plan in company.campaigns:
        plans_of[plan.employee].append(plan.name)
    jd_rows = _jd_agent_months(jd_cs)
    sycm = [s.name for s in company.shops if s.kind == "sycm"]
    planners = 0
    for employee in company.employees:
        for month in calendar.months:
            key = (employee.id, month.text)
            entered: dict[str, Decimal] = {}
            if employee.position == PROMOTION:
                total = _add(plans, plans_of[employee.id], month.text)
                entered["uv"] = Decimal(round(total["visitors"]))
                entered["orders"] = Decimal(round(total["orders"]))
                entered["new_uv_ratio"] = _rate(rng.uniform(0.45, 0.75))
                basis = {"uv": total["visitors"]}
                if total["impressions"]:
                    basis["ctr"] = total["clicks"] / total["impressions"]
                if total["visitors"]:
                    basis["cost_per_uv"] = total["cost"] / total["visitors"]
                if total["orders"]:
                    basis["cost_per_order"] = total["cost"] / total["orders"]
                figures.basis[key] = basis
            elif employee.position == GM:
                total = _add(shops, sorted({k[0] for k in shops}), month.text)
                entered["pv"] = Decimal(round(total["pv"]))
                entered["uv"] = Decimal(round(total["uv"]))
                entered["gmv"] = _money(total["gmv"])
                if total["uv"]:
                    entered["conversion_rate"] = _rate(total["buyers"] / total["uv"])
            elif employee.position == PLANNER and sycm:
                total = _add(shops, [sycm[planners % len(sycm)]], month.text)
                if total["uv"]:
                    entered["conversion_rate"] = _rate(total["buyers"] / total["uv"])
            elif employee.position == AFTERSALES and employee.id in agents:
                total = _add(shops, [agents[employee.id].shop], month.text)
                if total["gmv"]:
                    entered["refund_rate"] = _rate(total["refund_amount"] / total["gmv"])
                entered["bad_review_rate"] = _rate(rng.uniform(0.003, 0.02))
            elif employee.id in agents and agents[employee.id].platform == "jd":
                account = agents[employee.id].account
                received, ordered, amount, weighted = jd_rows.get((account, month.text), (0, 0, 0.0, 0.0))
                if received:
                    inquiries = max(ordered, round(received * rng.uniform(0.55, 0.8)))
                    paid = round(ordered * rng.uniform(0.85, 0.97))
                    entered["cs_inquiries"] = Decimal(inquiries)
                    entered["cs_paid_buyers"] = Decimal(paid)
                    if paid:
                        entered["cs_aov"] = _money(amount / paid)
                    entered["cs_reply_rate"] = _rate(rng.uniform(0.95, 1.0))
                    entered["cs_avg_response_seconds"] = _money(weighted / received)
            if entered:
                figures.inputs[key] = entered
        if employee.position == PLANNER:
            planners += 1
    return figures


def _add(sums: dict[Key, dict[str, float]], accounts: list[str], month: str) -> dict[str, float]:
    total: dict[str, float] = defaultdict(float)
    for account in accounts:
        for name, value in sums.get((account, month), {}).items():
            total[name] += value
    return total


def _jd_agent_months(jd_cs: CanonicalTable) -> dict[Key, tuple[int, int, float, float]]:
    """(received, ordered buyers, paid amount, Σ avg response × received) by 京东 agent and month."""
    i = {c: jd_cs.columns.index(c) for c in jd_cs.columns}
    found: dict[Key, tuple[int, int, float, float]] = {}
    for row in jd_cs.rows:
        key = (str(row[i["agent"]]), str(row[i["date"]])[:7])
        received, ordered, amount, weighted = found.get(key, (0, 0, 0.0, 0.0))
        r = as_int(row[i["received"]])
        found[key] = (
            received + r,
            ordered + as_int(row[i["ordered_buyers"]]),
            amount + as_float(row[i["paid_amount"]]),
            weighted + as_float(row[i["avg_response_seconds"]]) * r,
        )
    return found
