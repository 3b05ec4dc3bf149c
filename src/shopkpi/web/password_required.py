"""A user signed in with a one-time password sees only the change-password form until they change it.

Every page answers with a redirect to /password/ (the page asked for kept as `next`); signing out,
the language switch and the static files stay open. The API says the same with 403
`password_change_required` (web/api/auth.py).
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from shopkpi.appraisal.accounts.logins import must_change_password

CHANGE_PASSWORD = "/password/"
OPEN = (CHANGE_PASSWORD, "/logout/", "/login/", "/i18n/", "/static/", "/api/")


class PasswordChangeRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(OPEN) and must_change_password(request.user):
            target = CHANGE_PASSWORD
            if request.method == "GET" and request.path != "/":
                target += "?" + urlencode({"next": request.get_full_path()})
            return HttpResponseRedirect(target)
        return self.get_response(request)
