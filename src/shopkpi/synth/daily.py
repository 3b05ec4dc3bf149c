"""The small datasets of the synthetic company, day by day: shop reports, service agents,
promotion plans, new-media accounts and design/copy tasks (canonical rows, see `tables`).

Each dataset has its own random stream (seeded by the seed and the dataset's name), so adding
a dataset or changing the event volume never changes the others.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import defaultdict
from collections.abc import Sequence
from decimal import ROUND_DOWN, ROUND_FLOOR, Decimal

from shopkpi.synth.calendar import Month, SynthCalendar, conversion_factor, money, traffic_factor
from shopkpi.synth.company import SYCM_KINDS, Company
from shopkpi.synth.tables import CanonicalTable, Value


def _rng(seed: int, name: str) -> random.Random:
    return random.Random(f"shopkpi-synth-{name}-{seed}")


def _noise(rng: random.Random, sigma: float) -> float:
    return math.exp(rng.gauss(0.0, sigma))


def _seconds(value: float) -> Decimal:
    return Decimal(f"{value:.2f}")


def _rate(value: float) -> Decimal:
    return Decimal(f"{value:.4f}")


def shop_daily(company: Company, calendar: SynthCalendar, seed: int) -> CanonicalTable:
    """生意参谋 shop overview, one row per 天猫 shop or 直播间 and day (a 直播间's stay is the
    viewers' average watching time)."""
    rng = _rng(seed, "shop_daily")
    rows: list[tuple[Value, ...]] = []
    days = calendar.days()
    for shop in (s for s in company.shops if s.kind in SYCM_KINDS):
        stay = (25, 90) if shop.kind == "sycm" else (60, 240)
        growth = rng.uniform(-0.002, 0.006)  # per day
        for n, day in enumerate(days):
            uv = max(1, round(shop.visitors * traffic_factor(day) * (1 + growth) ** n * _noise(rng, 0.15)))
            pv = round(uv * rng.uniform(shop.pages - 0.5, shop.pages + 1.5))
            conversion = min(0.2, shop.conversion * conversion_factor(day) * _noise(rng, 0.12))
            buyers = round(uv * conversion)
            orders = buyers + round(buyers * rng.uniform(0.03, 0.15))
            price = shop.price * (0.85 if conversion_factor(day) > 1.2 else 1.0) * _noise(rng, 0.08)
            gmv = money(orders * price)
            rows.append(
                (
                    shop.name,
                    day,
                    pv,
                    uv,
                    buyers,
                    orders,
                    gmv,
                    round(uv * rng.uniform(0.03, 0.07)),
                    round(uv * rng.uniform(0.06, 0.12)),
                    _seconds(rng.uniform(*stay)),
                    round(uv * rng.uniform(0.55, 0.8)),
                    money(float(gmv) * rng.uniform(0.02, 0.08)),
                )
            )
    columns = ("shop", "date", "pv", "uv", "buyers", "orders", "gmv", "favorites", "carts")
    return CanonicalTable("shop_daily", (*columns, "avg_stay_seconds", "new_uv", "refund_amount"), rows)


def sns_history_month(calendar: SynthCalendar) -> Month:
    """The month before the first, whose new-media log is generated too."""
    first = calendar.months[0]
    return Month(first.year - (first.month == 1), (first.month - 2) % 12 + 1)


def _month_factor(month: Month) -> float:
    return sum(traffic_factor(day) for day in month.days())


# At most this share of a 天猫 shop's month goes through its agents: the customers they receive
# (of the shop's visitors) and their inquiries' paid amount (of the shop's 支付金额); the rest are
# silent orders. The reconciliation checks (`reconciliation.yaml`) hold by construction.
AGENT_SHARE = Decimal("0.6")
_COUNTS = slice(3, 8)  # consultations, received, inquiries, ordered_buyers, paid_buyers
_RECEIVED, _PAID, _AMOUNT, _REFUND = 4, 7, 8, 13


def qianniu_cs(company: Company, calendar: SynthCalendar, seed: int, shops: CanonicalTable) -> CanonicalTable:
    """千牛 客服绩效, one row per 旺旺 agent and month (date_from .. date), within the shop's month
    in `shops` (`shop_daily`): a shop whose agents would outgrow it has their figures scaled down."""
    rng = _rng(seed, "qianniu_cs")
    rows: list[tuple[Value, ...]] = []
    price = {s.name: s.price for s in company.shops}
    shop_months = _shop_months(shops)
    for month in calendar.months:
        month_rows: list[tuple[Value, ...]] = []
        days = _month_factor(month)
        for agent in company.agents:
            if agent.platform != "qianniu":
                continue
            aftersales = "售后" in agent.account
            consultations = max(5, round(days * rng.uniform(40, 90) * _noise(rng, 0.1)))
            received = round(consultations * rng.uniform(0.93, 0.99))
            inquiries = round(received * (rng.uniform(0.15, 0.3) if aftersales else rng.uniform(0.55, 0.8)))
            paid_buyers = round(inquiries * min(0.9, rng.uniform(0.3, 0.5) * agent.skill))
            ordered = min(inquiries, paid_buyers + round(paid_buyers * rng.uniform(0.05, 0.2)))
            amount = money(paid_buyers * price[agent.shop] * _noise(rng, 0.1))
            first = min(60.0, max(10.0, rng.uniform(10, 60) / agent.skill))
            month_rows.append(
                (
                    agent.account,
                    month.last,
                    month.first,
                    consultations,
                    received,
                    inquiries,
                    ordered,
                    paid_buyers,
                    amount,
                    _seconds(first),
                    _seconds(first * rng.uniform(1.2, 2.2)),
                    _rate(min(1.0, rng.uniform(0.94, 1.0))),
                    _rate(rng.uniform(0.85, 0.99)),
                    money(float(amount) * rng.uniform(0.01, 0.06)),
                )
            )
        rows += _within_shops(
            month_rows, {a.account: (a.shop, month.text) for a in company.agents}, shop_months
        )
    columns = ("agent", "date", "date_from", "consultations", "received", "inquiries", "ordered_buyers")
    return CanonicalTable(
        "cs_daily",
        (
            *columns,
            "paid_buyers",
            "paid_amount",
            "first_response_seconds",
            "avg_response_seconds",
            "reply_rate",
            "satisfaction_rate",
            "refund_amount",
        ),
        rows,
    )


def _shop_months(shops: CanonicalTable) -> dict[tuple[str, str], tuple[int, Decimal]]:
    """(shop, YYYY-MM) -> the month's visitors and 支付金额 in `shop_daily`."""
    shop, day, uv, gmv = (shops.columns.index(c) for c in ("shop", "date", "uv", "gmv"))
    totals: dict[tuple[str, str], tuple[int, Decimal]] = defaultdict(lambda: (0, Decimal(0)))
    for row in shops.rows:
        key = (str(row[shop]), str(row[day])[:7])
        visitors, amount = totals[key]
        totals[key] = (visitors + int(str(row[uv])), amount + Decimal(str(row[gmv])))
    return totals


def _within_shops(
    rows: Sequence[tuple[Value, ...]],
    shop_of: dict[str, tuple[str, str]],
    shops: dict[tuple[str, str], tuple[int, Decimal]],
) -> list[tuple[Value, ...]]:
    """One month's agent rows (`shop_of`: agent -> (shop, month)), each shop's scaled down (counts floored, amounts rounded down) so
    that its agents receive at most `AGENT_SHARE` of its visitors and sell at most that share of its
    支付金额; a shop within both keeps its rows as drawn."""
    received: dict[tuple[str, str], int] = defaultdict(int)
    sold: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for row in rows:
        shop = shop_of[str(row[0])]
        received[shop] += int(str(row[_RECEIVED]))
        sold[shop] += Decimal(str(row[_AMOUNT]))
    factor = {
        shop: min(
            Decimal(1),
            AGENT_SHARE * shops[shop][0] / max(1, received[shop]),
            AGENT_SHARE * shops[shop][1] / max(Decimal("0.01"), sold[shop]),
        )
        for shop in received
    }
    scaled: list[tuple[Value, ...]] = []
    for row in rows:
        f = factor[shop_of[str(row[0])]]
        if f == 1:
            scaled.append(row)
            continue
        cells = list(row)
        cells[_COUNTS] = [int((Decimal(str(n)) * f).to_integral_value(ROUND_FLOOR)) for n in row[_COUNTS]]
        for i in (_AMOUNT, _REFUND):
            cells[i] = (Decimal(str(row[i])) * f).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
        if cells[_PAID] == 0:
            cells[_AMOUNT] = cells[_REFUND] = Decimal("0.00")
        scaled.append(tuple(cells))
    return scaled


def jd_cs(company: Company, calendar: SynthCalendar, seed: int) -> CanonicalTable:
    """京东 客服 workload, one row per JD agent and day."""
    rng = _rng(seed, "jd_cs")
    rows: list[tuple[Value, ...]] = []
    price = {s.name: s.price for s in company.shops}
    for day in calendar.days():
        factor = traffic_factor(day)
        for agent in company.agents:
            if agent.platform != "jd":
                continue
            received = max(1, round(factor * rng.uniform(35, 80)))
            ordered = round(received * min(0.8, rng.uniform(0.2, 0.4) * agent.skill))
            first = min(60.0, max(10.0, rng.uniform(10, 60) / agent.skill))
            rows.append(
                (
                    agent.account,
                    day,
                    received,
                    ordered,
                    money(ordered * price[agent.shop] * _noise(rng, 0.15)),
                    _seconds(first),
                    _seconds(first * rng.uniform(1.2, 2.0)),
                    1 if rng.random() < 0.04 else 0,
                )
            )
    columns = ("agent", "date", "received", "ordered_buyers", "paid_amount")
    return CanonicalTable(
        "cs_daily", (*columns, "first_response_seconds", "avg_response_seconds", "bad_reviews"), rows
    )


def campaigns(company: Company, calendar: SynthCalendar, seed: int) -> CanonicalTable:
    """直通车 plan report, one row per plan and day."""
    rng = _rng(seed, "campaigns")
    shops = {s.name: s for s in company.shops}
    rows: list[tuple[Value, ...]] = []
    plans = [
        (c, rng.uniform(0.6, 3.0), rng.uniform(0.01, 0.05), rng.uniform(0.01, 0.06))
        for c in company.campaigns
    ]
    for day in calendar.days():
        factor = traffic_factor(day)
        for campaign, cpc, ctr, conversion in plans:
            shop = shops[campaign.shop]
            cost = campaign.daily_budget * factor**0.7 * rng.uniform(0.8, 1.05)
            clicks = max(1, round(cost / (cpc * _noise(rng, 0.1))))
            impressions = round(clicks / (ctr * _noise(rng, 0.1)))
            orders = round(clicks * conversion * conversion_factor(day) * _noise(rng, 0.2))
            rows.append(
                (
                    campaign.name,
                    day,
                    campaign.shop,
                    impressions,
                    clicks,
                    money(cost),
                    orders,
                    money(orders * shop.price * _noise(rng, 0.1)),
                    round(clicks * rng.uniform(0.85, 0.97)),
                )
            )
    columns = ("campaign", "date", "shop", "impressions", "clicks", "cost", "orders", "gmv", "visitors")
    return CanonicalTable("campaigns", columns, rows)


def sns_posts(company: Company, calendar: SynthCalendar, seed: int) -> CanonicalTable:
    """The new-media posting log, one row per account and day, from the month before the first (the
    掉粉率 of the first month compares its fans with that month's)."""
    rng = _rng(seed, "sns_posts")
    fans = {a.name: a.fans for a in company.sns_accounts}
    rows: list[tuple[Value, ...]] = []
    for day in [*sns_history_month(calendar).days(), *calendar.days()]:
        for account in company.sns_accounts:
            planned = account.posts_per_day
            posts = planned - (1 if rng.random() < 0.06 else 0) + (1 if rng.random() < 0.03 else 0)
            original = sum(1 for _ in range(posts) if rng.random() < 0.75)
            fans[account.name] = max(0, round(fans[account.name] * (1 + rng.gauss(0.0015, 0.004))))
            engagement = max(1, fans[account.name] // 2000)
            replies = round(engagement * rng.uniform(0.5, 3))
            rows.append(
                (
                    account.name,
                    day,
                    planned,
                    posts,
                    original,
                    fans[account.name],
                    replies,
                    round(engagement * rng.uniform(0.2, 2)),
                    sum(1 for _ in range(3) if rng.random() < 0.1),
                    1 if rng.random() < 0.02 else 0,
                )
            )
    columns = ("account", "date", "planned_posts", "posts", "original_posts", "fans", "replies", "reposts")
    return CanonicalTable("sns_posts", (*columns, "unanswered", "complaints"), rows)


_DESIGN_KINDS = ("主图设计", "详情页设计", "活动海报", "首页Banner", "直通车创意图")
_COPY_KINDS = ("商品标题", "详情页文案", "活动文案", "微淘推文", "短视频脚本")


def tasks(company: Company, calendar: SynthCalendar, seed: int) -> CanonicalTable:
    """The design/copy task log, one row per task (its month is the month of its due time)."""
    rng = _rng(seed, "tasks")
    rows: list[tuple[Value, ...]] = []
    for month in calendar.months:
        days = month.days()
        serial = 0
        for assignee in company.assignees:
            kinds = _DESIGN_KINDS if assignee.kind == "design" else _COPY_KINDS
            punctual = rng.uniform(0.75, 0.97)
            for _ in range(rng.randint(15, 35)):
                serial += 1
                due_day = rng.choice(days)
                due = dt.datetime.combine(due_day, dt.time(rng.choice((12, 18, 18, 20))))
                assigned = due - dt.timedelta(days=rng.randint(1, 5), hours=rng.randint(0, 8))
                roll = rng.random()
                if roll < punctual:
                    delivered: dt.datetime | None = due - dt.timedelta(minutes=rng.randint(5, 600))
                elif roll < 0.985:
                    delivered = due + dt.timedelta(minutes=rng.randint(30, 2880))
                else:
                    delivered = None
                passed = None if delivered is None else (1 if rng.random() < 0.8 else 0)
                errors = sum(1 for _ in range(4) if rng.random() < 0.08)
                rows.append(
                    (
                        f"T{month.year:04d}{month.month:02d}-{serial:05d}",
                        assignee.name,
                        rng.choice(kinds),
                        assigned,
                        due,
                        delivered,
                        passed,
                        errors,
                    )
                )
    columns = ("task_id", "assignee", "kind", "assigned_at", "due_at", "delivered_at", "passed", "errors")
    return CanonicalTable("tasks", columns, rows)
