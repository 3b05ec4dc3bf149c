"""POST /api/token: a bearer token for a username and password (throttled)."""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.http import HttpRequest
from ninja import Router
from ninja.errors import AuthenticationError

from shopkpi.appraisal.accounts import login_throttle, logins, tokens
from shopkpi.appraisal.policy import ActionRefused
from shopkpi.web.api.errors import documented
from shopkpi.web.api.schemas import TokenIn, TokenOut

router = Router(tags=["auth"])


@router.post(
    "/token",
    auth=None,
    operation_id="create_token",
    response={200: TokenOut, **documented(400, 401, 403, 422, 429)},
)
def create_token(request: HttpRequest, credentials: TokenIn) -> TokenOut:
    """A token for `Authorization: Bearer`; repeated failures lock the username and the address for a while."""
    user = login_throttle.attempt(
        credentials.username,
        login_throttle.client_address(request),
        lambda: authenticate(request, username=credentials.username, password=credentials.password),
    )
    if user is None:
        raise AuthenticationError(message="wrong username or password")
    refusal = logins.sign_in_refusal(user)
    if refusal is not None:  # the right password of a deactivated login or a leaver
        code, message = refusal
        raise ActionRefused(message, code=code)
    token, record = tokens.issue(user)
    return TokenOut(token=token, id=record.pk, expires_at=record.expires_at)
