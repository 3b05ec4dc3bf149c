"""A company of thousands written straight into the tables (bulk inserts; no import, no workflow), for
the tests and benchmarks that need a large organisation in seconds (`tests/web/test_list_pages_at_scale.py`,
`bench/pages.py`). The demo itself (`build.py`) goes through the imports and the workflow instead.

The company: 10 departments 部门0–部门9; four managers B000–B003 (with logins, in 部门0) evaluate
everyone in turn; everyone's first terms are recorded, as the roster's import records them; HR (`hr`)
and the GM (`gm`) are logins only. In the open month PERIOD (every deadline passed) the reviews are, in
turn, waiting for the self-review, the supervisor, HR, the GM, published and appealed (TURN); the
published and appealed ones have pay lines, every 18th of them an adjustment."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.auth.models import Group, User

from shopkpi.appraisal.models import (
    Appeal,
    Cycle,
    Department,
    Employee,
    EmployeeTerms,
    PayAdjustment,
    Position,
    Review,
    TemplateVersion,
)
from shopkpi.appraisal.pay import paysheet

PERIOD = "2026-03"
TEMPLATE_ID = "q-list"
TEMPLATE = """\
id: q-list
name: 列表测试
period: month
items:
  - {key: attitude, name: 工作态度, weight: 100%, rated_by: supervisor}
pay:
  amount: 1000 * score / 100
"""
DEPARTMENTS = 10
MANAGERS = 4
S = Review.Status
TURN = (S.PENDING_SELF, S.PENDING_SUPERVISOR, S.PENDING_HR, S.PENDING_GM, S.PUBLISHED, S.APPEALED)


def start(template: str = TEMPLATE) -> Cycle:
    """HR, the GM, the departments, the managers and the open month; `template` (of id TEMPLATE_ID) is
    every position's card."""
    for role in ("hr", "gm"):
        User.objects.create_user(role).groups.add(Group.objects.get_or_create(name=role)[0])
    Department.objects.bulk_create(Department(name=f"部门{n}") for n in range(DEPARTMENTS))
    TemplateVersion.objects.create(template_id=TEMPLATE_ID, version=1, name="列表测试", text=template)
    position = Position.objects.create(name="专员", template_id=TEMPLATE_ID)
    office = Department.objects.get(name="部门0")
    for n in range(MANAGERS):
        manager = Employee.objects.create(
            code=f"B{n:03d}",
            name=f"经理{n}",
            department=office,
            position=position,
            user=User.objects.create_user(f"boss{n}"),
        )
        EmployeeTerms.objects.create(employee=manager, department=office, position=position)
    return Cycle.objects.create(
        period=PERIOD,
        self_due=dt.date(2020, 4, 3),
        supervisor_due=dt.date(2020, 4, 7),
        hr_due=dt.date(2020, 4, 10),
    )


def grow(start: int, stop: int) -> list[Review]:
    """Employees E<start>..E<stop - 1>, each with a login, first terms and a review in the open month
    (made)."""
    departments = list(Department.objects.order_by("pk"))
    bosses = list(Employee.objects.filter(code__startswith="B").order_by("code"))
    position = Position.objects.get()
    version = TemplateVersion.objects.get()
    cycle = Cycle.objects.get()
    # each with a login, as in a company whose people sign in (a page reading a row's login per row shows)
    logins = User.objects.bulk_create(User(username=f"E{n:04d}") for n in range(start, stop))
    made = Employee.objects.bulk_create(
        Employee(
            code=f"E{n:04d}",
            name=f"员工{n}",
            department=departments[n % DEPARTMENTS],
            position=position,
            supervisor=bosses[n % MANAGERS],
            user=login,
        )
        for n, login in zip(range(start, stop), logins, strict=True)
    )
    # each with their first terms, as the roster's import records everyone (the month's terms are read)
    EmployeeTerms.objects.bulk_create(
        (
            EmployeeTerms(employee=e, department=e.department, position=e.position, supervisor=e.supervisor)
            for e in made
        ),
        batch_size=1000,
    )
    reviews = Review.objects.bulk_create(
        [
            Review(
                cycle=cycle,
                employee=employee,
                evaluator=employee.supervisor,
                template_version=version,
                status=TURN[n % len(TURN)],
                score=Decimal(60 + n % 40),
                grade="合格",
                pay=Decimal(600 + n % 40) * 10,
                result={"pay_kind": "performance"},
            )
            for n, employee in zip(range(start, stop), made, strict=True)
        ],
        batch_size=500,
    )
    hr = User.objects.get(username="hr")
    Appeal.objects.bulk_create(
        Appeal(review=r, item_key="", reason="不认可") for r in reviews if r.status == S.APPEALED
    )
    PayAdjustment.objects.bulk_create(
        PayAdjustment(review=r, amount=Decimal("-50.00"), reason="迟到", created_by=hr)
        for r in reviews[:: len(TURN) * 3]
        if r.status in paysheet.APPROVED
    )
    return reviews
