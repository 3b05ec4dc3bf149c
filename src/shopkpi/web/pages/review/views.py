"""The review page (/reviews/<id>/), its forms panel, the one view every form posts to, and /reviews/mine/.

Thin: every read goes through the policy (a review the user may not see answers 404), every step
through `workflow.perform` with the version the form was rendered with; errors become responses in
`errors.py` (403 with the reason; 409 with the form shown again, the typed values kept, and the message).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from shopkpi.appraisal import policy
from shopkpi.appraisal.accounts.roles import employee_of
from shopkpi.appraisal.reviews import workflow
from shopkpi.appraisal.reviews.review_steps import StaleReview
from shopkpi.web.pages.common.errors import domain_errors
from shopkpi.web.pages.review import context as review_context
from shopkpi.web.pages.review.context import Failure
from shopkpi.web.pages.review.forms import PAGE_ACTIONS, arguments, done, expected_version

STALE = "shopkpi_stale_review"
PAGE = "shopkpi/review/page.html"
PANEL = "shopkpi/review/_actions.html"


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


@login_required
@require_GET
@domain_errors
def review_page(request: HttpRequest, review_id: int) -> HttpResponse:
    review = review_context.load(request.user, review_id)
    return render(request, PAGE, review_context.page(request, review))


@login_required
@require_GET
@domain_errors
def review_actions(request: HttpRequest, review_id: int) -> HttpResponse:
    """The forms panel alone, for the team board to open in place."""
    review = review_context.load(request.user, review_id)
    return render(request, PANEL, review_context.actions(request, review))


def _show_again(request: HttpRequest, review_id: int, *, error: str, **_kwargs: Any) -> HttpResponse:
    """A refused save: the form again with the message and what the user typed (status 409)."""
    review = review_context.load(request.user, review_id)
    posted = request.POST
    failure = Failure(error, str(posted.get("action", "")), posted, getattr(request, STALE, False))
    if _is_htmx(request):
        return render(request, PANEL, review_context.actions(request, review, failure))
    return render(request, PAGE, review_context.page(request, review, failure))


@login_required
@require_POST
@domain_errors(reshow=_show_again)
def review_act(request: HttpRequest, review_id: int) -> HttpResponse:
    """Every form of the page posts here: `action`, `expected_version` and the action's fields."""
    user = request.user
    review = review_context.load(user, review_id)
    action = str(request.POST.get("action", ""))
    if action not in PAGE_ACTIONS:
        return HttpResponseBadRequest(f"unknown action {action!r}")
    version = expected_version(request.POST)
    data = arguments(action, review.template_version.compiled(), request.POST)
    try:
        if action == "submit_self":  # the form's values are saved first, then submitted
            saved = workflow.perform(user, review, "save_self", expected_version=version, **data)
            after = workflow.perform(user, saved, "submit_self", expected_version=saved.version)
        else:
            after = workflow.perform(user, review, action, expected_version=version, **data)
    except StaleReview:
        setattr(request, STALE, True)  # for _show_again: someone saved since the form was rendered
        raise
    if _is_htmx(request):
        fresh = review_context.load(user, review_id)
        context = review_context.actions(request, fresh)
        context["saved"] = done(action, after)
        return render(request, PANEL, context)
    messages.success(request, done(action, after))
    return redirect(review_context.safe_next(request, review))


@login_required
@require_GET
def my_review(request: HttpRequest) -> HttpResponse:
    """The user's latest review; a list (maybe empty) when there is none to go to."""
    employee = employee_of(request.user)
    reviews = (
        policy.visible_reviews(request.user).filter(employee=employee).select_related("cycle")
        if employee is not None
        else policy.visible_reviews(request.user).none()
    )
    latest = reviews.order_by("-cycle__period").first()
    if latest is not None:
        return redirect("review", review_id=latest.pk)
    return render(request, "shopkpi/review/mine.html", {"reviews": reviews})
