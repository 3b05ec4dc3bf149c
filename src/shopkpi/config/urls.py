from __future__ import annotations

from django.urls import include, path

urlpatterns = [
    path("", include("shopkpi.web.urls")),
]

handler500 = "shopkpi.web.server_errors.server_error"
