"""A small company for the workflow tests, and a template written here so the arithmetic reads beside it.

    G01 总经理 (user gm, GM)            no supervisor
    G02 副总经理 (user vgm, GM)         reports to G01
    H01 人事经理 (user hr, HR)          reports to G01
    H02 人事专员 (user hr2, HR)         reports to H01
    M01 运营经理 (user m01)             reports to G01
    E01 运营专员 (user e01)             reports to M01, base salary 6000
    E02 运营专员 (user e02)             reports to M01, base salary 5000
    P01 客服专员 (user p01)             reports to G01 (another department: a peer of M01's team)

Shop data is faked per test: `FakeShopData` stands in for `month_values.metric_values`, the one
adapter the appraisal reads shop data through (once for everyone, when the month is computed:
on opening, on recompute — `recompute_month` here — and after an import).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.contrib.auth.models import Group, User

from shopkpi.appraisal.models import Cycle, Department, Employee, MonthComputation, Position, Review
from shopkpi.appraisal.periods import cycles, month_close, month_values
from shopkpi.appraisal.reviews import review_scoring

PERIOD = "2026-09"  # deadlines land around the National Day holiday (10-01..10-08 in 2026)

# 销售完成率 = gmv / 目标销售额, weight 60; 工作态度 rated by the supervisor, weight 40.
# Pay: base_salary × 10% × score / 100.
TEMPLATE = """\
id: t-sales
name: 测试运营
period: month
self_weight: 0
rounding: 1
grades:
  - {name: 优秀, when: ">= 90"}
  - {name: 合格, when: "[60, 90)"}
  - {name: 差, when: "< 60"}
items:
  - key: attainment
    name: 销售完成率
    weight: 60%
    value: gmv / 目标销售额
    bands:
      ">= 100%": 100
      "[80%, 100%)": 80
      "< 80%": 0
  - key: attitude
    name: 工作态度
    weight: 40%
    rated_by: supervisor
    levels: {优: 100, 良: 80, 差: 40}
pay:
  amount: base_salary * 10% * score / 100
rules:
  - {when: "grade == '差'", consecutive: 2, action: 警告}
  - {when: "score >= 90", consecutive: 1, action: 表扬}
"""


@dataclass
class FakeShopData:
    """gmv by employee code, as the shop-data layer would compute it for the period."""

    gmv: dict[str, Decimal | None] = field(default_factory=dict)
    calls: int = 0

    def __call__(
        self, home: Any, period: str, codes: Any, names: Any = None, *, connection: Any = None
    ) -> dict[str, dict[str, month_values.Metric]]:
        self.calls += 1
        return {
            code: {"gmv": month_values.Metric(self.gmv[code], f"店铺数据 shop_daily {period}: 30 行")}
            for code in codes
            if code in self.gmv
        }


@dataclass
class Company:
    users: dict[str, User]
    employees: dict[str, Employee]
    shop: FakeShopData

    def user(self, name: str) -> User:
        # a fresh object each time: roles are cached on the user object
        return User.objects.get(username=name)

    def review(self, code: str, period: str = PERIOD) -> Review:
        return Review.objects.select_related("cycle", "employee", "template_version").get(
            employee__code=code, cycle__period=period
        )


def build_company(monkeypatch: Any, *, fake_shop: bool = True) -> Company:
    hr_group, _ = Group.objects.get_or_create(name="hr")
    gm_group, _ = Group.objects.get_or_create(name="gm")
    office = Department.objects.create(name="总经办")
    people = Department.objects.create(name="人事行政部")
    ops = Department.objects.create(name="运营部")
    service = Department.objects.create(name="客服部")
    position = Position.objects.create(name="运营专员", template_id="t-sales")
    users: dict[str, User] = {}
    employees: dict[str, Employee] = {}

    def person(
        code: str,
        name: str,
        department: Department,
        supervisor: str | None,
        salary: str | None,
        *groups: Group,
    ) -> None:
        username = (
            code.lower() if not groups else {"G01": "gm", "G02": "vgm", "H01": "hr", "H02": "hr2"}[code]
        )
        user = User.objects.create_user(username, password="x")
        for group in groups:
            user.groups.add(group)
        users[username] = user
        employees[code] = Employee.objects.create(
            code=code,
            name=name,
            department=department,
            position=position,
            supervisor=employees[supervisor] if supervisor else None,
            base_salary=Decimal(salary) if salary else None,
            hired_on=dt.date(2024, 1, 1),
            user=user,
        )

    person("G01", "高总", office, None, "20000", gm_group)
    person("G02", "葛副总", office, "G01", "15000", gm_group)
    person("H01", "何人事", people, "G01", "8000", hr_group)
    person("H02", "胡专员", people, "H01", "5000", hr_group)
    person("M01", "马经理", ops, "G01", "10000")
    person("E01", "赵一", ops, "M01", "6000")
    person("E02", "钱二", ops, "M01", "5000")
    person("P01", "孙客服", service, "G01", "4000")
    cycles.new_template_version(users["hr"], "t-sales", TEMPLATE)
    shop = FakeShopData({code: Decimal(95000) for code in employees})
    if fake_shop:
        monkeypatch.setattr(month_values, "metric_values", shop)
    return Company(users, employees, shop)


def with_pay(pay: str, template_id: str = "t-sales") -> str:
    """The company's template under another id with another pay block (or none: "")."""
    head, _, rules = TEMPLATE.partition("pay:\n  amount: base_salary * 10% * score / 100\n")
    return head.replace("id: t-sales", f"id: {template_id}") + pay + rules


