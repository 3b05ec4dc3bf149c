"""HR console: 客服班表 (shift schedules of shared customer-service accounts). Upload an XLSX schedule
(checked in full with the organisation before it is kept; a refused file changes nothing and every
problem is listed with its file, row and column), see the schedules kept with who uploaded each and
when, replace or remove one (`shopkpi.appraisal.importing.shift_schedules`)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from shopkpi.appraisal.importing import import_jobs as jobs
from shopkpi.appraisal.importing import shift_schedules
from shopkpi.appraisal.models import Job
from shopkpi.appraisal.reviews.review_steps import actor_name
from shopkpi.data.metrics.shifts import COLUMNS
from shopkpi.web import upload_limits
from shopkpi.web.pages.hr.access import hr_page


def _page(
    request: HttpRequest, *, problems: Any = (), refused: str = "", error: str = "", status: int = 200
) -> HttpResponse:
    return render(
        request,
        "shopkpi/hr/shifts.html",
        {
            "schedules": shift_schedules.schedules(jobs.home()),
            "columns": [names[0] for names in COLUMNS.values()],
            "problems": problems,
            "refused": refused,
            "upload_error": error,
            "replacing": request.POST.get("name", "") if request.method == "POST" else "",
        },
        status=status,
    )


@hr_page()
@require_http_methods(["GET", "POST"])
def shifts_page(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _page(request)
    too_large = upload_limits.too_large(request, "file", "", label=_("客服班表"))
    if too_large:
        return _page(request, error=too_large, status=413)
    upload = request.FILES.get("file")
    if upload is None:
        return _page(request, error=_("请选择要上传的班表文件（.xlsx）。"), status=400)
    name = str(request.POST.get("name") or upload.name or "")
    with tempfile.TemporaryDirectory(prefix="shopkpi-shifts-") as folder:
        path = Path(folder) / "upload.xlsx"
        with path.open("wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        try:
            kept, queued = shift_schedules.upload(jobs.home(), actor_name(request.user), path, name)
        except shift_schedules.ShiftsRefused as error:
            return _page(request, problems=error.problems, refused=name, status=400)
    if queued:
        messages.success(
            request,
            _("已保存班表 %(name)s（%(rows)s 行，%(shifts)s 个班次）。")
            % {"name": kept.name, "rows": kept.rows, "shifts": kept.shifts},
        )
    else:
        messages.success(
            request,
            _("已保存班表 %(name)s（%(rows)s 行，%(shifts)s 个班次），进行中的考核已重新计算。")
            % {"name": kept.name, "rows": kept.rows, "shifts": kept.shifts},
        )
    _tell_queued(request, queued)
    return redirect("hr-shifts")


def _tell_queued(request: HttpRequest, queued: list[Job]) -> None:
    """A month of many reviews is recomputed by `shopkpi worker`: its page shows the job (as after 重算)."""
    for job in queued:
        messages.info(
            request,
            _("考核期 %(period)s 有 %(n)s 份考核，已交给后台重算；完成后该考核期页面显示结果。")
            % {"period": job.params["period"], "n": job.total},
        )


@hr_page()
@require_POST
def remove_schedule(request: HttpRequest) -> HttpResponse:
    name = str(request.POST.get("name") or "")
    try:
        queued = shift_schedules.remove(jobs.home(), actor_name(request.user), name)
    except shift_schedules.ShiftsRefused as error:
        return _page(request, problems=error.problems, refused=name, status=400)
    if queued:
        messages.success(request, _("已删除班表 %(name)s。") % {"name": name})
    else:
        messages.success(request, _("已删除班表 %(name)s，进行中的考核已重新计算。") % {"name": name})
    _tell_queued(request, queued)
    return redirect("hr-shifts")
