"""互评 pages: the task on the rater's home page (待我处理), the rater's page showing the colleague's name,
the month and the item only, the evaluator naming the raters on the review page, and who may open
what (by hand, from the rule: the rater alone opens the rating page; being named shows no review)."""

from __future__ import annotations

import pytest
from django.test import Client

from appraisal.test_peer_ratings import TEMPLATE
from appraisal.workflow_company import Company, build_company, open_month
from shopkpi.appraisal.models import Employee, PeerRater, Position
from shopkpi.appraisal.periods import cycles

pytestmark = pytest.mark.django_db


@pytest.fixture
def co(monkeypatch: pytest.MonkeyPatch) -> Company:
    company = build_company(monkeypatch)
    cycles.new_template_version(company.user("hr"), "t-peers", TEMPLATE)
    position = Position.objects.create(name="运营专员（互评）", template_id="t-peers")
    Employee.objects.filter(code="E01").update(position=position)
    open_month(company)
    return company


def as_user(co: Company, name: str) -> Client:
    client = Client()
    client.force_login(co.user(name))
    return client


def test_the_evaluator_names_the_raters_and_each_rates_from_the_home_page(co: Company) -> None:
    review = co.review("E01")
    page = as_user(co, "m01").get(f"/reviews/{review.pk}/").content.decode()
    assert "互评人工号（用逗号分隔）" in page and "还没有同事评分；没有互评时由上级评分。" in page
    answer = as_user(co, "m01").post(f"/reviews/{review.pk}/peer-raters/teamwork/", {"codes": "E02, P01"})
    assert answer.status_code == 302
    home = as_user(co, "e02").get("/").content.decode()
    peer = PeerRater.objects.get(rater__code="E02")
    assert f'href="/peer-ratings/{peer.pk}/"' in home and "去互评" in home
    rating_page = as_user(co, "e02").get(f"/peer-ratings/{peer.pk}/").content.decode()
    assert "互评：赵一 的 2026-09" in rating_page and "团结协作" in rating_page
    assert "销售完成率" not in rating_page  # nothing else of the review
    assert as_user(co, "e02").post(f"/peer-ratings/{peer.pk}/save/", {"rating": "良"}).status_code == 302
    assert "去互评" not in as_user(co, "e02").get("/").content.decode()
    shown = as_user(co, "m01").get(f"/reviews/{review.pk}/").content.decode()
    # E02's 良 = 80 is the average of one rating of two named
    assert "2 位同事互评，1 位已评分，平均分 80.00。" in shown and "钱二（E02）：80.00" in shown


def test_a_refused_rating_is_shown_again_with_the_reason(co: Company) -> None:
    as_user(co, "m01").post(f"/reviews/{co.review('E01').pk}/peer-raters/teamwork/", {"codes": "E02"})
    peer = PeerRater.objects.get()
    answer = as_user(co, "e02").post(f"/peer-ratings/{peer.pk}/save/", {"rating": "很好", "comment": "热心"})
    assert answer.status_code == 409
    html = answer.content.decode()
    assert (
        "请给出 0～100 之间（最多两位小数）的评分，或选择等级（优、良、中、差）。" in html and "热心" in html
    )


@pytest.mark.parametrize(
    ("who", "status"), [("e02", 200), ("e01", 404), ("m01", 404), ("hr", 404), ("gm", 404), ("p01", 404)]
)
def test_only_the_named_colleague_opens_the_rating_page(co: Company, who: str, status: int) -> None:
    as_user(co, "m01").post(f"/reviews/{co.review('E01').pk}/peer-raters/teamwork/", {"codes": "E02"})
    peer = PeerRater.objects.get()
    assert as_user(co, who).get(f"/peer-ratings/{peer.pk}/").status_code == status
    assert as_user(co, who).post(f"/peer-ratings/{peer.pk}/save/", {"rating": "80"}).status_code in (
        (302,) if status == 200 else (404,)
    )


def test_the_named_colleague_still_does_not_see_the_review(co: Company) -> None:
    as_user(co, "m01").post(f"/reviews/{co.review('E01').pk}/peer-raters/teamwork/", {"codes": "E02"})
    assert as_user(co, "e02").get(f"/reviews/{co.review('E01').pk}/").status_code == 404
    assert (
        as_user(co, "e01")
        .post(f"/reviews/{co.review('E01').pk}/peer-raters/teamwork/", {"codes": "E02"})
        .status_code
        == 403
    )
