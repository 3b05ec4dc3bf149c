"""Domain errors -> page responses, in this one place. Views never build error responses themselves.

    ReviewNotFound          404 (the review does not exist for this user)
    ActionRefused           403: a posted form refused is re-shown with the reason when the view names a
                            `reshow` (the person stays on the page they came from), else a page with
                            the reason (recusal, wrong role, archived cycle ...)
    WorkflowError           409 (StaleReview among them): the form re-shown with the message when the
                            view names a `reshow`, else a page with the message and a way back

Use as `@domain_errors` or `@domain_errors(reshow=render_the_form)`; `reshow(request, *args,
error=message, **kwargs)` returns the page with the form (filled from request.POST) and the message.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar, overload

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme

from shopkpi.appraisal.policy import ActionRefused, ReviewNotFound
from shopkpi.appraisal.reviews.review_steps import WorkflowError

View = TypeVar("View", bound=Callable[..., HttpResponse])
Reshow = Callable[..., HttpResponse]


def refused(request: HttpRequest, reason: str) -> HttpResponse:
    """The 403 page: what was refused and why."""
    return render(request, "shopkpi/errors/refused.html", {"reason": reason}, status=403)


def conflict(request: HttpRequest, message: str) -> HttpResponse:
    """The 409 page for a view without a form to re-show."""
    back = request.headers.get("referer") or ""
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = ""
    return render(request, "shopkpi/errors/conflict.html", {"message": message, "back": back}, status=409)


def _wrap(view: View, reshow: Reshow | None) -> View:
    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except ReviewNotFound:
            raise Http404("review not found") from None
        except ActionRefused as exc:
            if reshow is None or request.method != "POST":
                return refused(request, str(exc))
            return _again(request, args, kwargs, reshow, str(exc), 403)
        except WorkflowError as exc:
            if reshow is None:
                return conflict(request, str(exc))
            return _again(request, args, kwargs, reshow, str(exc), 409)

    return wrapped  # type: ignore[return-value]


def _again(
    request: HttpRequest, args: Any, kwargs: Any, reshow: Reshow, message: str, status: int
) -> HttpResponse:
    """The page the refused form came from, with the message at the form."""
    try:
        response = reshow(request, *args, error=message, **kwargs)
    except ReviewNotFound:
        raise Http404("review not found") from None
    except ActionRefused as again:
        return refused(request, str(again))
    response.status_code = status
    return response


@overload
def domain_errors(view: View) -> View: ...
@overload
def domain_errors(*, reshow: Reshow | None = None) -> Callable[[View], View]: ...
def domain_errors(view: View | None = None, *, reshow: Reshow | None = None) -> Any:
    if view is not None:
        return _wrap(view, None)
    return lambda inner: _wrap(inner, reshow)
