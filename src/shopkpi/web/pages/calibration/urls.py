"""Calibration (校准): /calibration/targets/ (HR), /calibration/<period>/ (HR and GM)."""

from __future__ import annotations

from django.urls import URLPattern, path

from shopkpi.web.pages.calibration import targets, views

urlpatterns: list[URLPattern] = [
    path("calibration/targets/", targets.target_page, name="calibration-targets"),
    path("calibration/reviews/<int:review_id>/", views.calibrate, name="calibration-adjust"),
    path("calibration/<str:period>/", views.distribution_page, name="calibration"),
    path("calibration/<str:period>/confirm/", views.confirm, name="calibration-confirm"),
]
