"""An appeal filed from the rows page (数据明细): POST /reviews/<id>/rows/<metric>/appeal/.

Each listed row counted for the employee has a choice (`claim-<batch>|<row>`: 这天我休假 / 这行不该算);
an order not on the page is named by its number (`order`: 这单是我接的); `note` says why. Thin: the
workflow's `appeal` step checks every point (`appeal_points`, `row_appeals`) and files one appeal of
the item reading the metric; a refused one shows the page again with the reason at the form.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from shopkpi.appraisal import policy
from shopkpi.appraisal.models import Review
from shopkpi.appraisal.reviews import workflow
from shopkpi.appraisal.reviews.row_appeals import CREDIT, EXCLUDE
from shopkpi.web.pages.common.errors import domain_errors
from shopkpi.web.pages.review.forms import DONE

CLAIM = "claim-"


def allowed(user: Any, review: Review) -> bool:
    """Whether the user may appeal the review from its rows page (the employee, in the window)."""
    return policy.refusal(user, review, "appeal") is None


def item_for(review: Review, metric: str) -> str:
    """The key of the review's item whose value reads `metric` ("" for the whole result)."""
    for item in review.template_version.compiled().items:
        if item.value is not None and metric in item.value.variables:
            return item.key
    return ""


def points(metric: str, post: Any) -> list[dict[str, Any]]:
    """The rows the form names, each with its claim."""
    note = str(post.get("note", "")).strip()
    found: list[dict[str, Any]] = []
    for name in post:
        claim = str(post.get(name, ""))
        if not name.startswith(CLAIM) or claim != EXCLUDE:
            continue
        batch, _, row = name[len(CLAIM) :].rpartition("|")
        found.append(
            {
                "kind": "row",
                "claim": claim,
                "note": note,
                "ref": {"metric": metric, "batch": batch, "row": row},
            }
        )
    order = str(post.get("order", "")).strip()
    if order:
        found.append(
            {"kind": "row", "claim": CREDIT, "note": note, "ref": {"metric": metric, "order": order}}
        )
    return found


def _again(request: HttpRequest, review_id: int, metric: str, *, error: str) -> HttpResponse:
    from shopkpi.web.pages.review.rows import show

    return show(request, review_id, metric, error=error)


@login_required
@require_POST
@domain_errors(reshow=_again)
def file_appeal(request: HttpRequest, review_id: int, metric: str) -> HttpResponse:
    from django.utils.translation import gettext as _

    from shopkpi.appraisal.reviews.review_steps import WorkflowError

    review = policy.rows_review(request.user, review_id)
    named = points(metric, request.POST)
    if not named:
        raise WorkflowError(_("请至少选择一行，或填写一个订单编号。"), code="appeal_empty")
    note = str(request.POST.get("note", "")).strip()
    version = str(request.POST.get("version", ""))
    workflow.perform(
        request.user,
        review,
        "appeal",
        expected_version=int(version) if version.isdigit() else None,
        items=[{"item_key": item_for(review, metric), "reason": note, "points": named}],
    )
    messages.success(request, str(DONE["appeal"]))
    return redirect("review", review_id=review.pk)
