"""Login throttling: five failures per username in fifteen minutes, with back-off; an address that sent a
hundred failures gets one try per username; the lock names its end and is in the audit log."""

from __future__ import annotations

import ipaddress
from datetime import timedelta
from typing import Any

import pytest
from django.test import RequestFactory
from django.utils import timezone

from shopkpi.appraisal.accounts import login_throttle
from shopkpi.appraisal.accounts.login_throttle import LoginLocked
from shopkpi.appraisal.models import AuditEntry, LoginAttempt

pytestmark = pytest.mark.django_db

ADDRESS = "10.0.0.1"


def fail(username: str = "hr", address: str = ADDRESS) -> None:
    assert login_throttle.attempt(username, address, lambda: None) is None


def succeed(username: str = "hr", address: str = ADDRESS) -> object:
    return login_throttle.attempt(username, address, lambda: "user")


def age_all(minutes: float) -> None:
    """Move every recorded attempt `minutes` into the past."""
    for attempt in LoginAttempt.objects.all():
        LoginAttempt.objects.filter(pk=attempt.pk).update(at=attempt.at - timedelta(minutes=minutes))


def test_five_failures_lock_the_username_and_the_lock_names_its_end() -> None:
    for _ in range(5):
        fail()
    called = []
    with pytest.raises(LoginLocked) as locked:
        login_throttle.attempt("hr", ADDRESS, lambda: called.append(1))
    assert called == []  # the password is not even checked
    assert locked.value.scope == "username"
    first = LoginAttempt.objects.order_by("at").first()
    assert first is not None
    # the lock ends when the oldest of the five failures is fifteen minutes old
    assert locked.value.until == first.at + timedelta(minutes=15)
    assert "之后再试" in str(locked.value)
    assert 0 < locked.value.retry_after() <= 15 * 60
    # the username is case-insensitive for the throttle; another username is unaffected
    with pytest.raises(LoginLocked):
        succeed("HR")
    assert succeed("gm") == "user"


def test_four_failures_do_not_lock() -> None:
    for _ in range(4):
        fail()
    assert succeed() == "user"


def test_a_refused_try_does_not_extend_the_lock_and_the_lock_ends() -> None:
    for _ in range(5):
        fail()
    for _ in range(3):
        with pytest.raises(LoginLocked):
            succeed()
    assert LoginAttempt.objects.count() == 5  # refused tries are not recorded
    age_all(15.1)
    assert succeed() == "user"


def test_failures_spread_over_more_than_the_window_do_not_lock() -> None:
    for _ in range(4):
        fail()
    age_all(16)
    for _ in range(4):
        fail()
    assert succeed() == "user"


def test_a_success_resets_the_username_count() -> None:
    for _ in range(4):
        fail()
    succeed()
    for _ in range(4):
        fail()
    assert succeed() == "user"


def test_each_further_lock_lasts_twice_as_long_up_to_the_cap() -> None:
    lengths = []
    for _ in range(7):
        for _ in range(5):
            fail()
        with pytest.raises(LoginLocked) as locked:
            succeed()
        first_of_five = LoginAttempt.objects.order_by("-at")[4].at
        lengths.append(locked.value.until - first_of_five)
        # wait the lock out: move every attempt back past its end
        age_all((locked.value.until - first_of_five).total_seconds() / 60 + 0.1)
    minutes = [length.total_seconds() / 60 for length in lengths]
    # 15 minutes, then doubled each time: 30, 60, 120, 240, 480 (8 hours, the cap), 480
    assert minutes == [15, 30, 60, 120, 240, 480, 480]


def test_a_success_ends_the_back_off() -> None:
    for _ in range(5):
        fail()
    age_all(15.1)
    for _ in range(5):
        fail()
    with pytest.raises(LoginLocked) as second:
        succeed()
    assert second.value.until - LoginAttempt.objects.order_by("-at")[4].at == timedelta(minutes=30)
    age_all(30.1)
    assert succeed() == "user"
    for _ in range(5):
        fail()
    with pytest.raises(LoginLocked) as after_success:
        succeed()
    assert after_success.value.until - LoginAttempt.objects.order_by("-at")[4].at == timedelta(minutes=15)


