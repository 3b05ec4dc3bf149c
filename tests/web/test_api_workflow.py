"""The workflow through the API: one review from pending_self to acknowledged, refusals and conflicts."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import api_org
import pytest
from django.test import Client

from shopkpi.appraisal.models import AuditEntry, Review

pytestmark = pytest.mark.django_db


@pytest.fixture
def org() -> api_org.Org:
    # every review: 销售额 95000 of 目标 100000, below 100% -> sales points 50
    return api_org.build(hash_passwords=False)


class Api:
    def __init__(self, org: api_org.Org) -> None:
        self.org = org
        self.client = Client()

    def get(self, who: str, review: Review) -> dict[str, Any]:
        answer = self.client.get(f"/api/reviews/{review.pk}", **self.org.auth(who))
        assert answer.status_code == 200, answer.content
        return answer.json()

    def act(self, who: str, review: Review, action: str, status: int = 200, **body: Any) -> dict[str, Any]:
        if "expected_version" not in body:
            body["expected_version"] = self.get(who, review)["version"]
        answer = self.client.post(
            f"/api/reviews/{review.pk}/{action}", body, content_type="application/json", **self.org.auth(who)
        )
        assert answer.status_code == status, answer.content.decode()
        return answer.json()


@pytest.fixture
def api(org: api_org.Org) -> Api:
    return Api(org)


def test_a_month_from_self_review_to_acknowledgement(api: Api, org: api_org.Org) -> None:
    review = org.reviews["emp"]
    api.act("emp", review, "save_self", ratings={"attitude": "95"}, self_assessment="达成率 95%")
    after = api.act("emp", review, "submit_self")
    assert after["status"] == "pending_supervisor"
    assert "submit_self" not in after["actions"]
    # the supervisor cannot send it on without an interview
    refused = api.act("mgr", review, "submit_supervisor", status=409)
    assert refused["code"] == "interview_missing"
    assert "请先记录考评面谈" in refused["detail"]
    api.act("mgr", review, "rate", ratings={"attitude": 80}, comment="认真")
    api.act(
        "mgr",
        review,
        "record_interview",
        held_on="2026-04-05",
        strengths="执行力",
        improvements="数据分析",
        plan="每周复盘",
    )
    assert api.act("mgr", review, "submit_supervisor")["status"] == "pending_hr"
    # before publication the employee sees the computed item, not the rated one
    items = {i["key"]: i for i in api.get("emp", review)["items"]}
    # 95000 / 100000 = 0.95, band "< 100%" -> 50 × 60% = 30 points
    assert (items["sales"]["value"], items["sales"]["band"], items["sales"]["points"]) == (
        "0.95",
        "< 100%",
        "30",
    )
    assert (items["attitude"]["rating"], items["attitude"]["points"]) == (None, None)
    assert items["attitude"]["self_rating"] == "95"
    api.act("hr", review, "adjust_pay", amount="200.00", reason="加班补贴")
    assert api.act("hr", review, "submit_hr")["status"] == "pending_gm"
    published = api.act("gm", review, "approve", reason="同意")
    assert published["status"] == "published"
    # sales 95% -> band < 100% -> 50 points × 60% = 30; attitude 80 × 40% = 32; score 62
    mine = api.get("emp", review)
    assert Decimal(mine["score"]) == Decimal("62")
    assert mine["supervisor_comment"] == "认真"
    attitude = next(i for i in mine["items"] if i["key"] == "attitude")
    assert (attitude["rating"], attitude["points"]) == ("80", "32")
    assert [a["amount"] for a in mine["adjustments"]] == ["200.00"]
    done = api.act("emp", review, "acknowledge")
    assert done["status"] == "acknowledged"
    assert [t["action"] for t in done["transitions"]] == [
        "save_self", "submit_self", "rate", "record_interview", "submit_supervisor",
        "adjust_pay", "submit_hr", "approve", "acknowledge",
    ]  # fmt: skip
    # every step is in the audit log with who did it
    actors = list(AuditEntry.objects.filter(object_id=str(review.pk)).values_list("actor", flat=True))
    assert actors[-1] == "emp" and "gm" in actors and "hr" in actors and "mgr" in actors


def test_appeal_and_decision(api: Api, org: api_org.Org) -> None:
    review = org.reviews["emp"]
    api.act("emp", review, "submit_self")
    api.act("mgr", review, "rate", ratings={"attitude": "60"})
    api.act(
        "mgr", review, "record_interview", held_on="2026-04-05", strengths="a", improvements="b", plan="c"
    )
    api.act("mgr", review, "submit_supervisor")
    api.act("hr", review, "submit_hr")
    api.act("gm", review, "approve")
    appealed = api.act("emp", review, "appeal", items=[{"item_key": "attitude", "reason": "评分偏低"}])
    assert appealed["status"] == "appealed"
    decided = api.act("hr", review, "decide_appeal", outcome="upheld", note="依据充分")
    assert decided["status"] == "published"
    assert decided["appeals"][0]["status"] == "upheld"


def test_a_stale_version_is_409_and_names_the_change(api: Api, org: api_org.Org) -> None:
    review = org.reviews["emp"]
    api.act("emp", review, "save_self", expected_version=1, self_assessment="第一稿")
    stale = api.act("emp", review, "save_self", status=409, expected_version=1, self_assessment="另一稿")
    assert stale["code"] == "stale_review"
    assert "已被 emp 于" in stale["detail"]
    assert "您打开的是第 1 版，现在是第 2 版" in stale["detail"]
    assert api.get("emp", review)["self_assessment"] == "第一稿"


def test_the_wrong_party_is_403_and_an_invisible_review_404(api: Api, org: api_org.Org) -> None:
    review = org.reviews["emp"]
    refused = api.act("hr", review, "submit_self", status=403, expected_version=1)
    assert refused == {"code": "wrong_party", "detail": "只有本人可以提交自评。"}
    api.act("emp2", review, "submit_self", status=404, expected_version=1)
    assert Review.objects.get(pk=review.pk).status == "pending_self"


def test_bodies_are_validated_422(api: Api, org: api_org.Org) -> None:
    review = org.reviews["emp"]
    bad: list[tuple[str, dict[str, Any]]] = [
        ("submit_self", {}),  # expected_version is required
        ("return_to_self", {"expected_version": 1, "reason": ""}),
        ("adjust_pay", {"expected_version": 1, "amount": "1.005", "reason": "x"}),
        ("adjust_pay", {"expected_version": 1, "amount": "NaN", "reason": "x"}),
        ("override", {"expected_version": 1, "name": "目标", "value": "1e40", "reason": "x"}),
        ("decide_appeal", {"expected_version": 1, "outcome": "maybe", "note": "x"}),
        ("save_self", {"expected_version": 1, "self_assessment": "a\x00b"}),
        ("appeal", {"expected_version": 1, "items": []}),
    ]
    for action, body in bad:
        answer = api.client.post(
            f"/api/reviews/{review.pk}/{action}", body, content_type="application/json", **org.auth("emp")
        )
        assert answer.status_code == 422, (action, body, answer.content)
    broken = api.client.post(
        f"/api/reviews/{review.pk}/submit_self", "{", content_type="application/json", **org.auth("emp")
    )
    assert broken.status_code == 400


def test_every_policy_action_has_an_endpoint(client: Client) -> None:
    from shopkpi.appraisal.policy import ACTIONS

    paths = client.get("/api/openapi.json").json()["paths"]
    assert {f"/api/reviews/{{review_id}}/{action}" for action in ACTIONS} <= set(paths)
