"""Every list page costs the same number of queries, and shows at most a page of people, for a company
of 100 as for one of 1,000: the company is measured at 100 people, grown to 1,000, and measured again.

The company is `shopkpi.appraisal.demo.scale`'s (bench/pages.py times every page on the same at 5,000):
10 departments; four managers (B000–B003, with logins) evaluate everyone in turn; in the open month
2026-03 (every deadline passed) the reviews are, in turn, waiting for the self-review, the supervisor,
HR, the GM, published and appealed; the published and appealed ones have pay lines."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, resolve

from shopkpi.appraisal.demo import scale
from shopkpi.appraisal.demo.scale import PERIOD
from shopkpi.appraisal.models import Cycle, Department, Notice, Review
from shopkpi.appraisal.pay import paysheet
from shopkpi.web.pages.incidents import views as incidents_views
from shopkpi.web.pages.urls import urlpatterns

pytestmark = pytest.mark.django_db
PAGES = {
    "hr": [
        "/",
        "/team/",
        f"/hr/cycles/{PERIOD}/reviews/",
        f"/hr/cycles/{PERIOD}/paysheet/",
        f"/hr/cycles/{PERIOD}/overdue/",
        f"/hr/cycles/{PERIOD}/appeals/",
        f"/hr/cycles/{PERIOD}/summary/",
        "/hr/",
        "/hr/cycles/new/?period=2026-04",
        "/org/employees/",
        "/dashboards/",
        f"/hr/cycles/{PERIOD}/",
        f"/hr/cycles/{PERIOD}/checks/",
        f"/hr/cycles/{PERIOD}/prepare/",
        f"/calibration/{PERIOD}/",
        f"/incidents/?month={PERIOD}",
        "/users/",
        "/org/",
        "/org/accounts/",
        "/org/approval-chain/",
        "/hr/audit/",
        "/hr/actions/",
        "/pay-grades/2026/",
        "/notices/",
        "/tokens/",
        "/hr/imports/",
        "/hr/shifts/",
        "/templates/",
        "/calibration/targets/",
        "/pay-grades/",
        # forms that could offer the whole company to choose from
        "/org/employees/new/",
        "/org/employees/E0001/",
    ],
    "gm": [
        "/",
        "/gm/",
        "/team/",
        "/dashboards/",
        "/notices/",
        f"/calibration/{PERIOD}/",
        "/pay-grades/2026/",
    ],
    "boss0": ["/", "/team/", "/notices/", "/dashboards/", "/incidents/"],
    "E0004": ["/", "/team/", "/notices/"],
}
# every route of the pages' URL conf is either a list (asked above, for some user) or not one, said why
LISTS = {
    "",
    "notices/",
    "tokens/",
    "team/",
    "hr/",
    "hr/cycles/new/",
    "hr/cycles/<str:period>/",
    "hr/cycles/<str:period>/prepare/",
    "hr/cycles/<str:period>/checks/",
    "hr/cycles/<str:period>/reviews/",
    "hr/cycles/<str:period>/appeals/",
    "hr/cycles/<str:period>/overdue/",
    "hr/cycles/<str:period>/summary/",
    "hr/cycles/<str:period>/paysheet/",
    "hr/imports/",
    "hr/shifts/",
    "hr/actions/",
    "hr/audit/",
    "gm/",
    "dashboards/",
    "templates/",
    "users/",
    "org/",
    "org/employees/",
    "org/accounts/",
    "org/approval-chain/",
    "incidents/",
    "calibration/targets/",
    "calibration/<str:period>/",
    "pay-grades/",
    "pay-grades/<str:period>/",
}
NOT_LISTS = {
    # sign-in, language, one's own password and review, marking one's notices read
    "login/",
    "logout/",
    "password/",
    "i18n/setlang/",
    "notices/read/",
    "tokens/<int:token_id>/revoke/",
    "reviews/mine/",
    "pay-grades/mine/",
    # one review and what hangs from it: its rows are one person's data (50 a page), its spot checks one
    # week's orders, its peer raters the few named
    "reviews/<int:review_id>/",
    "reviews/<int:review_id>/actions/",
    "reviews/<int:review_id>/act/",
    "reviews/<int:review_id>/rows/<str:metric>/",
    "reviews/<int:review_id>/rows/<str:metric>/appeal/",
    "reviews/<int:review_id>/rows/<str:metric>/xlsx/",
    "reviews/<int:review_id>/spot-checks/<int:week>/",
    "reviews/<int:review_id>/spot-checks/<int:week>/draw/",
    "reviews/<int:review_id>/spot-checks/<int:week>/score/",
    "reviews/<int:review_id>/spot-checks/appeal/",
    "reviews/<int:review_id>/peer-raters/<str:item_key>/",
    "reviews/<int:review_id>/xlsx/",
    "reviews/<int:review_id>/print/",
    "peer-ratings/<int:peer_id>/",
    "peer-ratings/<int:peer_id>/save/",
    "hr/reviews/<int:review_id>/",
    "hr/reviews/<int:review_id>/row-decisions/<int:override_id>/drop/",
    "hr/reviews/<int:review_id>/<str:action>/",
    "gm/reviews/<int:review_id>/",
    "gm/reviews/<int:review_id>/approve/",
    "gm/reviews/<int:review_id>/return/",
    "calibration/reviews/<int:review_id>/",
    # the open-month form's part the page already holds (asked with /hr/cycles/new/), and actions (POST)
    "hr/cycles/new/preview/",
    "hr/cycles/<str:period>/recompute/",
    "hr/cycles/<str:period>/recompute/status/",
    "hr/cycles/<str:period>/archive/",
    "hr/cycles/<str:period>/reopen/",
    "hr/cycles/<str:period>/checks/acknowledge/",
    "hr/shifts/remove/",
    "hr/actions/<int:item_id>/close/",
    "hr/audit/verify/",
    "gm/approve/",
    "gm/approve-matching/",
    "gm/cycles/<str:period>/approve/",
    "gm/reopen/<str:period>/confirm/",
    "gm/reopen/<str:period>/decline/",
    "calibration/<str:period>/confirm/",
    "pay-grades/save/<str:form>/",
    "pay-grades/<str:period>/propose/",
    "pay-grades/<str:period>/approve/",
    "users/issue/",
    "users/new/",
    "users/<int:user_id>/roles/",
    "users/<int:user_id>/reset/",
    "users/<int:user_id>/deactivate/",
    "users/<int:user_id>/unlock/",
    "org/departments/new/",
    "org/positions/new/",
    "org/positions/<int:position_id>/template/",
    "org/positions/<int:position_id>/template/<str:kind>/",
    "org/employees/<str:code>/change/",
    "org/employees/<str:code>/leave/",
    "org/accounts/<int:account_id>/end/",
    "org/upload/confirm/",
    "incidents/import/",
    "incidents/<int:incident_id>/remove/",
    "incidents/<int:incident_id>/appeal/",
    "hr/imports/batches/<str:batch>/withdraw/",
    # downloads (every row by design; past 1,000 rows made as a job) and the jobs' own pages
    "hr/cycles/<str:period>/prepare.xlsx",
    "hr/cycles/<str:period>/reviews.xlsx",
    "hr/cycles/<str:period>/overdue.xlsx",
    "hr/cycles/<str:period>/summary.xlsx",
    "hr/cycles/<str:period>/paysheet.xlsx",
    "hr/actions.xlsx",
    "hr/audit.xlsx",
    "gm/approvals.xlsx",
    "pay-grades/<str:period>/adjustments.xlsx",
    "incidents/evidence/<int:evidence_id>/",
    "hr/imports/jobs/<str:job_id>/",
    "hr/imports/jobs/<str:job_id>/status/",
    "hr/imports/jobs/<str:job_id>/confirm/",
    "hr/imports/jobs/<str:job_id>/cancel/",
    "hr/imports/jobs/<str:job_id>/problems.xlsx",
    "hr/exports/<str:job_id>/",
    "hr/exports/<str:job_id>/status/",
    "hr/exports/<str:job_id>/download/",
    # one thing each: a template, a login, a person (asked above: E0001), an incident, the upload form
    "templates/<slug:template_id>/edit/",
    "templates/<slug:template_id>/form/",
    "users/<int:user_id>/",
    "org/employees/new/",
    "org/employees/<str:code>/",
    "org/upload/",
    "incidents/new/",
    "incidents/<int:incident_id>/",
}


def _routes() -> set[str]:
    found: set[str] = set()

    def walk(patterns: list[URLPattern | URLResolver], prefix: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)
            else:
                found.add(route)

    walk(urlpatterns, "")
    return found


def test_every_list_page_of_the_url_conf_is_measured() -> None:
    """A page added to the URL conf is put on one side: a list (measured below at 100 and 1,000 people)
    or not one; every list is asked by some user."""
    routes = _routes()
    assert (LISTS | NOT_LISTS) - routes == set()
    assert not LISTS & NOT_LISTS
    assert routes - LISTS - NOT_LISTS == set()
    asked = {resolve(url.split("?")[0]).route for urls in PAGES.values() for url in urls}
    assert LISTS - asked == set()


def _notify(reviews: list[Review]) -> None:
    """The supervisors' notices of the reviews waiting for them (their inbox grows with the company)."""
    Notice.objects.bulk_create(
        Notice(
            kind=Notice.Kind.OVERDUE,
            recipient_id=r.evaluator.user_id,
            review=r,
            employee=r.employee,
            params={
                "period": PERIOD,
                "name": r.employee.name,
                "status": r.status,
                "due": "2020-04-07",
                "days": 3,
            },
        )
        for r in reviews
        if r.status == scale.S.PENDING_SUPERVISOR and r.evaluator is not None
    )


