"""Template versions (immutable documents) and monthly cycles, which freeze the versions they use."""

from __future__ import annotations

import hashlib
import threading
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from shopkpi.scorecard import Template

COMPILED_CACHE_SIZE = 512  # distinct template texts kept compiled; the oldest goes first
_COMPILED: dict[str, Template] = {}
_COMPILED_LOCK = threading.Lock()


def compiled_before(text: str) -> Template | None:
    """The template of `text` if this process has compiled it already (`TemplateVersion.compiled`)."""
    return _COMPILED.get(hashlib.sha256(text.encode("utf-8")).hexdigest())


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
    _compiled: Template | None = None  # set on an unsaved what-if version: its template as given

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
        """The compiled template, parsed once per process for each text (by its sha256)."""
        if self._compiled is not None:
            return self._compiled
        digest = self.sha256 or hashlib.sha256(self.text.encode("utf-8")).hexdigest()
        found = _COMPILED.get(digest)
        if found is None:
            # the engine is loaded on first use: setting up the application (`shopkpi import`) skips it
            from shopkpi.scorecard import load_template_text

            found = load_template_text(self.text, f"{self.template_id} v{self.version}")
            with _COMPILED_LOCK:
                if len(_COMPILED) >= COMPILED_CACHE_SIZE:
                    _COMPILED.pop(next(iter(_COMPILED)))
                _COMPILED[digest] = found
        return found

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


class MonthComputation(models.Model):
    """One computation of a cycle's month values for every participant whose values are not frozen:
    the metrics, targets and inputs of the period and the imported ratings, read from the warehouse
    once for everyone (on opening, on recompute, after an import or a withdrawal). Each value's own provenance is
    stored with it on the review; this is the computation's: why, when, by whom, from which batches,
    and the imported ratings it could not use."""

    class Reason(models.TextChoices):
        OPEN = "open", _("开启考核期")
        RECOMPUTE = "recompute", _("按仓库数据重算")
        IMPORT = "import", _("导入数据后")
        ORGANISATION = "org", _("组织架构变更后")
        WITHDRAW = "withdraw", _("撤回导入批次后")
        SHIFTS = "shifts", _("客服班表变更后")

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="computations")
    reason = models.CharField(max_length=10, choices=Reason.choices)
    computed_at = models.DateTimeField(auto_now_add=True)
    computed_by = models.CharField(max_length=150, help_text="username, or 'system'")
    reviews = models.PositiveIntegerField(help_text="reviews whose values were computed")
    batches = models.JSONField(default=list, help_text="the warehouse batches the values were read from")
    problems = models.JSONField(
        default=list, help_text="imported ratings not used: employee, item, rating, code"
    )
    seconds = models.DecimalField(max_digits=9, decimal_places=3)

    class Meta:
        ordering = ["cycle", "-computed_at", "-id"]
