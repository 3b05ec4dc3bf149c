"""HR console: data imports. Upload a platform export (its dataset and profile recognised from the
file, or chosen), see every problem (file, row, column, reason) or the warnings to confirm, follow a
large file's progress, and the warehouse's batch history, where a batch can be withdrawn (撤回)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from shopkpi.appraisal.importing import import_jobs as jobs
from shopkpi.appraisal.importing.import_withdrawal import withdraw_batch
from shopkpi.appraisal.importing.imports import ORGANISATION_DATASETS
from shopkpi.appraisal.reviews.review_steps import listed
from shopkpi.appraisal.wording.import_problems import shown_problems, shown_warnings
from shopkpi.appraisal.wording.labels import dataset as dataset_name
from shopkpi.data.datasets import DATASETS
from shopkpi.data.imports.problem_text_zh import reason_zh
from shopkpi.data.imports.profiles import CANONICAL, InvalidProfiles, all_profiles
from shopkpi.data.imports.recognition import recognise_dataset
from shopkpi.data.problems import ImportRefused
from shopkpi.data.warehouse.catalogue import Warehouse
from shopkpi.scorecard.periods import Period, PeriodError
from shopkpi.web import upload_limits
from shopkpi.web.pages.hr.access import hr_page

HISTORY_LIMIT = 100
CANONICAL_LABEL = _("标准格式（数据集的列名）")


def dataset_choices() -> list[tuple[str, str]]:
    """Each dataset by its name in the page's language."""
    return [(d.name, dataset_name(d.name)) for d in DATASETS.values()]


def dataset_label(name: str) -> str:
    """A dataset's name; several (a prepared workbook's, joined by "+") joined by 、."""
    return listed(dataset_name(part) for part in name.split("+"))


def profile_labels() -> tuple[dict[str, str], str]:
    """Profile name -> label, and a problem with the user's profiles ('' when none)."""
    try:
        found = all_profiles(jobs.home())
    except InvalidProfiles as exc:
        if not translation.get_language().startswith("zh"):
            return {}, "; ".join(str(e) for e in exc.errors)
        return {}, "；".join(
            "：".join(filter(None, (e.file, e.path, reason_zh(e.reason)))) for e in exc.errors
        )
    labels = {p.name: p.label_zh for p in found}
    labels[CANONICAL] = str(CANONICAL_LABEL)
    return labels, ""


