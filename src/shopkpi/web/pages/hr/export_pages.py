"""An export written by `shopkpi worker` (`appraisal.exports.export_jobs`): its page, which follows the
job on whichever server it is asked, and the download of its file. Both only for the person who asked
(anyone else: 404, as if there were none); the download is checked again by the export's rule, never
cached, and written to the audit log."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shopkpi.appraisal.exports import export_jobs
from shopkpi.appraisal.models import Job
from shopkpi.web.pages.hr import reports as hr_reports
from shopkpi.web.pages.hr.access import hr_page


def _mine(request: HttpRequest, job_id: str) -> Job:
    job = export_jobs.mine(request.user, job_id)
    if job is None:
        raise Http404("no such export")
    return job


@hr_page()
def export_job(request: HttpRequest, job_id: str) -> HttpResponse:
    return render(request, "shopkpi/hr/export_job.html", {"job": _mine(request, job_id)})


@hr_page()
def export_job_status(request: HttpRequest, job_id: str) -> HttpResponse:
    """The job as a fragment; while it waits or runs, the fragment polls itself again."""
    return render(request, "shopkpi/hr/_export_job.html", {"job": _mine(request, job_id)})


@hr_page()
@require_POST
def export_download(request: HttpRequest, job_id: str) -> HttpResponse:
    job = _mine(request, job_id)
    with tempfile.TemporaryDirectory(prefix="shopkpi-export-") as folder:
        target = Path(folder) / "file.xlsx"
        if not export_jobs.download(request.user, job, target):
            messages.error(request, _("这个文件已删除（超过保留时间或已有更新的导出），请重新导出。"))
            return redirect("hr-export-job", job_id=job.id)
        content = target.read_bytes()
    return hr_reports.xlsx_response(content, job.params["file"])
