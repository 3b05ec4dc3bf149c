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
from shopkpi.appraisal.models import AuditEntry
from shopkpi.web.pages.hr_access import hr_page

PAGE_SIZE = 50


class AuditFilter(forms.Form):
    actor = forms.CharField(label=_("操作人"), required=False, max_length=150)
    action = forms.CharField(
        label=_("操作"), required=False, max_length=60, help_text=_("如 review.approve，或前缀 review.")
    )
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
        kinds = AuditEntry.objects.order_by().values_list("object_type", flat=True).distinct()
        cast(forms.ChoiceField, self.fields["object_type"]).choices = [
            ("", _("全部")),
            *((k, k) for k in sorted(set(kinds)) if k),
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


@hr_page()
def audit_log(request: HttpRequest) -> HttpResponse:
    form = AuditFilter(request.GET or None)
    page = Paginator(filtered(form), PAGE_SIZE).get_page(request.GET.get("page"))
    kept = request.GET.copy()
    kept.pop("page", None)
    rows = [{"entry": e, "before": _json(e.before), "after": _json(e.after)} for e in page]
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
