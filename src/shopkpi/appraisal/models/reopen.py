"""HR's request to reopen an archived cycle, and the GM's decision on it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ReopenRequest(models.Model):
    """One request: asked by an HR user with a reason, then confirmed or declined (with a reason) by
    another person holding the GM role. At most one request per cycle waits at a time."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待总经理确认")
        CONFIRMED = "confirmed", _("已确认重新开启")
        DECLINED = "declined", _("已驳回")

    cycle = models.ForeignKey("appraisal.Cycle", on_delete=models.PROTECT, related_name="reopen_requests")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    reason = models.TextField("原因")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField("驳回原因", blank=True)

    class Meta:
        ordering = ["requested_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle"], condition=Q(status="pending"), name="one_pending_reopen_request_per_cycle"
            )
        ]

    def __str__(self) -> str:
        return f"{self.cycle_id} {self.status}"
