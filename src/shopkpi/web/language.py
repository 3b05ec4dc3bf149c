"""Chinese first: pages are in 简体中文 unless the user chose English with the language switch.

Django's LocaleMiddleware would follow the browser's Accept-Language; an HR system's language
should not change with the browser a person happens to use, so only the switch (its cookie) counts.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation


class ChineseFirstLocaleMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.known = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.known else settings.LANGUAGE_CODE
        request.LANGUAGE_CODE = language
        with translation.override(language):  # the thread's language is put back after the request
            response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response
