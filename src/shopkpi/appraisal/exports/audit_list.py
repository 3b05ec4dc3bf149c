"""The audit log as its page lists it and as an Excel sheet (审计日志): newest first, under the filter the
HR officer chose (actor, one action or every action on a kind of object, object, date range).

The filter is plain data — its valid values as text, dates ISO (`Chosen`, from the page's form) — so the
request and `shopkpi worker` (`export_jobs`, past `IN_REQUEST` lines; the job keeps it in its params)
list the same entries and word them the same way (`wording.audit_values`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shopkpi.appraisal.exports.list_workbook import Column, ListSheet, wall_clock
from shopkpi.appraisal.exports.lists import titled
from shopkpi.appraisal.models import AuditEntry
from shopkpi.appraisal.wording import labels
from shopkpi.appraisal.wording.audit_values import described, item_names

# the filter's fields, in the page's order (its form's labels, and the export's words)
FIELDS = {
    "actor": gettext_lazy("操作人"),
    "action": gettext_lazy("操作"),
    "object_type": gettext_lazy("对象类型"),
    "object_id": gettext_lazy("对象编号"),
    "since": gettext_lazy("起始日期"),
    "until": gettext_lazy("截止日期"),
}
Chosen = Mapping[str, str]  # field -> its valid value as text (a date ISO); a field not chosen is absent


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def filtered(chosen: Chosen) -> QuerySet[AuditEntry]:
    """The entries the filter chose, newest first (every entry when nothing is chosen)."""
    entries = AuditEntry.objects.order_by("-id")
    if chosen.get("actor"):
        entries = entries.filter(actor=chosen["actor"].strip())
    if chosen.get("action"):
        action = chosen["action"].strip()
        entries = (
            entries.filter(action__startswith=action)
            if action.endswith(".")
            else entries.filter(action=action)
        )
    if chosen.get("object_type"):
        entries = entries.filter(object_type=chosen["object_type"])
    if chosen.get("object_id"):
        entries = entries.filter(object_id=chosen["object_id"].strip())
    if chosen.get("since"):
        entries = entries.filter(at__gte=_day_start(dt.date.fromisoformat(chosen["since"])))
    if chosen.get("until"):
        until = dt.date.fromisoformat(chosen["until"]) + dt.timedelta(days=1)
        entries = entries.filter(at__lt=_day_start(until))
    return entries


def lines(chosen: Chosen) -> int:
    return filtered(chosen).count()


def chosen_words(chosen: Chosen) -> str:
    """The filter in words (全部记录 when nothing is chosen), each field named as on the page."""
    if not any(chosen.get(name) for name in FIELDS):
        return _("全部记录")
    shown = {
        "action": lambda v: labels.audit_event(v) if not v.endswith(".") else labels.object_type(v[:-1]),
        "object_type": labels.object_type,
    }
    return "；".join(
        f"{label}：{shown.get(name, str)(chosen[name])}" for name, label in FIELDS.items() if chosen.get(name)
    )


def sheet(chosen: Chosen, filters: dict[str, Any]) -> ListSheet:
    """The entries the filter chose as a list workbook's sheet; `filters` (the page's query) go to the
    audit entry of its export."""
    entries = list(filtered(chosen))
    items = item_names(entries)
    rows = [
        [
            entry.id,
            wall_clock(entry.at),
            entry.actor,
            labels.audit_event(entry.action),
            f"{labels.object_type(entry.object_type)} {entry.object_id}".strip(),
            described(entry.before, items=items.get(entry.object_id)),
            described(entry.after, items=items.get(entry.object_id)),
            entry.reason,
        ]
        for entry in entries
    ]
    return ListSheet(
        name="audit",
        title=titled(_("审计日志")),
        note=chosen_words(chosen),
        columns=(
            Column("#", "number", width=7),
            Column(_("时间"), "datetime"),
            Column(_("操作人"), width=10),
            Column(_("操作"), width=16),
            Column(_("对象"), width=14),
            Column(_("之前"), width=40),
            Column(_("之后"), width=40),
            Column(_("原因"), width=24),
        ),
        rows=rows,
        filters=dict(filters),
    )
