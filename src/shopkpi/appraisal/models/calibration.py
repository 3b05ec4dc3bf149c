"""Calibration (校准) before results are published: HR's target distribution of grades, the grades
adjusted in calibration with their reasons, and the GM's confirmation that a cycle may be published
although its distribution is outside the target."""

from __future__ import annotations

from django.conf import settings
from django.db import models

USER = settings.AUTH_USER_MODEL


class CalibrationTarget(models.Model):
    """The share one grade may have (at most) or must have (at least), in percent of the graded
    reviews: company-wide (no department) or for one department, whose targets then replace the
    company's for it."""

    department = models.ForeignKey(
        "appraisal.Department", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    grade = models.CharField("等级", max_length=50)
    at_most = models.DecimalField("至多（%）", max_digits=5, decimal_places=2, null=True, blank=True)
    at_least = models.DecimalField("至少（%）", max_digits=5, decimal_places=2, null=True, blank=True)
    set_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["department", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["grade"], condition=models.Q(department__isnull=True), name="company_target_once"
            ),
            models.UniqueConstraint(fields=["department", "grade"], name="department_target_once"),
        ]


class GradeCalibration(models.Model):
    """A review's grade set in calibration (校准调整), with the reason; the latest one is the review's
    grade from then on (the score stays; pay and consequence rules read this grade)."""

    review = models.ForeignKey("appraisal.Review", on_delete=models.CASCADE, related_name="calibrations")
    grade = models.CharField("校准后等级", max_length=50)
    previous = models.CharField("校准前等级", max_length=50, blank=True)
    reason = models.TextField("原因")
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]


class DistributionConfirmation(models.Model):
    """The GM saw that a cycle's grade distribution is outside the target and confirmed publishing it:
    the figures confirmed (a later change of them needs a new confirmation)."""

    cycle = models.ForeignKey("appraisal.Cycle", on_delete=models.CASCADE, related_name="+")
    figures = models.JSONField(help_text="the shares outside the target, as confirmed")
    reason = models.TextField(blank=True)
    confirmed_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    confirmed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["confirmed_at", "pk"]
