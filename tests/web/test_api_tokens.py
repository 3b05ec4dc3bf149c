"""API tokens are listed and revoked by their owner (GET /api/tokens, DELETE /api/tokens/{id}, the /tokens/
page) and by an admin; a revoked token stops working at once and the revocation is in the audit log."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client

from shopkpi.appraisal.models import AuditEntry

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"


@pytest.fixture
def people() -> dict[str, User]:
    found = {name: User.objects.create_user(name, password=PASSWORD) for name in ("hr", "gm", "root")}
    found["root"].groups.add(Group.objects.get_or_create(name="admin")[0])
    return found


def _token(username: str) -> dict[str, Any]:
    answer = Client().post(
        "/api/token", {"username": username, "password": PASSWORD}, content_type="application/json"
    )
    assert answer.status_code == 200
    body: dict[str, Any] = answer.json()
    return body


def _bearer(token: dict[str, Any]) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token['token']}"}


def test_the_owner_lists_and_revokes_their_tokens(people: dict[str, User]) -> None:
    first, second = _token("hr"), _token("hr")
    _token("gm")
    listed = Client().get("/api/tokens", **_bearer(first)).json()
    assert [(t["id"], t["username"]) for t in listed] == [(second["id"], "hr"), (first["id"], "hr")]
    assert Client().delete(f"/api/tokens/{second['id']}", **_bearer(first)).status_code == 204
    assert Client().get("/api/me", **_bearer(second)).status_code == 401  # revoked: it stops at once
    assert Client().get("/api/me", **_bearer(first)).status_code == 200
    entry = AuditEntry.objects.get(action="token.revoke")
    assert (entry.actor, entry.object_id, entry.before["token"]) == ("hr", "hr", second["id"])


def test_nobody_else_sees_or_revokes_them_but_an_admin(people: dict[str, User]) -> None:
    mine, theirs, admins = _token("hr"), _token("gm"), _token("root")
    assert Client().delete(f"/api/tokens/{mine['id']}", **_bearer(theirs)).status_code == 404
    assert Client().get("/api/tokens?username=hr", **_bearer(theirs)).status_code == 403
    assert Client().get("/api/me", **_bearer(mine)).status_code == 200
    everybody = Client().get("/api/tokens?username=*", **_bearer(admins)).json()
    assert {t["username"] for t in everybody} == {"hr", "gm", "root"}
    assert [t["id"] for t in Client().get("/api/tokens?username=hr", **_bearer(admins)).json()] == [
        mine["id"]
    ]
    assert Client().delete(f"/api/tokens/{mine['id']}", **_bearer(admins)).status_code == 204
    assert Client().get("/api/me", **_bearer(mine)).status_code == 401
    entry = AuditEntry.objects.get(action="token.revoke")
    assert (entry.actor, entry.object_id) == ("root", "hr")


def test_the_tokens_page(people: dict[str, User]) -> None:
    mine, theirs = _token("hr"), _token("gm")
    page = Client()
    page.force_login(people["hr"])
    shown = page.get("/tokens/").content.decode()
    assert f"/tokens/{mine['id']}/revoke/" in shown and f"/tokens/{theirs['id']}/revoke/" not in shown
    assert page.post(f"/tokens/{theirs['id']}/revoke/").status_code == 404
    assert page.post(f"/tokens/{mine['id']}/revoke/").status_code == 302
    assert Client().get("/api/me", **_bearer(mine)).status_code == 401
    assert "没有未过期的 API 令牌" in page.get("/tokens/").content.decode()
    admin = Client()
    admin.force_login(people["root"])
    shown = admin.get("/tokens/").content.decode()
    assert f"/tokens/{theirs['id']}/revoke/" in shown and ">gm<" in shown
