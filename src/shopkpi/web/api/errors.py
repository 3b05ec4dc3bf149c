"""Domain errors -> HTTP status codes, in this one place. Endpoints never build error responses.

ReviewNotFound 404 · ActionRefused 403 (password_change_required among them) · WorkflowError
(StaleReview among them) 409 · a refused new password 400 · a refused change of the organisation 400
(with `field` and every problem in `problems`) · a refused import 400 (with its problems) ·
invalid input 422 · unparseable body 400 · no or invalid token 401 · login locked 429.

Every error body has a `code` for programs (the same in every language: the domain error's code, such
as `stale_review` or `interview_missing`) and a `detail` for people, written in the language of the
request (the appraisal app's messages are Chinese first, English with the language switch).
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from shopkpi.appraisal.accounts.login_throttle import LoginLocked
from shopkpi.appraisal.accounts.logins import PasswordRefused
from shopkpi.appraisal.organisation.problems import OrganisationRefused
from shopkpi.appraisal.policy import ActionRefused, ReviewNotFound
from shopkpi.appraisal.reviews.workflow import WorkflowError
from shopkpi.data.problems import ImportRefused
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


# the code of an error an endpoint raises as HttpError, by status
_HTTP_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    409: "conflict",
    422: "invalid",
}


def documented(*statuses: int) -> dict[int, Any]:
    """The error responses an endpoint declares, for `response={200: ..., **documented(...)}`."""
    return {status: ERROR_BODIES[status] for status in statuses}


def install(api: NinjaAPI) -> None:
    def answer(request: HttpRequest, status: int, body: dict[str, Any]) -> HttpResponse:
        return api.create_response(request, body, status=status)

    @api.exception_handler(ReviewNotFound)
    def review_not_found(request: HttpRequest, exc: ReviewNotFound) -> HttpResponse:
        return answer(request, 404, {"code": "review_not_found", "detail": "review not found"})

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return answer(request, 404, {"code": "not_found", "detail": "not found"})

    @api.exception_handler(ActionRefused)
    def refused(request: HttpRequest, exc: ActionRefused) -> HttpResponse:
        return answer(request, 403, {"code": exc.code, "detail": str(exc)})

    @api.exception_handler(PasswordRefused)
    def password_refused(request: HttpRequest, exc: PasswordRefused) -> HttpResponse:
        return answer(request, 400, {"code": exc.code, "detail": str(exc)})

    @api.exception_handler(OrganisationRefused)
    def organisation_refused(request: HttpRequest, exc: OrganisationRefused) -> HttpResponse:
        first = exc.problems[0] if exc.problems else None
        body = {
            "code": exc.code,
            "detail": "；".join(p.message for p in exc.problems),
            "field": None if first is None else first.field,
            "problems": [{"code": p.code, "field": p.field, "detail": p.message} for p in exc.problems],
        }
        return answer(request, 400, body)

    @api.exception_handler(WorkflowError)
    def conflict(request: HttpRequest, exc: WorkflowError) -> HttpResponse:
        return answer(request, 409, {"code": exc.code, "detail": str(exc)})

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        message = str(exc)
        if message == "Unauthorized":  # ninja's own: no token, or not a valid one
            message = "a valid token is required: Authorization: Bearer <token>"
        response = answer(request, 401, {"code": "unauthenticated", "detail": message})
        response["WWW-Authenticate"] = "Bearer"
        return response

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        code = _HTTP_CODES.get(exc.status_code, f"http_{exc.status_code}")
        return answer(request, exc.status_code, {"code": code, "detail": str(exc)})

    @api.exception_handler(ValidationError)
    def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return answer(request, 422, {"code": "invalid", "detail": exc.errors})

    @api.exception_handler(ImportRefused)
    def import_refused(request: HttpRequest, exc: ImportRefused) -> HttpResponse:
        problems = [
            {"file": p.file, "row": p.row, "column": p.column, "reason": p.reason} for p in exc.problems
        ]
        return answer(request, 400, {"code": "import_refused", "detail": exc.summary, "problems": problems})

    @api.exception_handler(LoginLocked)
    def locked(request: HttpRequest, exc: LoginLocked) -> HttpResponse:
        response = answer(
            request, 429, {"code": "login_locked", "detail": str(exc), "locked_until": exc.until}
        )
        response["Retry-After"] = str(exc.retry_after())
        return response
