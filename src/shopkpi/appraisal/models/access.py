"""API tokens, login attempts (for throttling) and what shopkpi keeps about a login."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ApiToken(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    digest = models.CharField(
        max_length=64, unique=True, help_text="sha256 of the token; the token itself is not kept"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()


class LoginAttempt(models.Model):
    username = models.CharField(max_length=150)
    address = models.CharField(max_length=64)
    succeeded = models.BooleanField()
    at = models.DateTimeField(auto_now_add=True, db_index=True)


class LoginProfile(models.Model):
    """What shopkpi keeps about a login besides Django's user: whether its password is a one-time one."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="login_profile"
    )
    must_change_password = models.BooleanField(
        default=False, help_text="the password was handed out (issued or reset): the user changes it first"
    )
