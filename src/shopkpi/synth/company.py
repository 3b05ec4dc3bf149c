"""The synthetic company: people in the seed documents' positions and the accounts they own.

Operators (运营专员) own shops, customer-service agents (客服, and the 客服主管, who takes the 旺旺
too) own 旺旺 or 京东 sub-accounts, promotion staff (推广专员) own 直通车 plans, SNS staff own
new-media accounts, designers, copywriters and the 设计主管 are the assignees of tasks (the 设计主管
also runs a 直通车 创意测图 plan, whose click rate their card scores), and each 直播运营 and 主播 has
a 直播间 of their own (直播运营 also a 超级直播 plan for it). Every person has a supervisor (the
general manager at the top) and the template of their position. One shop changes hands on the 16th
of a month, so that month is split between two operators. Every operator runs at least one 天猫 shop
with 生意参谋 reports. The new-media accounts are owned from the month before the first (the
掉粉率 of the first month needs the month before). In a company of `NEW_HIRE_FROM` people or more, the
last 客服专员 joins on the 28th of the last month and has no 旺旺 account yet: the one card that is
incomplete by design.

Shops come in four kinds, each with one source of shop data (the spec adds sources, so a shop has
only one): `sycm` (天猫 shops with 生意参谋 daily reports), `clickstream` (shops whose visitor
behaviour log is exported: pv / cart / fav / buy events; the log has no sales amounts), `jd`
(京东 shops with order details) and `live` (直播间 with their 生意参谋 直播 daily reports, in the
same format as a shop's). The clickstream and 京东 shops are made first, in the same order and with
the same draws whatever else the company has, so the clickstream is the same for a seed.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from shopkpi.synth.calendar import SynthCalendar

MIN_EMPLOYEES = 10
NEW_HIRE_FROM = 20  # a company this size or larger has one 客服专员 who joins on the 28th of the last month
NEW_HIRE_DAY = 28


@dataclass(frozen=True)
class PositionSpec:
    name: str
    department: str
    template: str  # the built-in template that scores the position
    share: float  # of the people beyond the core
    reports_to: str  # the position of the supervisor ("" = the general manager)


GM = "总经理"
OPS_MANAGER = "运营经理"
OPERATOR = "运营专员"
CS = "客服专员"
CS_LEAD = "客服主管"
AFTERSALES = "售后客服"
PROMOTION = "推广专员"
PLANNER = "活动策划专员"
SNS = "SNS推广"
DESIGNER = "美工"
COPYWRITER = "文案"
DESIGN_LEAD = "设计主管"
PURCHASER = "采购"
LIVE_OPS = "直播运营"
STREAMER = "电商直播主播"

POSITIONS: dict[str, PositionSpec] = {
    p.name: p
    for p in (
        PositionSpec(GM, "总经办", "s004-ecommerce-department-manager", 0.0, ""),
        PositionSpec(OPS_MANAGER, "运营部", "s002-operations-manager", 0.03, ""),
        PositionSpec(OPERATOR, "运营部", "s001-operations", 0.27, OPS_MANAGER),
        PositionSpec(PLANNER, "运营部", "s000-campaign-planner", 0.03, OPS_MANAGER),
        PositionSpec(CS_LEAD, "客服部", "s002-customer-service", 0.02, ""),
        PositionSpec(CS, "客服部", "s001-customer-service", 0.24, CS_LEAD),
        PositionSpec(AFTERSALES, "客服部", "s004-aftersales-customer-service", 0.06, CS_LEAD),
        PositionSpec(PROMOTION, "推广部", "s000-promotion-specialist", 0.07, OPS_MANAGER),
        PositionSpec(SNS, "新媒体部", "s001-sns-promotion", 0.05, OPS_MANAGER),
        PositionSpec(DESIGN_LEAD, "设计部", "s004-designer", 0.01, ""),
        PositionSpec(DESIGNER, "设计部", "s001-designer", 0.07, DESIGN_LEAD),
        PositionSpec(COPYWRITER, "设计部", "s001-copywriter", 0.05, DESIGN_LEAD),
        PositionSpec(PURCHASER, "采购部", "s001-purchasing", 0.03, ""),
        PositionSpec(LIVE_OPS, "直播部", "s004-live-stream-operations", 0.02, OPS_MANAGER),
        PositionSpec(STREAMER, "直播部", "s004-live-streamer", 0.02, OPS_MANAGER),
    )
}

# The first people, in this order, so that even a small company has every kind of data.
CORE: tuple[str, ...] = (
    GM,
    OPS_MANAGER,
    OPERATOR,  # sycm shops; hands a shop over
    OPERATOR,  # sycm shops; takes the shop over
    OPERATOR,  # a clickstream shop and a jd shop
    CS,  # 千牛 agent
    CS,  # 京东 agent
    PROMOTION,
    SNS,
    DESIGNER,
    COPYWRITER,
    PURCHASER,
    AFTERSALES,
    PLANNER,
    LIVE_OPS,
    STREAMER,
)
SHOP_KINDS = ("sycm", "clickstream", "jd", "live")
SYCM_KINDS = ("sycm", "live")  # the kinds with 生意参谋 daily reports
# Shop kinds of the operators beyond the core, in turn (50% sycm, 30% clickstream, 20% jd).
_KIND_CYCLE = (
    "sycm",
    "clickstream",
    "sycm",
    "jd",
    "sycm",
    "clickstream",
    "sycm",
    "sycm",
    "clickstream",
    "jd",
)

_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍鹏辉建红梅琳雪飞宇浩凯婷欣怡佳晨思雨子涵博文轩嘉悦梓睿昊然可馨若彤一诺诗琪晓峰志远俊杰婉清紫萱"
_BRANDS = (
    "悦享", "森屿", "木槿", "花间", "云朵", "晨曦", "青柠", "拾光", "初见", "南风", "北岸", "星河", "半夏", "清禾",
    "素锦", "暖阳", "山野", "栖木", "知秋", "小满", "锦时", "橙意", "简宿", "蓝鲸", "麦田", "鹿角", "白茶", "织梦",
)  # fmt: skip
_LINES = (
    "家居",
    "女装",
    "男装",
    "母婴",
    "美妆",
    "食品",
    "数码",
    "户外",
    "宠物",
    "茶饮",
    "家纺",
    "饰品",
    "箱包",
    "童装",
)
_SUFFIX = {
    "sycm": ("旗舰店", "专卖店", "官方旗舰店"),
    "clickstream": ("企业店", "小店", "优选店"),
    "jd": ("京东自营旗舰店", "京东旗舰店"),
    "live": ("直播间", "官方直播间"),
}
_PLAN_THEMES = ("爆款拉新", "日常推广", "新品测款", "人群定向", "大促蓄水", "关键词精准", "店铺收藏")
_SNS_PLATFORMS = ("微博", "小红书", "抖音", "微信公众号", "视频号")


@dataclass(frozen=True)
class Employee:
    id: str
    name: str
    department: str
    position: str
    supervisor: str | None
    base_salary: Decimal
    hired_on: dt.date
    template: str


@dataclass(frozen=True)
class Shop:
    name: str
    kind: str  # sycm, clickstream, jd or live
    index: int
    visitors: int  # baseline visitors on an ordinary day
    conversion: float  # baseline buyers / visitors
    price: float  # average order value, 元
    pages: int  # pages viewed per visit (clickstream session length)
    items: int  # items on sale
    line: str  # product line (类目)


@dataclass(frozen=True)
class Ownership:
    """One row of `accounts`: who owns which account, from when to when (both days included)."""

    employee: str
    kind: str
    account: str
    valid_from: dt.date | None
    valid_to: dt.date | None


@dataclass(frozen=True)
class Agent:
    account: str
    employee: str
    platform: str  # qianniu or jd
    shop: str
    skill: float  # 0.8 .. 1.2: better agents convert more and answer faster


@dataclass(frozen=True)
class Campaign:
    name: str
    shop: str
    employee: str
    daily_budget: float


@dataclass(frozen=True)
class SnsAccount:
    name: str
    employee: str
    fans: int  # at the start
    posts_per_day: int


@dataclass(frozen=True)
class Assignee:
    name: str  # the account: the person's name as the task log writes it
    employee: str
    kind: str  # design or copy


@dataclass(frozen=True)
class Handover:
    shop: str
    from_employee: str
    to_employee: str
    day: dt.date  # the new owner's first day (the 16th)


@dataclass(frozen=True)
class NewHire:
    employee: str
    day: dt.date  # joined on this day of the last month, with no account yet


@dataclass(frozen=True)
class Company:
    employees: tuple[Employee, ...]
    shops: tuple[Shop, ...]
    agents: tuple[Agent, ...]
    campaigns: tuple[Campaign, ...]
    sns_accounts: tuple[SnsAccount, ...]
    assignees: tuple[Assignee, ...]
    accounts: tuple[Ownership, ...]
    handover: Handover
    new_hire: NewHire | None = None

    def shops_of(self, kind: str) -> tuple[Shop, ...]:
        return tuple(s for s in self.shops if s.kind == kind)

    def owner(self, kind: str, account: str, day: dt.date) -> str | None:
        for row in self.accounts:
            if (
                row.kind == kind
                and row.account == account
                and (row.valid_from is None or row.valid_from <= day)
                and (row.valid_to is None or day <= row.valid_to)
            ):
                return row.employee
        return None


def positions_yaml() -> str:
    """`positions.yaml`: each position of the synthetic company and the template it is given."""
    lines = [
        "# The synthetic company's positions and the built-in templates that score them (shopkpi synth)."
    ]
    lines += [f"{p.name}: {p.template}" for p in POSITIONS.values()]
    return "\n".join(lines) + "\n"


def _headcount(employees: int) -> list[str]:
    """Positions of `employees` people: the core first, then the shares (largest remainder)."""
    core = list(CORE[:employees])
    rest = employees - len(core)
    if rest <= 0:
        return core
    specs = [p for p in POSITIONS.values() if p.share > 0]
    total = sum(p.share for p in specs)
    exact = [(p.name, rest * p.share / total) for p in specs]
    counts = {name: math.floor(x) for name, x in exact}
    left = rest - sum(counts.values())
    for name, _ in sorted(exact, key=lambda e: (-(e[1] - math.floor(e[1])), e[0]))[:left]:
        counts[name] += 1
    extra: list[str] = []
    # interleave so that ids do not group by position
    while any(counts.values()):
        for spec in specs:
            if counts[spec.name]:
                extra.append(spec.name)
                counts[spec.name] -= 1
    return core + extra


def _names(rng: random.Random, count: int) -> list[str]:
    seen: set[str] = set()
    names: list[str] = []
    while len(names) < count:
        given = rng.choice(_GIVEN) + (rng.choice(_GIVEN) if rng.random() < 0.7 else "")
        name = rng.choice(_SURNAMES) + given
        if name in seen:
            continue
        seen.add(name)
        names.append(name)
    return names


class _ShopNames:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.seen: set[str] = set()

    def new(self, kind: str, rng: random.Random | None = None) -> tuple[str, str]:
        draw = rng or self.rng
        while True:
            line = draw.choice(_LINES)
            name = draw.choice(_BRANDS) + line + draw.choice(_SUFFIX[kind])
            if name not in self.seen:
                self.seen.add(name)
                return name, line
            if len(self.seen) > 2000:  # large companies: number the shops of a brand
                name = f"{name[:-3]}{len(self.seen)}{name[-3:]}"
                if name not in self.seen:
                    self.seen.add(name)
                    return name, line


def build_company(employees: int, seed: int, calendar: SynthCalendar) -> Company:
    """The company of `employees` people, the same for the same arguments."""
    if employees < MIN_EMPLOYEES:
        raise ValueError(f"a synthetic company needs at least {MIN_EMPLOYEES} employees, not {employees}")
    rng = random.Random(f"shopkpi-synth-company-{seed}")
    positions = _headcount(employees)
    names = _names(rng, employees)
    ids = [f"E{i + 1:04d}" if employees < 10_000 else f"E{i + 1:05d}" for i in range(employees)]
    by_position: dict[str, list[str]] = {}
    for eid, position in zip(ids, positions, strict=True):
        by_position.setdefault(position, []).append(eid)
    gm = ids[0]

    def supervisor(position: str, n: int) -> str | None:
        if position == GM:
            return None
        boss = POSITIONS[position].reports_to
        if boss == "":
            return gm
        managers = by_position.get(boss) or by_position.get(OPS_MANAGER) or [gm]
        return managers[n % len(managers)]

    new_hire: NewHire | None = None
    if employees >= NEW_HIRE_FROM and len(by_position.get(CS, [])) > 2:  # never one of the core
        last = calendar.months[-1]
        new_hire = NewHire(by_position[CS][-1], dt.date(last.year, last.month, NEW_HIRE_DAY))
    people: list[Employee] = []
    seen_in_position: dict[str, int] = {}
    for eid, name, position in zip(ids, names, positions, strict=True):
        n = seen_in_position.get(position, 0)
        seen_in_position[position] = n + 1
        spec = POSITIONS[position]
        salary = {GM: 30000, OPS_MANAGER: 15000, CS_LEAD: 9000, DESIGN_LEAD: 11000}.get(position, 6000)
        salary = round(salary * rng.uniform(0.85, 1.25) / 100) * 100
        hired = calendar.first_day - dt.timedelta(days=rng.randint(60, 2200))
        if new_hire is not None and eid == new_hire.employee:
            hired = new_hire.day
        people.append(
            Employee(
                id=eid,
                name=name,
                department=spec.department,
                position=position,
                supervisor=supervisor(position, n),
                base_salary=Decimal(salary),
                hired_on=hired,
                template=spec.template,
            )
        )
    name_of = {p.id: p.name for p in people}
    start = calendar.first_day
    owners: list[Ownership] = []
    shops: list[Shop] = []
    shop_names = _ShopNames(rng)

    # what is added beyond the original company draws from its own stream, so that the clickstream
    # and 京东 shops (made first, from `rng`) stay the same
    more = random.Random(f"shopkpi-synth-company-more-{seed}")

    def new_shop(kind: str, draw: random.Random = rng) -> Shop:
        name, line = shop_names.new(kind, draw)
        visitors = int(math.exp(draw.gauss(math.log(2500 if kind != "live" else 1500), 0.8)))
        shop = Shop(
            name=name,
            kind=kind,
            index=len(shops),
            visitors=max(200, min(visitors, 60000)),
            conversion=draw.uniform(0.02, 0.05) if kind != "live" else draw.uniform(0.03, 0.07),
            price=round(math.exp(draw.gauss(math.log(120), 0.6)), 2),
            pages=draw.randint(3, 6) if kind != "live" else draw.randint(1, 2),
            items=draw.randint(40, 400),
            line=line,
        )
        shops.append(shop)
        return shop

    operators = by_position.get(OPERATOR, [])
    sycm_names: set[str] = set()
    for n, eid in enumerate(operators):
        if n < 2:
            kinds = ["sycm", "sycm"] if n == 0 else ["sycm"]
        elif n == 2:
            kinds = ["clickstream", "jd"]
        else:
            kind = _KIND_CYCLE[(n - 3) % len(_KIND_CYCLE)]
            kinds = [kind] * rng.choices((1, 2, 3), weights=(0.45, 0.4, 0.15))[0]
        for kind in kinds:
            shop = new_shop(kind)
            if kind == "sycm":
                sycm_names.add(shop.name)
            owners.append(Ownership(eid, "shop", shop.name, start, None))
    # the hand-over: the first operator's first shop goes to the second operator on the 16th
    month = calendar.handover_month
    day = dt.date(month.year, month.month, 16)
    first_shop = owners[0]
    owners[0] = Ownership(first_shop.employee, "shop", first_shop.account, start, day - dt.timedelta(days=1))
    owners.append(Ownership(operators[1], "shop", first_shop.account, day, None))
    handover = Handover(first_shop.account, first_shop.employee, operators[1], day)
    # an operator without a 天猫 shop (only clickstream or 京东 shops) also runs one, with its 生意参谋
    for eid in operators:
        if not any(o.employee == eid and o.kind == "shop" and o.account in sycm_names for o in owners):
            shop = new_shop("sycm", more)
            sycm_names.add(shop.name)
            owners.append(Ownership(eid, "shop", shop.name, start, None))
    # a 直播间 for each 直播运营 and 主播
    for eid in by_position.get(LIVE_OPS, []) + by_position.get(STREAMER, []):
        owners.append(Ownership(eid, "shop", new_shop("live", more).name, start, None))

    sycm = [s for s in shops if s.kind == "sycm"]
    jd = [s for s in shops if s.kind == "jd"]
    agents: list[Agent] = []
    cs_people = [(eid, CS) for eid in by_position.get(CS, [])] + [
        (eid, AFTERSALES) for eid in by_position.get(AFTERSALES, [])
    ]
    cs_people += [(eid, CS_LEAD) for eid in by_position.get(CS_LEAD, [])]
    for n, (eid, position) in enumerate(cs_people):
        if new_hire is not None and eid == new_hire.employee:
            continue  # no 旺旺 account yet
        on_jd = position == CS and jd and (n == 1 or (n > 1 and n % 10 in (3, 7)))
        pool: Sequence[Shop] = jd if on_jd else sycm
        shop = pool[n % len(pool)]
        given = name_of[eid][1:]
        if on_jd:
            account = f"jd_{shop.line}_{given}{eid[-3:]}"
        else:
            account = f"{shop.name}:{'售后' if position == AFTERSALES else ''}{given}{eid[-2:]}"
        agents.append(Agent(account, eid, "jd" if on_jd else "qianniu", shop.name, rng.uniform(0.8, 1.2)))
        owners.append(Ownership(eid, "agent", account, start, None))

    campaigns: list[Campaign] = []
    promo_shops = [s for s in shops if s.kind in ("sycm", "clickstream")]
    for n, eid in enumerate(by_position.get(PROMOTION, [])):
        for k in range(rng.randint(2, 5)):
            shop = promo_shops[(n * 3 + k) % len(promo_shops)]
            theme = _PLAN_THEMES[(n + k) % len(_PLAN_THEMES)]
            name = f"{shop.name}-{theme}-{n + 1:03d}-{k + 1}"
            budget = max(100.0, shop.visitors * rng.uniform(0.08, 0.3))
            campaigns.append(Campaign(name, shop.name, eid, round(budget, 2)))
            owners.append(Ownership(eid, "campaign", name, start, None))
    # a 直播运营 promotes their 直播间 with a 超级直播 plan; a 设计主管 tests creatives with a 测图 plan
    named = {s.name: s for s in shops}
    room_of = {o.employee: o.account for o in owners if o.kind == "shop"}
    for eid in by_position.get(LIVE_OPS, []):
        room = named[room_of[eid]]
        name = f"{room.name}-超级直播-{eid}"
        campaigns.append(Campaign(name, room.name, eid, round(max(100.0, room.visitors * 0.15), 2)))
        owners.append(Ownership(eid, "campaign", name, start, None))
    for n, eid in enumerate(by_position.get(DESIGN_LEAD, [])):
        shop = promo_shops[n % len(promo_shops)]
        name = f"{shop.name}-创意测图-{eid}"
        campaigns.append(Campaign(name, shop.name, eid, round(more.uniform(80, 300), 2)))
        owners.append(Ownership(eid, "campaign", name, start, None))
    # operators run a 直通车 plan of their own for a shop of theirs (the 运营 card scores its ROI)
    shop_of = {s.name: s for s in shops}
    for eid in operators:
        own = [shop_of[o.account] for o in owners if o.employee == eid and o.kind == "shop"]
        shop = next((s for s in own if s.kind != "jd"), own[0])
        name = f"{shop.name}-店铺日常-{eid}"
        campaigns.append(Campaign(name, shop.name, eid, round(max(100.0, shop.visitors * 0.1), 2)))
        owners.append(Ownership(eid, "campaign", name, start, None))

    sns_from = (start - dt.timedelta(days=1)).replace(day=1)  # the month before the first
    sns_accounts: list[SnsAccount] = []
    for n, eid in enumerate(by_position.get(SNS, [])):
        for k in range(rng.randint(1, 3)):
            shop = shops[(n + k) % len(shops)]
            platform = _SNS_PLATFORMS[(n + k) % len(_SNS_PLATFORMS)]
            name = f"{platform}@{shop.name[:4]}{n + 1:03d}{k + 1}"
            fans = int(math.exp(rng.gauss(math.log(20000), 1.0)))
            sns_accounts.append(SnsAccount(name, eid, fans, rng.randint(1, 3)))
            owners.append(Ownership(eid, "sns", name, sns_from, None))

    assignees: list[Assignee] = []
    for position, kind in ((DESIGNER, "design"), (COPYWRITER, "copy"), (DESIGN_LEAD, "design")):
        for eid in by_position.get(position, []):
            assignees.append(Assignee(name_of[eid], eid, kind))
            owners.append(Ownership(eid, "assignee", name_of[eid], start, None))

    return Company(
        employees=tuple(people),
        shops=tuple(shops),
        agents=tuple(agents),
        campaigns=tuple(campaigns),
        sns_accounts=tuple(sns_accounts),
        assignees=tuple(assignees),
        accounts=tuple(owners),
        handover=handover,
        new_hire=new_hire,
    )
