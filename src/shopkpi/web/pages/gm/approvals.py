"""GM pages: approvals (the reviews of open cycles by period, department and state, fifty a page, with
score, grade and pay; approve one, the ticked ones of the page, every one the filter matches once the
GM confirmed their number and pay, or a whole cycle; return to HR with a reason) and the GM's decision
on HR's requests to reopen a cycle."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from shopkpi.appraisal import policy
from shopkpi.appraisal.calibration import publishing
from shopkpi.appraisal.models import AppealPoint, Cycle, Department, Review
from shopkpi.appraisal.pay import pay_totals
from shopkpi.appraisal.pay.pay_totals import PayTotals
from shopkpi.appraisal.reviews import approval_list as gm_approval_list
from shopkpi.appraisal.reviews import reopen_requests
from shopkpi.appraisal.reviews.approval_list import ALL, ApprovalFilter
from shopkpi.appraisal.reviews.review_steps import WorkflowError
from shopkpi.appraisal.reviews.workflow import approve_all, approve_reviews, perform
from shopkpi.appraisal.wording import labels
from shopkpi.web.api import presenters
from shopkpi.web.number_format import pay_words
from shopkpi.web.pages.common.appeal_points import point_rows
from shopkpi.web.pages.hr.access import gm_page, safe_next
from shopkpi.web.pages.review import record as review_record

S = Review.Status


def _approvals_page(
    request: HttpRequest, *, error: str = "", error_review: int | None = None, status: int = 200
) -> HttpResponse:
    chosen = ApprovalFilter.from_query(request.GET)
    reviews = gm_approval_list.matching(request.user, chosen)
    shown = gm_approval_list.totals(reviews)
    paginator = Paginator(gm_approval_list.with_page_columns(reviews), gm_approval_list.PER_PAGE)
    paginator.__dict__["count"] = shown.count  # counted with the totals: one query fewer
    page = paginator.get_page(request.GET.get("page"))
    rows = [
        {
            "review": review,
            "refusal": policy.refusal(request.user, review, "approve"),
            "pay": _pay(review),
            "status_label": labels.review_state(review.status),
        }
        for review in page
    ]
    query = chosen.query_string()
    return render(
        request,
        "shopkpi/gm/approvals.html",
        {
            "rows": rows,
            "page": page,
            "page_numbers": list(
                page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
            ),
            "filters": query,
            "here": f"/gm/?{query}&page={page.number}",
            "chosen": chosen,
            "periods": list(
                Cycle.objects.filter(status=Cycle.Status.OPEN)
                .order_by("-period")
                .values_list("period", flat=True)
            ),
            "departments": list(Department.objects.order_by("name").values_list("pk", "name")),
            "states": [(ALL, _("全部状态")), *((s.value, labels.review_state(s)) for s in S)],
            "shown": shown,
            "wages": any(_pay(review).wage for review in page),
            "approvable": gm_approval_list.totals(gm_approval_list.approvable(request.user, reviews)),
            "reopen_requests": list(reopen_requests.pending_requests().values()),
            "calibration": publishing.warnings(
                Cycle.objects.filter(
                    status=Cycle.Status.OPEN, **({"period": chosen.period} if chosen.period else {})
                )
            ),
            "error": error,
            "error_review": error_review,
            "posted": request.POST if request.method == "POST" else {},
        },
        status=status,
    )


def _pay(review: Review) -> pay_totals.PayTotals:
    """One row's pay by its kind, with its adjustments (annotated by the list's query)."""
    return pay_totals.one(review.pay_kind, review.pay, getattr(review, "adjusted", None) or Decimal(0))


def _reshow(request: HttpRequest, error: str, review_id: int | None = None, period: str = "") -> HttpResponse:
    return _approvals_page(request, error=error, error_review=review_id, status=409)


def _back(request: HttpRequest) -> str:
    """Back to the list as it was: the filter and page the form was posted from."""
    return safe_next(request, f"/gm/?{ApprovalFilter.from_query(request.GET).query_string()}")


@gm_page()
def approvals(request: HttpRequest) -> HttpResponse:
    return _approvals_page(request)


def _version(request: HttpRequest) -> int | None:
    text = request.POST.get("version", "")
    return int(text) if text.isdigit() else None


def _take_step(request: HttpRequest, review_id: int, action: str) -> Review:
    """The GM's `action` on one review, at the version the form showed, with the form's reason."""
    review = policy.review_for(request.user, review_id)
    perform(
        request.user,
        review,
        action,
        expected_version=_version(request),
        reason=request.POST.get("reason", ""),
    )
    return review


@gm_page(review_level=True, reshow=_reshow)
@require_POST
def approve(request: HttpRequest, review_id: int) -> HttpResponse:
    review = _take_step(request, review_id, "approve")
    messages.success(
        request, _("已批准：%(who)s。") % {"who": f"{review.employee.code} {review.employee.name}"}
    )
    return redirect(f"/gm/reviews/{review.pk}/" if request.POST.get("back") == "detail" else _back(request))


@gm_page(review_level=True, reshow=_reshow)
@require_POST
def return_to_hr(request: HttpRequest, review_id: int) -> HttpResponse:
    review = _take_step(request, review_id, "return_to_hr")
    messages.success(
        request, _("已退回人事：%(who)s。") % {"who": f"{review.employee.code} {review.employee.name}"}
    )
    return redirect(_back(request))


@gm_page(reshow=_reshow)
@require_POST
def approve_selected(request: HttpRequest) -> HttpResponse:
    """Approve the ticked reviews in one transaction: a refusal of one approves none. Approved together
    (`workflow.approve_reviews`, in the order of their ids), with the refusal approving them one by one
    in that order gives: the first id the GM may not see (ReviewNotFound) or may not approve."""
    ids = [i for i in request.POST.getlist("reviews") if i.isdigit()]
    if not ids:
        raise WorkflowError(str(_("请先勾选要批准的考核。")))
    numbers = sorted({int(i) for i in ids})

    def each_as_one_by_one(locked: list[Review]) -> None:
        found = {r.pk: r for r in locked}
        for number in numbers:
            if number not in found:
                raise policy.ReviewNotFound(number)
            policy.require(request.user, found[number], "approve")

    wanted = policy.visible_reviews(request.user).filter(pk__in=numbers)
    approve_reviews(request.user, wanted, request.POST.get("reason", ""), check=each_as_one_by_one)
    messages.success(request, _("已批准 %(n)s 份考核。") % {"n": len(numbers)})
    return redirect(_back(request))


@gm_page(reshow=_reshow)
@require_POST
def approve_matching(request: HttpRequest) -> HttpResponse:
    """Approve every review the filter matches that waits for this GM (not only the page shown), in one
    transaction, once the GM has confirmed the number and the pay they were shown. Should the list
    have changed since (another GM approved, HR took one back), nothing is approved and the page
    shows the new number to confirm. Approved together (`workflow.approve_reviews`), as approve-all
    approves a cycle: a few queries whatever their number."""
    chosen = ApprovalFilter.from_query(request.GET)
    if chosen.state not in (S.PENDING_GM, gm_approval_list.ALL):
        raise WorkflowError(str(_("只有“待总经理批准”的考核可以批准；请把状态筛选设为待总经理批准。")))
    if request.POST.get("confirm") != "yes":
        raise WorkflowError(str(_("请先勾选确认，再批准全部符合筛选条件的考核。")))
    shown = (request.POST.get("expected_count"), request.POST.get("expected_pay"))
    found: list[PayTotals] = []

    def as_confirmed(locked: list[Review]) -> None:
        now = gm_approval_list.totals(Review.objects.filter(pk__in=[r.pk for r in locked]))
        if shown != (str(now.count), str(now.payable)):
            raise WorkflowError(
                str(
                    _("符合筛选条件的待批考核已有变化：现在是 %(n)s 份，%(pay)s。请核对后重新确认。")
                    % {"n": now.count, "pay": pay_words(now)}
                )
            )
        found.append(now)

    wanted = gm_approval_list.approvable(request.user, gm_approval_list.matching(request.user, chosen))
    approve_reviews(request.user, wanted, request.POST.get("reason", ""), check=as_confirmed)
    now = found[0]
    messages.success(
        request,
        _("已批准符合筛选条件的 %(n)s 份考核，%(pay)s。") % {"n": now.count, "pay": pay_words(now)},
    )
    return redirect(_back(request))


@gm_page(reshow=_reshow)
@require_POST
def approve_cycle(request: HttpRequest, period: str) -> HttpResponse:
    """workflow.approve_all: every pending_gm review of the cycle (the GM's own is left for another GM)."""
    cycle = get_object_or_404(Cycle, period=period)
    approved = approve_all(request.user, cycle, request.POST.get("reason", ""))
    messages.success(
        request, _("考核期 %(period)s：已批准 %(n)s 份考核。") % {"period": period, "n": len(approved)}
    )
    return redirect(_back(request))


def _detail_page(request: HttpRequest, review_id: int, *, error: str = "", status: int = 200) -> HttpResponse:
    review = policy.review_for(request.user, review_id)
    detail = presenters.detail(request.user, review)
    template = review.template_version.compiled()
    return render(
        request,
        "shopkpi/gm/review.html",
        {
            "review": review,
            "detail": detail,
            "item_rows": review_record.item_rows(template, detail),
            "appeal_records": review_record.appeal_records(review, template),
            "appeal_points": point_rows(AppealPoint.objects.filter(appeal__review=review).order_by("id"))
            if detail.appeals
            else [],
            "status_label": labels.review_state(review.status),
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