class ImportForm(forms.Form):
    file = forms.FileField(label=_("导出文件"), help_text=_("CSV、XLSX、XLS 或网页表格；GBK 或 UTF-8。"))
    dataset = forms.ChoiceField(
        label=_("数据集"), required=False, help_text=_("不选则按文件的表头自动识别。")
    )
    profile = forms.ChoiceField(label=_("导入模板"), required=False, help_text=_("不选则按表头自动识别。"))
    period = forms.CharField(
        label=_("考核期间"),
        required=False,
        max_length=7,
        help_text=_("可选，如 2026-03；目标与手工录入数据按期间导入。"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["dataset"]).choices = [("", _("自动识别")), *dataset_choices()]
        grouped: dict[str, list[tuple[str, str]]] = {}
        try:
            listed = all_profiles(jobs.home())
        except InvalidProfiles:
            listed = []  # the page says what is wrong with the user's profiles
        for profile in listed:
            grouped.setdefault(profile.dataset, []).append((profile.name, profile.label_zh))
        choices: list[Any] = [("", _("自动识别")), (CANONICAL, CANONICAL_LABEL)]
        choices += [(DATASETS[d].label_zh, options) for d, options in grouped.items()]
        cast(forms.ChoiceField, self.fields["profile"]).choices = choices
        self.fields["period"].widget.attrs["placeholder"] = "YYYY-MM"

    def clean_period(self) -> str:
        period = str(self.cleaned_data.get("period") or "").strip()
        if period:
            try:
                Period.of_kind(period, "month")
            except PeriodError:
                raise forms.ValidationError(_("期间的格式是 YYYY-MM，如 2026-03。")) from None
        return period


def batch_history(dataset: str = "") -> list[dict[str, Any]]:
    """The warehouse's batches, newest first."""
    warehouse = Warehouse(jobs.home())
    if not warehouse.catalogue.exists():
        return []
    con = warehouse.connect()
    try:
        where, params = ("WHERE dataset = ?", [dataset]) if dataset else ("", [])
        cursor = con.execute(
            "SELECT id, dataset, file_name, profile, row_count, period, imported_by, imported_at, state, "
            "CASE WHEN replaced_by IN (SELECT id FROM batches WHERE state = 'current') THEN replaced_by END "
            f"AS replaced_by FROM batches {where} ORDER BY seq DESC LIMIT {HISTORY_LIMIT}",
            params,
        )
        names = [d[0] for d in cursor.description]
        found = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    finally:
        con.close()
    labels, _problem = profile_labels()
    for batch in found:
        batch["dataset_label"] = dataset_label(batch["dataset"])
        batch["profile_label"] = labels.get(batch["profile"], batch["profile"])
    return found


def job_context(job: jobs.ImportJob | None) -> dict[str, Any]:
    """The job, its outcomes with each recognised profile's label, and its problems in the page's language."""
    if job is None:
        return {
            "job": None,
            "outcomes": [],
            "problems": [],
            "warnings": [],
            "job_error": "",
            "job_stopped": False,
        }
    labels, _problem = profile_labels()
    outcomes = [{**o, "profile_label": labels.get(o["profile"], o["profile"])} for o in job.outcomes]
    known = {
        jobs.STOPPED: _(
            "导入反复中断（后台处理程序停止了 %(n)s 次）；请在下方的导入历史里查看这个文件是否已导入，没有的话请重新导入。"
        )
        % {"n": jobs.MAX_ATTEMPTS},
        jobs.EXPIRED: _("待确认的文件只保留一天，现已删除；这个文件什么都没有导入，请重新上传。"),
    }
    error = str(known[job.error]) if job.error in known else job.error
    return {
        "job": job,
        "dataset_label": dataset_label(job.dataset),
        "outcomes": outcomes,
        "problems": shown_problems(job.problems),
        "warnings": shown_warnings(job.warnings),
        "job_error": error,
        "job_stopped": job.error == jobs.STOPPED,  # whether it was imported is for the history to say
    }


def _page(
    request: HttpRequest,
    form: ImportForm,
    *,
    job: jobs.ImportJob | None = None,
    upload_error: str = "",
    status: int = 200,
    error: str = "",
) -> HttpResponse:
    shown = request.GET.get("dataset", "")
    _labels, profile_problem = profile_labels()
    return render(
        request,
        "shopkpi/hr/imports.html",
        {
            "form": form,
            **job_context(job),
            "batches": batch_history(shown if shown in DATASETS else ""),
            "shown_dataset": shown,
            "datasets": dataset_choices(),
            "profile_problem": profile_problem,
            "upload_error": upload_error,
            "error": error,
        },
        status=status,
    )


@hr_page()
@require_http_methods(["GET", "POST"])
def imports(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _page(
            request,
            ImportForm(
                initial={"dataset": request.GET.get("for", ""), "period": request.GET.get("period", "")}
            ),
        )
    form = ImportForm(request.POST, request.FILES)
    too_large = upload_limits.too_large(request, "file", str(request.POST.get("dataset", "")))
    if too_large:
        form = ImportForm(initial={"dataset": request.POST.get("dataset", "")})
        return _page(request, form, upload_error=too_large, status=413)
    if not form.is_valid():
        return _page(request, form, status=400)
    data = form.cleaned_data
    path = jobs.save_upload(data["file"])
    organisation = _organisation_dataset(data["dataset"], path, data["profile"])
    if organisation:  # the roster, accounts or positions: previewed and confirmed on the organisation page
        from shopkpi.web.pages.org import upload as org_upload

        return org_upload.preview_file(request, path, organisation)
    job = jobs.new_job(request.user.get_username(), path, data["dataset"], data["profile"], data["period"])
    if jobs.is_large(job):  # `shopkpi worker` imports it; the page follows it
        jobs.start(job)
        return redirect("hr-import-job", job_id=job.id)
    job = jobs.run(job)
    return _page(
        request,
        ImportForm(initial={"dataset": job.dataset}),
        job=job,
        status=422 if job.state == "refused" else 200,
    )


def _organisation_dataset(dataset: str, path: Path, profile: str) -> str:
    """The organisation's dataset the upload is (named, or recognised from its headers), else ''."""
    if not dataset:
        try:
            dataset = recognise_dataset(jobs.home(), [path], profile=profile or None)
        except ImportRefused:  # the import itself says why
            return ""
    return dataset if dataset in ORGANISATION_DATASETS else ""


@hr_page()
@require_http_methods(["POST"])
def import_confirm(request: HttpRequest, job_id: str) -> HttpResponse:
    """HR has read the warnings and imports the checked file anyway."""
    job = jobs.load_job(job_id)
    if job is None:
        raise Http404("no such import")
    again = jobs.confirmed(job)
    if again is None:  # not waiting for a confirmation, or its upload is gone (a day passed): the job says
        return redirect("hr-import-job", job_id=job.id)
    if jobs.is_large(again):
        jobs.start(again)
        return redirect("hr-import-job", job_id=job.id)
    job = jobs.run(again)
    return _page(request, ImportForm(), job=job, status=422 if job.state == "refused" else 200)


@hr_page()
@require_http_methods(["POST"])
def import_cancel(request: HttpRequest, job_id: str) -> HttpResponse:
    """HR does not import the checked file: nothing was written, the upload is removed."""
    job = jobs.load_job(job_id)
    if job is None:
        raise Http404("no such import")
    jobs.cancel(job)
    return redirect("hr-import-job", job_id=job.id)


def _reshow_imports(request: HttpRequest, batch: str, *, error: str) -> HttpResponse:
    return _page(request, ImportForm(), error=error)


@hr_page(reshow=_reshow_imports)
@require_http_methods(["POST"])
def withdraw(request: HttpRequest, batch: str) -> HttpResponse:
    """HR withdraws (撤回) an imported batch, with a reason: its rows leave the current data."""
    report = withdraw_batch(
        jobs.home(), batch, user=request.user.get_username(), reason=str(request.POST.get("reason", ""))
    )
    recomputed = [c for c in report.reviews if c.recomputed]
    kept = [c for c in report.reviews if not c.recomputed]
    message = _("已撤回导入批次 %(batch)s（%(file)s）。") % {"batch": batch, "file": report.batch.file_name}
    if recomputed:
        message += " " + _("用到它的 %(n)s 份进行中的考核已重新计算：%(who)s。") % {
            "n": len(recomputed),
            "who": listed(f"{c.period} {c.employee}" for c in recomputed),
        }
    if kept:
        message += " " + _(
            "%(n)s 份考核的数值已在人事核准时冻结，没有改变（需要时请修正数值）：%(who)s。"
        ) % {
            "n": len(kept),
            "who": listed(f"{c.period} {c.employee}" for c in kept),
        }
    messages.success(request, message)
    return redirect("hr-imports")


@hr_page()
def import_job(request: HttpRequest, job_id: str) -> HttpResponse:
    job = jobs.load_job(job_id)
    if job is None:
        raise Http404("no such import")
    return _page(request, ImportForm(initial={"dataset": job.dataset}), job=job)


@hr_page()
def import_job_status(request: HttpRequest, job_id: str) -> HttpResponse:
    """The job's state as a fragment; while it runs, the fragment polls itself again."""
    job = jobs.load_job(job_id)
    if job is None:
        raise Http404("no such import")
    return render(request, "shopkpi/hr/_import_job.html", job_context(job))
