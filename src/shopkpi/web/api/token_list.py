"""GET /api/tokens and DELETE /api/tokens/{id}: a user's API tokens, listed and revoked by their owner
or by an admin (appraisal.tokens holds the rule; a revocation is audited)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Router
from ninja.errors import HttpError

from shopkpi.appraisal.accounts import tokens
from shopkpi.web.api.errors import documented
from shopkpi.web.api.schemas import TokenInfoOut

router = Router(tags=["auth"])


@router.get(
    "/tokens", operation_id="list_tokens", response={200: list[TokenInfoOut], **documented(401, 403, 422)}
)
def list_tokens(request: HttpRequest, username: str | None = None) -> list[TokenInfoOut]:
    """Your unexpired tokens, newest first; an admin may name another `username`, or `*` for everybody's."""
    return [
        TokenInfoOut(
            id=t.pk, username=t.user.get_username(), created_at=t.created_at, expires_at=t.expires_at
        )
        for t in tokens.listed(request.auth, owner=username)  # type: ignore[attr-defined]
    ]


@router.delete(
    "/tokens/{token_id}", operation_id="revoke_token", response={204: None, **documented(401, 404, 422)}
)
def revoke_token(request: HttpRequest, token_id: int) -> HttpResponse:
    """Revoke one of your tokens (an admin: anybody's); it stops working at once."""
    if tokens.revoke_by_id(request.auth, token_id) is None:  # type: ignore[attr-defined]
        raise HttpError(404, "no such token of yours")
    return HttpResponse(status=204)
