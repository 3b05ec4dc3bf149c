"""No N+1: the team board (a page of rows) and the review page cost the same few queries for a thousand
employees.

1,000 employees in one department under four supervisors, each with a review in the open cycle and
in two earlier (published) cycles, made with bulk_create. The board, as HR (who sees every team),
and one review page, as HR, as the evaluator and as the employee, stay within a small constant
number of queries; the same pages for a company of 10 cost the same number.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import api_org
import pytest
from django.contrib.auth.models import Group, User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shopkpi.appraisal.models import Cycle, Department, Employee, Position, Review, TemplateVersion
from shopkpi.appraisal.reviews.review_scoring import recompute

pytestmark = pytest.mark.django_db

BOARD_QUERIES = 12
REVIEW_QUERIES = 17  # with the approval chain's steps (read four times: worth a prefetch) and the incidents


def company(size: int, prefix: str = "") -> dict[str, Any]:
    """`size` employees under four supervisors; one review each in 2026-03 (open) and in 2026-01, 2026-02.
    A second company in the same database takes another `prefix` (codes and usernames)."""
    version, _ = TemplateVersion.objects.get_or_create(
        template_id="api-test", version=1, defaults={"name": "测试岗位", "text": api_org.TEMPLATE}
    )
    department = Department.objects.create(name=f"{prefix}客服部")
    position, _ = Position.objects.get_or_create(name="客服专员", defaults={"template_id": "api-test"})
    hr = User.objects.create_user(f"{prefix}hr")
    hr.groups.add(Group.objects.get_or_create(name="hr")[0])
    bosses = []
    for n in range(4):
        user = User.objects.create_user(f"{prefix}boss{n}")
        bosses.append(
            Employee.objects.create(
                code=f"{prefix}B{n:03d}", name=f"主管{n}", department=department, position=position, user=user
            )
        )
    employee_user = User.objects.create_user(f"{prefix}E0000")
    staff = Employee.objects.bulk_create(
        Employee(
            code=f"{prefix}E{n:04d}",
            name=f"员工{n}",
            department=department,
            position=position,
            supervisor=bosses[n % 4],
            user=employee_user if n == 0 else None,
        )
        for n in range(size)
    )
    cycles = {
        period: Cycle.objects.get_or_create(
            period=period,
            defaults={
                "self_due": dt.date(2026, month + 1, 3),
                "supervisor_due": dt.date(2026, month + 1, 7),
                "hr_due": dt.date(2026, month + 1, 10),
            },
        )[0]
        for period, month in (("2026-01", 1), ("2026-02", 2), ("2026-03", 3))
    }
    # one review scored the real way; its result stands for all (the pages only read it)
    sample = Review.objects.create(
        cycle=cycles["2026-03"],
        employee=bosses[0],
        evaluator=None,
        template_version=version,
        values=api_org.VALUES,
    )
    recompute(sample)
    published = timezone.now()
    reviews = []
    for employee in staff:
        for period, cycle in cycles.items():
            current = period == "2026-03"
            reviews.append(
                Review(
                    cycle=cycle,
                    employee=employee,
                    evaluator=employee.supervisor,
                    template_version=version,
                    status="pending_supervisor" if current else "acknowledged",
                    values=dict(api_org.VALUES),
                    result=sample.result,
                    score=None if current else Decimal("82.5"),
                    grade="" if current else "合格",
                    published_at=None if current else published,
                    submitted_self_at=published,
                )
            )
    Review.objects.bulk_create(reviews, batch_size=500)
    target = Review.objects.get(cycle=cycles["2026-03"], employee=staff[0])
    return {"hr": hr, "boss": bosses[0].user, "employee": employee_user, "review": target}


def count(user: User, url: str) -> tuple[int, str]:
    client = Client()
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        answer = client.get(url)
    assert answer.status_code == 200, url
    return len(queries), answer.content.decode()


def test_the_team_board_for_hr_costs_a_constant_number_of_queries(django_assert_max_num_queries: Any) -> None:
    made = company(1000)
    client = Client()
    client.force_login(made["hr"])
    with django_assert_max_num_queries(BOARD_QUERIES):
        answer = client.get("/team/")
    html = answer.content.decode()
    assert answer.status_code == 200
    # a page of 100 of the 1,001 rows, by team: B000's own review (no evaluator), then 99 of B000's team
    assert html.count('translate="no">E0') == 99 and 'translate="no">B000</td>' in html
    assert "符合筛选条件的考核共 1001 份" in html
    assert html.count("考评负责人：B00") == 1 and "250 人" in html


def test_the_review_page_costs_a_constant_number_of_queries(django_assert_max_num_queries: Any) -> None:
    made = company(1000)
    url = f"/reviews/{made['review'].pk}/"
    for who in ("hr", "boss", "employee"):
        client = Client()
        client.force_login(made[who])
        with django_assert_max_num_queries(REVIEW_QUERIES):
            answer = client.get(url)
        assert answer.status_code == 200
        assert "2026-01" in answer.content.decode() and "2026-02" in answer.content.decode()  # the history


def test_ten_employees_or_a_thousand_cost_the_same() -> None:
    small = company(10, "S")
    board_small, _ = count(small["hr"], "/team/")
    page_small, _ = count(small["boss"], f"/reviews/{small['review'].pk}/")
    large = company(1000, "L")
    board_large, _ = count(large["hr"], "/team/")
    page_large, _ = count(large["boss"], f"/reviews/{large['review'].pk}/")
    assert (board_large, page_large) == (board_small, page_small)
