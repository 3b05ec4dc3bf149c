"""Pay grades: /pay-grades/ (HR's tables), /pay-grades/<year>/ (HR and GM), /pay-grades/mine/ (each employee)."""

from __future__ import annotations

from django.urls import URLPattern, path

from shopkpi.web.pages.pay_grades import views

urlpatterns: list[URLPattern] = [
    path("pay-grades/", views.setup, name="pay-grades"),
    path("pay-grades/mine/", views.mine, name="pay-grades-mine"),
    path("pay-grades/save/<str:form>/", views.save, name="pay-grades-save"),
    path("pay-grades/<str:period>/", views.year, name="pay-grades-year"),
    path("pay-grades/<str:period>/propose/", views.propose, name="pay-grades-propose"),
    path("pay-grades/<str:period>/approve/", views.approve, name="pay-grades-approve"),
    path("pay-grades/<str:period>/adjustments.xlsx", views.year_xlsx, name="pay-grades-xlsx"),
]
