"""Login throttling (API token and web login alike), kept in the LoginAttempt table.

Per username: after FAILURES_PER_USERNAME failed tries within WINDOW (counted since that
username's last success), further tries are refused until the oldest of those failures is
WINDOW old. Per address: the same with FAILURES_PER_ADDRESS, which is higher because an office
shares one address; a success does not reset it (one's own password must not unlock guessing
at others'). Refused tries are not recorded, so waiting always ends a lock; the lock names when.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from shopkpi.appraisal.models import LoginAttempt

WINDOW = timedelta(minutes=15)
FAILURES_PER_USERNAME = 5
FAILURES_PER_ADDRESS = 20
KEEP = timedelta(days=30)  # attempts older than this are deleted

T = TypeVar("T")


class LoginLocked(Exception):
    """Too many failed logins; `until` is when the next try will be accepted."""

    def __init__(self, scope: str, until: datetime) -> None:
        self.scope = scope
        self.until = until
        local = timezone.localtime(until).strftime("%Y-%m-%d %H:%M:%S %Z")
        message = (
            _("这个用户名登录失败次数过多，请在 %(until)s 之后再试。")
            if scope == "username"
            else _("这个地址登录失败次数过多，请在 %(until)s 之后再试。")
        )
        super().__init__(message % {"until": local})

    def retry_after(self, now: datetime | None = None) -> int:
        """Whole seconds until the lock ends (at least 1)."""
        seconds = (self.until - (now or timezone.now())).total_seconds()
        return max(1, int(seconds) + (0 if seconds == int(seconds) else 1))


def _key(username: str) -> str:
    return username.strip().lower()


def _locked_until(failures: QuerySet[LoginAttempt], limit: int) -> datetime | None:
    """While `limit` failures lie within the window, the lock lasts until the oldest of them leaves it."""
    times = list(failures.order_by("-at").values_list("at", flat=True)[:limit])
    if len(times) < limit:
        return None
    return times[-1] + WINDOW


def check(username: str, address: str, *, before_id: int | None = None, now: datetime | None = None) -> None:
    """Raise LoginLocked when a try for this username or from this address is not accepted now.

    `before_id` counts only the attempts recorded before that one (a try in progress counts the
    tries that came before it, so that tries racing in parallel lock each other out too).
    """
    now = now or timezone.now()
    recent = LoginAttempt.objects.filter(at__gt=now - WINDOW)
    if before_id is not None:
        recent = recent.filter(id__lt=before_id)
    user_attempts = recent.filter(username=_key(username))
    last_success = user_attempts.filter(succeeded=True).order_by("-at").values_list("at", flat=True).first()
    user_failures = user_attempts.filter(succeeded=False)
    if last_success is not None:
        user_failures = user_failures.filter(at__gt=last_success)
    locks = [
        ("username", _locked_until(user_failures, FAILURES_PER_USERNAME)),
        ("address", _locked_until(recent.filter(address=address, succeeded=False), FAILURES_PER_ADDRESS)),
    ]
    active = [(scope, until) for scope, until in locks if until is not None and until > now]
    if active:
        scope, until = max(active, key=lambda lock: lock[1])
        raise LoginLocked(scope, until)


def attempt(username: str, address: str, authenticate: Callable[[], T | None]) -> T | None:
    """Check the throttle, authenticate, record the outcome: the user, or None for wrong credentials.

    Raises LoginLocked, without calling `authenticate`, while a lock holds. The try is recorded
    as a failure before the password is checked and marked a success afterwards, so parallel
    tries see each other.
    """
    check(username, address)
    row = LoginAttempt.objects.create(username=_key(username), address=address[:64], succeeded=False)
    try:
        check(username, address, before_id=row.pk)
    except LoginLocked:
        row.delete()  # a refused try is not counted: waiting always ends a lock
        raise
    user = authenticate()
    if user is not None:
        LoginAttempt.objects.filter(pk=row.pk).update(succeeded=True)
    LoginAttempt.objects.filter(at__lt=timezone.now() - KEEP).delete()
    return user


def client_address(request: Any) -> str:
    """The address a request came from, as the server saw it (proxies are not trusted)."""
    return str(request.META.get("REMOTE_ADDR") or "unknown")[:64]
