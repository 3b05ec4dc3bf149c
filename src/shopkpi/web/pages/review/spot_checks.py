"""The supervisor's spot-check page (质检抽查) of a review and a week: /reviews/<id>/spot-checks/<week>/,
with its two forms: draw the week's sample (…/draw/) and score one drawn case (…/cases/<case>/).

Thin: the policy, the draw and the scores are `shopkpi.appraisal.spot_checks.service`'s; a refused form
is shown again with the reason and what was typed."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from shopkpi.appraisal import policy
from shopkpi.appraisal.importing.import_jobs import home
from shopkpi.appraisal.reviews import workflow
from shopkpi.appraisal.spot_checks import service
from shopkpi.web.pages.common.errors import domain_errors

TEMPLATE = "shopkpi/review/spot_checks.html"


def _page(
    request: HttpRequest, review_id: int, week: int, *, error: str = "", **_kwargs: Any
) -> HttpResponse:
    """The week's page; after a refused form (`error`), that form again with the reason and what was typed."""
    found = service.week_page(request.user, review_id, week)
    posted = request.POST if error else QueryDict()
    refused_case = str(posted.get("case", ""))
    cases = []
    for view in found.cases:
        again = refused_case == str(view.case.pk)
        cases.append(
            {
                "view": view,
                "scores": [
                    (
                        i,
                        point,
                        str(posted.get(f"point-{i}", "")) if again else view.case.scores.get(point, ""),
                    )
                    for i, point in enumerate(found.spot.checklist)
                ],
                "note": str(posted.get("note", "")) if again else view.case.note,
                "error": error if again else "",
            }
        )
    draw_error = error if error and not refused_case else ""
    context = {
        "page": found,
        "review": found.review,
        "cases": cases,
        "draw_error": draw_error,
        "scored": any(view.score is not None for view in found.cases),  # a scored week is not drawn again
        "size": str(posted.get("size", "")) if draw_error else "",
        "seed": str(posted.get("seed", "")) if draw_error else "",
    }
    return render(request, TEMPLATE, context, status=409 if error else 200)  # no-store: NoStoreMiddleware


@login_required
@require_GET
@domain_errors
def spot_check_week(request: HttpRequest, review_id: int, week: int) -> HttpResponse:
    return _page(request, review_id, week)


@login_required
@require_POST
@domain_errors(reshow=_page)
def spot_check_draw(request: HttpRequest, review_id: int, week: int) -> HttpResponse:
    made = service.draw_week(
        request.user, review_id, week, home(), size=request.POST.get("size"), seed=request.POST.get("seed")
    )
    messages.success(
        request,
        _("已抽取 %(count)s 个样本（种子 %(seed)s）。") % {"count": made.cases.count(), "seed": made.seed},
    )
    return redirect("spot_checks", review_id, week)


@login_required
@require_POST
@domain_errors(reshow=_page)
def spot_check_score(request: HttpRequest, review_id: int, week: int) -> HttpResponse:
    found = service.week_page(request.user, review_id, week)
    scores = {point: request.POST.get(f"point-{i}", "") for i, point in enumerate(found.spot.checklist)}
    service.score_case(
        request.user, review_id, request.POST.get("case"), scores, str(request.POST.get("note", ""))
    )
    messages.success(request, _("样本得分已保存。"))
    return redirect(reverse("spot_checks", args=[review_id, week]) + "#cases")


@login_required
@require_POST
@domain_errors
def spot_check_appeal(request: HttpRequest, review_id: int) -> HttpResponse:
    """The employee appeals one scored case of their published review (an appeal of the item the spot
    checks rate, pointing at the case); the workflow checks the window and the case."""
    review = policy.review_for(request.user, review_id)
    spot = review.template_version.compiled().spot_check
    if spot is None:
        raise policy.ReviewNotFound(review_id)
    reason = str(request.POST.get("reason", ""))
    point = {
        "kind": "spot_check",
        "ref": {"case": request.POST.get("case", "")},
        "claim": str(request.POST.get("claim", "")),
        "note": reason,
    }
    workflow.perform(
        request.user, review, "appeal", items=[{"item_key": spot.feeds, "reason": reason, "points": [point]}]
    )
    messages.success(request, _("申诉已提交，人事处理后会通知您。"))
    return redirect("review", review_id=review.pk)
