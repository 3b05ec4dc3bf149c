"""Login throttling: five failures per username in fifteen minutes, twenty per address; the lock names its end."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import RequestFactory

from shopkpi.appraisal import login_throttle
from shopkpi.appraisal.login_throttle import LoginLocked
from shopkpi.appraisal.models import LoginAttempt

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


def test_the_address_locks_after_twenty_failures_across_usernames() -> None:
    for n in range(20):
        fail(f"user{n}")
    with pytest.raises(LoginLocked) as locked:
        succeed("someone-else")
    assert locked.value.scope == "address"
    # a success with one's own password does not reset the address
    assert succeed("someone-else", "10.0.0.2") == "user"
    with pytest.raises(LoginLocked):
        succeed("user0")
    # another address is free
    assert succeed("user1", "10.0.0.3") == "user"


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


def test_client_address() -> None:
    factory = RequestFactory()
    assert login_throttle.client_address(factory.get("/", REMOTE_ADDR="192.0.2.7")) == "192.0.2.7"
    assert login_throttle.client_address(factory.get("/", REMOTE_ADDR="")) == "unknown"
