"""API tokens and login attempts (for throttling)."""

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
