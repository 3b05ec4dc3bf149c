"""The GM approval list with many reviews: fifty a page, filters by department and state, approving
every review a filter matches after a confirmation of their number and pay, and a query count that
does not grow with the company.

120 reviews wait for the GM in 2026-03: 70 in 客服部 (E0000-E0069), 49 in 运营部 (E0070-E0118) and the
GM's own in 总经办. Each scores 50 (销售额 95000 of 目标 100000 → band "< 100%" → 50) and its pay is
600 × 50 / 100 = ¥300.00; one 客服部 review has a ¥200.00 adjustment (奖惩). Five more 客服部 reviews
are already published.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from shopkpi.appraisal.models import (
    AuditEntry,
    Cycle,
    Department,
    Employee,
    PayAdjustment,
    Position,
    Review,
    TemplateVersion,
)
from shopkpi.appraisal.reviews.review_scoring import recompute

pytestmark = pytest.mark.django_db
S = Review.Status

TEMPLATE = """\
id: gm-list
name: 审批测试
period: month
self_weight: 0
grades:
  - {name: 优秀, when: ">= 90"}
  - {name: 合格, when: "< 90"}
items:
  - key: sales
    name: 销售额达成
    weight: 100%
    value: 销售额 / 目标
    bands: {">= 100%": 100, "< 100%": 50}
pay:
  amount: 600 * score / 100
