"""API tokens: random, stored only as sha256, expiring."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from shopkpi.appraisal.accounts import tokens
from shopkpi.appraisal.models import ApiToken

pytestmark = pytest.mark.django_db


@pytest.fixture
def user() -> User:
    return User.objects.create(username="hr")


def test_only_the_digest_is_stored(user: User) -> None:
    token, record = tokens.issue(user)
    assert len(token) >= 40  # 32 random bytes, base64url
    assert record.digest == hashlib.sha256(token.encode()).hexdigest()
    assert not ApiToken.objects.filter(digest=token).exists()
    assert tokens.user_for(token) == user


def test_tokens_differ(user: User) -> None:
    assert tokens.issue(user)[0] != tokens.issue(user)[0]


def test_expiry(user: User) -> None:
    token, record = tokens.issue(user, timedelta(hours=1))
    assert timedelta(minutes=59) < record.expires_at - timezone.now() <= timedelta(hours=1)
    ApiToken.objects.filter(pk=record.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert tokens.user_for(token) is None


def test_expired_tokens_go_when_a_new_one_is_issued(user: User) -> None:
    _, old = tokens.issue(user)
    ApiToken.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    tokens.issue(user)
    assert not ApiToken.objects.filter(pk=old.pk).exists()


def test_inactive_users_and_unknown_tokens(user: User) -> None:
    token, _ = tokens.issue(user)
    assert tokens.user_for("") is None
    assert tokens.user_for(token + "x") is None
    user.is_active = False
    user.save()
    assert tokens.user_for(token) is None


def test_revoke(user: User) -> None:
    token, _ = tokens.issue(user)
    assert tokens.revoke(token) is True
    assert tokens.user_for(token) is None
    assert tokens.revoke(token) is False
