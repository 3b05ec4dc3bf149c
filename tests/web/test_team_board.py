"""The team board (/team/): who sees which team, each report's step, live score and overdue flag, and
the evaluator's step done from the board (the forms panel opened in place, posting back to /team/).

The company is tests/web/api_org.py: mgr evaluates emp and emp2, dir evaluates mgr and mgr2, gm
evaluates dir, hr, hra, cs and gm2; every review: 销售额 95000 of 目标 100000 → 30 points, plus the
rated 工作态度 (40%).
"""

from __future__ import annotations

import datetime as dt
import re

import api_org
import pytest
from django.test import Client
from django.utils import timezone

from shopkpi.appraisal.models import Cycle, Review
from shopkpi.appraisal.reviews import workflow
from shopkpi.appraisal.reviews.review_scoring import recompute

pytestmark = pytest.mark.django_db


@pytest.fixture
def org() -> api_org.Org:
    org = api_org.build(hash_passwords=False)
    for review in org.reviews.values():
        recompute(review)
    return org


def client_for(org: api_org.Org, key: str) -> Client:
    client = Client()
    client.force_login(org.users[key])
    return client


def board(org: api_org.Org, key: str, query: str = "") -> str:
    answer = client_for(org, key).get(f"/team/{query}")
    assert answer.status_code == 200
    return answer.content.decode()


def codes(html: str) -> set[str]:
    return set(re.findall(r"<td [^>]*>(E\d{3})</td>", html))


def set_deadlines(org: api_org.Org, days_from_today: int) -> None:
    day = timezone.localdate() + dt.timedelta(days=days_from_today)
    Cycle.objects.filter(pk=org.cycle.pk).update(self_due=day, supervisor_due=day, hr_due=day)


def test_an_evaluator_sees_their_reports_only(org: api_org.Org) -> None:
    assert codes(board(org, "mgr")) == {"E012", "E013"}  # emp, emp2
    assert codes(board(org, "dir")) == {"E011", "E014"}  # mgr, mgr2: not their reports' reports


def test_hr_and_gm_see_every_team(org: api_org.Org) -> None:
    everyone = {employee.code for employee in org.employees.values()}
    for key in ("hr", "gm"):
        html = board(org, key)
        assert codes(html) == everyone
        assert "考评负责人：E011 马经理" in html and "考评负责人：E010 邓总监" in html
        assert "未指定考评负责人" in html  # the GM has no supervisor


def test_someone_without_reports_sees_an_empty_board(org: api_org.Org) -> None:
    html = board(org, "emp")
    assert codes(html) == set() and "本期没有需要您查看的考核。" in html


def test_the_nav_links_by_role(org: api_org.Org) -> None:
    def links(key: str) -> list[str]:
        html = client_for(org, key).get("/").content.decode()
        nav = html.split("<nav", 1)[1].split("</nav>", 1)[0]
        return re.findall(r'href="(/reviews/mine/|/team/)"', nav)

    assert links("emp") == ["/reviews/mine/"]
    assert links("mgr") == ["/reviews/mine/", "/team/"]
    assert "/team/" in links("hr") and "/team/" in links("gm")
    assert links("nobody") == []


def test_the_step_and_the_overdue_flag(org: api_org.Org) -> None:
    set_deadlines(org, -1)  # yesterday: every open step is late
    html = board(org, "mgr")
    assert html.count('<span class="badge overdue">已逾期</span>') == 2
    assert "待自评" in html and "本期逾期 2 份。" in html
    set_deadlines(org, 0)  # the deadline day itself is still on time
    html = board(org, "mgr")
    assert "已逾期" not in html and "本期逾期 0 份。" in html


def test_only_the_overdue(org: api_org.Org) -> None:
    set_deadlines(org, -1)
    workflow.perform(org.users["emp"], org.reviews["emp"], "submit_self")
    Cycle.objects.filter(pk=org.cycle.pk).update(supervisor_due=timezone.localdate() + dt.timedelta(days=3))
    html = board(org, "mgr", "?overdue=1")
    assert codes(html) == {"E013"}  # emp2 is still on the self-review, past its deadline


