"""The GM's review page holds what the approval rests on: the self-assessment, the supervisor's comment,
the interview and every appeal with the score it changed; the approval is named as the GM's step at the
top and asks before it publishes (issue 12, item 4)."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from test_hr_company import Company, advance, build_company, open_month

from shopkpi.appraisal.models import Review
from shopkpi.appraisal.reviews.workflow import perform

pytestmark = pytest.mark.django_db
S = Review.Status


@pytest.fixture
def co(monkeypatch: pytest.MonkeyPatch) -> Company:
    company = build_company(monkeypatch)
    open_month(company)
    return company


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_the_gm_reads_the_comments_the_interview_and_the_amended_appeal(co: Company) -> None:
    e01 = co.user("e01")
    review = perform(
        e01, co.review("E01"), "save_self", ratings={"attitude": "优"}, self_assessment="本月完成大促备货"
    )
    perform(e01, review, "submit_self")
    review = advance(co, "E01", S.PUBLISHED)  # 良 from the supervisor, 认真负责, the interview's 执行力强
    before = review.score
    review = perform(
        e01, review, "appeal", items=[{"item_key": "attainment", "reason": "漏计了一笔退款后重发的订单"}]
    )
    perform(
        co.user("hr"),
        review,
        "decide_appeal",
        outcome="amended",
        note="订单核实无误，补计",
        overrides=[{"name": "gmv", "value": "100000", "reason": "补计订单"}],
    )
    after = Review.objects.get(pk=review.pk)
    assert after.status == S.PENDING_GM and after.score != before
    client = Client()
    client.force_login(co.user("gm"))
    html = client.get(f"/gm/reviews/{review.pk}/").content.decode()
    shown = text_of(html)
    for words in (
        "本月完成大促备货",
        "认真负责",
        "执行力强",
        "学习生意参谋",
        "漏计了一笔退款后重发的订单",
        "订单核实无误，补计",
    ):
        assert words in shown, words
    assert f"{before:.1f} → {after.score:.1f}" in shown
    # the GM's step first, and the approval asks before it publishes
    assert html.index("轮到您：总经理批准") < html.index("评语与面谈")
    assert "不能撤回。确定批准吗？" in html
