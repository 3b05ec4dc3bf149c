"""Every page and API answer is kept out of caches (Cache-Control: no-store): they show scores, pay and
comments, which a shared computer's browser or a proxy must not keep. Static files are served before
this (WhiteNoise) and stay cacheable."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers


class NoStoreMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        add_never_cache_headers(response)
        return response
