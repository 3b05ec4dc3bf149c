"""Errors of the server rather than of the request, in this one place (Django's handler500).

A database that stays busy past its wait (SQLite's "database is locked" after its 20 s timeout, or
PostgreSQL's lock timeout or a deadlock) is not a fault of the page: it answers 503 Service
Unavailable with Retry-After, as a JSON body `{code: "busy", detail}` under /api/ and a short page
otherwise, rendered without the database. Anything else is the plain 500 page.

Django calls the handler while the exception is being handled, from the outermost layer, so this
covers a view, the API (django-ninja re-raises what it has no handler for) and every middleware
(the session saved after the view, the user loaded before it).
"""

from __future__ import annotations

import sys

from django.db import OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views import defaults

RETRY_AFTER_SECONDS = 5
_SQLITE_BUSY = ("database is locked", "database table is locked", "database schema is locked")
_POSTGRES_BUSY = {"55P03", "40P01"}  # lock_not_available, deadlock_detected


def is_busy(error: BaseException | None) -> bool:
    """True for an error that says the database was busy, so the same request may succeed later."""
    if not isinstance(error, OperationalError):
        return False
    cause = error.__cause__
    if getattr(cause, "sqlstate", None) in _POSTGRES_BUSY:
        return True
    text = str(error).lower()
    return any(text.startswith(busy) for busy in _SQLITE_BUSY)


def busy(request: HttpRequest) -> HttpResponse:
    detail = _("服务器正忙（数据库正在处理其他人的保存），请在几秒钟后重试。")
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse({"code": "busy", "detail": detail}, status=503)
    else:
        response = HttpResponse(render_to_string("503.html", {"detail": detail}), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: 503 for a busy database, else Django's 500 page (templates/500.html)."""
    if is_busy(sys.exc_info()[1]):
        return busy(request)
    return defaults.server_error(request)
