"""Pay adjustments (奖惩) and consequence action items."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PayAdjustment(models.Model):
    review = models.ForeignKey("appraisal.Review", on_delete=models.PROTECT, related_name="adjustments")
    amount = models.DecimalField("金额", max_digits=12, decimal_places=2)
    reason = models.TextField("原因")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)


class ActionItem(models.Model):
    """A consequence rule that fired (警告, 劝退, 年终特别奖 …) on a final result: HR handles it and closes
    it with a note. A result that changes withdraws it (withdrawn, with the reason); the record stays."""

    class Status(models.TextChoices):
        OPEN = "open", _("待处理")
        CLOSED = "closed", _("已处理")
        WITHDRAWN = "withdrawn", _("已撤回")

    employee = models.ForeignKey("appraisal.Employee", on_delete=models.PROTECT, related_name="action_items")
    cycle = models.ForeignKey("appraisal.Cycle", on_delete=models.PROTECT, related_name="action_items")
    review = models.ForeignKey("appraisal.Review", on_delete=models.PROTECT, related_name="action_items")
    action = models.CharField(max_length=100)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    withdrawn_reason = models.TextField(blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["review", "action"],
                condition=~models.Q(status="withdrawn"),
                name="live_action_once_per_review",
            )
        ]
