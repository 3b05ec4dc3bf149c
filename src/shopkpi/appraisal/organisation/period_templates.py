"""Binding a position to its quarterly and annual templates (the monthly one comes with the positions
workbook): checked against the template's own period, audited."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from shopkpi.appraisal import audit
from shopkpi.appraisal.models import Position
from shopkpi.appraisal.organisation.templates import template_exists
from shopkpi.appraisal.periods.participants import KIND_NAMES, template_version
from shopkpi.appraisal.reviews.review_steps import WorkflowError, actor_name
from shopkpi.scorecard import PeriodKind, TemplateError

FIELDS: dict[PeriodKind, str] = {"quarter": "quarter_template_id", "year": "year_template_id"}


def bind_period_template(user: Any, position: Position, kind: PeriodKind, template: str) -> Position:
    """Score `position` with `template` (an id or a template's name; empty: none) in cycles of `kind`
    (quarter or year). A template of another period is refused (code template_period)."""
    wanted = template.strip()
    found = template_exists(wanted) if wanted else ""
    if found is None:
        raise WorkflowError(
            _("没有名为“%(template)s”的考核表模板。") % {"template": wanted}, code="template_unknown"
        )
    if found:
        _check_period(found, kind)
    field = FIELDS[kind]
    with transaction.atomic():
        locked = Position.objects.select_for_update().get(pk=position.pk)
        before = getattr(locked, field)
        if before == found:
            return locked
        setattr(locked, field, found)
        locked.save(update_fields=[field])
        audit.record(
            actor_name(user),
            "org.position.template",
            object_type="position",
            object_id=locked.name,
            before={"kind": kind, "template": before or None},
            after={"kind": kind, "template": found or None},
        )
    return locked


def _check_period(template_id: str, kind: PeriodKind) -> None:
    version = template_version(template_id)
    try:
        period = None if version is None else version.compiled().period
    except TemplateError:
        period = None
    if period != kind:
        raise WorkflowError(
            _("模板“%(template)s”不是%(kind)s模板。") % {"template": template_id, "kind": KIND_NAMES[kind]},
            code="template_period",
        )
