"""The dashboards: each chart's numbers against hand arithmetic on a small company, for HR (all) and an
evaluator (their own team only), and the same charts on HR's home page.

    E001 高总 (gm, GM)      总经办
    E002 何人事 (hr, HR)    人事部   reports to E001
    E010 马经理 (mgr_a)     运营部   reports to E001    team A: E011, E012
    E020 孟经理 (mgr_b)     客服部   reports to E001    team B: E021, E022
    E011 艾运营, E012 包运营 (运营部); E021 陈客服, E022 丁客服 (客服部)

Scores, ratings, pay, adjustments and 销售毛利 are stored straight on the reviews (the dashboards read
what is stored; the engine is tested elsewhere):

    2026-01  E011 80 published pay 1000 毛利 8000      E012 70 acknowledged pay 800 毛利 4000, adjustment −30
             ratings by E010: E011 attitude 100, E012 attitude 90
    2026-02  E011 95 published pay 1200 毛利 10000, adjustment +100
             E012 72 pending_gm pay 700 毛利 5000, adjustment +50 (not approved: not a pay cost)
             E021 85 acknowledged pay 900 毛利 2500.50
             E022 58 appealed pay 500 (no 毛利)
             E010 81 pending_hr (evaluated by E001)     E020 no score yet
             ratings: E010 on E011 attitude 100 teamwork 90, on E012 attitude 80 teamwork 60;
                      E020 on E021 attitude 70 teamwork 80, on E022 attitude 40; E001 on E010 attitude 85
"""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from django.utils import timezone

from shopkpi.appraisal.models import (
    Cycle,
    Department,
    Employee,
    PayAdjustment,
    Position,
    Rating,
    Review,
    TemplateVersion,
)
from shopkpi.web.pages.insight import dashboard_data

pytestmark = pytest.mark.django_db

TEMPLATE = """\
id: dash-test
name: 看板测试
period: month
items:
  - key: sales
    name: 销售额
    weight: 40%
    value: 销售额
    bands: {">= 100": 100, "< 100": 0}
  - key: attitude
    name: 工作态度
    weight: 30%
    rated_by: supervisor
  - key: teamwork
    name: 团队协作
    weight: 30%
    rated_by: supervisor
"""

PEOPLE = {
    # code: (username, name, department, supervisor, groups)
    "E001": ("gm", "高总", "总经办", None, ("gm",)),
    "E002": ("hr", "何人事", "人事部", "E001", ("hr",)),
    "E010": ("mgr_a", "马经理", "运营部", "E001", ()),
    "E020": ("mgr_b", "孟经理", "客服部", "E001", ()),
    "E011": ("a1", "艾运营", "运营部", "E010", ()),
    "E012": ("a2", "包运营", "运营部", "E010", ()),
    "E021": ("b1", "陈客服", "客服部", "E020", ()),
    "E022": ("b2", "丁客服", "客服部", "E020", ()),
}

S = Review.Status