def use_template(company: Company, code: str, template_id: str, pay: str) -> None:
    """Before the month opens: the employee `code` holds a position of their own whose template is the
    company's with another pay block (see with_pay)."""
    position = Position.objects.create(name=f"{template_id} 岗", template_id=template_id)
    cycles.new_template_version(company.user("hr"), template_id, with_pay(pay, template_id))
    Employee.objects.filter(code=code).update(position=position)


def set_target(review: Review, target: str = "100000") -> None:
    """A target stored on the review (as an import of targets would)."""
    review.values = {**review.values, "目标销售额": target}
    review.provenance = {**review.provenance, "目标销售额": "目标 targets.csv"}
    review.save(update_fields=["values", "provenance"])
    review_scoring.recompute(review)


def recompute_month(period: str = PERIOD) -> None:
    """The month computed again from the (fake) shop data, as HR's recompute or an import does."""
    cycle = Cycle.objects.get(period=period)
    month_close.refresh_cycle(cycle, reason=MonthComputation.Reason.RECOMPUTE, actor="hr", home=Path("."))


def open_month(company: Company, period: str = PERIOD) -> None:
    cycles.open_cycle(company.user("hr"), period)
    for review in Review.objects.filter(cycle__period=period):
        set_target(review)


def hr_for(review: Review) -> str:
    return "hr2" if review.employee.code == "H01" else "hr"  # nobody acts on their own review


def gm_for(review: Review) -> str:
    return "vgm" if review.employee.code == "G01" else "gm"


def advance(company: Company, code: str, to: str, period: str = PERIOD, rating: str = "良") -> Review:
    """Move a review along the happy path until it reaches `to`, each step by the party that takes it."""
    from shopkpi.appraisal.reviews.workflow import perform

    review = company.review(code, period)
    while review.status != to:
        employee = review.employee.user
        evaluator = review.evaluator.user if review.evaluator else None
        if review.status == Review.Status.PENDING_SELF:
            perform(employee, review, "submit_self")
        elif review.status == Review.Status.PENDING_SUPERVISOR:
            perform(evaluator, review, "rate", ratings={"attitude": rating}, comment="认真负责")
            perform(
                evaluator,
                review,
                "record_interview",
                held_on=dt.date(2026, 10, 5),
                strengths="执行力强",
                improvements="数据分析",
                plan="学习生意参谋",
            )
            perform(evaluator, review, "submit_supervisor")
        elif review.status == Review.Status.PENDING_HR:
            perform(company.user(hr_for(review)), review, "submit_hr")
        elif review.status == Review.Status.PENDING_GM:
            perform(company.user(gm_for(review)), review, "approve")
        elif review.status == Review.Status.PUBLISHED:
            perform(employee, review, "acknowledge")
        else:
            raise AssertionError(f"no happy path from {review.status} to {to}")
        review = company.review(code, period)
    return review


def three_kinds_of_pay(monkeypatch: Any, to: str = Review.Status.PUBLISHED) -> Company:
    """E01 and E02 (运营部) performance pay, P01 (客服部) a whole wage, M01 (运营部) no pay; all at `to`.

    Every score is 80 (95000 / 100000 -> [80%, 100%) -> 80 -> 48; 良 -> 32; 48 + 32 = 80):
    E01 6000 × 10% × 80% = 480.00, E02 5000 × 10% × 80% = 400.00, P01 3000 × 80 / 100 = 2400.00 (wage).
    HR's adjustments (奖惩): E01 −100.00, P01 +50.00, M01 +30.00."""
    from shopkpi.appraisal.reviews.workflow import perform

    company = build_company(monkeypatch)
    use_template(company, "P01", "t-wage", "pay:\n  amount: 3000 * score / 100\n  kind: wage\n")
    use_template(company, "M01", "t-nopay", "")
    open_month(company)
    hr = company.user("hr")
    for code, amount in (("E01", "-100"), ("E02", None), ("P01", "50"), ("M01", "30")):
        review = advance(company, code, to)
        if amount:
            perform(hr, review, "adjust_pay", amount=amount, reason="奖惩")
    return company
