"""`Authorization: Bearer <token>`: the token's user becomes `request.auth`."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer

from shopkpi.appraisal import tokens


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        return tokens.user_for(token)
