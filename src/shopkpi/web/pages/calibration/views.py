"""Calibration (校准) pages for HR and the GM: a cycle's grade distribution, company-wide and per
department, against the target (bars with the reviews behind each), the grade adjustment of one
review with a reason, and the GM's confirmation of a distribution outside the target."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shopkpi.appraisal import policy
from shopkpi.appraisal.accounts.roles import is_gm, is_hr
from shopkpi.appraisal.calibration import adjust, distribution, publishing
from shopkpi.appraisal.models import Cycle, DistributionConfirmation, Review
from shopkpi.appraisal.wording import labels
from shopkpi.web.pages.common.errors import domain_errors
from shopkpi.web.pages.common.list_pages import page_of
from shopkpi.web.pages.hr.access import safe_next

View = TypeVar("View", bound=Callable[..., HttpResponse])
PAGE_SIZE = 50


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
    scopes = [_scope(scope) for scope in found.scopes()]
    chosen = _chosen(request, period, scopes, error_review)
    figures = found.figures_all()
    confirmation = publishing.confirmed(cycle, figures) if figures else None
    return render(
        request,
        "shopkpi/calibration/distribution.html",
        {
            "cycle": cycle,
            "scopes": scopes,
            "chosen": chosen,
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


def _scope(scope: distribution.Distribution) -> dict[str, Any]:
    """One scope's bars, each with the query string that lists its reviews (?scope=&grade=)."""
    key = "company" if scope.department is None else str(scope.department)
    return {
        "key": key,
        "scope": scope,
        "title": scope.name or _("全公司"),
        "bars": [
            {
                "share": share,
                "fraction": share.percent / 100,
                "width": int(share.percent),
                "query": urlencode({"scope": key, "grade": share.grade}),
            }
            for share in scope.shares
        ],
    }


def _chosen(
    request: HttpRequest, period: str, scopes: list[dict[str, Any]], error_review: int | None
) -> dict[str, Any] | None:
    """The one bar whose reviews are listed, a page of them: the bar asked for (?scope=&grade=&page=),
    or, when a calibration was refused, the company's bar and page that hold its form."""
    asked: QueryDict = request.GET
    bars = [(block, bar) for block in scopes for bar in block["bars"]]
    if error_review is not None:
        picked = next(((b, bar) for b, bar in bars if error_review in bar["share"].reviews), None)
    else:
        picked = next(
            (
                (b, bar)
                for b, bar in bars
                if (b["key"], bar["share"].grade) == (asked.get("scope"), asked.get("grade"))
            ),
            None,
        )
    if picked is None:
        return None
    block, bar = picked
    rows = (
        Review.objects.filter(pk__in=bar["share"].reviews)
        .select_related("employee__department", "employee__position", "template_version", "cycle")
        .order_by("employee__code", "pk")
    )
    if error_review is not None:
        at_form = QueryDict(bar["query"], mutable=True)
        order = list(rows.values_list("pk", flat=True))
        at_form["page"] = str(order.index(error_review) // PAGE_SIZE + 1)
        asked = at_form
    page, pages = page_of(request, rows, PAGE_SIZE, asked=asked)
    bar["open"] = True
    here = QueryDict(pages["filters"], mutable=True)
    here["page"] = str(page.number)
    return {
        **pages,
        "block": block,
        "share": bar["share"],
        "rows": [_row(request, review) for review in page],
        "next": f"/calibration/{period}/?{here.urlencode()}",
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