def _measure() -> dict[tuple[str, str], tuple[int, int]]:
    """(user, page) -> (queries, people named on the page)."""
    found = {}
    for username, urls in PAGES.items():
        client = Client()
        client.force_login(User.objects.get(username=username))
        for url in urls:
            with CaptureQueriesContext(connection) as queries:
                answer = client.get(url)
            assert answer.status_code == 200, (username, url)
            people = set(re.findall(r"E\d{4}", answer.content.decode()))
            found[(username, url)] = (len(queries), len(people))
    return found


def test_every_list_page_costs_the_same_queries_at_100_and_1000_people() -> None:
    scale.start()
    _notify(scale.grow(0, 100))
    small = _measure()
    _notify(scale.grow(100, 1000))
    large = _measure()
    queries = {page: (small[page][0], large[page][0]) for page in small}
    # the incidents page lists the people one may record for for up to 300 (one query), then asks for a 工号
    incidents = ("hr", f"/incidents/?month={PERIOD}")
    at_100, at_1000 = queries.pop(incidents)
    assert at_1000 == at_100 - 1 and (small[incidents][1], large[incidents][1]) == (100, 0)
    assert {page: counts for page, counts in queries.items() if counts[0] != counts[1]} == {}
    # no page names more than a page of people (100; 50 on the home page, 20 appeals)
    # (but for the list of people a supervisor may record an incident for: up to 300 to choose from)
    chooser = ("boss0", "/incidents/")
    assert large.pop(chooser)[1] == 250 <= incidents_views.SELECT_AT_MOST  # boss0 evaluates a quarter
    assert {page: n for page, (_, n) in large.items() if n > 100} == {}
    assert large[("hr", "/")][1] == 50 and large[("hr", f"/hr/cycles/{PERIOD}/appeals/")][1] == 20


