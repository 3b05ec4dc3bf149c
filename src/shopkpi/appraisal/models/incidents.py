"""Incident records (奖惩/扣分记录): what a supervisor or HR notes about an employee during a month —
a 差评, a 违规用语, a day of 缺勤, a 问题汇报 — each counting towards one entered variable of the
employee's template (its `kind`), with the files that evidence it. `shopkpi.appraisal.incidents`
keeps them (audited, read-only once the month is closed) and feeds their sums into the months."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

USER = settings.AUTH_USER_MODEL


class Incident(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("有效")
        REMOVED = "removed", _("已删除")

    employee = models.ForeignKey("appraisal.Employee", on_delete=models.PROTECT, related_name="incidents")
    occurred_on = models.DateField("日期")
    kind = models.CharField(
        "类型", max_length=100, help_text="the template variable it counts towards, e.g. 差评次数"
    )
    amount = models.DecimalField("次数/金额", max_digits=18, decimal_places=2)
    note = models.TextField("说明")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    source = models.CharField(
        max_length=300,
        blank=True,
        help_text="where it was recorded: blank for the page, else the file and row",
    )
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    changed_at = models.DateTimeField(auto_now=True)
    removed_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["employee", "occurred_on", "id"]
        indexes = [models.Index(fields=["occurred_on", "employee"], name="incident_day_employee")]

    def __str__(self) -> str:
        return f"{self.employee_id} {self.occurred_on} {self.kind} {self.amount}"


class IncidentEvidence(models.Model):
    """A file that evidences an incident (an image or a PDF), kept under the home's `evidence/`."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="evidence")
    name = models.CharField(max_length=200, help_text="the file's name as uploaded")
    content_type = models.CharField(max_length=50, help_text="from the file's content, not its name")
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    path = models.CharField(max_length=200, help_text="relative to the home's evidence folder")
    uploaded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["incident", "id"]