@pytest.fixture
def company() -> dict[str, Any]:
    groups = {name: Group.objects.create(name=name) for name in ("hr", "gm", "admin")}
    version = TemplateVersion.objects.create(
        template_id="dash-test", version=1, name="看板测试", text=TEMPLATE
    )
    position = Position.objects.create(name="专员", template_id="dash-test")
    people: dict[str, Employee] = {}
    for code, (username, name, department, supervisor, group_names) in PEOPLE.items():
        user = User.objects.create_user(username, password="x" * 12)
        user.groups.set([groups[g] for g in group_names])
        people[code] = Employee.objects.create(
            code=code,
            name=name,
            department=Department.objects.get_or_create(name=department)[0],
            position=position,
            supervisor=people[supervisor] if supervisor else None,
            user=user,
        )
    cycles = {
        period: Cycle.objects.create(
            period=period,
            self_due=date(2026, 1, 3),
            supervisor_due=date(2026, 1, 7),
            hr_due=date(2026, 1, 10),
        )
        for period in ("2026-01", "2026-02")
    }
    hr = User.objects.get(username="hr")
    now = timezone.now()

    def review(
        period: str, code: str, status: str, score: str | None, pay: str | None, margin: str | None
    ) -> Review:
        employee = people[code]
        return Review.objects.create(
            cycle=cycles[period],
            employee=employee,
            evaluator=employee.supervisor,
            template_version=version,
            status=status,
            score=None if score is None else Decimal(score),
            grade="" if score is None else "合格",
            pay=None if pay is None else Decimal(pay),
            values={} if margin is None else {"销售毛利": margin, "销售额": "100"},
            published_at=now if status in (S.PUBLISHED, S.ACKNOWLEDGED, S.APPEALED) else None,
        )

    reviews = {
        ("2026-01", "E011"): review("2026-01", "E011", S.PUBLISHED, "80", "1000", "8000"),
        ("2026-01", "E012"): review("2026-01", "E012", S.ACKNOWLEDGED, "70", "800", "4000"),
        ("2026-02", "E011"): review("2026-02", "E011", S.PUBLISHED, "95", "1200", "10000"),
        ("2026-02", "E012"): review("2026-02", "E012", S.PENDING_GM, "72", "700", "5000"),
        ("2026-02", "E021"): review("2026-02", "E021", S.ACKNOWLEDGED, "85", "900", "2500.50"),
        ("2026-02", "E022"): review("2026-02", "E022", S.APPEALED, "58", "500", None),
        ("2026-02", "E010"): review("2026-02", "E010", S.PENDING_HR, "81", None, None),
        ("2026-02", "E020"): review("2026-02", "E020", S.PENDING_SUPERVISOR, None, None, None),
    }
    for key, amount in (
        (("2026-01", "E012"), "-30"),
        (("2026-02", "E011"), "100"),
        (("2026-02", "E012"), "50"),
    ):
        PayAdjustment.objects.create(
            review=reviews[key], amount=Decimal(amount), reason="奖惩", created_by=hr
        )
    ratings = [
        ("2026-01", "E011", "attitude", 100),
        ("2026-01", "E012", "attitude", 90),
        ("2026-02", "E011", "attitude", 100),
        ("2026-02", "E011", "teamwork", 90),
        ("2026-02", "E012", "attitude", 80),
        ("2026-02", "E012", "teamwork", 60),
        ("2026-02", "E021", "attitude", 70),
        ("2026-02", "E021", "teamwork", 80),
        ("2026-02", "E022", "attitude", 40),
        ("2026-02", "E010", "attitude", 85),
    ]
    for period, code, item, value in ratings:
        Rating.objects.create(
            review=reviews[(period, code)], item_key=item, rater="supervisor", value=Decimal(value)
        )
    # a self rating never counts as a supervisor's
    Rating.objects.create(
        review=reviews[("2026-02", "E022")], item_key="attitude", rater="self", value=Decimal(5)
    )
    return {"people": people, "reviews": reviews}


