"""Incident records (/incidents/): the list, a new one, one incident (change, delete), evidence files."""

from __future__ import annotations

from django.urls import URLPattern, path

from shopkpi.web.pages.incidents import views

urlpatterns: list[URLPattern] = [
    path("incidents/", views.incident_list, name="incidents"),
    path("incidents/new/", views.incident_new, name="incident-new"),
    path("incidents/import/", views.incident_import, name="incident-import"),
    path("incidents/<int:incident_id>/", views.incident_page, name="incident"),
    path("incidents/<int:incident_id>/remove/", views.incident_remove, name="incident-remove"),
    path("incidents/<int:incident_id>/appeal/", views.incident_appeal, name="incident-appeal"),
    path("incidents/evidence/<int:evidence_id>/", views.evidence_file, name="incident-evidence"),
]
