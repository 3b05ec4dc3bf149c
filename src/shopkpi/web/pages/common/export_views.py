"""Exports of one scorecard: /reviews/<id>/xlsx/ (the 考核表 workbook) and /reviews/<id>/print/ (the
print-ready A4 page). Both ask the policy for the review (404 for a review the user may not see) and
write who exported what to the audit log.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from shopkpi.appraisal import policy
from shopkpi.web.pages.common import export_xlsx
from shopkpi.web.pages.common.errors import domain_errors
from shopkpi.web.pages.review import export as export_scorecard

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
@require_GET
@domain_errors
def scorecard_xlsx(request: HttpRequest, review_id: int) -> HttpResponse:
    review = policy.review_for(request.user, review_id)
    card = export_scorecard.build(request.user, review)
    body = export_xlsx.write(card)
    export_scorecard.record_export(request.user, review, "xlsx")
    response = HttpResponse(body, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, f"{card.file_name}.xlsx") or ""
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
@domain_errors
def scorecard_print(request: HttpRequest, review_id: int) -> HttpResponse:
    review = policy.review_for(request.user, review_id)
    card = export_scorecard.build(request.user, review)
    export_scorecard.record_export(request.user, review, "print")
    response = render(
        request,
        "shopkpi/export/print.html",
        {"card": card, "columns": export_scorecard.columns(), "signatures": export_scorecard.signatures()},
    )
    response["Cache-Control"] = "no-store"
    return response
