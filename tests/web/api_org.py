"""A small company for the API tests: departments, positions, a GM and a deputy, two HR users, a
department director with two managers, their reports, a peer in another department, an admin-only
user and a user without an employee; one cycle with a review per employee (evaluator = supervisor).

Shared by tests/web/test_api*.py, test_policy_matrix.py and test_schemathesis.py (imported as
`api_org`: tests/web is on sys.path because it has no __init__.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.contrib.auth.models import Group, User

from shopkpi.appraisal.accounts import tokens
from shopkpi.appraisal.models import (
    Cycle,
    CycleTemplate,
    Department,
    Employee,
    Position,
    Review,
    TemplateVersion,
)

PASSWORD = "correct horse battery staple"
PERIOD = "2026-03"

TEMPLATE = """\
id: api-test
name: 测试岗位
period: month
self_weight: 0
grades:
  - {name: 优秀, when: ">= 90"}
  - {name: 合格, when: "< 90"}
items:
  - key: sales
    name: 销售额达成
    weight: 60%
    value: 销售额 / 目标
    bands: {">= 100%": 100, "< 100%": 50}
  - key: attitude
    name: 工作态度
    weight: 40%
    rated_by: supervisor
"""

# the inputs of every review: 95% of target -> the sales item's band "< 100%"
VALUES = {"销售额": "95000", "目标": "100000"}

# key: (employee id, name, department, position, supervisor key, groups)
PEOPLE: dict[str, tuple[str, str, str, str, str | None, tuple[str, ...]]] = {
    "gm": ("E001", "高总", "总经办", "总经理", None, ("gm",)),
    "gm2": ("E005", "副总", "总经办", "副总经理", "gm", ("gm",)),
    "hr": ("E002", "何人事", "人事部", "人事经理", "gm", ("hr",)),
    "hr2": ("E003", "韩人事", "人事部", "人事专员", "hr", ("hr",)),
    "hra": ("E004", "胡助理", "人事部", "人事助理", "gm", ()),
    "dir": ("E010", "邓总监", "运营部", "运营总监", "gm", ()),
    "mgr": ("E011", "马经理", "运营部", "运营经理", "dir", ()),
    "mgr2": ("E014", "孟经理", "运营部", "运营经理", "dir", ()),
    "emp": ("E012", "艾运营", "运营部", "运营专员", "mgr", ()),
    "emp2": ("E013", "包运营", "运营部", "运营专员", "mgr", ()),
    "cs": ("E020", "陈客服", "客服部", "客服专员", "gm", ()),
}
# users without an employee
LOOSE_USERS: dict[str, tuple[str, ...]] = {"admin": ("admin",), "nobody": ()}


@dataclass
class Org:
    users: dict[str, User] = field(default_factory=dict)
    employees: dict[str, Employee] = field(default_factory=dict)
    reviews: dict[str, Review] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    cycle: Cycle | None = None

    def auth(self, key: str) -> dict[str, Any]:
        """Headers for django.test.Client calls as this user."""
        return {"HTTP_AUTHORIZATION": f"Bearer {self.tokens[key]}"}


def build(*, hash_passwords: bool = True) -> Org:
    org = Org()
    groups = {name: Group.objects.get_or_create(name=name)[0] for name in ("hr", "gm", "admin")}
    version = TemplateVersion.objects.create(
        template_id="api-test", version=1, name="测试岗位", text=TEMPLATE
    )
    cycle = Cycle.objects.create(
        period=PERIOD, self_due=date(2026, 4, 3), supervisor_due=date(2026, 4, 7), hr_due=date(2026, 4, 10)
    )
    org.cycle = cycle
    for key, group_names in [*((k, p[5]) for k, p in PEOPLE.items()), *LOOSE_USERS.items()]:
        user = User(username=key)
        if hash_passwords:
            user.set_password(PASSWORD)
        else:
            user.set_unusable_password()
        user.save()
        user.groups.set([groups[name] for name in group_names])
        org.users[key] = user
        org.tokens[key], _ = tokens.issue(user)
    for key, (code, name, department, position, supervisor, _groups) in PEOPLE.items():
        dept, _ = Department.objects.get_or_create(name=department)
        pos, created = Position.objects.get_or_create(name=position, defaults={"template_id": "api-test"})
        if created:
            CycleTemplate.objects.create(cycle=cycle, position=pos, template_version=version)
        org.employees[key] = Employee.objects.create(
            code=code,
            name=name,
            department=dept,
            position=pos,
            supervisor=None if supervisor is None else org.employees[supervisor],
            user=org.users[key],
        )
    for key, employee in org.employees.items():
        org.reviews[key] = Review.objects.create(
            cycle=cycle,
            employee=employee,
            evaluator=employee.supervisor,
            template_version=version,
            values=dict(VALUES),
        )
    return org
