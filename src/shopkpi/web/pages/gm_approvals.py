"""GM pages: approvals (the pending_gm reviews with score, grade and pay; approve one, a selection or
the whole cycle; return to HR with a reason) and the confirmation of HR's requests to reopen a cycle."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from shopkpi.appraisal import policy, reopen_requests
from shopkpi.appraisal.models import Cycle, Review
from shopkpi.appraisal.review_steps import WorkflowError
from shopkpi.appraisal.workflow import approve_all, perform
from shopkpi.web.api import presenters
from shopkpi.web.pages.hr_access import gm_page, status_label

S = Review.Status


def _approvals_page(
    request: HttpRequest, *, error: str = "", error_review: int | None = None, status: int = 200
) -> HttpResponse:
    period = request.GET.get("period", "")
    pending = (
        policy.visible_reviews(request.user)
        .filter(status=S.PENDING_GM, cycle__status=Cycle.Status.OPEN)
        .select_related("employee__department", "employee__position", "cycle", "evaluator")
        .annotate(adjusted=Sum("adjustments__amount"))
        .order_by("-cycle__period", "employee__department__name", "employee__code")
    )
    if period:
        pending = pending.filter(cycle__period=period)
    rows: list[dict[str, Any]] = []
    periods: set[str] = set()
    for review in pending:
        periods.add(review.cycle.period)
        refusal = policy.refusal(request.user, review, "approve")
        rows.append(
            {
                "review": review,
                "refusal": refusal,
                "total": (review.pay or Decimal(0)) + (review.adjusted or 0),
            }
        )
    return render(
        request,
        "shopkpi/gm/approvals.html",
        {
            "rows": rows,
            "periods": sorted(periods, reverse=True),
            "period": period,
            "pay_total": sum((r["total"] for r in rows), Decimal(0)),
            "reopen_requests": list(reopen_requests.pending_requests().values()),
            "error": error,
            "error_review": error_review,
            "posted": request.POST if request.method == "POST" else {},
        },
        status=status,
    )


def _reshow(request: HttpRequest, error: str, review_id: int | None = None, period: str = "") -> HttpResponse:
    return _approvals_page(request, error=error, error_review=review_id, status=409)


@gm_page()
def approvals(request: HttpRequest) -> HttpResponse:
    return _approvals_page(request)


def _version(request: HttpRequest) -> int | None:
    text = request.POST.get("version", "")
    return int(text) if text.isdigit() else None


@gm_page(review_level=True, reshow=_reshow)
@require_POST
def approve(request: HttpRequest, review_id: int) -> HttpResponse:
    review = policy.review_for(request.user, review_id)
    perform(
        request.user,
        review,
        "approve",
        expected_version=_version(request),
        reason=request.POST.get("reason", ""),
    )
    messages.success(
        request, _("已批准：%(who)s。") % {"who": f"{review.employee.code} {review.employee.name}"}
    )
    return redirect(f"/gm/reviews/{review.pk}/" if request.POST.get("back") == "detail" else "/gm/")


@gm_page(review_level=True, reshow=_reshow)
@require_POST
def return_to_hr(request: HttpRequest, review_id: int) -> HttpResponse:
    review = policy.review_for(request.user, review_id)
    perform(
        request.user,
        review,
        "return_to_hr",
        expected_version=_version(request),
        reason=request.POST.get("reason", ""),
    )
    messages.success(
        request, _("已退回人事：%(who)s。") % {"who": f"{review.employee.code} {review.employee.name}"}
    )
    return redirect("/gm/")


@gm_page(reshow=_reshow)
@require_POST
def approve_selected(request: HttpRequest) -> HttpResponse:
    """Approve the ticked reviews in one transaction: a refusal of one approves none."""
    ids = [i for i in request.POST.getlist("reviews") if i.isdigit()]
    if not ids:
        raise WorkflowError(str(_("请先勾选要批准的考核。")))
    reason = request.POST.get("reason", "")
    with transaction.atomic():
        for review_id in ids:
            perform(request.user, policy.review_for(request.user, review_id), "approve", reason=reason)
    messages.success(request, _("已批准 %(n)s 份考核。") % {"n": len(ids)})
    return redirect("/gm/")


@gm_page(reshow=_reshow)
@require_POST
def approve_cycle(request: HttpRequest, period: str) -> HttpResponse:
    """workflow.approve_all: every pending_gm review of the cycle (the GM's own is left for another GM)."""
    cycle = get_object_or_404(Cycle, period=period)
    approved = approve_all(request.user, cycle, request.POST.get("reason", ""))
    messages.success(
        request, _("考核期 %(period)s：已批准 %(n)s 份考核。") % {"period": period, "n": len(approved)}
    )
    return redirect("/gm/")


def _detail_page(request: HttpRequest, review_id: int, *, error: str = "", status: int = 200) -> HttpResponse:
    review = policy.review_for(request.user, review_id)
    return render(
        request,
        "shopkpi/gm/review.html",
        {
            "review": review,
            "detail": presenters.detail(request.user, review),
            "status_label": status_label(review.status),
            "refusal": policy.refusal(request.user, review, "approve"),
            "error": error,
            "posted": request.POST if request.method == "POST" else {},
        },
        status=status,
    )


@gm_page(review_level=True)
def review_page(request: HttpRequest, review_id: int) -> HttpResponse:
    return _detail_page(request, review_id)


@gm_page(reshow=_reshow)
@require_POST
def confirm_reopen(request: HttpRequest, period: str) -> HttpResponse:
    cycle = get_object_or_404(Cycle, period=period)
    reopen_requests.confirm_reopen(request.user, cycle)
    messages.success(request, _("考核期 %(period)s 已重新开启。") % {"period": period})
    return redirect("/gm/")


@gm_page(reshow=_reshow)
@require_POST
def decline_reopen(request: HttpRequest, period: str) -> HttpResponse:
    cycle = get_object_or_404(Cycle, period=period)
    reopen_requests.decline_reopen(request.user, cycle, request.POST.get("reason", ""))
    messages.success(request, _("已驳回考核期 %(period)s 的重新开启申请。") % {"period": period})
    return redirect("/gm/")
