"""API tokens: a random secret handed out once; only its sha256 is kept, with an expiry.

A user lists and revokes their own tokens (by the token's number, since the secret is not kept); an
admin lists and revokes anybody's. A revocation is written to the audit log.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shopkpi.appraisal import audit
from shopkpi.appraisal.accounts import logins
from shopkpi.appraisal.accounts.roles import ADMIN, group_roles
from shopkpi.appraisal.models import ApiToken
from shopkpi.appraisal.policy import ActionRefused

LIFETIME = timedelta(hours=12)  # a working day; the client asks for a new token after that


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue(user: Any, lifetime: timedelta = LIFETIME) -> tuple[str, ApiToken]:
    """A new token for the user: the secret (shown once) and its stored record."""
    now = timezone.now()
    ApiToken.objects.filter(user=user, expires_at__lte=now).delete()  # the user's expired tokens go
    token = secrets.token_urlsafe(32)
    record = ApiToken.objects.create(user=user, digest=digest(token), expires_at=now + lifetime)
    return token, record


def user_for(token: str) -> Any:
    """The user a valid, unexpired token belongs to, while they may sign in; else None."""
    if not token:
        return None
    record = (
        ApiToken.objects.select_related("user", "user__employee", "user__login_profile")
        .filter(digest=digest(token), expires_at__gt=timezone.now(), user__is_active=True)
        .first()
    )
    if record is None or logins.sign_in_refusal(record.user) is not None:  # a leaver's token ends with them
        return None
    return record.user


def revoke(token: str) -> bool:
    """Forget the token; True when it existed."""
    deleted, _ = ApiToken.objects.filter(digest=digest(token)).delete()
    return deleted > 0


def is_admin(user: Any) -> bool:
    return ADMIN in group_roles(user)


def listed(user: Any, *, owner: str | None = None) -> list[ApiToken]:
    """The unexpired tokens of `owner` (a username; the user's own when None, everybody's when "*"),
    newest first. Only an admin may list another user's."""
    mine = owner is None or owner == user.get_username()
    if not mine and not is_admin(user):
        raise ActionRefused(_("只有管理员可以查看其他用户的 API 令牌。"), code="wrong_party")
    found = ApiToken.objects.select_related("user").filter(expires_at__gt=timezone.now())
    if owner != "*":
        found = found.filter(user__username=user.get_username() if mine else owner)
    return list(found.order_by("-created_at", "-pk"))


def revoke_by_id(user: Any, token_id: int) -> ApiToken | None:
    """Revoke the token numbered `token_id` when it is the user's own or the user is an admin, and
    write it to the audit log; None (nothing changed) when there is no such token the user may see."""
    with transaction.atomic():
        record = (
            ApiToken.objects.select_related("user")
            .select_for_update(of=("self",))
            .filter(pk=token_id)
            .first()
        )
        if record is None or (record.user_id != user.pk and not is_admin(user)):
            return None
        record.delete()
        audit.record(
            user.get_username(),
            "token.revoke",
            object_type="user",
            object_id=record.user.get_username(),
            before={"token": token_id, "created_at": record.created_at, "expires_at": record.expires_at},
        )
    return record
