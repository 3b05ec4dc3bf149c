"""HR console: the audit log with filters (actor, action, object, date range), paginated, and the
check of its hash chain (audit.verify). The log is only read here: no page changes an entry."""

from __future__ import annotations

import json
from typing import Any, cast

from django import forms
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from shopkpi.appraisal import audit
from shopkpi.appraisal.exports import audit_list
from shopkpi.appraisal.models import AuditEntry
from shopkpi.appraisal.wording import labels
from shopkpi.appraisal.wording.audit_values import described, item_names
from shopkpi.web.pages.hr.access import hr_page

PAGE_SIZE = 50


class AuditFilter(forms.Form):
    actor = forms.CharField(label=audit_list.FIELDS["actor"], required=False, max_length=150)
    action = forms.ChoiceField(label=audit_list.FIELDS["action"], required=False)
    object_type = forms.ChoiceField(label=audit_list.FIELDS["object_type"], required=False)
    object_id = forms.CharField(label=audit_list.FIELDS["object_id"], required=False, max_length=60)
    since = forms.DateField(
        label=audit_list.FIELDS["since"],
        required=False,
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    until = forms.DateField(
        label=audit_list.FIELDS["until"],
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


def chosen(form: AuditFilter) -> audit_list.Chosen:
    """The filter's valid values as text (dates ISO): nothing when the form is not valid."""
    data = form.cleaned_data if form.is_valid() else {}
    return {name: str(value) for name, value in data.items() if value not in (None, "")}


def _json(value: Any) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


@hr_page()
def audit_log(request: HttpRequest) -> HttpResponse:
    form = AuditFilter(request.GET or None)
    page = Paginator(audit_list.filtered(chosen(form)), PAGE_SIZE).get_page(request.GET.get("page"))
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
