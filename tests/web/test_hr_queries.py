"""The HR summary, the review list and the GM approvals render in a fixed number of queries, for 1,000
employees as for ten (no N+1)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client

from shopkpi.appraisal.models import (
    Cycle,
    Department,
    Employee,
    PayAdjustment,
    Position,
    Review,
    TemplateVersion,
)

pytestmark = pytest.mark.django_db
PERIOD = "2026-03"
TEMPLATE = """\
id: q-test
name: 查询计数
period: month
grades:
  - {name: 优秀, when: ">= 90"}
  - {name: 合格, when: "< 90"}
items:
  - {key: attitude, name: 工作态度, weight: 100%, rated_by: supervisor}
"""


def _company(size: int) -> tuple[User, User]:
    hr = User.objects.create_user("hr", password="x")
    hr.groups.add(Group.objects.get_or_create(name="hr")[0])
    gm = User.objects.create_user("gm", password="x")
    gm.groups.add(Group.objects.get_or_create(name="gm")[0])
    departments = [Department.objects.create(name=f"部门{n}") for n in range(10)]
    position = Position.objects.create(name="专员", template_id="q-test")
    version = TemplateVersion.objects.create(template_id="q-test", version=1, name="查询计数", text=TEMPLATE)
    cycle = Cycle.objects.create(
        period=PERIOD,
        self_due=dt.date(2026, 4, 3),
        supervisor_due=dt.date(2026, 4, 7),
        hr_due=dt.date(2026, 4, 10),
    )
    boss = Employee.objects.create(code="B000", name="老板", department=departments[0], position=position)
    Employee.objects.bulk_create(
        Employee(
            code=f"E{n:04d}",
            name=f"员工{n}",
            department=departments[n % 10],
            position=position,
            supervisor=boss,
        )
        for n in range(size)
    )
    Review.objects.bulk_create(
        Review(
            cycle=cycle,
            employee=employee,
            evaluator=boss,
            template_version=version,
            status=Review.Status.PENDING_GM,
            score=Decimal(60 + employee.pk % 40),
            grade="优秀" if 60 + employee.pk % 40 >= 90 else "合格",
            pay=Decimal(500),
        )
        for employee in Employee.objects.exclude(code="B000")
    )
    first = Review.objects.order_by("id").first()
    assert first is not None
    PayAdjustment.objects.create(review=first, amount=Decimal(100), reason="奖励", created_by=hr)
    return hr, gm


def _count(django_assert_max_num_queries, user: User, url: str, most: int) -> str:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    with django_assert_max_num_queries(most):
        answer = client.get(url)
    assert answer.status_code == 200
    return answer.content.decode()


@pytest.mark.slow
def test_a_thousand_employees_in_a_fixed_number_of_queries(django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    hr, gm = _company(1000)
    # (each page +1: the top bar's count of the user's to-dos)
    summary = _count(django_assert_max_num_queries, hr, f"/hr/cycles/{PERIOD}/summary/", 9)
    # 1,000 reviews of ¥500.00 and one adjustment of ¥100.00
    assert (
        '<td class="num">¥500,000.00</td><td class="num">¥100.00</td><td class="num">¥500,100.00</td>'
        in summary
    )
    listing = _count(django_assert_max_num_queries, hr, f"/hr/cycles/{PERIOD}/reviews/", 9)
    assert "共 1000 份" in listing
    # the GM's list: a page of 50 of the 1,000, the filter's choices (periods, departments), the totals
    # of the filter and of what this GM may approve (two queries each), the reopen requests, whether a
    # calibration target is set (none here: no distribution is read), and the top bar's count of the
    # GM's to-dos
    approvals = _count(django_assert_max_num_queries, gm, "/gm/", 14)
    assert "符合筛选条件的考核共 1000 份" in approvals
    # the console (+1: the top bar's count of HR's to-dos)
    assert _count(django_assert_max_num_queries, hr, "/hr/", 10).count(PERIOD) >= 1
