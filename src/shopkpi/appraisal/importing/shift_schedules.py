"""客服班表: the shift schedules of shared customer-service accounts, kept by HR on the 客服班表 page
(`/hr/shifts/`, linked from 数据导入) and by `shopkpi shifts import FILE` / `list` / `remove NAME`.

A schedule is an XLSX file read by `shopkpi.data.metrics.shifts` from its one home, `<home>/shifts/`.
An upload is checked in full before it is kept, together with the other schedules there (one it
replaces, of the same name, left out): the shift checks of `shifts.shift_calendar`, and against the
organisation, each row's 子账号 must be a known customer-service account (`accounts`, kind `agent`)
and its 工号 an employee of the organisation on the row's dates (hired by then, not left before).
A refused file changes nothing (`ShiftsRefused`, each problem with file, row, column and what to do).
A kept or removed schedule is audited (`shifts.upload`, `shifts.remove`: who, when, the file's
checksum), which is where the page's 上传人 / 上传时间 come from; every open month is then computed
again, as after an import: within the request for a month of at most `recompute_jobs.IN_REQUEST`
reviews, as a `recompute` job for `shopkpi worker` for a larger one (`recompute_jobs.refresh_open`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from shopkpi.appraisal import audit
from shopkpi.data.metrics import shifts
from shopkpi.data.metrics.shift_text_zh import problem_zh

if TYPE_CHECKING:
    from shopkpi.appraisal.models import Job

UPLOAD = "shifts.upload"
REMOVE = "shifts.remove"
OBJECT = "shift_schedule"
_PLACED = re.compile(r"^(?P<file>.+?): row (?P<row>\d+): (?P<what>.*)$", re.S)


@dataclass(frozen=True)
class ShiftProblem:
    """One reason a schedule is refused: its file, spreadsheet row and column (None: the whole file or
    several rows), and what is wrong and what to do."""

    file: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = self.file + ("" if self.row is None else f", row {self.row}")
        return where + ("" if not self.column else f", column {self.column}") + f": {self.message}"


class ShiftsRefused(Exception):
    def __init__(self, problems: Sequence[ShiftProblem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = tuple(problems)


@dataclass(frozen=True)
class Schedule:
    """A schedule kept in `<home>/shifts/`: its file, how many rows and shifts, and its last upload."""

    name: str
    rows: int
    shifts: int
    uploaded_by: str | None
    """Who uploaded it (None: placed in the folder by hand, no upload recorded)."""
    uploaded_at: dt.datetime | None


def folder(home: Path) -> Path:
    return home / shifts.FOLDER


def schedules(home: Path) -> list[Schedule]:
    """The schedules in `<home>/shifts/` by name, each with its last recorded upload."""
    from shopkpi.appraisal.models import AuditEntry

    found = []
    for path in shifts.shift_files(folder(home)):
        problems: list[str] = []
        rows = shifts.sheet_rows(path, problems)
        slots = {(str(v.get("account", "")).strip(), str(v.get("shift", "")).strip()) for _, _, v in rows}
        entry = (
            AuditEntry.objects.filter(action=UPLOAD, object_type=OBJECT, object_id=path.name[:60])
            .order_by("-id")
            .first()
        )
        found.append(
            Schedule(
                path.name,
                len(rows),
                len(slots),
                None if entry is None else entry.actor,
                None if entry is None else entry.at,
            )
        )
    return found


def check(home: Path, path: Path, name: str) -> list[ShiftProblem]:
    """Every problem of the schedule at `path` to be kept as `name` (none: it can be kept)."""
    if Path(name).name != name or not name.lower().endswith(".xlsx") or name.startswith(("~$", ".")):
        return [
            ShiftProblem(
                name, None, None, _("班表须为 .xlsx 文件（文件名不含路径）：请另存为 Excel 工作簿后再上传。")
            )
        ]
    problems: list[str] = []
    mine = shifts.checked_rows(path, name, problems)  # in a reading process of its own, with limits
    others = [
        row for p in shifts.shift_files(folder(home)) if p.name != name for row in shifts.sheet_rows(p, [])
    ]
    shifts.shift_calendar([*others, *mine], problems)
    found = [_placed(text) for text in problems]
    found += _against_organisation(mine)
    return found


def upload(home: Path, actor: str, path: Path, name: str) -> tuple[Schedule, list[Job]]:
    """Keep the schedule at `path` as `name` (replacing the one of that name), audited, then compute
    the open months again (`recompute_jobs.refresh_open`: a month of many reviews is queued for
    `shopkpi worker`); the schedule and the recompute jobs queued. `ShiftsRefused` and no change when
    it has any problem."""
    from shopkpi.appraisal.models import MonthComputation
    from shopkpi.appraisal.periods.recompute_jobs import refresh_open

    problems = check(home, path, name)
    if problems:
        raise ShiftsRefused(problems)
    target = folder(home) / name
    target.parent.mkdir(parents=True, exist_ok=True)
    staged = target.with_name(f".{name}.uploading")
    shutil.copyfile(path, staged)
    try:
        with transaction.atomic():
            audit.record(
                actor,
                UPLOAD,
                object_type=OBJECT,
                object_id=name[:60],
                before=_described(target) if target.is_file() else None,
                after={"file": name, **_described(staged)},
            )
            os.replace(staged, target)
    finally:
        staged.unlink(missing_ok=True)
    queued = refresh_open(home, actor, MonthComputation.Reason.SHIFTS)
    return next(s for s in schedules(home) if s.name == name), queued


def remove(home: Path, actor: str, name: str) -> list[Job]:
    """Remove the schedule `name`, audited, then compute the open months again as `upload` does; the
    recompute jobs queued."""
    from shopkpi.appraisal.models import MonthComputation
    from shopkpi.appraisal.periods.recompute_jobs import refresh_open

    target = folder(home) / name
    if Path(name).name != name or not target.is_file():
        raise ShiftsRefused([ShiftProblem(name, None, None, _("没有这个班表文件：请从班表列表中选择。"))])
    with transaction.atomic():
        audit.record(
            actor,
            REMOVE,
            object_type=OBJECT,
            object_id=name[:60],
            before={"file": name, **_described(target)},
        )
        target.unlink()
    return refresh_open(home, actor, MonthComputation.Reason.SHIFTS)


def _described(path: Path) -> dict[str, Any]:
    return {"sha256": hashlib.sha256(path.read_bytes()).hexdigest(), "bytes": path.stat().st_size}


def _placed(text: str) -> ShiftProblem:
    """A problem of `shifts.shift_calendar` (`file: row N: what`, or a problem of several rows), its
    message in Chinese when the language is (the page and `shopkpi shifts import` say the same)."""
    found = _PLACED.match(text)
    if found is None:
        file, _sep, what = text.partition(": ")
        if what and file.lower().endswith(".xlsx"):
            return ShiftProblem(file, None, None, _said(what))
        return ShiftProblem("", None, None, _said(text))
    what = found["what"]
    column = next((names[0] for names in shifts.COLUMNS.values() if what.startswith(names[0])), None)
    return ShiftProblem(found["file"], int(found["row"]), column, _said(what))


def _said(message: str) -> str:
    return problem_zh(message) if (translation.get_language() or "").startswith("zh") else message


def _against_organisation(rows: Sequence[tuple[str, int, Mapping[str, object]]]) -> list[ShiftProblem]:
    """子账号 must be a known customer-service account, 工号 an employee on the row's dates."""
    from shopkpi.appraisal.models import Account, Employee

    accounts = {a.strip() for a in Account.objects.filter(kind=shifts.KIND).values_list("account", flat=True)}
    codes = {str(v.get("employee")).strip() for _, _, v in rows if v.get("employee") is not None}
    people = {e.code: e for e in Employee.objects.filter(code__in=codes)}
    problems = []
    for file, number, values in rows:
        account = str(values.get("account") or "").strip()
        if account and account not in accounts:
            problems.append(
                ShiftProblem(
                    file,
                    number,
                    shifts.COLUMNS["account"][0],
                    _(
                        "子账号“%(account)s”不是已登记的客服账号：请先在组织架构的账号归属中登记它（类型 agent），或改正账号名。"
                    )
                    % {"account": account},
                )
            )
        if values.get("employee") is None:
            continue
        code = str(values["employee"]).strip()
        person = people.get(code)
        column = shifts.COLUMNS["employee"][0]
        if person is None:
            problems.append(
                ShiftProblem(
                    file,
                    number,
                    column,
                    _("工号“%(code)s”不是本公司的员工：请改正工号，或先在组织架构中添加这名员工。")
                    % {"code": code},
                )
            )
            continue
        dates = shifts.row_dates(values)
        if dates is None:
            continue
        first, last = dates
        if person.left_on is not None and (last is None or last > person.left_on):
            problems.append(
                ShiftProblem(
                    file,
                    number,
                    column,
                    _(
                        "%(code)s 已于 %(left)s 离职：请把这一行的失效日期（或日期）填为不晚于离职日期，或换成在职的人。"
                    )
                    % {"code": code, "left": person.left_on.isoformat()},
                )
            )
        elif person.hired_on is not None and first is not None and first < person.hired_on:
            problems.append(
                ShiftProblem(
                    file,
                    number,
                    column,
                    _("%(code)s 于 %(hired)s 入职：请把这一行的生效日期（或日期）填为不早于入职日期。")
                    % {"code": code, "hired": person.hired_on.isoformat()},
                )
            )
    return problems