def test_an_address_full_of_failures_allows_one_try_per_username_and_every_correct_password() -> None:
    # a guesser behind one address: 100 usernames, one wrong password each (no username is locked)
    for n in range(100):
        fail(f"user{n}")
    # a username that failed from here is refused from here, its password not even checked
    called = []
    with pytest.raises(LoginLocked) as locked:
        login_throttle.attempt("user0", ADDRESS, lambda: called.append(1))
    assert called == []
    assert locked.value.scope == "address"
    # ... but not from another address
    assert succeed("user0", "10.0.0.2") == "user"
    # a username that did not fail from here: its correct password works, a wrong one is its last try here
    assert succeed("hr") == "user"
    fail("gm")
    with pytest.raises(LoginLocked):
        succeed("gm")
    # the address lock ends when the oldest of its hundred failures is fifteen minutes old
    age_all(15.1)
    assert succeed("user1") == "user"


def test_ninety_nine_failures_from_an_address_do_not_lock_it() -> None:
    for n in range(99):
        fail(f"user{n}")
    assert succeed("user0") == "user"


def test_every_lock_is_in_the_audit_log_once() -> None:
    for _ in range(5):
        fail()
    with pytest.raises(LoginLocked) as locked:
        succeed()
    entries = list(AuditEntry.objects.filter(action="login.lock"))
    assert len(entries) == 1
    entry = entries[0]
    assert (entry.actor, entry.object_type, entry.object_id) == ("system", "login", "hr")
    assert entry.after == {
        "scope": "username",
        "username": "hr",
        "address": ADDRESS,
        "until": timezone.localtime(locked.value.until).isoformat(),  # on the company's clock
        "level": 1,
    }
    # the refused tries do not write it again; an address lock is written once, named by the address
    with pytest.raises(LoginLocked):
        succeed()
    for n in range(95):
        fail(f"user{n}")
    address_locks = AuditEntry.objects.filter(action="login.lock", object_id=ADDRESS)
    assert [entry.after["scope"] for entry in address_locks] == ["address"]
    fail("gm")  # a username's one try from the locked address does not write the address lock again
    assert AuditEntry.objects.filter(action="login.lock", object_id=ADDRESS).count() == 1


def test_a_try_in_progress_counts_the_tries_before_it() -> None:
    # five failures recorded by parallel tries that all passed the first check
    for _ in range(5):
        LoginAttempt.objects.create(username="hr", address=ADDRESS, succeeded=False)
    late = LoginAttempt.objects.create(username="hr", address=ADDRESS, succeeded=False)
    with pytest.raises(LoginLocked):
        login_throttle.check("hr", ADDRESS, before_id=late.pk)
    first = LoginAttempt.objects.order_by("id").first()
    assert first is not None
    login_throttle.check("hr", ADDRESS, before_id=first.pk)  # the first had nothing before it


def test_old_attempts_are_deleted() -> None:
    fail()
    age_all(60 * 24 * 31)
    succeed("gm")
    assert list(LoginAttempt.objects.values_list("username", flat=True)) == ["gm"]


def test_client_address_without_trusted_proxies_is_the_peer() -> None:
    factory = RequestFactory()
    assert login_throttle.client_address(factory.get("/", REMOTE_ADDR="192.0.2.7")) == "192.0.2.7"
    assert login_throttle.client_address(factory.get("/", REMOTE_ADDR="")) == "unknown"
    forged = factory.get("/", REMOTE_ADDR="192.0.2.7", HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert login_throttle.client_address(forged) == "192.0.2.7"


def test_client_address_through_trusted_proxies(settings: Any) -> None:
    settings.SHOPKPI_TRUSTED_PROXIES = [
        ipaddress.ip_network("10.0.0.0/24"),
        ipaddress.ip_network("192.0.2.9"),
    ]
    factory = RequestFactory()

    def seen(peer: str, forwarded: str | None) -> str:
        extra = {} if forwarded is None else {"HTTP_X_FORWARDED_FOR": forwarded}
        return login_throttle.client_address(factory.get("/", REMOTE_ADDR=peer, **extra))

    # the proxy names the client; whatever the client claimed before it is not believed
    assert seen("192.0.2.9", "203.0.113.5") == "203.0.113.5"
    assert seen("192.0.2.9", "6.6.6.6, 203.0.113.5") == "203.0.113.5"
    # a chain of trusted proxies is walked through to the first address that is not one
    assert seen("192.0.2.9", "203.0.113.5, 10.0.0.7") == "203.0.113.5"
    # an untrusted peer's header is ignored
    assert seen("203.0.113.8", "10.0.0.7") == "203.0.113.8"
    # a trusted proxy without the header, or with a malformed entry: as far as trusted hops go
    assert seen("192.0.2.9", None) == "192.0.2.9"
    assert seen("192.0.2.9", "not-an-address") == "192.0.2.9"
    assert seen("192.0.2.9", "203.0.113.5, junk, 10.0.0.7") == "10.0.0.7"
    assert seen("192.0.2.9", "2001:db8::1") == "2001:db8::1"
