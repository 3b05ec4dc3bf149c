"""HR console: a cycle's overdue list per step, its department summary (汇总表) and its pay sheet,
with their Excel exports (checked by policy, written to the audit log)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from shopkpi.appraisal import deadlines, paysheet, policy
from shopkpi.appraisal.models import Cycle, Review
from shopkpi.web.pages.common import labels
from shopkpi.web.pages.hr import summary as hr_summary
from shopkpi.web.pages.hr.access import hr_page

S = Review.Status
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@hr_page()
def overdue(request: HttpRequest, period: str) -> HttpResponse:
    """Per step (self, supervisor, HR): the reviews waiting there past the step's deadline."""
    cycle = get_object_or_404(Cycle, period=period)
    today = timezone.localdate()
    waiting = (
        policy.visible_reviews(request.user)
        .filter(cycle=cycle, status__in=(S.PENDING_SELF, S.PENDING_SUPERVISOR, S.PENDING_HR))
        .select_related("employee__department", "employee__position", "evaluator", "cycle")
        .order_by("employee__code")
    )
    steps: dict[str, list[dict[str, Any]]] = {
        s: [] for s in (S.PENDING_SELF, S.PENDING_SUPERVISOR, S.PENDING_HR)
    }
    for review in waiting:
        if deadlines.overdue(review, today):
            due = deadlines.due_date(review)
            assert due is not None
            steps[review.status].append({"review": review, "due": due, "late": (today - due).days})
    return render(
        request,
        "shopkpi/hr/overdue.html",
        {
            "cycle": cycle,
            "today": today,
            "steps": [(labels.REVIEW_STATES[s], deadlines_for(cycle, s), rows) for s, rows in steps.items()],
            "total": sum(len(rows) for rows in steps.values()),
        },
    )


def deadlines_for(cycle: Cycle, status: str) -> dt.date:
    due: dict[str, dt.date] = {
        S.PENDING_SELF: cycle.self_due,
        S.PENDING_SUPERVISOR: cycle.supervisor_due,
        S.PENDING_HR: cycle.hr_due,
    }
    return due[status]


@hr_page()
def summary(request: HttpRequest, period: str) -> HttpResponse:
    cycle = get_object_or_404(Cycle, period=period)
    found = hr_summary.summarise(cycle, policy.visible_reviews(request.user))
    return render(
        request,
        "shopkpi/hr/summary.html",
        {
            "cycle": cycle,
            "summary": found,
            "no_grade": hr_summary.NO_GRADE,
            "lines": [(line, line.grade_counts(found.grades)) for line in found.lines],
            "total_counts": found.total.grade_counts(found.grades),
        },
    )


def xlsx_response(content: bytes, name: str) -> HttpResponse:
    """A workbook download (never cached)."""
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{name}"
    response["Cache-Control"] = "no-store"
    return response


@hr_page()
@require_POST
def summary_xlsx(request: HttpRequest, period: str) -> HttpResponse:
    cycle = get_object_or_404(Cycle, period=period)
    stream = io.BytesIO()
    hr_summary.to_xlsx(request.user, cycle, stream)
    return xlsx_response(stream.getvalue(), f"summary-{cycle.period}.xlsx")


@hr_page()
def paysheet_page(request: HttpRequest, period: str) -> HttpResponse:
    cycle = get_object_or_404(Cycle, period=period)
    lines = paysheet.rows(cycle)
    waiting = paysheet.not_approved(cycle)
    totals = paysheet.totals(lines)
    return render(
        request,
        "shopkpi/hr/paysheet.html",
        {
            "cycle": cycle,
            "columns": paysheet.columns(),
            "lines": lines,
            "waiting": waiting,
            "totals": totals,
            "writable": cycle.status == Cycle.Status.OPEN,
        },
    )


@hr_page()
@require_POST
def paysheet_xlsx(request: HttpRequest, period: str) -> HttpResponse:
    cycle = get_object_or_404(Cycle, period=period)
    stream = io.BytesIO()
    paysheet.to_xlsx(cycle, stream, user=request.user)
    return xlsx_response(stream.getvalue(), f"paysheet-{cycle.period}.xlsx")