def test_live_score_and_the_rating_panel_in_place(org: api_org.Org) -> None:
    review = workflow.perform(org.users["emp"], org.reviews["emp"], "submit_self")
    html = board(org, "mgr")
    # 30 points of the computed item so far, the rated item still open
    row = html.split('translate="no">E012</td>', 1)[1].split("</tr>", 1)[0]
    assert "30.0" in row and "（部分）" in row
    assert f'hx-get="/reviews/{review.pk}/actions/?next=/team/"' in html
    assert f"/reviews/{org.reviews['emp2'].pk}/actions/" not in html  # emp2 is not ready for the supervisor
    panel = client_for(org, "mgr").get(f"/reviews/{review.pk}/actions/?next=/team/")
    assert panel.status_code == 200
    text = panel.content.decode()
    assert "<html" not in text and 'value="rate"' in text and 'name="next" value="/team/"' in text
    # the GM sees the board but may not rate a review they do not evaluate
    assert "/actions/" not in board(org, "gm")


def test_the_evaluator_step_from_the_board(org: api_org.Org) -> None:
    review = workflow.perform(org.users["emp"], org.reviews["emp"], "submit_self")
    mgr = client_for(org, "mgr")
    url = f"/reviews/{review.pk}/act/"

    def version() -> int:
        text = mgr.get(f"/reviews/{review.pk}/actions/?next=/team/").content.decode()
        return int(re.search(r'name="expected_version" value="(\d+)"', text).group(1))  # type: ignore[union-attr]

    rated = mgr.post(
        url,
        {
            "action": "rate",
            "expected_version": version(),
            "rating-attitude": "90",
            "comment": "好",
            "next": "/team/",
        },
    )
    assert rated.status_code == 302 and rated["Location"] == "/team/"
    interview = {
        "action": "record_interview",
        "held_on": "2026-04-06",
        "strengths": "主动",
        "improvements": "细心",
        "plan": "复盘",
        "next": "/team/",
    }
    assert mgr.post(url, {**interview, "expected_version": version()}).status_code == 302
    sent = mgr.post(url, {"action": "submit_supervisor", "expected_version": version(), "next": "/team/"})
    assert sent.status_code == 302 and sent["Location"] == "/team/"
    follow = mgr.get("/team/").content.decode()
    assert "已提交人事核准。" in follow  # the message after the redirect
    row = follow.split('translate="no">E012</td>', 1)[1].split("</tr>", 1)[0]
    assert "待人事核准" in row and "66.0" in row  # 30 + 40% × 90 = 66
    assert Review.objects.get(pk=review.pk).status == "pending_hr"


def test_a_next_off_the_site_is_ignored(org: api_org.Org) -> None:
    review = workflow.perform(org.users["emp"], org.reviews["emp"], "submit_self")
    answer = client_for(org, "mgr").post(
        f"/reviews/{review.pk}/act/",
        {
            "action": "rate",
            "expected_version": review.version,
            "rating-attitude": "70",
            "next": "https://evil.example/",
        },
    )
    assert answer.status_code == 302 and answer["Location"] == f"/reviews/{review.pk}/"


def test_another_period_by_choice(org: api_org.Org) -> None:
    earlier = Cycle.objects.create(
        period="2026-02",
        self_due=dt.date(2026, 3, 3),
        supervisor_due=dt.date(2026, 3, 7),
        hr_due=dt.date(2026, 3, 10),
    )
    emp = org.reviews["emp"]
    Review.objects.create(
        cycle=earlier, employee=emp.employee, evaluator=emp.evaluator, template_version=emp.template_version
    )
    assert codes(board(org, "mgr", "?period=2026-02")) == {"E012"}
    assert codes(board(org, "mgr")) == {"E012", "E013"}  # the open cycle by default


def test_the_boards_rate_link_asks_the_policy_as_its_refusals_do(org: api_org.Org) -> None:
    """policy.allows (the board's 评分与面谈 link, no refusal worded for a review at another step) answers
    as `refusal(...) is None` for every user, review and action, at every step a review passes."""
    from shopkpi.appraisal import policy

    reviews = list(Review.objects.select_related("cycle", "employee__user", "evaluator"))
    for status in Review.Status.values:
        for review in reviews:
            review.status = status
            for user in org.users.values():
                for action in [*policy.ACTIONS, "no such action"]:
                    assert policy.allows(user, review, action) == (
                        policy.refusal(user, review, action) is None
                    )
    for review in reviews:
        review.status = Review.Status.PENDING_SUPERVISOR
    assert any(policy.allows(user, review, "rate") for user in org.users.values() for review in reviews)
