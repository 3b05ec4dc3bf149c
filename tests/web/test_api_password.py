"""A one-time password is changed first (GET /api/me says so, POST /api/me/password does it, everything
else answers 403 password_change_required); leavers and deactivated logins cannot get or use a token."""

from __future__ import annotations

import datetime as dt

import api_org
import pytest
from django.test import Client
from django.utils import timezone

from shopkpi.appraisal.accounts import logins
from shopkpi.appraisal.models import AuditEntry, Employee

pytestmark = pytest.mark.django_db
NEW = "Qianniu shop 2026 spring"


@pytest.fixture
def org() -> api_org.Org:
    return api_org.build()


@pytest.fixture
def one_time(org: api_org.Org) -> tuple[str, str]:
    """emp's password reset by HR: (a token got with the one-time password, that password)."""
    handed = logins.reset(org.users["hr"], "emp")
    answer = Client().post(
        "/api/token", {"username": "emp", "password": handed.password}, content_type="application/json"
    )
    assert answer.status_code == 200
    return answer.json()["token"], handed.password


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_the_password_is_changed_before_anything_else(client: Client, one_time: tuple[str, str]) -> None:
    token, password = one_time
    me = client.get("/api/me", **bearer(token))
    assert me.status_code == 200
    assert me.json()["must_change_password"] is True
    for url in ("/api/reviews", "/api/employees"):
        refused = client.get(url, **bearer(token))
        assert refused.status_code == 403
        assert refused.json()["code"] == "password_change_required"
        assert "/api/me/password" in refused.json()["detail"]

    changed = client.post(
        "/api/me/password",
        {"old_password": password, "new_password": NEW},
        content_type="application/json",
        **bearer(token),
    )
    assert changed.status_code == 204, changed.content
    assert client.get("/api/me", **bearer(token)).json()["must_change_password"] is False
    assert client.get("/api/reviews", **bearer(token)).status_code == 200
    again = client.post("/api/token", {"username": "emp", "password": NEW}, content_type="application/json")
    assert again.status_code == 200
    [entry] = AuditEntry.objects.filter(action="user.password_change")
    assert (entry.actor, entry.before, entry.after) == (
        "emp",
        {"must_change_password": True},
        {"must_change_password": False},
    )
    assert NEW not in str(entry.before) + str(entry.after) and password not in str(entry.after)


@pytest.mark.parametrize(
    ("old", "new", "code", "says"),
    [
        ("wrong one-time password", NEW, "wrong_password", "原密码不正确"),
        (None, "short", "password_invalid", "密码太短"),  # the minimum length (10)
        (None, "password123", "password_invalid", "这个密码太常见了"),  # Django's CommonPasswordValidator
        (None, None, "password_unchanged", "新密码不能与原密码相同"),
    ],
)
def test_refusals_name_their_reason_and_change_nothing(
    client: Client, one_time: tuple[str, str], old: str | None, new: str | None, code: str, says: str
) -> None:
    token, password = one_time
    answer = client.post(
        "/api/me/password",
        {"old_password": old or password, "new_password": new or password},
        content_type="application/json",
        **bearer(token),
    )
    assert answer.status_code == 400
    body = answer.json()
    assert set(body) == {"code", "detail"}
    assert body["code"] == code
    assert says in body["detail"]
    assert client.get("/api/me", **bearer(token)).json()["must_change_password"] is True
    assert not AuditEntry.objects.filter(action="user.password_change").exists()


def test_refusals_in_english_on_request(client: Client, one_time: tuple[str, str]) -> None:
    token, _password = one_time
    client.cookies["django_language"] = "en"
    answer = client.post(
        "/api/me/password",
        {"old_password": "not it", "new_password": NEW},
        content_type="application/json",
        **bearer(token),
    )
    assert answer.json() == {"code": "wrong_password", "detail": "The current password is wrong."}


def _leaves(org: api_org.Org, key: str, on: dt.date) -> None:
    Employee.objects.filter(pk=org.employees[key].pk).update(left_on=on)


def test_a_leaver_is_refused_from_the_day_after_left_on(client: Client, org: api_org.Org) -> None:
    today = timezone.localdate()
    credentials = {"username": "emp", "password": api_org.PASSWORD}
    _leaves(org, "emp", today)  # the last day: still works
    assert client.get("/api/me", **org.auth("emp")).status_code == 200
    assert client.post("/api/token", credentials, content_type="application/json").status_code == 200

    _leaves(org, "emp", today - dt.timedelta(days=1))  # left yesterday
    refused = client.post("/api/token", credentials, content_type="application/json")
    assert refused.status_code == 403
    assert refused.json() == {
        "code": "former_employee",
        "detail": f"您已于 {(today - dt.timedelta(days=1)).isoformat()} 离职，不能再登录。",
    }
    assert client.get("/api/me", **org.auth("emp")).status_code == 401  # the token they hold stops working


def test_a_deactivated_login_is_told_so_with_the_right_password(client: Client, org: api_org.Org) -> None:
    logins.deactivate(org.users["hr"], "emp")
    refused = client.post(
        "/api/token", {"username": "emp", "password": api_org.PASSWORD}, content_type="application/json"
    )
    assert (refused.status_code, refused.json()["code"]) == (403, "login_inactive")
    wrong = client.post(
        "/api/token", {"username": "emp", "password": "guess"}, content_type="application/json"
    )
    assert wrong.status_code == 401  # a wrong password learns nothing about the login
