"""The insight pages: dashboards, scorecard exports (XLSX and print) and the template editor."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from shopkpi.web.pages.common import export_views
from shopkpi.web.pages.hr import template_editor, template_form
from shopkpi.web.pages.insight import dashboard_views

urlpatterns: list[URLPattern | URLResolver] = [
    path("dashboards/", dashboard_views.dashboards, name="dashboards"),
    path("reviews/<int:review_id>/xlsx/", export_views.scorecard_xlsx, name="scorecard_xlsx"),
    path("reviews/<int:review_id>/print/", export_views.scorecard_print, name="scorecard_print"),
    path("templates/", template_editor.template_list, name="template_list"),
    path("templates/<slug:template_id>/edit/", template_editor.template_edit, name="template_edit"),
    path("templates/<slug:template_id>/form/", template_form.template_form, name="template_form"),
]
