"""Template versions (immutable documents) and monthly cycles, which freeze the versions they use."""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shopkpi.scorecard import Template, load_template_text


class ImmutableError(Exception):
    """An attempt to change a record that is written once."""


class TemplateVersion(models.Model):
    template_id = models.CharField(max_length=100)
    version = models.PositiveIntegerField()
    name = models.CharField(max_length=200)
    text = models.TextField(help_text="the template's YAML, exactly as saved")
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)

    class Meta:
        ordering = ["template_id", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["template_id", "version"], name="template_version_unique")
        ]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ImmutableError("a template version is never changed; save a new version instead")
        self.sha256 = hashlib.sha256(self.text.encode("utf-8")).hexdigest()
        super().save(*args, **kwargs)

    def compiled(self) -> Template:
        cached: Template | None = getattr(self, "_compiled", None)
        if cached is None:
            cached = load_template_text(self.text, f"{self.template_id} v{self.version}")
            self._compiled = cached
        return cached

    def __str__(self) -> str:
        return f"{self.template_id} v{self.version}"


class Cycle(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("进行中")
        ARCHIVED = "archived", _("已归档")

    period = models.CharField("考核期间", max_length=10, unique=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    cutoff_day = models.PositiveSmallIntegerField(
        default=15, help_text="hired after this day: joins next cycle"
    )
    self_due = models.DateField("自评截止")
    supervisor_due = models.DateField("上级评分截止")
    hr_due = models.DateField("人事核准截止")
    appeal_days = models.PositiveSmallIntegerField(default=7)
    opened_at = models.DateTimeField(auto_now_add=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-period"]

    def __str__(self) -> str:
        return self.period


class CycleTemplate(models.Model):
    """The template version a position is scored with in one cycle (frozen when the cycle opens)."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="templates")
    position = models.ForeignKey("appraisal.Position", on_delete=models.PROTECT)
    template_version = models.ForeignKey(TemplateVersion, on_delete=models.PROTECT)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["cycle", "position"], name="cycle_position_unique")]
