"""The home page of every role: 待我处理 with the step, deadline, overdue flag and a returned review's
reason first; the count in the top bar; both lists paged, nothing cut (issue 12, item 1)."""

from __future__ import annotations

import re

import api_org
import pytest
from django.test import Client

from shopkpi.appraisal.models import Cycle, Review
from shopkpi.appraisal.reviews import workflow
from shopkpi.appraisal.reviews.review_scoring import recompute
from shopkpi.web.pages import home

pytestmark = pytest.mark.django_db


@pytest.fixture
def org() -> api_org.Org:
    org = api_org.build(hash_passwords=False)
    for review in org.reviews.values():
        recompute(review)
    return org


def home_of(org: api_org.Org, key: str, query: str = "") -> str:
    client = Client()
    client.force_login(org.users[key])
    answer = client.get("/" + query)
    assert answer.status_code == 200
    return answer.content.decode()


def todo_items(html: str) -> list[str]:
    """Each to-do card's text, tags stripped and spaces squeezed."""
    cards = re.findall(r'<li class="todo-item[^"]*">(.*?)</li>', html, re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", card).split()) for card in cards]


def top_count(html: str) -> str:
    found = re.search(r'class="badge todo-count"[^>]*>(\d+)<', html)
    return found.group(1) if found else "0"


def test_the_supervisor_sees_the_rating_first_and_the_returned_employee_the_reason(org: api_org.Org) -> None:
    review = workflow.perform(org.users["emp"], org.reviews["emp"], "submit_self")
    html = home_of(org, "mgr")
    items = todo_items(html)
    # mgr's own self-review and the rating of 艾运营, both due by the cycle's dates
    assert any(i.startswith("评分与面谈") and "艾运营" in i and "去评分" in i for i in items), items
    assert any(i.startswith("自评") and "马经理" in i for i in items), items
    assert top_count(html) == "2"
    assert f'href="/reviews/{review.pk}/#actions"' in html

    workflow.perform(org.users["mgr"], review, "return_to_self", reason="请写明本月直播场次")
    items = todo_items(home_of(org, "emp"))
    assert len(items) == 1 and items[0].startswith("自评 被退回"), items
    assert "退回原因：请写明本月直播场次" in items[0]


def test_hr_and_the_gm_are_sent_to_their_own_pages_and_overdue_is_flagged(org: api_org.Org) -> None:
    review = org.reviews["emp"]
    Review.objects.filter(pk=review.pk).update(status=Review.Status.PENDING_HR)
    Cycle.objects.filter(pk=review.cycle_id).update(hr_due="2020-01-10")
    html = home_of(org, "hr")
    items = todo_items(html)
    assert any("人事核准" in i and "已逾期" in i and "截止 2020-01-10" in i for i in items), items
    assert f'href="/hr/reviews/{review.pk}/"' in html
    Review.objects.filter(pk=review.pk).update(status=Review.Status.PENDING_GM)
    html = home_of(org, "gm")
    assert any(i.startswith("总经理批准") and "无截止日期" in i for i in todo_items(html))
    assert f'href="/gm/reviews/{review.pk}/"' in html


def test_the_lists_are_paged_and_filtered(org: api_org.Org, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(home, "TODO_PER_PAGE", 1)
    monkeypatch.setattr(home, "REVIEWS_PER_PAGE", 2)
    workflow.perform(org.users["emp"], org.reviews["emp"], "submit_self")
    html = home_of(org, "mgr")
    assert len(todo_items(html)) == 1 and "第 1 / 2 页，共 2 份" in html
    assert len(todo_items(home_of(org, "mgr", "?page=2"))) == 1
    assert [i.split()[0] for i in todo_items(home_of(org, "mgr", "?kind=rate"))] == ["评分与面谈"]
    assert todo_items(home_of(org, "mgr", "?q=E013")) == []
    # HR sees every review: 11 people, two to a page, none left out
    html = home_of(org, "hr")
    assert "第 1 / 6 页，共 11 份" in html
    assert "第 6 / 6 页，共 11 份" in home_of(org, "hr", "?rpage=6")
    found = home_of(org, "hr", "?rq=E012")
    assert found.count('translate="no">E0') == 1 and 'translate="no">E012<' in found
