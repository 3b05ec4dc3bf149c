"""Notices: what the product tells a person (the inbox), and every attempt to send one out (e-mail, robots)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Notice(models.Model):
    """One notice to one person: its kind and parameters (rendered in the reader's language, never stored
    as a sentence), shown in the inbox until read."""

    class Kind(models.TextChoices):
        DUE = "due", "即将到期"
        OVERDUE = "overdue", "已逾期"
        RETURNED = "returned", "被退回"
        PUBLISHED = "published", "已发布"
        APPEAL_ANSWERED = "appeal_answered", "申诉已处理"
        REOPEN_REQUESTED = "reopen_requested", "申请重新开启"
        STEP_WAITING = "step_waiting", "待你审核"

    kind = models.CharField(max_length=30, choices=Kind.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="notices"
    )
    employee = models.ForeignKey(
        "appraisal.Employee", null=True, blank=True, on_delete=models.CASCADE, related_name="notices"
    )
    review = models.ForeignKey(
        "appraisal.Review", null=True, blank=True, on_delete=models.CASCADE, related_name="notices"
    )
    params = models.JSONField(default=dict)
    key = models.CharField(
        max_length=200, unique=True, null=True, blank=True, help_text="a reminder's key: sent once"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]


class Delivery(models.Model):
    """One notice sent through one channel to one target, with its outcome; a failed one is retried."""

    class Status(models.TextChoices):
        PENDING = "pending", "待发送"
        SENT = "sent", "已发送"
        FAILED = "failed", "发送失败"

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(max_length=20)
    target = models.CharField(max_length=300, help_text="an e-mail address or the robot's owner")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    tried_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
