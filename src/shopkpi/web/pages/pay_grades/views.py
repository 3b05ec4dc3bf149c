"""Pay-grade pages: the tables (HR), a year's proposals (HR proposes and approves, then the GM), the
payroll workbook, and the employee's own 薪等/薪级 and proposals."""

from __future__ import annotations

import functools
import io
from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shopkpi.appraisal.accounts.roles import employee_of, is_hr
from shopkpi.appraisal.exports import export_jobs, list_workbook
from shopkpi.appraisal.models import AdjustmentRule, Cycle, EmployeePayGrade, PayProposal
from shopkpi.appraisal.pay_grades import proposals, tables, workbook
from shopkpi.appraisal.reviews.review_steps import actor_name
from shopkpi.web.pages.common.errors import domain_errors
from shopkpi.web.pages.hr import export_pages
from shopkpi.web.pages.hr.access import hr_page
from shopkpi.web.pages.hr.export_pages import xlsx_response

View = TypeVar("View", bound=Callable[..., HttpResponse])
FORMS = ("table", "employees", "rules")


def hr_or_gm_page(*, reshow: Any = None) -> Callable[[View], View]:
    def decorate(view: View) -> View:
        @functools.wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            workbook.check_reader(request.user)
            return view(request, *args, **kwargs)

        return login_required(domain_errors(reshow=reshow)(guarded))  # type: ignore[return-value]

    return decorate


def _setup(request: HttpRequest, *, error: str = "", form: str = "") -> HttpResponse:
    grades = list(EmployeePayGrade.objects.select_related("employee").order_by("employee__code"))
    rules = list(AdjustmentRule.objects.all())
    posted = request.POST.get("text", "") if request.method == "POST" else ""
    texts = {
        "table": "\n".join(tables.band_words(b) for b in tables.bands()),
        "employees": "\n".join(f"{g.employee.code} {g.band} {g.step}" for g in grades),
        "rules": "\n".join(tables.rule_words(r) for r in rules),
    }
    if form in texts:
        texts[form] = posted
    bands = tables.bands()
    return render(
        request,
        "shopkpi/pay_grades/setup.html",
        {
            "bands": bands,
            "steps": range(1, max((len(b.amounts) for b in bands), default=0) + 1),
            "grades": grades,
            "rules": rules,
            "texts": texts,
            "error": error,
            "error_form": form,
            "years": list(Cycle.objects.filter(period__regex=r"^\d{4}$").values_list("period", flat=True)),
        },
        status=409 if error else 200,
    )


def _reshow_setup(request: HttpRequest, *, error: str = "", **kwargs: Any) -> HttpResponse:
    return _setup(request, error=error, form=str(kwargs.get("form", "")))


@hr_page()
def setup(request: HttpRequest) -> HttpResponse:
    return _setup(request)


@hr_page(reshow=_reshow_setup)
@require_POST
def save(request: HttpRequest, form: str) -> HttpResponse:
    text = request.POST.get("text", "")
    if form == "table":
        saved = len(tables.set_bands(request.user, text))
        messages.success(request, _("已保存薪等薪级表（%(n)s 个薪等）。") % {"n": saved})
    elif form == "employees":
        saved = tables.set_employee_grades(request.user, text)
        messages.success(request, _("已登记 %(n)s 名员工的薪等薪级。") % {"n": saved})
    else:
        saved = len(tables.set_rules(request.user, text))
        messages.success(request, _("已保存调薪对照表（%(n)s 个等级）。") % {"n": saved})
    return redirect("/pay-grades/")


def _year(request: HttpRequest, period: str, *, error: str = "") -> HttpResponse:
    found = list(
        PayProposal.objects.filter(period=period)
        .select_related("employee__department", "employee__user", "hr_by", "gm_by")
        .order_by("employee__code")
    )
    waiting = {p.status for p in found}
    hr = is_hr(request.user)
    return render(
        request,
        "shopkpi/pay_grades/year.html",
        {
            "period": period,
            "proposals": found,
            "is_hr": hr,
            "may_propose": hr and not (waiting - {PayProposal.Status.PROPOSED}),
            "may_approve": any(proposals.may_approve(request.user, p) for p in found),
            "error": error,
            "left_out": request.session.pop(f"pay-left-out-{period}", []),
        },
        status=409 if error else 200,
    )


def _reshow_year(request: HttpRequest, *, error: str = "", **kwargs: Any) -> HttpResponse:
    return _year(request, str(kwargs.get("period", "")), error=error)


@hr_or_gm_page()
def year(request: HttpRequest, period: str) -> HttpResponse:
    return _year(request, period)


@hr_or_gm_page(reshow=_reshow_year)
@require_POST
def propose(request: HttpRequest, period: str) -> HttpResponse:
    made = proposals.propose(request.user, period)
    request.session[f"pay-left-out-{period}"] = [f"{x.employee}：{x.why}" for x in made.left_out]
    messages.success(request, _("已生成 %(n)s 条调薪建议。") % {"n": len(made.made)})
    return redirect(f"/pay-grades/{period}/")


@hr_or_gm_page(reshow=_reshow_year)
@require_POST
def approve(request: HttpRequest, period: str) -> HttpResponse:
    count = proposals.approve(request.user, period, request.POST.get("reason", ""))
    messages.success(request, _("已审批 %(n)s 条调薪建议。") % {"n": count})
    return redirect(f"/pay-grades/{period}/")


@hr_or_gm_page()
@require_POST
def year_xlsx(request: HttpRequest, period: str) -> HttpResponse:
    """The year's adjustment list: within the request, or as a job past `export_jobs.IN_REQUEST` rows."""
    name = f"pay-adjustments-{period}.xlsx"
    job = export_jobs.queue(request.user, "pay_adjustments", {"period": period}, name)
    if job is not None:
        return export_pages.queued(request, job)
    listed = workbook.listed(period)
    who = actor_name(request.user)
    stream = io.BytesIO()
    now = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    list_workbook.write(listed, stream, exported_by=who, exported_at=now)
    list_workbook.record_export(who, listed)
    return xlsx_response(stream.getvalue(), name)


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """The employee's own 薪等/薪级 and year-end proposals with their decisions."""
    me = employee_of(request.user)
    current = EmployeePayGrade.objects.filter(employee=me).first() if me is not None else None
    return render(
        request,
        "shopkpi/pay_grades/mine.html",
        {
            "current": current,
            "amount": None if current is None else tables.amount_of(current.band, current.step),
            "proposals": proposals.of_employee(me) if me is not None else [],
        },
    )
