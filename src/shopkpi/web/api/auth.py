"""`Authorization: Bearer <token>`: the token's user becomes `request.auth`.

A user who signs in with a one-time password gets 403 `password_change_required` from every
endpoint but the two that let them change it (GET /api/me, POST /api/me/password).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer

from shopkpi.appraisal import policy
from shopkpi.appraisal.accounts import logins, tokens


class BearerToken(HttpBearer):
    """`roles`, when given: only users holding one of them (hr, gm, admin) pass; others get 403
    `wrong_party` before the request's body is even read."""

    def __init__(self, *, before_password_change: bool = False, roles: tuple[str, ...] = ()) -> None:
        super().__init__()
        self.before_password_change = before_password_change
        self.roles = roles

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = tokens.user_for(token)
        if user is not None and not self.before_password_change and logins.must_change_password(user):
            raise logins.PasswordChangeRequired()
        if user is not None and self.roles:
            policy.require_company_role(user, self.roles)
        return user


# for the endpoints a user with a one-time password may call
BEFORE_PASSWORD_CHANGE = BearerToken(before_password_change=True)
