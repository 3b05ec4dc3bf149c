"""Incidents from a workbook (XLSX, XLS or CSV): one incident a row, all or nothing.

Columns (the first row; Chinese headers or the English names, in any order):

    工号 employee        the employee (required)
    日期 date            the day it happened, YYYY-MM-DD or an Excel date (required)
    类型 kind            the variable it counts, as the page offers it (违规用语次数, 差评次数 …) (required)
    次数/金额 amount     a count, days or an amount above 0, at most two decimals (required; also 次数, 金额, 天数)
    说明 note            what happened (required)

The file is read in a process of its own (`file_rows.head_rows`, like every imported file); each row
is checked by the incident service as a form is (`records.check`: the employee, the date, a kind their
scorecard counts, the amount, the note), its month must still be open for the employee, and a row that
repeats a recorded incident or another row is refused, so a workbook imported twice adds nothing. Every
problem is reported with file, row and column; with any problem nothing is recorded. Otherwise the
incidents are recorded in one transaction, each audited (`incident.record`, its file and row as its
source), and the open months of the people concerned are computed again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from shopkpi.appraisal import audit, policy
from shopkpi.appraisal.incidents import feeding
from shopkpi.appraisal.incidents.records import (
    FIELDS,
    Checked,
    IncidentInput,
    check,
    closed_reason,
    described,
)
from shopkpi.appraisal.models import Incident
from shopkpi.appraisal.reviews.review_steps import actor_name
from shopkpi.data.imports.file_rows import head_rows
from shopkpi.data.imports.profiles import normalize_header
from shopkpi.data.problems import ImportProblem, ImportRefused, UnreadableFile

MAX_ROWS = 5000
# field -> the headers that name it (the first is the one the docs and the template workbook use)
COLUMNS: Mapping[str, tuple[str, ...]] = {
    "employee": ("工号", "employee"),
    "occurred_on": ("日期", "date"),
    "kind": ("类型", "kind"),
    "amount": ("次数/金额", "次数", "金额", "天数", "amount"),
    "note": ("说明", "note"),
}
assert set(COLUMNS) == set(FIELDS)


@dataclass(frozen=True)
class Imported:
    file: str
    incidents: tuple[Incident, ...]


def import_incidents(user: Any, path: Path, *, home: Path, name: str | None = None) -> Imported:
    """Record every row of the workbook at `path` (shown as `name`), or none: ImportRefused."""
    shown = name or path.name
    rows = _rows(path, shown)
    header_row, headers = rows[0]
    columns, problems = _columns(shown, header_row, headers)
    if problems:  # the rows cannot be read without their columns
        raise ImportRefused(problems)
    checked: list[tuple[int, Checked]] = []
    seen: dict[tuple[object, ...], int] = {}
    for number, cells in rows[1:]:
        if not any(str(c or "").strip() for c in cells):
            continue
        given = IncidentInput(**{f: _cell(cells, columns.get(f)) for f in FIELDS})
        found, row_problems = check(given, home)
        where = {f: headers[columns[f]] if f in columns else COLUMNS[f][0] for f in FIELDS}
        for p in row_problems:
            problems.append(ImportProblem(shown, number, where.get(p.field), p.message))
        if found is None:
            continue
        refusal = policy.incident_refusal(user, found.employee)
        closed = closed_reason(found.employee, found.occurred_on)
        for reason in (refusal, closed):
            if reason is not None:
                problems.append(
                    ImportProblem(
                        shown, number, where["employee" if reason is refusal else "occurred_on"], reason[1]
                    )
                )
        key = (found.employee.pk, found.occurred_on, found.kind, found.amount, found.note)
        if key in seen:
            problems.append(
                ImportProblem(shown, number, None, _("与第 %(row)s 行完全相同。") % {"row": seen[key]})
            )
        elif _recorded(found):
            problems.append(
                ImportProblem(
                    shown, number, None, _("这条奖惩记录已经记录过（同一员工、日期、类型、次数和说明）。")
                )
            )
        seen.setdefault(key, number)
        checked.append((number, found))
    if not checked and not problems:
        problems.append(
            ImportProblem(shown, None, None, _("文件里没有奖惩记录（第一行是表头，从第二行起每行一条）。"))
        )
    if problems:
        raise ImportRefused(problems)
    with transaction.atomic():
        made = [
            Incident.objects.create(
                employee=c.employee,
                occurred_on=c.occurred_on,
                kind=c.kind,
                amount=c.amount,
                note=c.note,
                source=_("%(file)s 第 %(row)s 行") % {"file": shown, "row": number},
                recorded_by=user,
            )
            for number, c in checked
        ]
        audit.record_many(
            actor_name(user),
            [
                audit.Entry("incident.record", "incident", i.pk, after={**described(i), "file": i.source})
                for i in made
            ],
        )
        days: dict[int, set[dt.date]] = {}
        for incident in made:
            days.setdefault(incident.employee_id, set()).add(incident.occurred_on)
        for employee_id, employee_days in sorted(days.items()):
            feeding.refresh_employee(employee_id, employee_days, actor=actor_name(user), home=home)
    return Imported(shown, tuple(made))


def _rows(path: Path, shown: str) -> list[tuple[int, Sequence[str | None]]]:
    try:
        rows = head_rows(path, MAX_ROWS + 2)
    except UnreadableFile as error:
        raise ImportRefused([ImportProblem(shown, None, None, str(error))]) from None
    rows = [(n, cells) for n, cells in rows if any(str(c or "").strip() for c in cells)] if rows else []
    if not rows:
        raise ImportRefused([ImportProblem(shown, None, None, _("文件是空的。"))])
    if len(rows) > MAX_ROWS + 1:
        raise ImportRefused(
            [
                ImportProblem(
                    shown, None, None, _("一次最多导入 %(n)s 条奖惩记录；请拆成几个文件。") % {"n": MAX_ROWS}
                )
            ]
        )
    return rows


def _columns(
    shown: str, row: int, headers: Sequence[str | None]
) -> tuple[dict[str, int], list[ImportProblem]]:
    """Field -> column index, from the header row; every missing or unknown column is a problem."""
    known = {normalize_header(h): f for f, names in COLUMNS.items() for h in names}
    columns: dict[str, int] = {}
    problems: list[ImportProblem] = []
    for index, header in enumerate(headers):
        text = str(header or "").strip()
        if not text:
            continue
        field = known.get(normalize_header(text))
        if field is None:
            problems.append(
                ImportProblem(
                    shown,
                    row,
                    text,
                    _("不认识的列“%(column)s”（可用的列：%(columns)s）。")
                    % {"column": text, "columns": _listed()},
                )
            )
        elif field in columns:
            problems.append(ImportProblem(shown, row, text, _("列“%(column)s”重复了。") % {"column": text}))
        else:
            columns[field] = index
    for field in FIELDS:
        if field not in columns:
            problems.append(
                ImportProblem(
                    shown,
                    row,
                    COLUMNS[field][0],
                    _("缺少“%(column)s”列（需要的列：%(columns)s）。")
                    % {"column": COLUMNS[field][0], "columns": _listed()},
                )
            )
    return columns, problems


def _listed() -> str:
    return "、".join(names[0] for names in COLUMNS.values())


def _cell(cells: Sequence[str | None], index: int | None) -> str:
    if index is None or index >= len(cells):
        return ""
    return str(cells[index] or "").strip()


def _recorded(found: Checked) -> bool:
    return Incident.objects.filter(
        employee=found.employee,
        occurred_on=found.occurred_on,
        kind=found.kind,
        amount=found.amount,
        note=found.note,
        status=Incident.Status.ACTIVE,
    ).exists()
