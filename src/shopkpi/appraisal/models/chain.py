"""The company's approval chain (审批流程): the steps after the supervisor, as HR sets them for the
company and, optionally, for a department; and the steps each review took from it when its cycle
opened (a cycle's reviews keep the chain they opened with, whatever HR changes later)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Actor(models.TextChoices):
    HR = "hr", _("人事")
    GM = "gm", _("总经理")
    PERSON = "person", _("指定人员")


class ReturnTo(models.TextChoices):
    PREVIOUS = "previous", _("上一步")
    SUPERVISOR = "supervisor", _("考评负责人")


class ApprovalStep(models.Model):
    """One step of the company's chain (department null) or of a department's own chain."""

    department = models.ForeignKey(
        "appraisal.Department",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="approval_steps",
        help_text="empty: the company's chain; else this department's, which replaces the company's",
    )
    order = models.PositiveSmallIntegerField(help_text="0 for the first step after the supervisor")
    name = models.CharField("步骤名称", max_length=60)
    actor = models.CharField("审批人", max_length=10, choices=Actor.choices)
    person = models.ForeignKey(
        "appraisal.Employee", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    due_days = models.PositiveSmallIntegerField(
        "期限（天）",
        null=True,
        blank=True,
        help_text="due this many days after the previous step's deadline; empty: the period's rule",
    )
    returns_to = models.CharField(
        "退回到", max_length=10, choices=ReturnTo.choices, default=ReturnTo.PREVIOUS
    )

    class Meta:
        ordering = ["department", "order"]


class ReviewStep(models.Model):
    """A step of one review's chain, copied from the chain in force when its cycle opened. A review
    without any follows the default chain (人事核准 → 总经理批准)."""

    review = models.ForeignKey("appraisal.Review", on_delete=models.CASCADE, related_name="chain_steps")
    order = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=60)
    actor = models.CharField(max_length=10, choices=Actor.choices)
    person = models.ForeignKey(
        "appraisal.Employee", null=True, blank=True, on_delete=models.PROTECT, related_name="chain_steps"
    )
    due = models.DateField(null=True, blank=True)
    returns_to = models.CharField(max_length=10, choices=ReturnTo.choices)
    reached_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="when the review first came to this step (its reviewer sees it from then on)",
    )

    class Meta:
        ordering = ["review", "order"]
        constraints = [models.UniqueConstraint(fields=["review", "order"], name="review_step_unique")]