def test_a_page_of_the_pay_sheet_totals_every_line() -> None:
    scale.start()
    scale.grow(0, 1000)
    cycle = Cycle.objects.get()
    every = paysheet.rows(cycle)
    assert len(every) == 332  # published (n % 6 == 4) and appealed (n % 6 == 5): 166 each
    # the 合计 read from two narrow queries is the sum of every line the Excel file has
    assert paysheet.summed(paysheet.approved(cycle)) == paysheet.totals(every)
    client = Client()
    client.force_login(User.objects.get(username="hr"))
    page = client.get(f"/hr/cycles/{PERIOD}/paysheet/", {"page": 4}).content.decode()
    assert "第 4 / 4 页" in page and len(set(re.findall(r">(E\d{4})<", page))) == 32
    total = paysheet.totals(every).payable
    assert f"¥{total:,.2f}" in page
    # filtered by department: the lines and the 合计 of that department only
    department = Department.objects.get(name="部门3")
    page = client.get(f"/hr/cycles/{PERIOD}/paysheet/", {"department": department.pk}).content.decode()
    mine = [line for line in every if line.department == "部门3"]
    assert len(set(re.findall(r">(E\d{4})<", page))) == len(mine)
    assert f"¥{paysheet.totals(mine).payable:,.2f}" in page


