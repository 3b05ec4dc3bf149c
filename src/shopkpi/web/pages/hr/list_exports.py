"""Every list of the HR console and the GM page as an Excel file (导出 Excel): the reviews of a cycle,
the overdue ones, the GM's approvals, the action items, the audit log and the problems of an import.

Each export holds what its page lists under the same filter (every row, not one page), through the
page's own query, and is written by the one writer `appraisal.list_workbook` (title, the filter in
words, totals where the list has money, A4 landscape, texts through `export_cells`). Exports are
POSTs (a CSRF token, never a link to follow) and are written to the audit log.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shopkpi.appraisal.exports import export_jobs, list_workbook, lists
from shopkpi.appraisal.exports.list_workbook import Column, ListSheet
from shopkpi.appraisal.importing import import_jobs as jobs
from shopkpi.appraisal.models import Cycle
from shopkpi.appraisal.pay import pay_totals
from shopkpi.appraisal.reviews.review_steps import actor_name
from shopkpi.web.pages.common import labels
from shopkpi.web.pages.gm import approval_list as gm_approval_list
from shopkpi.web.pages.gm.approval_list import ApprovalFilter
from shopkpi.web.pages.hr import actions as hr_actions
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


def _local(moment: dt.datetime | None) -> dt.datetime | None:
    """A stored time as the company's wall-clock time (a workbook cell has no time zone)."""
    return None if moment is None else timezone.localtime(moment).replace(tzinfo=None)


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
    chosen = ApprovalFilter.from_query(request)
    reviews = gm_approval_list.matching(request.user, chosen)
    rows = []
    for review in gm_approval_list.with_page_columns(reviews):
        one = pay_totals.one(review.pay_kind, review.pay, getattr(review, "adjusted", None) or Decimal(0))
        rows.append(
            [
                review.cycle.period,
                review.employee.code,
                review.employee.name,
                review.employee.department.name,
                review.employee.position.name,
                labels.review_state(review.status),
                review.score,
                review.grade,
                *pay_totals.cells(review.pay_kind, review.pay, _("本岗位不计绩效工资")),
                one.adjustments,
                one.payable,
            ]
        )
    summed = gm_approval_list.totals(reviews)
    state = "" if chosen.state == gm_approval_list.ALL else labels.review_state(chosen.state)
    listed = ListSheet(
        name="approvals",
        title=lists.titled(_("总经理审批清单")),
        note=lists.words(
            [
                (_("考核期间"), chosen.period),
                (_("部门"), lists.department_name(str(chosen.department or ""))),
                (_("状态"), state),
            ]
        ),
        columns=(
            Column(_("期间"), width=9),
            Column(_("工号"), width=10),
            Column(_("姓名"), width=10),
            Column(_("部门")),
            Column(_("岗位")),
            Column(_("状态"), width=12),
            Column(_("得分"), "score"),
            Column(_("等级"), width=8),
            Column(_("绩效工资（元）"), "money"),
            Column(_("整月工资（元，不计入绩效工资）"), "money"),
            Column(_("奖惩（元）"), "money"),
            Column(_("应发合计（元）"), "money"),
        ),
        rows=rows,
        totals=[*lists.money_totals(8, summed), summed.adjustments, summed.payable],
        signatures=True,
        filters={"period": chosen.period, "department": chosen.department, "state": chosen.state},
    )
    return _download(request, listed, "approvals.xlsx")


# ---- action items ----------------------------------------------------------------------------------


@hr_page()
@require_POST
def actions_xlsx(request: HttpRequest) -> HttpResponse:
    shown = request.GET.get("status", "open")
    states = dict(hr_actions.STATES)
    rows = [
        [
            item.cycle.period,
            item.employee.code,
            item.employee.name,
            item.employee.department.name,
            item.action,
            str(states.get(item.status, item.status)),
            _local(item.created_at),
            item.closed_by.get_username() if item.closed_by else "",
            _local(item.closed_at or item.withdrawn_at),
            item.withdrawn_reason if item.status == "withdrawn" else item.note,
        ]
        for item in hr_actions.listed_items(shown)
    ]
    listed = ListSheet(
        name="actions",
        title=lists.titled(_("行动项")),
        note=lists.words([(_("状态"), "" if shown == "all" else str(states.get(shown, "")))]),
        columns=(
            Column(_("期间"), width=9),
            Column(_("工号"), width=10),
            Column(_("姓名"), width=10),
            Column(_("部门")),
            Column(_("事项"), width=12),
            Column(_("状态"), width=9),
            Column(_("提出时间"), "datetime"),
            Column(_("处理人"), width=10),
            Column(_("处理或撤回时间"), "datetime"),
            Column(_("处理说明或撤回原因"), width=40),
        ),
        rows=rows,
        filters={"status": shown},
    )
    return _download(request, listed, "action-items.xlsx")


# ---- the audit log ---------------------------------------------------------------------------------


@hr_page()
@require_POST
def audit_xlsx(request: HttpRequest) -> HttpResponse:
    form = hr_audit.AuditFilter(request.GET or None)
    entries = list(hr_audit.filtered(form))
    items = hr_audit.item_names(entries)
    rows = [
        [
            entry.id,
            _local(entry.at),
            entry.actor,
            labels.audit_event(entry.action),
            f"{labels.object_type(entry.object_type)} {entry.object_id}".strip(),
            hr_audit.described(entry.before, items=items.get(entry.object_id)),
            hr_audit.described(entry.after, items=items.get(entry.object_id)),
            entry.reason,
        ]
        for entry in entries
    ]
    listed = ListSheet(
        name="audit",
        title=lists.titled(_("审计日志")),
        note=_audit_filter_words(form),
        columns=(
            Column("#", "number", width=7),
            Column(_("时间"), "datetime"),
            Column(_("操作人"), width=10),
            Column(_("操作"), width=16),
            Column(_("对象"), width=14),
            Column(_("之前"), width=40),
            Column(_("之后"), width=40),
            Column(_("原因"), width=24),
        ),
        rows=rows,
        filters={k: v for k, v in request.GET.items() if k != "page"},
    )
    return _download(request, listed, "audit-log.xlsx")


def _audit_filter_words(form: hr_audit.AuditFilter) -> str:
    chosen = {k: v for k, v in (form.cleaned_data if form.is_valid() else {}).items() if v not in (None, "")}
    if not chosen:
        return _("全部记录")
    shown = {
        "action": lambda v: labels.audit_event(v) if not v.endswith(".") else labels.object_type(v[:-1]),
        "object_type": labels.object_type,
    }
    return "；".join(
        f"{form.fields[name].label}：{shown.get(name, str)(value)}" for name, value in chosen.items()
    )


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
