"""An audit entry's before and after as a reader reads them: each field named, states and outcomes
named, times local, a review's item keys by their names, an import's accepted warnings as the import page
words them. The audit log's page and its export (which `shopkpi worker` may write) show the same words."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shopkpi.appraisal.models import AuditEntry, Review
from shopkpi.appraisal.wording import labels
from shopkpi.appraisal.wording.import_problems import shown_warnings
from shopkpi.appraisal.wording.variable_names import variable


def _when(text: str) -> str | None:
    """An ISO date-time of an entry as local time to the minute (None for other text)."""
    if len(text) < 19 or text[4] != "-" or "T" not in text:
        return None
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return moment.strftime("%Y-%m-%d %H:%M")


def described(value: Any, key: str = "", items: dict[str, str] | None = None) -> str:
    """An entry's before / after as a reader reads it: each field named, states and outcomes named,
    times local, a review's item keys and values (an override's name) by their names, an import's accepted
    warnings as the import page words them (the raw JSON stays in the cell's title)."""
    items = items or {}
    if value is None:
        return "—"
    if key == "accepted_warnings" and isinstance(value, list):
        shown = shown_warnings(value)
        return "；".join(f"{w['file']}：{w['text']}" for w in shown) or "—"
    if isinstance(value, dict):
        named = items if key == "ratings" else {}
        return "；".join(
            f"{named.get(k) or labels.audit_field(k)}：{described(v, k, items)}"
            for k, v in sorted(value.items())
        )
    if isinstance(value, list):
        parts = [described(v, key, items) for v in value]
        return "、".join(f"（{p}）" if "：" in p else p for p in parts) or "—"
    if isinstance(value, bool):
        return str(_("是") if value else _("否"))
    if key == "name" and items and isinstance(value, str):  # the value a review's override names
        return variable(value)
    if key == "item_key" and isinstance(value, str):
        return items.get(value, value) if value else str(_("整体结果"))
    if isinstance(value, str):
        return _when(value) or str(labels.labelled(value, key))
    return str(value)


def item_names(entries: list[AuditEntry]) -> dict[str, dict[str, str]]:
    """The item names (key -> name) of the reviews the entries are about, by review id (one query)."""
    ids = {int(e.object_id) for e in entries if e.object_type == "review" and e.object_id.isdigit()}
    names: dict[str, dict[str, str]] = {}
    versions: dict[int, dict[str, str]] = {}
    for review in Review.objects.filter(pk__in=ids).select_related("template_version"):
        version = review.template_version
        if version.pk not in versions:
            versions[version.pk] = {item.key: item.name for item in version.compiled().items}
        names[str(review.pk)] = versions[version.pk]
    return names
