"""HR console: a cycle's overdue list per step, its department summary (汇总表) and its pay sheet,
with their Excel exports (checked by policy, written to the audit log)."""

from __future__ import annotations

import datetime as dt
import io

from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from shopkpi.appraisal import policy
from shopkpi.appraisal.exports import export_jobs
from shopkpi.appraisal.exports import summary as hr_summary
from shopkpi.appraisal.exports.lists import STEPS, late_reviews, listed_late  # the page's and the export's
from shopkpi.appraisal.models import Cycle, Department, Review
from shopkpi.appraisal.pay import paysheet
from shopkpi.appraisal.reviews import deadlines
from shopkpi.appraisal.reviews.list_filters import of_department_and_person
from shopkpi.appraisal.wording import labels
from shopkpi.web.pages.common.list_pages import page_of
from shopkpi.web.pages.hr import export_pages
from shopkpi.web.pages.hr.access import hr_page
from shopkpi.web.pages.hr.export_pages import xlsx_response

S = Review.Status
PER_PAGE = 100


@hr_page()
def overdue(request: HttpRequest, period: str) -> HttpResponse:
    """The reviews waiting past their step's deadline: the count per step (self, supervisor, HR), then a
    page of them (PER_PAGE, by 工号), of one step or all."""
    cycle = get_object_or_404(Cycle, period=period)
    today = timezone.localdate()
    late = late_reviews(request.user, cycle, today)
    counts = dict(late.order_by().values_list("status").annotate(n=Count("id")))
    step = request.GET.get("status", "")
    page, links = page_of(request, listed_late(late, step), PER_PAGE)
    rows = []
    for review in page:
        due = deadlines.due_date(review)
        assert due is not None
        rows.append(
            {"review": review, "step": labels.REVIEW_STATES[review.status], "late": (today - due).days}
        )
    return render(
        request,
        "shopkpi/hr/overdue.html",
        {
            "cycle": cycle,
            "today": today,
            "steps": [(s, labels.REVIEW_STATES[s], deadlines_for(cycle, s), counts.get(s, 0)) for s in STEPS],
            "step": step,
            "total": sum(counts.values()),
            "rows": rows,
            **links,
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


@hr_page()
@require_POST
def summary_xlsx(request: HttpRequest, period: str) -> HttpResponse:
    """Within the request, or as a job past `export_jobs.IN_REQUEST` reviews."""
    cycle = get_object_or_404(Cycle, period=period)
    name = f"summary-{cycle.period}.xlsx"
    job = export_jobs.queue(request.user, "summary", {"period": cycle.period}, name)
    if job is not None:
        return export_pages.queued(request, job)
    stream = io.BytesIO()
    hr_summary.to_xlsx(request.user, cycle, stream)
    return xlsx_response(stream.getvalue(), name)


@hr_page()
def paysheet_page(request: HttpRequest, period: str) -> HttpResponse:
    """A page of the pay sheet (PER_PAGE lines by 工号, filtered by department or 工号/name) with the
    合计 of every line the filters keep; the Excel file has every line."""
    cycle = get_object_or_404(Cycle, period=period)
    reviews = paysheet.approved(cycle)
    department = request.GET.get("department", "")
    query = request.GET.get("q", "").strip()
    reviews = of_department_and_person(reviews, department, query)
    page, links = page_of(request, paysheet.with_line_columns(reviews), PER_PAGE)
    return render(
        request,
        "shopkpi/hr/paysheet.html",
        {
            "cycle": cycle,
            "columns": paysheet.columns(),
            "lines": paysheet.lines_of(page),
            "waiting": paysheet.not_approved(cycle),
            "totals": paysheet.summed(reviews),
            "departments": Department.objects.order_by("name"),
            "department": department,
            "q": query,
            "writable": cycle.status == Cycle.Status.OPEN,
            **links,
        },
    )


@hr_page()
@require_POST
def paysheet_xlsx(request: HttpRequest, period: str) -> HttpResponse:
    """The pay sheet's Excel file: within the request, or as a job past `export_jobs.IN_REQUEST` lines."""
    cycle = get_object_or_404(Cycle, period=period)
    name = f"paysheet-{cycle.period}.xlsx"
    job = export_jobs.queue(request.user, "paysheet", {"period": cycle.period}, name)
    if job is not None:
        return export_pages.queued(request, job)
    stream = io.BytesIO()
    paysheet.to_xlsx(cycle, stream, user=request.user)
    return xlsx_response(stream.getvalue(), name)