def _client(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def _chart(content: str, chart_id: str) -> Any:
    match = re.search(rf'<script id="{chart_id}" type="application/json">(.*?)</script>', content, re.S)
    assert match, f"{chart_id} not on the page"
    return json.loads(match.group(1))


def _dashboards(username: str, query: str = "") -> tuple[Any, str]:
    response = _client(username).get(f"/dashboards/{query}")
    assert response.status_code == 200
    return response.context, response.content.decode()


def test_score_distribution_for_hr(company: dict[str, Any]) -> None:
    context, content = _dashboards("hr", "?period=2026-02")
    # 2026-02 scores 95, 72, 85, 58, 81 (E020 has none): <60: 58; 70–80: 72; 80–90: 85, 81; 90–100: 95
    assert [(b.label, b.count) for b in context["scores"].bins] == [
        ("<60", 1),
        ("60–70", 0),
        ("70–80", 1),
        ("80–90", 2),
        ("90–100", 1),
        ("≥100", 0),
    ]
    assert context["scores"].count == 5
    assert context["scores"].average == Decimal("78.2")  # 391 / 5
    chart = _chart(content, "chart-scores")
    assert chart["categories"] == ["<60", "60–70", "70–80", "80–90", "90–100", "≥100"]
    assert chart["series"][0]["data"] == [1, 0, 1, 2, 1, 0]
    # the table under the chart
    assert '<th scope="row">80–90</th><td class="num">2</td>' in content


def test_the_latest_scored_period_is_the_default(company: dict[str, Any]) -> None:
    context, _ = _dashboards("hr")
    assert context["period"] == "2026-02"
    assert context["periods"] == ["2026-02", "2026-01"]


def test_department_comparison(company: dict[str, Any]) -> None:
    context, content = _dashboards("hr", "?period=2026-02")
    rows = [(r.department, r.count, r.average, r.lowest, r.highest) for r in context["departments"]]
    assert rows == [
        # 客服部: 85, 58 -> 143 / 2 = 71.5 (E020 has no score)
        ("客服部", 2, Decimal("71.5"), Decimal("58.0"), Decimal("85.0")),
        # 运营部: 95, 72, 81 -> 248 / 3 = 82.666… -> 82.7
        ("运营部", 3, Decimal("82.7"), Decimal("72.0"), Decimal("95.0")),
    ]
    assert _chart(content, "chart-departments")["series"][0]["data"] == [71.5, 82.7]


def test_employee_trend_beside_the_department_average(company: dict[str, Any]) -> None:
    context, content = _dashboards("hr", "?employee=E011")
    trend = context["trend"]
    assert trend.person.code == "E011"
    assert trend.department == "运营部"
    # 2026-01: 运营部 80, 70 -> 75.0; 2026-02: 95, 72, 81 -> 82.7
    assert [(r.period, r.score, r.department_average) for r in trend.rows] == [
        ("2026-01", Decimal("80.0"), Decimal("75.0")),
        ("2026-02", Decimal("95.0"), Decimal("82.7")),
    ]
    chart = _chart(content, "chart-trend")
    assert chart["categories"] == ["2026-01", "2026-02"]
    assert chart["series"][0]["data"] == [80.0, 95.0]
    assert chart["series"][1]["data"] == [75.0, 82.7]


def test_team_by_kpi_heatmap_of_ratings(company: dict[str, Any]) -> None:
    context, content = _dashboards("hr", "?period=2026-02")
    heatmap = context["heatmap"]
    # teams by evaluator code: E001 (高总: E010), E010 (马经理: E011, E012), E020 (孟经理: E021, E022)
    assert heatmap.teams == ["高总 的团队", "马经理 的团队", "孟经理 的团队"]
    assert heatmap.kpis == ["工作态度", "团队协作"]
    assert heatmap.cells == {
        (0, 0): (Decimal("85.0"), 1),
        (1, 0): (Decimal("90.0"), 2),  # (100 + 80) / 2
        (1, 1): (Decimal("75.0"), 2),  # (90 + 60) / 2
        (2, 0): (Decimal("55.0"), 2),  # (70 + 40) / 2; E022's self rating 5 is not a supervisor's
        (2, 1): (Decimal("80.0"), 1),
    }
    chart = _chart(content, "chart-heatmap")
    assert chart["x"] == ["工作态度", "团队协作"]
    assert [0, 1, 90.0] in chart["data"] and [1, 2, 80.0] in chart["data"]


def test_pay_cost_against_gross_margin(company: dict[str, Any]) -> None:
    context, content = _dashboards("hr")
    months = {m.period: m for m in context["months"]}
    # 2026-01: pay 1000 + 800, adjustment −30 -> 1770.00; 毛利 8000 + 4000 = 12000.00; 1770 / 12000 = 14.75%
    january = months["2026-01"]
    assert (january.approved, january.pay, january.margin, january.margin_reviews) == (
        2,
        Decimal("1770.00"),
        Decimal("12000.00"),
        2,
    )
    assert january.share == Decimal("0.1475")
    # 2026-02: approved E011, E021, E022: 1200 + 900 + 500 + E011's +100 = 2700.00 (E012 is pending_gm: its
    # 700 and +50 are not a pay cost yet); 毛利 of every review: 10000 + 5000 + 2500.50 = 17500.50
    february = months["2026-02"]
    assert (february.approved, february.pay, february.margin, february.margin_reviews) == (
        3,
        Decimal("2700.00"),
        Decimal("17500.50"),
        3,
    )
    assert february.share == Decimal("0.1543")  # 2700 / 17500.50 = 0.154281…
    chart = _chart(content, "chart-pay")
    assert chart["categories"] == ["2026-01", "2026-02"]
    assert chart["series"][0]["data"] == [1770.0, 2700.0]
    assert chart["series"][1]["data"] == [12000.0, 17500.5]
    assert "¥17,500.50" in content


def test_a_month_without_approvals_has_no_pay_cost_yet(company: dict[str, Any]) -> None:
    Review.objects.filter(cycle__period="2026-02").update(status=S.PENDING_GM, published_at=None)
    context, content = _dashboards("hr")
    february = {m.period: m for m in context["months"]}["2026-02"]
    assert (february.approved, february.pay, february.share) == (0, None, None)
    assert february.margin == Decimal("17500.50")
    chart = _chart(content, "chart-pay")
    assert chart["series"][0]["data"] == [1770.0, None]
    assert chart["series"][2]["data"] == [14.75, None]


def test_rating_distribution_per_supervisor(company: dict[str, Any]) -> None:
    context, content = _dashboards("hr")
    raters = context["raters"]
    # all periods: 马经理 100, 90 (2026-01), 100, 90, 80, 60 -> 520 / 6 = 86.67; 孟经理 70, 80, 40 -> 63.3;
    # 高总 85. Overall 795 / 10 = 79.5
    assert raters.overall == Decimal("79.5")
    assert raters.count == 10
    rows = [(r.label, r.counts, r.count, r.average, r.difference, r.leaning) for r in raters.rows]
    assert rows == [
        ("高总 (E001)", [0, 0, 0, 1, 0], 1, Decimal("85.0"), Decimal("5.5"), "偏松"),
        ("马经理 (E010)", [0, 1, 0, 1, 4], 6, Decimal("86.7"), Decimal("7.2"), "偏松"),
        ("孟经理 (E020)", [1, 0, 1, 1, 0], 3, Decimal("63.3"), Decimal("-16.2"), "偏严"),
    ]
    chart = _chart(content, "chart-raters")
    assert chart["categories"] == ["高总 (E001)", "马经理 (E010)", "孟经理 (E020)"]
    # the ≥90 share: 0%, 4 / 6 = 66.7%, 0%
    assert chart["series"][4]["data"] == [0.0, 66.7, 0.0]


def test_an_evaluator_sees_only_their_own_team(company: dict[str, Any]) -> None:
    context, content = _dashboards("mgr_a", "?period=2026-02")
    # E011 95 and E012 72 only: not 马经理's own review (81), not team B
    assert [b.count for b in context["scores"].bins] == [0, 0, 1, 0, 1, 0]
    assert context["scores"].average == Decimal("83.5")
    assert [(r.department, r.average) for r in context["departments"]] == [("运营部", Decimal("83.5"))]
    assert context["heatmap"].teams == ["马经理 的团队"]
    assert "people" not in context  # the trend's person is searched for, not chosen from everyone
    months = {m.period: m for m in context["months"]}
    assert months["2026-02"].pay == Decimal("1300.00")  # E011's 1200 + 100
    assert [r.label for r in context["raters"].rows] == ["马经理 (E010)"]
    assert "陈客服" not in content and "孟经理" not in content
    # asking for someone outside the team falls back to the team
    context, _ = _dashboards("mgr_a", "?employee=E021")
    assert context["trend"].person.code == "E011"
    context, _ = _dashboards("mgr_a", "?employee=包")  # by a part of the name
    assert context["trend"].person.code == "E012"


def test_a_plain_employee_has_no_dashboards(company: dict[str, Any]) -> None:
    response = _client("a1").get("/dashboards/")
    assert response.status_code == 403
    assert "看板" not in [link["label"] for link in response.context["nav_links"]]


def test_hr_and_gm_see_the_dashboards_on_the_home_page(company: dict[str, Any]) -> None:
    for username in ("hr", "gm"):
        response = _client(username).get("/")
        content = response.content.decode()
        assert response.status_code == 200
        assert 'id="dashboards"' in content
        assert _chart(content, "chart-scores")["series"][0]["data"] == [1, 0, 1, 2, 1, 0]
        assert "echarts.min.js" in content and "charts.js" in content
    evaluator_home = _client("mgr_a").get("/").content.decode()
    assert 'id="dashboards"' not in evaluator_home


def test_no_reviews_no_charts(company: dict[str, Any]) -> None:
    Rating.objects.all().delete()
    PayAdjustment.objects.all().delete()
    Review.objects.all().delete()
    context, content = _dashboards("hr")
    assert context["empty"] is True
    assert "data-chart" not in content


def test_the_queries_do_not_grow_with_the_company(
    company: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    client = _client("hr")
    client.get("/dashboards/")  # warm the template-name cache
    with django_assert_max_num_queries(30) as few:
        client.get("/dashboards/?period=2026-02")
    baseline = len(few.captured_queries)
    position = Position.objects.get()
    version = TemplateVersion.objects.get()
    cycle = Cycle.objects.get(period="2026-02")
    department = Department.objects.get(name="运营部")
    boss = Employee.objects.get(code="E010")
    for n in range(40):
        employee = Employee.objects.create(
            code=f"X{n:03}", name=f"新人{n}", department=department, position=position, supervisor=boss
        )
        review = Review.objects.create(
            cycle=cycle,
            employee=employee,
            evaluator=boss,
            template_version=version,
            score=Decimal(70 + n % 30),
        )
        Rating.objects.create(review=review, item_key="attitude", rater="supervisor", value=Decimal(80))
    with django_assert_max_num_queries(baseline) as again:
        client.get("/dashboards/?period=2026-02")
    assert len(again.captured_queries) == baseline
    assert (
        dashboard_data.score_distribution(
            dashboard_data.scope(User.objects.get(username="hr")), "2026-02"
        ).count
        == 45
    )
