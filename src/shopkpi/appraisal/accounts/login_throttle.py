"""Login throttling (API token and web login alike), kept in the LoginAttempt table.

Per username: FAILURES_PER_USERNAME failures within WINDOW (counted since that username's last
success) lock it until the oldest of them is WINDOW old; each further lock since the last success
(within BACKOFF_MEMORY) lasts twice as long as the one before, up to MAX_LOCK. A lock's failures
are used up by it: after it ends, FAILURES_PER_USERNAME new failures make the next one.

Per address: the address is only a hint (a whole office, or everyone behind a proxy that is not
listed in SHOPKPI_TRUSTED_PROXIES, shares one), so it never refuses a correct password for a
username that has not failed from it. Once FAILURES_PER_ADDRESS failures came from an address
within WINDOW, a username that has failed from that address within WINDOW is refused from it
without its password being checked, until the oldest of those failures is WINDOW old: someone
guessing across usernames gets one try per username.

Refused tries are not recorded, so waiting always ends a lock; the lock names when. Each lock is
written to the audit log when it begins.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from django.conf import settings
from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from shopkpi.appraisal import audit
from shopkpi.appraisal.models import LoginAttempt

WINDOW = timedelta(minutes=15)
FAILURES_PER_USERNAME = 5
FAILURES_PER_ADDRESS = 100
BACKOFF_MEMORY = timedelta(hours=24)  # locks further back than this no longer lengthen the next one
MAX_LOCK = timedelta(hours=8)
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


@dataclass(frozen=True)
class _Lock:
    scope: str  # "username" or "address"
    until: datetime
    level: int  # 1 for a username's first lock since its last success, 2 for the next …


def _key(username: str) -> str:
    return username.strip().lower()


def _username_lock(failures: Iterable[datetime]) -> _Lock | None:
    """The latest lock that these failures (oldest first, since the last success) made, or None."""
    lock: _Lock | None = None
    pending: list[datetime] = []  # failures since the last lock ended
    for at in failures:
        if lock is not None and at < lock.until:
            continue  # recorded by a try that raced the one that locked
        pending = [earlier for earlier in pending if earlier > at - WINDOW] + [at]
        if len(pending) >= FAILURES_PER_USERNAME:
            level = 1 if lock is None else lock.level + 1
            length = min(WINDOW * 2 ** (level - 1), MAX_LOCK)
            lock = _Lock("username", pending[0] + length, level)
            pending = []
    return lock


def _address_lock(failures: QuerySet[LoginAttempt]) -> _Lock | None:
    """While FAILURES_PER_ADDRESS failures lie within the window, until the oldest of them leaves it."""
    times = list(failures.order_by("-at").values_list("at", flat=True)[:FAILURES_PER_ADDRESS])
    if len(times) < FAILURES_PER_ADDRESS:
        return None
    return _Lock("address", times[-1] + WINDOW, 1)


def _locks(username: str, address: str, now: datetime, before_id: int | None) -> dict[str, _Lock | None]:
    """The username's latest lock and the address's lock as the recorded attempts make them (ended
    ones too; the address's whichever username is trying)."""
    attempts = LoginAttempt.objects.all()
    if before_id is not None:
        attempts = attempts.filter(id__lt=before_id)
    mine = attempts.filter(username=_key(username), at__gt=now - BACKOFF_MEMORY)
    last_success = mine.filter(succeeded=True).order_by("-at").values_list("at", flat=True).first()
    failures = mine.filter(succeeded=False)
    if last_success is not None:
        failures = failures.filter(at__gt=last_success)
    return {
        "username": _username_lock(failures.order_by("at", "id").values_list("at", flat=True)),
        "address": _address_lock(attempts.filter(address=address, at__gt=now - WINDOW, succeeded=False)),
    }


def _failed_here(username: str, address: str, now: datetime, before_id: int | None) -> bool:
    failures = LoginAttempt.objects.filter(
        username=_key(username), address=address, succeeded=False, at__gt=now - WINDOW
    )
    return (failures if before_id is None else failures.filter(id__lt=before_id)).exists()


def check(username: str, address: str, *, before_id: int | None = None, now: datetime | None = None) -> None:
    """Raise LoginLocked when a try for this username from this address is not accepted now.

    `before_id` counts only the attempts recorded before that one (a try in progress counts the
    tries that came before it, so that tries racing in parallel lock each other out too).
    """
    now = now or timezone.now()
    locks = _locks(username, address, now, before_id)
    if locks["address"] is not None and not _failed_here(username, address, now, before_id):
        locks["address"] = None  # the address's lock holds only for the usernames that failed from it
    active = [lock for lock in locks.values() if lock is not None and lock.until > now]
    if active:
        lock = max(active, key=lambda lock: lock.until)
        raise LoginLocked(lock.scope, lock.until)


def locked(usernames: Iterable[str], *, now: datetime | None = None) -> set[str]:
    """Those of `usernames` that their failures lock now (a page of the users list at once: only those
    with enough recent failures to be locked are looked at more closely)."""
    by_key = {_key(name): name for name in usernames}
    return {by_key[key] for key in locked_keys(within=by_key, now=now)}


def locked_keys(*, within: Iterable[str] | None = None, now: datetime | None = None) -> set[str]:
    """The usernames (lower case) their failures lock now, of `within` or of everyone (the users list
    filtered to the locked ones)."""
    now = now or timezone.now()
    failures = LoginAttempt.objects.filter(succeeded=False, at__gt=now - BACKOFF_MEMORY)
    if within is not None:
        failures = failures.filter(username__in=within)
    suspects = (
        failures.values("username")
        .annotate(failures=Count("id"))
        .filter(failures__gte=FAILURES_PER_USERNAME)
        .values_list("username", flat=True)
    )
    found = set()
    for key in suspects:
        lock = _locks(key, "", now, None)["username"]
        if lock is not None and lock.until > now:
            found.add(key)
    return found


def _record_new_locks(username: str, address: str, before: dict[str, _Lock | None]) -> None:
    """Write each lock this failure began (one that did not hold before it) to the audit log."""
    now = timezone.now()
    for scope, lock in _locks(username, address, now, None).items():
        earlier = before[scope]
        if lock is None or lock.until <= now or (earlier is not None and earlier.until > now):
            continue
        audit.record(
            "system",
            "login.lock",
            object_type="login",
            object_id=_key(username) if scope == "username" else address,
            after={
                "scope": scope,
                "username": _key(username),
                "address": address,
                "until": timezone.localtime(lock.until).isoformat(),
                "level": lock.level,
            },
        )


def attempt(username: str, address: str, authenticate: Callable[[], T | None]) -> T | None:
    """Check the throttle, authenticate, record the outcome: the user, or None for wrong credentials.

    Raises LoginLocked, without calling `authenticate`, while a lock holds. The try is recorded
    as a failure before the password is checked and marked a success afterwards, so parallel
    tries see each other.
    """
    check(username, address)
    address = address[:64]
    before = _locks(username, address, timezone.now(), None)
    row = LoginAttempt.objects.create(username=_key(username), address=address, succeeded=False)
    try:
        check(username, address, before_id=row.pk)
    except LoginLocked:
        row.delete()  # a refused try is not counted: waiting always ends a lock
        raise
    user = authenticate()
    if user is not None:
        LoginAttempt.objects.filter(pk=row.pk).update(succeeded=True)
    else:
        _record_new_locks(username, address, before)
    LoginAttempt.objects.filter(at__lt=timezone.now() - KEEP).delete()
    return user


def _trusted(address: str) -> bool:
    try:
        parsed = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(parsed in network for network in settings.SHOPKPI_TRUSTED_PROXIES)


def client_address(request: Any) -> str:
    """The address a request came from.

    The connection's own address, unless it is one of the trusted proxies (SHOPKPI_TRUSTED_PROXIES):
    then X-Forwarded-For is read from the right, through the trusted proxies, to the first address
    that is not one (or to the last one the chain names, when all are). An X-Forwarded-For from any
    other peer is ignored: anybody can send one.
    """
    address = str(request.META.get("REMOTE_ADDR") or "unknown").strip()
    if not _trusted(address):
        return address[:64]
    for hop in reversed(str(request.META.get("HTTP_X_FORWARDED_FOR") or "").split(",")):
        hop = hop.strip()
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            break  # a malformed entry: the last proxy we trust is as far as we can see
        address = hop
        if not _trusted(hop):
            break
    return address[:64]


def unlock(username: str, by: str) -> int:
    """Forget the username's failed tries (an admin or HR lifts a lock); audited. How many were forgotten."""
    with transaction.atomic():
        deleted, _by_model = LoginAttempt.objects.filter(username=_key(username), succeeded=False).delete()
        audit.record(
            by,
            "user.unlock",
            object_type="user",
            object_id=username,
            before={"failures": deleted},
            after={"failures": 0},
        )
    return deleted
