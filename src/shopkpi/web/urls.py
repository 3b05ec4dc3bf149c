from __future__ import annotations

from django.urls import URLPattern, URLResolver, include, path

from shopkpi.web.api import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("api/", api.urls),
    # the web pages (login, reviews, cycles, pay sheet ...)
    path("", include("shopkpi.web.pages.urls")),
]
