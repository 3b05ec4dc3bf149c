"""Jobs: work that takes longer than a request (a large import, a large month's recompute), run by `shopkpi worker` from the job queue.

The row is the job's whole state — what was asked, how far it got, how it ended — in the application
database, so every server shows the same job wherever it was started and whichever worker runs it.
"""

from __future__ import annotations

from django.db import models


class Job(models.Model):
    """One job: its kind and what it was asked (`params`), its state, its progress (`done` of `total`),
    and its result (data each front renders; never a sentence) or its error."""

    class State(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "进行中"
        NEEDS_CONFIRMATION = "needs_confirmation", "待确认"
        IMPORTED = "imported", "已导入"
        REFUSED = "refused", "未通过检查"
        FAILED = "failed", "失败"
        CANCELLED = "cancelled", "已取消"
        DONE = "done", "已完成"

    id = models.CharField(primary_key=True, max_length=16)
    kind = models.CharField(max_length=20)
    user = models.CharField(max_length=150)
    state = models.CharField(max_length=20, choices=State.choices, default=State.QUEUED)
    params = models.JSONField(default=dict)
    done = models.BigIntegerField(default=0)
    total = models.BigIntegerField(default=0)
    result = models.JSONField(default=dict)
    error = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=0, help_text="how often a worker has started it")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["state", "updated_at"])]
