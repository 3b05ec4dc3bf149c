"""The template editor (admin or HR): /templates/ lists the templates, built-in and saved versions, and
which cycles froze which version; /templates/<id>/edit/ edits one as YAML.

Checking validates the text with the loader users use (`load_template_text`) and shows every
problem at its line beside a numbered listing of the text; a valid text gets the what-if preview
(`template_editor_whatif`). Saving needs a preview of exactly that text, and creates a new version
through `cycles.new_template_version` (audited there); open and past cycles keep the version they
froze. A template that has only its built-in file is first saved as version 1 from that file, so
the history shows what the edit changed.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from shopkpi.appraisal.accounts.roles import ADMIN, HR, roles
from shopkpi.appraisal.models import CycleTemplate, TemplateVersion
from shopkpi.appraisal.periods.cycles import new_template_version
from shopkpi.appraisal.policy import ActionRefused
from shopkpi.appraisal.reviews.review_steps import WorkflowError
from shopkpi.appraisal.wording import labels
from shopkpi.scorecard import Problem, Template, TemplateError, builtin_template_paths, load_template_text
from shopkpi.web.pages.common.errors import domain_errors
from shopkpi.web.pages.hr.template_whatif import WhatIf, what_if

_TOP_KEY = re.compile(r"^(id|name):\s*(.+?)\s*$", re.M)


def require_editor(user: Any) -> None:
    if not roles(user) & {ADMIN, HR}:
        raise ActionRefused(_("只有管理员或人事可以编辑考核表模板。"))


@lru_cache(maxsize=1)
def builtin_templates() -> dict[str, tuple[str, Path]]:
    """Template id -> (name, file) of the built-in templates (read from their top-level lines once)."""
    found: dict[str, tuple[str, Path]] = {}
    for path in builtin_template_paths():
        keys = dict(_TOP_KEY.findall(path.read_text("utf-8")))
        found[keys.get("id", path.stem).strip("'\"")] = (keys.get("name", path.stem).strip("'\""), path)
    return found


# ---- the list -------------------------------------------------------------------------------------


@dataclass
class VersionRow:
    version: TemplateVersion
    cycles: list[tuple[str, str]] = field(default_factory=list)  # (period, status label)


@dataclass
class TemplateRow:
    template_id: str
    name: str
    builtin: bool
    versions: list[VersionRow] = field(default_factory=list)


@login_required
@require_GET
@domain_errors
def template_list(request: HttpRequest) -> HttpResponse:
    require_editor(request.user)
    rows: dict[str, TemplateRow] = {
        template_id: TemplateRow(template_id, name, True)
        for template_id, (name, _p) in builtin_templates().items()
    }
    used: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for usage in CycleTemplate.objects.select_related("cycle").order_by("-cycle__period"):
        entry = (usage.cycle.period, labels.cycle_state(usage.cycle.status))
        if entry not in used[usage.template_version_id]:
            used[usage.template_version_id].append(entry)
    versions = (
        TemplateVersion.objects.select_related("created_by").defer("text").order_by("template_id", "-version")
    )
    for version in versions:
        row = rows.setdefault(version.template_id, TemplateRow(version.template_id, version.name, False))
        row.name = row.name if row.versions else version.name
        row.versions.append(VersionRow(version, used.get(version.pk, [])))
    return render(
        request, "shopkpi/editor/list.html", {"templates": sorted(rows.values(), key=lambda r: r.template_id)}
    )


# ---- editing --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Base:
    """What an edit starts from: a saved version, or the built-in file."""

    template_id: str
    text: str
    version: TemplateVersion | None  # None: the built-in file
    latest: int  # the newest saved version number when the editor was opened (0: none)

    @property
    def label(self) -> str:
        return _("内置模板") if self.version is None else _("第 %(n)s 版") % {"n": self.version.version}


@dataclass
class Line:
    number: int
    text: str
    problems: list[str]


@dataclass
class Check:
    text: str
    template: Template | None
    problems: list[Problem]
    lines: list[Line]
    whatif: WhatIf | None = None
    base_template: Template | None = None

    @property
    def sha256(self) -> str:
        return digest(self.text)

    @property
    def unplaced(self) -> list[Problem]:
        return [p for p in self.problems if p.line is None]


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def base_of(template_id: str, asked: str | None) -> Base:
    saved = TemplateVersion.objects.filter(template_id=template_id).order_by("-version")
    latest = saved.values_list("version", flat=True).first() or 0
    if asked:
        try:
            version = saved.get(version=int(asked))
        except (ValueError, TemplateVersion.DoesNotExist):
            raise Http404("no such template version") from None
        return Base(template_id, version.text, version, latest)
    newest = saved.first()
    if newest is not None:
        return Base(template_id, newest.text, newest, latest)
    builtin = builtin_templates().get(template_id)
    if builtin is None:
        raise Http404("no such template")
    return Base(template_id, builtin[1].read_text("utf-8"), None, 0)


def _line_of_id(text: str) -> int | None:
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith("id:"):
            return number
    return None


def check_text(template_id: str, text: str) -> Check:
    """The text through the loader: the template, or every problem with its line."""
    template: Template | None = None
    problems: list[Problem] = []
    try:
        template = load_template_text(text, template_id)
    except TemplateError as exc:
        problems = list(exc.problems)
    if template is not None and template.id != template_id:
        problems.append(
            Problem(
                template_id,
                "id",
                _("模板的 id 是 %(found)r，不是 %(expected)r；另存为其他模板请改用新的 id 新建。")
                % {"found": template.id, "expected": template_id},
                line=_line_of_id(text),
            )
        )
        template = None
    by_line: dict[int, list[str]] = defaultdict(list)
    for problem in problems:
        if problem.line is not None:
            by_line[problem.line].append(_problem_text(problem))
    lines = [Line(n, line, by_line.get(n, [])) for n, line in enumerate(text.splitlines(), start=1)]
    return Check(text, template, problems, lines)


def _problem_text(problem: Problem) -> str:
    where = problem.path if problem.item is None else f"{problem.item} · {problem.path}"
    return f"{where}: {problem.message}"


def _compiled(base: Base) -> Template | None:
    try:
        return (
            base.version.compiled()
            if base.version is not None
            else load_template_text(base.text, base.template_id)
        )
    except TemplateError:
        return None


def _render(
    request: HttpRequest, base: Base, text: str, check: Check | None, *, error: str = "", status: int = 200
) -> HttpResponse:
    context = {
        "base": base,
        "text": text,
        "check": check,
        "error": error,
        "line_count": max(20, min(60, text.count("\n") + 2)),
    }
    return render(request, "shopkpi/editor/edit.html", context, status=status)


def checked(request: HttpRequest, base: Base, text: str) -> Check:
    check = check_text(base.template_id, text)
    if check.template is not None:
        old = _compiled(base)
        check.base_template = old
        if old is not None:
            check.whatif = what_if(request.user, base.template_id, old, check.template, base.version)
    return check


def _reshow(request: HttpRequest, template_id: str, *, error: str) -> HttpResponse:
    base = base_of(template_id, request.POST.get("base") or None)
    text = _posted_text(request)
    return _render(request, base, text, checked(request, base, text), error=error, status=409)


def _posted_text(request: HttpRequest) -> str:
    return str(request.POST.get("text", "")).replace("\r\n", "\n")


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors(reshow=_reshow)
def template_edit(request: HttpRequest, template_id: str) -> HttpResponse:
    require_editor(request.user)
    if request.method == "GET":
        base = base_of(template_id, request.GET.get("from") or None)
        return _render(request, base, base.text, None)
    base = base_of(template_id, request.POST.get("base") or None)
    text = _posted_text(request)
    if request.POST.get("action") != "save":
        return _render(request, base, text, checked(request, base, text))
    if request.POST.get("previewed") != digest(text):
        raise WorkflowError(_("文本在预览之后改动过：请先检查并预览，再保存。"))
    _save(request.user, base, text, request.POST.get("latest") or "0")
    messages.success(
        request,
        _("已保存为模板 %(id)s 的新版本；进行中和已归档的周期仍使用其冻结的版本。") % {"id": template_id},
    )
    target = reverse("template_list")
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = target
        return response
    return HttpResponseRedirect(target)


def _save(user: Any, base: Base, text: str, loaded_latest: str) -> TemplateVersion:
    with transaction.atomic():
        latest = (
            TemplateVersion.objects.select_for_update()
            .filter(template_id=base.template_id)
            .order_by("-version")
            .first()
        )
        if (latest.version if latest else 0) != int(loaded_latest or 0):
            who = latest.created_by.get_username() if latest and latest.created_by else _("他人")
            raise WorkflowError(
                _("模板 %(id)s 在你打开之后已由 %(who)s 保存为第 %(n)s 版；请在该版本基础上重新编辑。")
                % {"id": base.template_id, "who": who, "n": latest.version if latest else 0}
            )
        if latest is not None and latest.text == text:
            raise WorkflowError(_("文本与第 %(n)s 版相同，无需保存新版本。") % {"n": latest.version})
        if latest is None:
            builtin = builtin_templates().get(base.template_id)
            if builtin is not None:
                first = new_template_version(user, base.template_id, builtin[1].read_text("utf-8"))
                if first.text == text:
                    return first
        return new_template_version(user, base.template_id, text)
