"""Workbook downloads (never cached), and an export written by `shopkpi worker`
(`appraisal.exports.export_jobs`): its page, which follows the job on whichever server it is asked, and
the download of its file. Both only for the person who asked — HR for the pay sheet, the review and
overdue lists, the summary, the audit log and the action items, the GM for the approvals, HR or the GM
for the year's adjustment list (anyone else: 404, as if there were none); the
download is checked again by the export's rule, never cached, and written to the audit log."""

from __future__ import annotations

import tempfile
from pathlib import Path
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shopkpi.appraisal.accounts.roles import is_hr
from shopkpi.appraisal.exports import export_jobs
from shopkpi.appraisal.models import Job
from shopkpi.appraisal.reviews.approval_list import ApprovalFilter
from shopkpi.web.pages.common.errors import domain_errors

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(content: bytes, name: str) -> HttpResponse:
    """A workbook download (never cached)."""
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{name}"
    response["Cache-Control"] = "no-store"
    return response


def queued(request: HttpRequest, job: Job) -> HttpResponse:
    """The answer to an export that became a job (`export_jobs.queue`): its page, which follows it."""
    messages.success(request, _("共 %(n)s 行，已交给后台生成；生成后在本页下载。") % {"n": job.total})
    return redirect("hr-export-job", job_id=job.id)


def _mine(request: HttpRequest, job_id: str) -> Job:
    job = export_jobs.mine(request.user, job_id)
    if job is None:
        raise Http404("no such export")
    return job


def back_query(job: Job) -> str:
    """The query of the list the export was asked from (its filter, kept in the job's params), so that
    the way back leads to the list under the same filter; "" for an export without one."""
    filters = job.params.get("filters")
    if not isinstance(filters, dict):
        return ""
    if job.params["what"] == "approvals":
        return "?" + ApprovalFilter(**filters).query_string()
    # by name: PostgreSQL's jsonb keeps a job's params in an order of its own, not the order they were given
    kept = {name: filters[name] for name in sorted(filters) if filters[name] not in ("", None)}
    return "?" + urlencode(kept) if kept else ""


@login_required
@domain_errors
def export_job(request: HttpRequest, job_id: str) -> HttpResponse:
    job = _mine(request, job_id)
    return render(
        request,
        "shopkpi/hr/export_job.html",
        {"job": job, "hr_nav": is_hr(request.user), "back_query": back_query(job)},
    )


@login_required
@domain_errors
def export_job_status(request: HttpRequest, job_id: str) -> HttpResponse:
    """The job as a fragment; while it waits or runs, the fragment polls itself again."""
    job = _mine(request, job_id)
    return render(request, "shopkpi/hr/_export_job.html", {"job": job, "back_query": back_query(job)})


@login_required
@domain_errors
@require_POST
def export_download(request: HttpRequest, job_id: str) -> HttpResponse:
    job = _mine(request, job_id)
    with tempfile.TemporaryDirectory(prefix="shopkpi-export-") as folder:
        target = Path(folder) / "file.xlsx"
        if not export_jobs.download(request.user, job, target):
            messages.error(request, _("这个文件已删除（超过保留时间或已有更新的导出），请重新导出。"))
            return redirect("hr-export-job", job_id=job.id)
        content = target.read_bytes()
    return xlsx_response(content, job.params["file"])