"""
VALUES = {"销售额": "95000", "目标": "100000"}


class Company:
    def __init__(self) -> None:
        self.version = TemplateVersion.objects.create(
            template_id="gm-list", version=1, name="审批测试", text=TEMPLATE
        )
        self.cycle = Cycle.objects.create(
            period="2026-03",
            self_due=dt.date(2026, 4, 3),
            supervisor_due=dt.date(2026, 4, 7),
            hr_due=dt.date(2026, 4, 10),
        )
        self.position = Position.objects.create(name="专员", template_id="gm-list")
        self.departments = {
            name: Department.objects.create(name=name) for name in ("总经办", "客服部", "运营部")
        }
        self.gm = User.objects.create_user("gm")
        self.gm.groups.add(Group.objects.get_or_create(name="gm")[0])
        boss = Employee.objects.create(
            code="G001",
            name="高总",
            department=self.departments["总经办"],
            position=self.position,
            user=self.gm,
        )
        sample = Review.objects.create(
            cycle=self.cycle, employee=boss, template_version=self.version, values=dict(VALUES)
        )
        recompute(sample)
        assert sample.pay == Decimal("300.00") and sample.score == Decimal(50)
        Review.objects.filter(pk=sample.pk).update(status=S.PENDING_GM)
        self.sample = sample
        self.count = 0

    def add(self, department: str, n: int, status: str = S.PENDING_GM) -> None:
        staff = Employee.objects.bulk_create(
            Employee(
                code=f"E{self.count + i:04d}",
                name=f"员工{self.count + i}",
                department=self.departments[department],
                position=self.position,
            )
            for i in range(n)
        )
        self.count += n
        Review.objects.bulk_create(
            Review(
                cycle=self.cycle,
                employee=employee,
                template_version=self.version,
                status=status,
                values=dict(VALUES),
                result=self.sample.result,
                score=self.sample.score,
                grade=self.sample.grade,
                pay=self.sample.pay,
            )
            for employee in staff
        )

    def client(self) -> Client:
        client = Client()
        client.force_login(self.gm)
        return client


@pytest.fixture
def company() -> Company:
    made = Company()
    made.add("客服部", 70)
    made.add("运营部", 49)
    made.add("客服部", 5, S.PUBLISHED)
    adjusted = Review.objects.get(employee__code="E0003")
    PayAdjustment.objects.create(review=adjusted, amount=Decimal("200.00"), reason="加班", created_by=made.gm)
    return made


def codes(html: str) -> list[str]:
    """The employee codes of the rows shown, in order."""
    return re.findall(r'<a href="/gm/reviews/\d+/">(\w+)</a>', html)


def get(client: Client, url: str) -> str:
    answer = client.get(url)
    assert answer.status_code == 200, url
    return answer.content.decode()


def test_fifty_a_page_with_labelled_page_links(company: Company) -> None:
    gm = company.client()
    first = get(gm, "/gm/")
    assert len(codes(first)) == 50
    # the default filter: waiting for the GM, so 120 (the 5 published ones are not listed)
    assert "符合筛选条件的考核共 120 份" in first
    assert '<nav class="pages" aria-label="分页">' in first
    assert 'aria-current="page" aria-label="第 1 页（当前）"' in first
    assert 'href="?state=pending_gm&amp;page=3" aria-label="第 3 页"' in first
    second = get(gm, "/gm/?state=pending_gm&page=2")
    third = get(gm, "/gm/?state=pending_gm&page=3")
    assert len(codes(second)) == 50 and len(codes(third)) == 20
    shown = codes(first) + codes(second) + codes(third)
    assert len(set(shown)) == 120 and "E0119" not in shown  # every waiting review once, no published one


def test_filter_by_department_and_state(company: Company) -> None:
    gm = company.client()
    service = company.departments["客服部"].pk
    page = get(gm, f"/gm/?department={service}")
    assert len(codes(page)) == 50 and all(c < "E0070" for c in codes(page))
    # 绩效工资 70 × ¥300.00 = ¥21,000.00, 奖惩 ¥200.00 (together 21,200.00)
    assert "符合筛选条件的考核共 70 份，绩效工资合计 ¥21,000.00，奖惩合计 ¥200.00。" in page
    assert len(codes(get(gm, f"/gm/?department={service}&page=2"))) == 20
    published = get(gm, f"/gm/?department={service}&state=published")
    assert sorted(codes(published)) == [f"E{n:04d}" for n in range(119, 124)]
    assert "批准全部" not in published  # nothing there waits for the GM
    assert len(codes(get(gm, "/gm/?state=all&page=3"))) == 25  # 125 reviews in all


def test_search_by_code_or_name_kept_in_the_page_links_and_approve_all(company: Company) -> None:
    """员工1 finds 员工1, 员工10-员工19 and 员工100-员工118 (30 waiting, ¥300.00 each); the page links, the approval
    forms and the way back keep the search, and approving all of them approves those 30 only."""
    gm = company.client()
    page = get(gm, "/gm/?q=%E5%91%98%E5%B7%A51")  # 员工1
    assert 'name="q" value="员工1"' in page
    assert "符合筛选条件的考核共 30 份" in page and len(codes(page)) == 30
    assert set(codes(page)) == {
        "E0001",
        *(f"E{n:04d}" for n in range(10, 20)),
        *(f"E{n:04d}" for n in range(100, 119)),
    }
    assert 'action="/gm/approve-matching/?state=pending_gm&amp;q=%E5%91%98%E5%B7%A51"' in page
    assert codes(get(gm, "/gm/?q=e0007")) == ["E0007"]  # a 工号, in either case
    # with 客服部 chosen too: 员工1, 员工10-员工19 (员工100 on are in 运营部)
    service = company.departments["客服部"].pk
    assert len(codes(get(gm, f"/gm/?department={service}&q=员工1"))) == 11
    url = "/gm/approve-matching/?state=pending_gm&q=员工1"
    answer = gm.post(url, {"expected_count": "30", "expected_pay": "9000.00", "confirm": "yes"})
    assert answer.status_code == 302 and answer["Location"] == "/gm/?state=pending_gm&q=%E5%91%98%E5%B7%A51"
    published = set(Review.objects.filter(status=S.PUBLISHED).values_list("employee__code", flat=True))
    assert published - {f"E{n:04d}" for n in range(119, 124)} == set(codes(page))


def test_approve_all_matching_approves_exactly_the_filtered_ones(company: Company) -> None:
    gm = company.client()
    service = company.departments["客服部"].pk
    page = get(gm, f"/gm/?department={service}")
    # the confirmation states the number and the pay of every matching review, not only this page's
    assert "我确认批准这 70 份考核（不只本页），绩效工资合计 ¥21,000.00，奖惩合计 ¥200.00。" in page
    assert 'name="expected_count" value="70"' in page and 'name="expected_pay" value="21200.00"' in page
    url = f"/gm/approve-matching/?state=pending_gm&department={service}"
    form = {"expected_count": "70", "expected_pay": "21200.00", "reason": "本月客服部同意"}
    unconfirmed = gm.post(url, form)
    assert unconfirmed.status_code == 409 and "请先勾选确认" in unconfirmed.content.decode()
    assert Review.objects.filter(status=S.PUBLISHED).count() == 5

    answer = gm.post(url, {**form, "confirm": "yes"})

    assert answer.status_code == 302 and answer["Location"] == f"/gm/?state=pending_gm&department={service}"
    statuses = dict(Review.objects.values_list("employee__code", "status"))
    assert {code for code, s in statuses.items() if s == S.PUBLISHED} == {
        *(f"E{n:04d}" for n in range(70)),
        *(f"E{n:04d}" for n in range(119, 124)),
    }
    assert all(statuses[f"E{n:04d}"] == S.PENDING_GM for n in range(70, 119))
    assert statuses["G001"] == S.PENDING_GM
    approvals = AuditEntry.objects.filter(action="review.approve")
    assert approvals.count() == 70 and set(approvals.values_list("reason", flat=True)) == {"本月客服部同意"}


def test_approve_all_leaves_the_gms_own_review_and_refuses_a_changed_list(company: Company) -> None:
    gm = company.client()
    page = get(gm, "/gm/")
    # 120 listed, 119 the GM may approve (回避: not their own): 119 × ¥300.00 = ¥35,700.00 and ¥200.00
    assert "其中你可以批准的待批考核 119 份，绩效工资合计 ¥35,700.00，奖惩合计 ¥200.00。" in page
    # another GM approves one in between: the confirmed number no longer holds, nothing is approved
    Review.objects.filter(employee__code="E0100").update(status=S.PUBLISHED)
    form = {"expected_count": "119", "expected_pay": "35900.00", "confirm": "yes"}
    stale = gm.post("/gm/approve-matching/?state=pending_gm", form)
    assert stale.status_code == 409
    assert "现在是 118 份，绩效工资合计 ¥35,400.00，奖惩合计 ¥200.00" in stale.content.decode()
    assert Review.objects.filter(status=S.PUBLISHED).count() == 6
    done = gm.post(
        "/gm/approve-matching/?state=pending_gm",
        {**form, "expected_count": "118", "expected_pay": "35600.00"},
    )
    assert done.status_code == 302
    assert list(Review.objects.filter(status=S.PENDING_GM).values_list("employee__code", flat=True)) == [
        "G001"
    ]


def test_approving_the_whole_cycle_a_second_time_is_a_conflict_not_zero_approved(company: Company) -> None:
    gm = company.client()
    assert gm.post("/gm/cycles/2026-03/approve/").status_code == 302
    assert Review.objects.filter(status=S.PENDING_GM).count() == 1  # the GM's own, for another GM
    again = gm.post("/gm/cycles/2026-03/approve/")  # as the second of two GMs clicking at once sees it
    assert again.status_code == 409
    assert "没有待您批准的考核（可能刚刚已由另一位总经理批准）" in again.content.decode()


def test_the_ticked_reviews_of_a_page_and_back_to_the_same_page(company: Company) -> None:
    gm = company.client()
    page = get(gm, "/gm/?state=pending_gm&page=2")
    picked = codes(page)[:3]
    ids = list(Review.objects.filter(employee__code__in=picked).values_list("pk", flat=True))
    assert 'name="next" value="/gm/?state=pending_gm&amp;page=2"' in page
    answer = gm.post(
        "/gm/approve/?state=pending_gm", {"reviews": ids, "next": "/gm/?state=pending_gm&page=2"}
    )
    assert answer.status_code == 302 and answer["Location"] == "/gm/?state=pending_gm&page=2"
    assert set(Review.objects.filter(pk__in=ids).values_list("status", flat=True)) == {S.PUBLISHED}
    assert Review.objects.filter(status=S.PENDING_GM).count() == 117


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_list_costs_the_same_queries_for_a_thousand(
    company: Company, django_assert_max_num_queries: Any
) -> None:
    gm = company.client()
    small = _queries(gm, "/gm/?page=2")
    company.add("运营部", 900)
    large = _queries(gm, "/gm/?page=2")
    assert large == small
    with django_assert_max_num_queries(16):
        gm.get("/gm/?state=all&page=20")


def test_approving_every_matching_review_costs_the_same_queries_for_70_and_270(company: Company) -> None:
    """Approve-by-filter approves together, as approve-all does, not one review at a time."""
    company.add("运营部", 221)  # 运营部: 49 + 221 = 270 waiting
    gm = company.client()
    counts = []
    for department, count, pay in (("客服部", 70, "21200.00"), ("运营部", 270, "81000.00")):
        url = f"/gm/approve-matching/?state=pending_gm&department={company.departments[department].pk}"
        form = {"expected_count": str(count), "expected_pay": pay, "confirm": "yes", "reason": "同意"}
        with CaptureQueriesContext(connection) as queries:
            assert gm.post(url, form).status_code == 302
        sql = [q["sql"] for q in queries.captured_queries]  # the inserts too (bulk_rows.insert_all)
        counts.append((len(sql), len([q for q in sql if q.startswith("INSERT")])))
        waiting = Review.objects.filter(employee__department__name=department, status=S.PENDING_GM)
        assert not waiting.exists()
    assert counts[0] == counts[1]
    assert AuditEntry.objects.filter(action="review.approve").count() == 340
