"""Domain errors -> page responses, in this one place. Views never build error responses themselves.

    ReviewNotFound          404 (the review does not exist for this user)
    ActionRefused           403: a posted form refused is re-shown with the reason when the view names a
                            `reshow` (the person stays on the page they came from), else a page with
                            the reason (recusal, wrong role, archived cycle ...)
    WorkflowError           409 (StaleReview among them): the form re-shown with the message when the
                            view names a `reshow`, else a page with the message and a way back
    EngineError,            503: the configured metric engine (SHOPKPI_METRICS_ENGINE) could not be
    MetricValueError        reached or refused the statement, or a metric failed on the data; the
                            step changed nothing (its transaction rolled back), the page says so and
                            what the admin checks

Use as `@domain_errors` or `@domain_errors(reshow=render_the_form)`; `reshow(request, *args,
error=message, **kwargs)` returns the page with the form (filled from request.POST) and the message.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any, TypeVar, overload

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme

from shopkpi.appraisal.policy import ActionRefused, ReviewNotFound
from shopkpi.appraisal.reviews.review_steps import WorkflowError
from shopkpi.data.engines import ENGINE_SETTING, EngineError
from shopkpi.data.metrics.computation import MetricValueError

log = logging.getLogger(__name__)

View = TypeVar("View", bound=Callable[..., HttpResponse])
Reshow = Callable[..., HttpResponse]


def refused(request: HttpRequest, reason: str) -> HttpResponse:
    """The 403 page: what was refused and why."""
    return render(request, "shopkpi/errors/refused.html", {"reason": reason}, status=403)


def conflict(request: HttpRequest, message: str, status: int = 409) -> HttpResponse:
    """The 409 page for a view without a form to re-show (503 for an engine that failed)."""
    back = request.headers.get("referer") or ""
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = ""
    return render(request, "shopkpi/errors/conflict.html", {"message": message, "back": back}, status=status)


def engine_failed(error: EngineError | MetricValueError) -> str:
    """What a person is told when the metrics could not be computed: nothing changed, try again later or
    pass on to the administrator what they check (the setting, publishing, the metrics) and the engine's
    own answer, set apart from the sentences for the person (`errors/_engine_failed.html`)."""
    return render_to_string(
        "shopkpi/errors/_engine_failed.html",
        {
            "setting": format_html('<code translate="no">{}</code>', ENGINE_SETTING),
            "publish": format_html('<code translate="no">{}</code>', "shopkpi warehouse publish"),
            "answer": error,
        },
    )


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
        except (EngineError, MetricValueError) as exc:
            log.warning("metrics could not be computed on %s: %s", request.path, exc)
            if reshow is None or request.method != "POST":
                return conflict(request, engine_failed(exc), 503)
            return _again(request, args, kwargs, reshow, engine_failed(exc), 503)

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
