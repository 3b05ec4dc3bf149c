"""The JSON API: tokens, /me, employees, review lists and details, error shapes."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import api_org
import pytest
from django.test import Client
from django.utils import timezone

from shopkpi.appraisal.models import ApiToken, Interview, Rating, Review, Transition

pytestmark = pytest.mark.django_db


@pytest.fixture
def org() -> api_org.Org:
    return api_org.build()


@pytest.fixture
def client() -> Client:
    return Client()


def test_token_for_username_and_password(client: Client, org: api_org.Org) -> None:
    answer = client.post(
        "/api/token", {"username": "emp", "password": api_org.PASSWORD}, content_type="application/json"
    )
    assert answer.status_code == 200
    token = answer.json()["token"]
    me = client.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert me.status_code == 200
    assert me.json() == {
        "username": "emp",
        "employee": "E012",
        "roles": ["employee"],
        "must_change_password": False,
    }
    # only the digest is kept
    assert not ApiToken.objects.filter(digest=token).exists()


def test_wrong_password_is_401(client: Client, org: api_org.Org) -> None:
    answer = client.post(
        "/api/token", {"username": "emp", "password": "nope"}, content_type="application/json"
    )
    assert answer.status_code == 401
    assert answer.json() == {"code": "unauthenticated", "detail": "wrong username or password"}


def test_no_or_invalid_token_is_401(client: Client, org: api_org.Org) -> None:
    for headers in ({}, {"HTTP_AUTHORIZATION": "Bearer not-a-token"}, {"HTTP_AUTHORIZATION": "Basic abc"}):
        answer = client.get("/api/reviews", **headers)
        assert answer.status_code == 401
        assert answer["WWW-Authenticate"] == "Bearer"
        assert "token" in answer.json()["detail"]


def test_expired_token_is_401(client: Client, org: api_org.Org) -> None:
    ApiToken.objects.filter(user=org.users["emp"]).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get("/api/me", **org.auth("emp")).status_code == 401


def test_inactive_user_token_is_401(client: Client, org: api_org.Org) -> None:
    org.users["emp"].is_active = False
    org.users["emp"].save()
    assert client.get("/api/me", **org.auth("emp")).status_code == 401


def test_login_lock_answers_429_with_its_end(client: Client, org: api_org.Org) -> None:
    for _ in range(5):
        answer = client.post(
            "/api/token", {"username": "emp", "password": "x"}, content_type="application/json"
        )
        assert answer.status_code == 401
    locked = client.post(
        "/api/token", {"username": "emp", "password": api_org.PASSWORD}, content_type="application/json"
    )
    assert locked.status_code == 429
    body = locked.json()
    assert body["code"] == "login_locked"
    assert "登录失败次数过多" in body["detail"]
    assert body["locked_until"]
    assert 0 < int(locked["Retry-After"]) <= 15 * 60


def test_me_roles(client: Client, org: api_org.Org) -> None:
    expected = {
        "gm": ("E001", ["employee", "evaluator", "gm"]),
        "hr": ("E002", ["employee", "evaluator", "hr"]),
        "mgr": ("E011", ["employee", "evaluator"]),
        "admin": (None, ["admin"]),
        "nobody": (None, []),
    }
    for key, (employee, roles) in expected.items():
        assert client.get("/api/me", **org.auth(key)).json() == {
            "username": key,
            "employee": employee,
            "roles": roles,
            "must_change_password": False,
        }


def test_employees_are_for_hr_gm_and_admin(client: Client, org: api_org.Org) -> None:
    answer = client.get("/api/employees", {"limit": 3, "offset": 1}, **org.auth("gm"))
    assert answer.status_code == 200
    body = answer.json()
    assert body["count"] == 11
    # sorted by employee id: E001 E002 E003 E004 E005 ...; offset 1, limit 3 -> E002 E003 E004
    assert [e["id"] for e in body["items"]] == ["E002", "E003", "E004"]
    third = body["items"][1]
    assert (third["id"], third["name"], third["department"], third["position"], third["supervisor"]) == (
        "E003",
        "韩人事",
        "人事部",
        "人事专员",
        "E002",
    )
    refused = client.get("/api/employees", **org.auth("nobody"))
    assert refused.status_code == 403 and refused.json()["code"] == "organisation_forbidden"
    own = client.get("/api/me/employee", **org.auth("emp")).json()
    assert (own["id"], own["supervisor"]) == ("E012", "E011")


def test_pagination_bounds_are_422(client: Client, org: api_org.Org) -> None:
    for params in ({"limit": 0}, {"limit": 501}, {"offset": -1}, {"limit": "x"}):
        answer = client.get("/api/reviews", params, **org.auth("hr"))
        assert answer.status_code == 422, params
        assert isinstance(answer.json()["detail"], list)


def test_review_list_is_what_the_caller_may_see(client: Client, org: api_org.Org) -> None:
    body = client.get("/api/reviews", **org.auth("mgr")).json()
    # the manager's own review and the two reports'
    assert body["count"] == 3
    assert sorted(r["employee"] for r in body["items"]) == ["E011", "E012", "E013"]
    row = next(r for r in body["items"] if r["employee"] == "E012")
    assert row == {
        "id": org.reviews["emp"].pk,
        "employee": "E012",
        "employee_name": "艾运营",
        "period": "2026-03",
        "status": "pending_self",
        "evaluator": "E011",
        "score": None,
        "grade": None,
        "version": 1,
    }


def test_review_list_filters_and_pages(client: Client, org: api_org.Org) -> None:
    Review.objects.filter(pk=org.reviews["cs"].pk).update(status="pending_hr")
    body = client.get("/api/reviews", {"status": "pending_hr"}, **org.auth("hr")).json()
    assert [r["employee"] for r in body["items"]] == ["E020"]
    assert client.get("/api/reviews", {"period": "2026-02"}, **org.auth("hr")).json() == {
        "items": [],
        "count": 0,
    }
    paged = client.get("/api/reviews", {"limit": 2, "offset": 10}, **org.auth("hr")).json()
    # 11 reviews: offset 10 leaves one
    assert paged["count"] == 11
    assert len(paged["items"]) == 1
    assert client.get("/api/reviews", {"status": "nonsense"}, **org.auth("hr")).status_code == 422


def _publishable(org: api_org.Org) -> Review:
    review = org.reviews["emp"]
    review.status = Review.Status.PENDING_GM
    review.score = Decimal("88.0")
    review.grade = "合格"
    review.pay = Decimal("5200.00")
    review.self_assessment = "本月完成目标"
    review.supervisor_comment = "态度认真"
    review.submitted_self_at = timezone.now()
    review.values = {"销售额": "90000", "目标": "100000"}
    review.save()
    Rating.objects.create(
        review=review, item_key="attitude", rater="supervisor", value=Decimal("80"), rated_by=org.users["mgr"]
    )
    Rating.objects.create(
        review=review, item_key="attitude", rater="self", value=Decimal("95"), rated_by=org.users["emp"]
    )
    Interview.objects.create(
        review=review,
        held_on=timezone.localdate(),
        strengths="认真",
        improvements="主动",
        plan="周报",
        recorded_by=org.users["mgr"],
    )
    Transition.objects.create(
        review=review,
        from_status="pending_hr",
        to_status="pending_supervisor",
        action="return_to_supervisor",
        reason="评分依据不足",
        actor=org.users["hr"],
    )
    Transition.objects.create(
        review=review,
        from_status="pending_supervisor",
        to_status="pending_self",
        action="return_to_self",
        reason="自评未填写",
        actor=org.users["mgr"],
    )
    return review


def test_the_employee_sees_no_supervisor_part_before_publication(client: Client, org: api_org.Org) -> None:
    review = _publishable(org)
    mine = client.get(f"/api/reviews/{review.pk}", **org.auth("emp")).json()
    assert (mine["score"], mine["grade"], mine["pay"], mine["supervisor_comment"], mine["interview"]) == (
        None,
    ) * 5
    assert [(r["rater"], r["value"]) for r in mine["ratings"]] == [("self", "95.00")]
    assert mine["self_assessment"] == "本月完成目标"
    attitude = next(i for i in mine["items"] if i["key"] == "attitude")
    assert attitude["rated"] is True and attitude["points"] is None
    # the reason of a return to the employee is theirs to read; HR's reason to the supervisor is not
    reasons = {t["action"]: t["reason"] for t in mine["transitions"]}
    assert reasons == {"return_to_supervisor": None, "return_to_self": "自评未填写"}
    # the evaluator sees it all
    theirs = client.get(f"/api/reviews/{review.pk}", **org.auth("mgr")).json()
    assert (theirs["score"], theirs["grade"], theirs["pay"]) == ("88.000", "合格", "5200.00")
    assert theirs["interview"]["strengths"] == "认真"
    assert sorted(r["rater"] for r in theirs["ratings"]) == ["self", "supervisor"]
    # after publication the employee sees the result
    Review.objects.filter(pk=review.pk).update(status="published", published_at=timezone.now())
    mine = client.get(f"/api/reviews/{review.pk}", **org.auth("emp")).json()
    assert (mine["score"], mine["grade"], mine["pay"], mine["supervisor_comment"]) == (
        "88.000",
        "合格",
        "5200.00",
        "态度认真",
    )
    assert mine["interview"]["plan"] == "周报"
    assert client.get("/api/reviews", **org.auth("emp")).json()["items"][0]["score"] == "88.000"


def test_the_evaluator_sees_the_self_review_once_submitted(client: Client, org: api_org.Org) -> None:
    review = org.reviews["emp"]
    review.self_assessment = "草稿"
    review.save()
    Rating.objects.create(
        review=review, item_key="attitude", rater="self", value=Decimal("95"), rated_by=org.users["emp"]
    )
    draft = client.get(f"/api/reviews/{review.pk}", **org.auth("mgr")).json()
    assert draft["self_assessment"] is None and draft["ratings"] == []
    Review.objects.filter(pk=review.pk).update(submitted_self_at=timezone.now(), status="pending_supervisor")
    submitted = client.get(f"/api/reviews/{review.pk}", **org.auth("mgr")).json()
    assert submitted["self_assessment"] == "草稿"
    assert [r["rater"] for r in submitted["ratings"]] == ["self"]


def test_unknown_and_invisible_reviews_are_the_same_404(client: Client, org: api_org.Org) -> None:
    invisible = client.get(f"/api/reviews/{org.reviews['emp2'].pk}", **org.auth("emp"))
    missing = client.get("/api/reviews/987654321", **org.auth("emp"))
    assert invisible.status_code == missing.status_code == 404
    assert invisible.json() == missing.json() == {"code": "review_not_found", "detail": "review not found"}


def test_openapi_document(client: Client) -> None:
    answer = client.get("/api/openapi.json")
    assert answer.status_code == 200
    paths = answer.json()["paths"]
    assert {"/api/token", "/api/me", "/api/employees", "/api/reviews", "/api/reviews/{review_id}"} <= set(
        paths
    )
    assert client.get("/api/docs").status_code == 404  # no docs page that would load code from a CDN
