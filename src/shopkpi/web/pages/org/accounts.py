"""账号归属 (/org/accounts/): who owns which shop, sub-account, campaign … when; a new owner from a day
(a hand-over when the day falls in another owner's open-ended window: previewed, then confirmed);
ending an ownership. Refusals (two owners on one day, an unknown employee …) are shown at the field."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.dateparse import parse_date
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from shopkpi.appraisal.models import Account
from shopkpi.appraisal.organisation import records, service
from shopkpi.appraisal.organisation.kinds import KINDS
from shopkpi.appraisal.organisation.problems import OrganisationRefused
from shopkpi.web.pages.hr.access import org_page
from shopkpi.web.pages.org.forms import AccountForm, EndForm
from shopkpi.web.pages.org.preview import shown_changes

PAGE_SIZE = 100


def _page(request: HttpRequest, form: AccountForm | None = None, *, status: int = 200) -> HttpResponse:
    employee = request.GET.get("employee", "").strip()
    kind = request.GET.get("kind", "")
    account = request.GET.get("account", "").strip()
    on_text = request.GET.get("on", "")
    on = parse_date(on_text) if on_text else None
    rows = records.accounts(employee=employee, kind=kind if kind in KINDS else "", account=account, on=on)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "shopkpi/org/accounts.html",
        {
            "page": page,
            "page_numbers": page.paginator.get_elided_page_range(page.number),
            "rows": [{"window": w, "kind": KINDS.get(w.kind, w.kind)} for w in page],
            "kinds": [(k, str(v)) for k, v in KINDS.items()],
            "employee": employee,
            "kind": kind,
            "account": account,
            "on": on_text,
            "form": form or AccountForm(initial={"employee": employee, "kind": kind or "shop"}),
            "end": EndForm(),
            "filters": urlencode({"employee": employee, "kind": kind, "account": account, "on": on_text}),
        },
        status=status,
    )


@org_page()
@require_http_methods(["GET", "POST"])
def accounts(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _page(request)
    form = AccountForm(request.POST)
    if not form.is_valid():
        return _page(request, form, status=400)
    data = form.cleaned_data
    confirmed = request.POST.get("confirm") == "1"
    try:
        changes = service.assign_account(
            request.user.get_username(),
            data["employee"],
            data["kind"],
            data["account"],
            data["valid_from"],
            data["valid_to"],
            dry_run=not confirmed,
        )
    except OrganisationRefused as refusal:
        form.refused(refusal)
        return _page(request, form, status=400)
    if not confirmed and any(c.kind in ("hand_over", "ownership_removed") for c in changes):
        # a hand-over changes another person's days: shown first, written when confirmed
        return render(
            request,
            "shopkpi/org/account_preview.html",
            {"form": form, "changes": shown_changes(changes), "posted": _posted(form)},
        )
    if not confirmed:
        service.assign_account(
            request.user.get_username(),
            data["employee"],
            data["kind"],
            data["account"],
            data["valid_from"],
            data["valid_to"],
        )
    messages.success(request, _("已保存账号归属：%(account)s。") % {"account": data["account"]})
    return redirect(f"{request.path}?{urlencode({'account': data['account']})}")


def _posted(form: AccountForm) -> list[tuple[str, str]]:
    """The form's values as hidden fields of the confirmation."""
    found = []
    for name in form.fields:
        value = form.cleaned_data.get(name)
        found.append((name, value.isoformat() if isinstance(value, dt.date) else str(value or "")))
    return found


@org_page()
@require_POST
def account_end(request: HttpRequest, account_id: int) -> HttpResponse:
    if not Account.objects.filter(pk=account_id).exists():
        raise Http404("no such ownership")
    form = EndForm(request.POST)
    if form.is_valid():
        try:
            service.end_account(request.user.get_username(), account_id, form.cleaned_data["valid_to"])
        except OrganisationRefused as refusal:
            for problem in refusal.problems:
                messages.error(request, problem.message)
        else:
            messages.success(request, _("已结束这条账号归属。"))
    else:
        messages.error(request, _("请填写失效日期。"))
    return redirect(request.POST.get("back") or "org-accounts")