def test_the_users_page_stays_small_at_1000_people() -> None:
    """用户与角色: 50 logins a page whatever the company's size, filtered or not."""
    scale.start()
    scale.grow(0, 100)
    client = Client()
    client.force_login(User.objects.get(username="hr"))
    asks = ({}, {"q": "E0"}, {"role": "hr"}, {"shown": "never"}, {"shown": "locked"}, {"page": "3"})

    def measured() -> list[tuple[int, int]]:
        found = []
        for ask in asks:
            with CaptureQueriesContext(connection) as queries:
                answer = client.get("/users/", ask)
            assert answer.status_code == 200, ask
            found.append((len(queries), len(answer.content)))
        return found

    small = measured()
    scale.grow(100, 1000)
    large = measured()
    assert [n for n, _ in small] == [n for n, _ in large]
    assert max(size for _, size in large) < 120 * 1024
    page = client.get("/users/", {"q": "E0", "page": "2"}).content.decode()
    # E0000–E0999 and no other login: 1,000 found, 20 pages, the search kept in the page links
    assert "符合筛选条件的用户共 1000 个" in page and "第 2 / 20 页" in page and "?q=E0&amp;page=3" in page
    assert len(set(re.findall(r">(E\d{4})</a>", page))) == 50


def test_the_calibration_page_lists_one_bar_a_page_at_a_time_at_1000_people() -> None:
    """校准: the bars count everyone; the reviews of one chosen bar are listed, 50 a page."""
    scale.start()
    scale.grow(0, 100)
    client = Client()
    client.force_login(User.objects.get(username="hr"))
    url = f"/calibration/{PERIOD}/"
    asks = ({}, {"scope": "company", "grade": "合格"}, {"scope": "company", "grade": "合格", "page": "3"})

    def measured() -> list[tuple[int, int]]:
        found = []
        for ask in asks:
            with CaptureQueriesContext(connection) as queries:
                answer = client.get(url, ask)
            assert answer.status_code == 200, ask
            found.append((len(queries), len(answer.content)))
        return found

    small = measured()
    scale.grow(100, 1000)
    large = measured()
    assert [n for n, _ in small] == [n for n, _ in large]
    assert max(size for _, size in large) < 120 * 1024
    page = client.get(url, {"scope": "company", "grade": "合格", "page": "2"}).content.decode()
    # the 1,000 reviews are all graded 合格: one bar of 1,000, listed on 20 pages
    assert "等级为 合格 的考核共 1000 份" in page and "第 2 / 20 页" in page
    assert len(set(re.findall(r">(E\d{4})</a>", page))) == 50
    assert "scope=company&amp;grade=%E5%90%88%E6%A0%BC&amp;page=3" in page


