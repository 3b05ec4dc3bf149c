"""Calibration (校准) pages for HR and the GM: a cycle's grade distribution, company-wide and per
department, against the target (bars with the reviews behind each), the grade adjustment of one
review with a reason, and the GM's confirmation of a distribution outside the target."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shopkpi.appraisal import policy
from shopkpi.appraisal.accounts.roles import is_gm, is_hr
from shopkpi.appraisal.calibration import adjust, distribution, publishing
from shopkpi.appraisal.models import Cycle, DistributionConfirmation, Review
from shopkpi.web.pages.common import labels
from shopkpi.web.pages.common.errors import domain_errors
from shopkpi.web.pages.hr.access import safe_next

View = TypeVar("View", bound=Callable[..., HttpResponse])


def calibration_page(*, reshow: Any = None) -> Callable[[View], View]:
    """Signed in, HR or GM (who calibrate), domain errors mapped."""

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not (is_hr(request.user) or is_gm(request.user)):
                raise policy.ActionRefused(_("只有人事和总经理可以使用校准页面。"), code="wrong_party")
            return view(request, *args, **kwargs)

        return login_required(domain_errors(reshow=reshow)(guarded))  # type: ignore[return-value]

    return decorate


def _page(
    request: HttpRequest, period: str, *, error: str = "", error_review: int | None = None
) -> HttpResponse:
    cycle = get_object_or_404(Cycle, period=period)
    found = distribution.of_cycle(cycle)
    ids = {pk for scope in found.scopes() for share in scope.shares for pk in share.reviews}
    reviews = {
        r.pk: r
        for r in Review.objects.filter(pk__in=ids).select_related(
            "employee__department", "employee__position", "template_version", "cycle"
        )
    }
    figures = found.figures_all()
    confirmation = publishing.confirmed(cycle, figures) if figures else None
    return render(
        request,
        "shopkpi/calibration/distribution.html",
        {
            "cycle": cycle,
            "scopes": [_scope(request, scope, reviews, key) for key, scope in enumerate(found.scopes())],
            "has_targets": found.has_targets,
            "outside": publishing.words(figures) if figures else "",
            "confirmation": confirmation,
            "is_gm": is_gm(request.user),
            "is_hr": is_hr(request.user),
            "error": error,
            "error_review": error_review,
            "posted": request.POST if request.method == "POST" else {},
            "periods": list(Cycle.objects.order_by("-period").values_list("period", flat=True)),
        },
    )


def _scope(
    request: HttpRequest, scope: distribution.Distribution, reviews: dict[int, Review], key: int
) -> dict[str, Any]:
    """One scope's bars; `key` keeps its forms' ids apart from another scope's (a review is in two)."""
    return {
        "key": key,
        "scope": scope,
        "title": scope.name or _("全公司"),
        "bars": [
            {
                "share": share,
                "fraction": share.percent / 100,
                "width": int(share.percent),
                "rows": [_row(request, reviews[pk]) for pk in share.reviews if pk in reviews],
            }
            for share in scope.shares
        ],
    }


def _row(request: HttpRequest, review: Review) -> dict[str, Any]:
    refusal = policy.calibration_refusal(request.user, review)
    return {
        "review": review,
        "status_label": labels.review_state(review.status),
        "grades": [g.name for g in review.template_version.compiled().grades] if refusal is None else [],
        "refusal": refusal,
    }


def _reshow(request: HttpRequest, *args: Any, error: str = "", **kwargs: Any) -> HttpResponse:
    period = kwargs.get("period") or request.POST.get("period", "")
    review_id = kwargs.get("review_id")
    return _page(request, period, error=error, error_review=review_id)


@calibration_page()
def distribution_page(request: HttpRequest, period: str) -> HttpResponse:
    return _page(request, period)


@calibration_page(reshow=_reshow)
@require_POST
def calibrate(request: HttpRequest, review_id: int) -> HttpResponse:
    review = policy.review_for(request.user, review_id)
    version = request.POST.get("version", "")
    adjust.calibrate(
        request.user,
        review,
        request.POST.get("grade", ""),
        request.POST.get("reason", ""),
        expected_version=int(version) if version.isdigit() else None,
    )
    review.refresh_from_db()
    messages.success(
        request,
        _("已校准：%(who)s 的等级调整为 %(grade)s。")
        % {"who": f"{review.employee.code} {review.employee.name}", "grade": review.grade},
    )
    return redirect(safe_next(request, f"/calibration/{review.cycle.period}/"))


@calibration_page(reshow=_reshow)
@require_POST
def confirm(request: HttpRequest, period: str) -> HttpResponse:
    cycle = get_object_or_404(Cycle, period=period)
    made: DistributionConfirmation = publishing.confirm(request.user, cycle, request.POST.get("reason", ""))
    messages.success(
        request,
        _("已确认：考核期 %(period)s 按当前等级分布发布（%(figures)s）。")
        % {"period": period, "figures": publishing.words(made.figures)},
    )
    return redirect(safe_next(request, f"/calibration/{period}/"))
