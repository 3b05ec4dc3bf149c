"""HR console: the audit log with filters (actor, action, object, date range), paginated, and the
check of its hash chain (audit.verify). The log is only read here: no page changes an entry."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, cast

from django import forms
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from shopkpi.appraisal import audit
from shopkpi.appraisal.models import AuditEntry, Review
from shopkpi.web.pages.common import labels
from shopkpi.web.pages.common.variable_names import variable
from shopkpi.web.pages.hr.access import hr_page
from shopkpi.web.pages.hr.imports import shown_warnings

PAGE_SIZE = 50


class AuditFilter(forms.Form):
    actor = forms.CharField(label=_("操作人"), required=False, max_length=150)
    action = forms.ChoiceField(label=_("操作"), required=False)
    object_type = forms.ChoiceField(label=_("对象类型"), required=False)
    object_id = forms.CharField(label=_("对象编号"), required=False, max_length=60)
    since = forms.DateField(
        label=_("起始日期"),
        required=False,
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    until = forms.DateField(
        label=_("截止日期"),
        required=False,
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        kinds = sorted(
            {k for k in AuditEntry.objects.order_by().values_list("object_type", flat=True).distinct() if k}
        )
        cast(forms.ChoiceField, self.fields["object_type"]).choices = [
            ("", _("全部")),
            *((k, labels.object_type(k)) for k in kinds),
        ]
        known = dict(labels.audit_events())
        written = AuditEntry.objects.order_by().values_list("action", flat=True).distinct()
        prefixes = sorted({a.split(".", 1)[0] for a in [*known, *written] if "." in a})
        cast(forms.ChoiceField, self.fields["action"]).choices = [
            ("", _("全部")),
            (
                _("按对象"),
                [(f"{p}.", _("全部%(kind)s操作") % {"kind": labels.object_type(p)}) for p in prefixes],
            ),
            (
                _("操作"),
                [(a, labels.audit_event(a)) for a in [*known, *sorted(set(written) - set(known))]],
            ),
        ]


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def filtered(form: AuditFilter) -> QuerySet[AuditEntry]:
    entries = AuditEntry.objects.order_by("-id")
    if not form.is_valid():
        return entries
    data = form.cleaned_data
    if data["actor"]:
        entries = entries.filter(actor=data["actor"].strip())
    if data["action"]:
        action = data["action"].strip()
        entries = (
            entries.filter(action__startswith=action)
            if action.endswith(".")
            else entries.filter(action=action)
        )
    if data["object_type"]:
        entries = entries.filter(object_type=data["object_type"])
    if data["object_id"]:
        entries = entries.filter(object_id=data["object_id"].strip())
    if data["since"]:
        entries = entries.filter(at__gte=_day_start(data["since"]))
    if data["until"]:
        entries = entries.filter(at__lt=_day_start(data["until"] + dt.timedelta(days=1)))
    return entries


def _json(value: Any) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


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


@hr_page()
def audit_log(request: HttpRequest) -> HttpResponse:
    form = AuditFilter(request.GET or None)
    page = Paginator(filtered(form), PAGE_SIZE).get_page(request.GET.get("page"))
    kept = request.GET.copy()
    kept.pop("page", None)
    entries = list(page)
    items = item_names(entries)
    rows = [
        {
            "entry": e,
            "action": labels.audit_event(e.action),
            "object": labels.object_type(e.object_type),
            "before": described(e.before, items=items.get(e.object_id)),
            "after": described(e.after, items=items.get(e.object_id)),
            "before_json": _json(e.before),
            "after_json": _json(e.after),
        }
        for e in entries
    ]
    return render(
        request,
        "shopkpi/hr/audit.html",
        {"form": form, "page": page, "rows": rows, "filters": kept.urlencode()},
    )


@hr_page()
@require_POST
def audit_verify(request: HttpRequest) -> HttpResponse:
    """HTMX: the chain check's answer (the first broken link, or that the whole chain holds)."""
    broken = audit.verify()
    return render(
        request,
        "shopkpi/hr/_audit_verify.html",
        {"broken": broken, "count": AuditEntry.objects.count(), "checked_at": timezone.localtime()},
    )
