"""Every list of the HR console and the GM page as an Excel file (导出 Excel): the reviews of a cycle,
the overdue ones, the GM's approvals, the action items, the audit log and the problems of an import.

Each export holds what its page lists under the same filter (every row, not one page), through the
page's own query, and is written by the one writer `appraisal.list_workbook` (title, the filter in
words, totals where the list has money, A4 landscape, texts through `export_cells`). Exports are
POSTs (a CSRF token, never a link to follow) and are written to the audit log. Each list but an
import's problems is built in `appraisal.exports` from plain data, so that one of more than
`export_jobs.IN_REQUEST` rows is queued and written by `shopkpi worker` with the same cells.
"""

from __future__ import annotations

import io

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shopkpi.appraisal.exports import action_items, approvals, audit_list, export_jobs, list_workbook, lists
from shopkpi.appraisal.exports.list_workbook import Column, ListSheet
from shopkpi.appraisal.importing import import_jobs as jobs
from shopkpi.appraisal.models import Cycle
from shopkpi.appraisal.reviews.approval_list import ApprovalFilter
from shopkpi.appraisal.reviews.review_steps import actor_name
from shopkpi.web.pages.hr import audit as hr_audit
from shopkpi.web.pages.hr import imports as hr_imports
from shopkpi.web.pages.hr.access import gm_page, hr_page
from shopkpi.web.pages.hr.export_pages import queued, xlsx_response


def _download(request: HttpRequest, listed: ListSheet, file_name: str) -> HttpResponse:
    who = actor_name(request.user)
    stream = io.BytesIO()
    now = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    list_workbook.write(listed, stream, exported_by=who, exported_at=now)
    list_workbook.record_export(who, listed)
    return xlsx_response(stream.getvalue(), file_name)


# ---- the reviews of a cycle ------------------------------------------------------------------------


@hr_page()
@require_POST
def reviews_xlsx(request: HttpRequest, period: str) -> HttpResponse:
    """Within the request, or as a job past `export_jobs.IN_REQUEST` rows (the page's filter in its params)."""
    cycle = get_object_or_404(Cycle, period=period)
    filters = {k: str(v) for k, v in request.GET.items() if k != "page"}
    name = f"reviews-{cycle.period}.xlsx"
    job = export_jobs.queue(request.user, "reviews", {"period": cycle.period, "filters": filters}, name)
    if job is not None:
        return queued(request, job)
    return _download(request, lists.reviews(request.user, cycle.period, filters), name)


# ---- overdue ---------------------------------------------------------------------------------------


@hr_page()
@require_POST
def overdue_xlsx(request: HttpRequest, period: str) -> HttpResponse:
    """Within the request, or as a job past `export_jobs.IN_REQUEST` rows (the step chosen in its params)."""
    cycle = get_object_or_404(Cycle, period=period)
    filters = {"status": request.GET.get("status", "")}
    name = f"overdue-{cycle.period}.xlsx"
    job = export_jobs.queue(request.user, "overdue", {"period": cycle.period, "filters": filters}, name)
    if job is not None:
        return queued(request, job)
    return _download(request, lists.overdue(request.user, cycle.period, filters), name)


# ---- the GM's approvals ----------------------------------------------------------------------------


@gm_page()
@require_POST
def approvals_xlsx(request: HttpRequest) -> HttpResponse:
    """Within the request, or as a job past `export_jobs.IN_REQUEST` rows (the GM's filter in its params)."""
    chosen = ApprovalFilter.from_query(request.GET)
    params = {"filters": approvals.filters(chosen)}
    job = export_jobs.queue(request.user, "approvals", params, "approvals.xlsx")
    if job is not None:
        return queued(request, job)
    return _download(request, approvals.sheet(request.user, chosen), "approvals.xlsx")


# ---- action items ----------------------------------------------------------------------------------


@hr_page()
@require_POST
def actions_xlsx(request: HttpRequest) -> HttpResponse:
    """Within the request, or as a job past `export_jobs.IN_REQUEST` rows (the state chosen in its params)."""
    shown = request.GET.get("status", "open")
    job = export_jobs.queue(request.user, "actions", {"filters": {"status": shown}}, "action-items.xlsx")
    if job is not None:
        return queued(request, job)
    return _download(request, action_items.sheet(shown), "action-items.xlsx")


# ---- the audit log ---------------------------------------------------------------------------------


@hr_page()
@require_POST
def audit_xlsx(request: HttpRequest) -> HttpResponse:
    """Within the request, or as a job past `export_jobs.IN_REQUEST` entries (the filter's valid values and
    the page's query in its params)."""
    chosen = hr_audit.chosen(hr_audit.AuditFilter(request.GET or None))
    filters = {k: v for k, v in request.GET.items() if k != "page"}
    job = export_jobs.queue(request.user, "audit", {"chosen": chosen, "filters": filters}, "audit-log.xlsx")
    if job is not None:
        return queued(request, job)
    return _download(request, audit_list.sheet(chosen, filters), "audit-log.xlsx")


# ---- the problems of an import ---------------------------------------------------------------------


@hr_page()
@require_POST
def import_problems_xlsx(request: HttpRequest, job_id: str) -> HttpResponse:
    job = jobs.load_job(job_id)
    if job is None:
        raise Http404("no such import")
    shown = hr_imports.job_context(job)
    rows = [[_("错误"), p["file"], p["row"], p["column"], p["reason"]] for p in shown["problems"]]
    rows += [[_("提醒"), w["file"], w["row"], w["column"], w["text"]] for w in shown["warnings"]]
    listed = ListSheet(
        name="import_problems",
        title=lists.titled(_("数据导入问题：%(file)s") % {"file": job.file}),
        note=lists.words([(_("数据"), str(shown.get("dataset_label", job.dataset)))])
        + (_("；只列出前面的问题") if job.truncated else ""),
        columns=(
            Column(_("类别"), width=8),
            Column(_("文件"), width=24),
            Column(_("行"), "number", width=7),
            Column(_("列"), width=14),
            Column(_("说明"), width=60),
        ),
        rows=rows,
        filters={"job": job.id},
    )
    return _download(request, listed, f"import-problems-{job.id}.xlsx")
