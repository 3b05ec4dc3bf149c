"""API tokens: a random secret handed out once; only its sha256 is kept, with an expiry."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.utils import timezone

from shopkpi.appraisal import logins
from shopkpi.appraisal.models import ApiToken

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
