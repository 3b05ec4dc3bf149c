"""上传花名册 (/org/upload/): the roster, account or position workbook uploaded, checked whole and
previewed (new people, changed fields with their day, leavers, new owners, hand-overs, new departments
and positions, positions without a template), then written only when HR confirms. A refused file
lists every problem with its row and column and changes nothing.

The uploaded file waits under `<home>/org-uploads/<token>/` between the preview and the confirmation
(the token is kept in the session); confirming or cancelling removes it.
"""

from __future__ import annotations

import contextlib
import re
import secrets
import shutil
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from shopkpi.appraisal.importing.imports import ImportRequest, run_import
from shopkpi.appraisal.wording.import_problems import shown_problems
from shopkpi.data.problems import ImportRefused
from shopkpi.web.pages.hr.access import org_page
from shopkpi.web.pages.org.forms import UPLOADS, UploadForm
from shopkpi.web.pages.org.preview import shown_changes

FOLDER = "org-uploads"
SESSION_KEY = "shopkpi_org_upload"
_TOKEN = re.compile(r"^[0-9a-f]{32}$")
_SAFE_NAME = re.compile(r"[^\w.\-\u4e00-\u9fff]+")


def _folder(token: str) -> Path:
    return Path(settings.HOME) / FOLDER / token


def _saved(request: HttpRequest) -> tuple[str, str, Path] | None:
    """The upload waiting for confirmation: (token, dataset, file)."""
    waiting: Any = request.session.get(SESSION_KEY)
    if not isinstance(waiting, dict) or not _TOKEN.match(str(waiting.get("token", ""))):
        return None
    path = _folder(waiting["token"]) / str(waiting.get("name", ""))
    if not path.is_file() or waiting.get("dataset") not in dict(UPLOADS):
        return None
    return waiting["token"], str(waiting["dataset"]), path


def _discard(request: HttpRequest) -> None:
    saved = _saved(request)
    if saved is not None:
        shutil.rmtree(_folder(saved[0]), ignore_errors=True)
    request.session.pop(SESSION_KEY, None)


@org_page()
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    form = UploadForm(
        request.POST or None, request.FILES or None, initial={"dataset": request.GET.get("for", "")}
    )
    if request.method != "POST" or not form.is_valid():
        return render(
            request,
            "shopkpi/org/upload.html",
            {"form": form},
            status=400 if request.method == "POST" else 200,
        )
    _discard(request)
    token = secrets.token_hex(16)
    upload_file = form.cleaned_data["file"]
    name = _SAFE_NAME.sub("_", Path(upload_file.name).name)[-120:] or "upload"
    folder = _folder(token)
    folder.mkdir(parents=True)
    with (folder / name).open("wb") as out:
        for chunk in upload_file.chunks():
            out.write(chunk)
    return _preview(request, token, folder / name, form.cleaned_data["dataset"])


def preview_file(request: HttpRequest, path: Path, dataset: str) -> HttpResponse:
    """An organisation workbook uploaded elsewhere (the HR import page) moved here and previewed."""
    _discard(request)
    token = secrets.token_hex(16)
    folder = _folder(token)
    folder.mkdir(parents=True)
    moved = folder / (_SAFE_NAME.sub("_", path.name)[-120:] or "upload")
    shutil.move(str(path), moved)
    with contextlib.suppress(OSError):  # the page's own upload folder, now empty
        path.parent.rmdir()
    return _preview(request, token, moved, dataset)


def _preview(request: HttpRequest, token: str, path: Path, dataset: str) -> HttpResponse:
    """Check the waiting file and show what it would change; or every problem, and nothing waits."""
    asked = ImportRequest(files=(path,), user=request.user.get_username(), dataset=dataset, dry_run=True)
    try:
        report = run_import(Path(settings.HOME), asked)
    except ImportRefused as refused:
        shutil.rmtree(path.parent, ignore_errors=True)
        problems = [
            {"file": p.file, "row": p.row, "column": p.column, "reason": p.reason} for p in refused.problems
        ]
        return render(
            request,
            "shopkpi/org/upload.html",
            {"form": UploadForm(initial={"dataset": dataset}), "problems": shown_problems(problems)},
            status=422,
        )
    request.session[SESSION_KEY] = {"token": token, "dataset": dataset, "name": path.name}
    changes = shown_changes(report.changes)
    return render(
        request,
        "shopkpi/org/upload_preview.html",
        {
            "dataset": dict(UPLOADS)[dataset],
            "file": path.name,
            "changes": changes,
            "written": sum(1 for c in changes if not c["flag"]),
        },
    )


@org_page()
@require_POST
def confirm(request: HttpRequest) -> HttpResponse:
    saved = _saved(request)
    if saved is None:
        messages.error(request, _("没有等待确认的上传（可能已经确认或取消过）；请重新上传。"))
        return redirect("org-upload")
    if request.POST.get("cancel"):
        _discard(request)
        messages.info(request, _("已取消，什么都没有改变。"))
        return redirect("org-upload")
    _token, dataset, path = saved
    try:
        report = run_import(
            Path(settings.HOME),
            ImportRequest(files=(path,), user=request.user.get_username(), dataset=dataset),
        )
    except ImportRefused as refused:  # the organisation changed since the preview
        _discard(request)
        problems = [
            {"file": p.file, "row": p.row, "column": p.column, "reason": p.reason} for p in refused.problems
        ]
        return render(
            request,
            "shopkpi/org/upload.html",
            {"form": UploadForm(initial={"dataset": dataset}), "problems": shown_problems(problems)},
            status=422,
        )
    _discard(request)
    written = sum(1 for c in report.changes if not c.is_flag)
    messages.success(request, _("已导入 %(file)s：%(n)s 项变动。") % {"file": path.name, "n": written})
    return redirect(
        "org-employees"
        if dataset == "employees"
        else "org-accounts"
        if dataset == "accounts"
        else "org-chart"
    )