def test_the_org_chart_counts_departments_and_finds_a_person_at_1000_people() -> None:
    """组织架构: departments with their head counts, the reporting lines of the managers only; a 工号 or a
    name jumps to the person, the rest of a department is on its paged list."""
    scale.start()
    scale.grow(0, 100)
    client = Client()
    client.force_login(User.objects.get(username="hr"))

    def measured() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            answer = client.get("/org/")
        assert answer.status_code == 200
        return len(queries), len(answer.content)

    small = measured()
    scale.grow(100, 1000)
    large = measured()
    assert small[0] == large[0] and large[1] < 120 * 1024
    page = client.get("/org/").content.decode()
    # 部门0: the four managers and E0000, E0010 … E0990 (n % 10 == 0); each manager has 250 reports
    assert re.search(r"部门0</a> <small>104 人</small>", page) and "250 名直接下属" in page
    assert 'href="/org/employees/?department=%E9%83%A8%E9%97%A83"' in page
    assert client.get("/org/", {"find": "e0123"})["Location"] == "/org/employees/E0123/"
    assert client.get("/org/", {"find": "员工7"})["Location"] == "/org/employees/E0007/"
    # a part of many names: the people's list, searched
    assert client.get("/org/", {"find": "工12"})["Location"] == "/org/employees/?q=%E5%B7%A512&status=all"


def test_the_month_prepare_page_and_the_missing_targets_at_1000_people() -> None:
    """本月准备 and 数据核对 read what the reviews hold (no month computed while the page waits): the
    prepare page 50 people a page, the missing targets 100 a page, the counts of everyone."""
    target_template = scale.TEMPLATE.replace(
        "weight: 100%, rated_by: supervisor}",
        "weight: 50%, rated_by: supervisor}\n"
        "  - {key: sales, name: 销售额完成率, weight: 50%, value: gmv, proportional: {target: 计划销售额}}",
    )
    scale.start(target_template)
    scale.grow(0, 100)
    client = Client()
    client.force_login(User.objects.get(username="hr"))
    urls = (f"/hr/cycles/{PERIOD}/prepare/", f"/hr/cycles/{PERIOD}/checks/")

    def measured() -> list[tuple[int, int]]:
        found = []
        for url in urls:
            with CaptureQueriesContext(connection) as queries:
                answer = client.get(url)
            assert answer.status_code == 200, url
            found.append((len(queries), len(set(re.findall(r"E\d{4}", answer.content.decode())))))
        return found

    small = measured()
    scale.grow(100, 1000)
    large = measured()
    assert [n for n, _ in small] == [n for n, _ in large]
    assert [people for _, people in large] == [50, 100]
    # each of the 1,000 needs its 计划销售额 (gmv is a metric) and the supervisor's 工作态度: none is in
    prepare = client.get(urls[0]).content.decode()
    assert "共 2000 项，已有 0 项" in prepare and "第 1 / 20 页" in prepare
    assert "1000 项目标缺失" in client.get(urls[1]).content.decode()
    # the search and the filter are kept in the page links
    found = client.get(urls[0], {"q": "E01", "missing": "1"}).content.decode()
    assert "符合条件的共 100 人" in found and "?q=E01&amp;missing=1&amp;page=2" in found


def test_the_appeals_are_filtered_by_department_and_searched_at_1000_people() -> None:
    """申诉: 20 a page; of the 1,000, n % 6 == 5 are appealed (166); a department or a 工号 or name narrows
    them, the filter kept in the page links and in the decision forms' way back."""
    scale.start()
    scale.grow(0, 1000)
    client = Client()
    client.force_login(User.objects.get(username="hr"))
    url = f"/hr/cycles/{PERIOD}/appeals/"
    assert "共 166 份" in client.get(url).content.decode()
    # 部门3 holds n % 10 == 3: appealed when n % 30 == 23, 33 of them, on two pages
    department = Department.objects.get(name="部门3").pk
    page = client.get(url, {"department": department}).content.decode()
    assert "共 33 份" in page and "第 1 / 2 页" in page and f"?department={department}&amp;page=2" in page
    shown = re.findall(r">(E\d{4}) 员工", page)
    assert len(shown) == 20 and all(int(code[1:]) % 30 == 23 for code in shown)
    assert f'name="next" value="{url}?department={department}"' in page
    # E001x: E0011 and E0017
    found = client.get(url, {"q": "E001"}).content.decode()
    assert re.findall(r">(E\d{4}) 员工", found) == ["E0011", "E0017"] and "共 2 份" in found
