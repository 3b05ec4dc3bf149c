"""Domain errors -> HTTP status codes, in this one place. Endpoints never build error responses.

ReviewNotFound 404 · ActionRefused 403 · WorkflowError (StaleReview among them) 409 ·
invalid input 422 · unparseable body 400 · no or invalid token 401 · login locked 429.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from shopkpi.appraisal.login_throttle import LoginLocked
from shopkpi.appraisal.policy import ActionRefused, ReviewNotFound
from shopkpi.appraisal.workflow import WorkflowError
from shopkpi.web.api.schemas import ErrorOut, LockedOut, ValidationErrorOut

# the body each status answers with, for the OpenAPI document
ERROR_BODIES: dict[int, type] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ValidationErrorOut,
    429: LockedOut,
}


def documented(*statuses: int) -> dict[int, Any]:
    """The error responses an endpoint declares, for `response={200: ..., **documented(...)}`."""
    return {status: ERROR_BODIES[status] for status in statuses}


def install(api: NinjaAPI) -> None:
    def answer(request: HttpRequest, status: int, body: dict[str, Any]) -> HttpResponse:
        return api.create_response(request, body, status=status)

    @api.exception_handler(ReviewNotFound)
    def review_not_found(request: HttpRequest, exc: ReviewNotFound) -> HttpResponse:
        return answer(request, 404, {"detail": "review not found"})

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return answer(request, 404, {"detail": "not found"})

    @api.exception_handler(ActionRefused)
    def refused(request: HttpRequest, exc: ActionRefused) -> HttpResponse:
        return answer(request, 403, {"detail": str(exc)})

    @api.exception_handler(WorkflowError)
    def conflict(request: HttpRequest, exc: WorkflowError) -> HttpResponse:
        return answer(request, 409, {"detail": str(exc)})

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        message = str(exc)
        if message == "Unauthorized":  # ninja's own: no token, or not a valid one
            message = "a valid token is required: Authorization: Bearer <token>"
        response = answer(request, 401, {"detail": message})
        response["WWW-Authenticate"] = "Bearer"
        return response

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return answer(request, exc.status_code, {"detail": str(exc)})

    @api.exception_handler(ValidationError)
    def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return answer(request, 422, {"detail": exc.errors})

    @api.exception_handler(LoginLocked)
    def locked(request: HttpRequest, exc: LoginLocked) -> HttpResponse:
        response = answer(request, 429, {"detail": str(exc), "locked_until": exc.until})
        response["Retry-After"] = str(exc.retry_after())
        return response
