"""The organisation's workbooks: the roster (花名册, `employees`), account ownership (`accounts`) and
positions with their templates (`positions`), read into one draft and checked whole.

Columns (Chinese headers, or the canonical names):

    employees  工号, 姓名, 部门, 岗位, 上级工号, 基本工资, 入职日期, 离职日期, 邮箱, 手机, 生效日期
    accounts   工号, 账号类型, 账号, 生效日期, 失效日期
    positions  岗位, 考核表模板, 季度考核表模板, 年度考核表模板

A roster row is the person as they are: a column the file has sets that field (an empty cell clears
an optional one), a column it lacks leaves the field as it is. Changed department, position, 上级工号
or 基本工资 of someone already recorded apply from the row's 生效日期 (default: today). Departments and
positions not yet known are created. An accounts row says who owns the account from 生效日期; when
that day falls in another owner's open-ended window, the earlier window ends the day before (a
hand-over). A positions file with 季度考核表模板 or 年度考核表模板 binds the quarter's or the year's card (an
empty cell: none; a template of another period is refused). Every row is checked with the whole organisation before anything is written.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from django.utils.translation import gettext as _

from shopkpi.appraisal.organisation.changes import OrganisationChange
from shopkpi.appraisal.organisation.draft import PERIOD_KINDS, Draft
from shopkpi.appraisal.organisation.kinds import kind_of
from shopkpi.appraisal.organisation.problems import OrganisationRefused
from shopkpi.appraisal.organisation.state import Origin, Window
from shopkpi.data.imports.sheet_rows import SheetRows, read_sheets

# the roster's canonical columns -> the employee's fields
ROSTER_FIELDS = {
    "employee": "code",
    "name": "name",
    "department": "department",
    "position": "position",
    "supervisor": "supervisor",
    "base_salary": "base_salary",
    "hired_on": "hired_on",
    "left_on": "left_on",
    "email": "email",
    "mobile": "mobile",
}
# a problem's field -> the canonical column it is found in
_COLUMNS = {
    **{name: column for column, name in ROSTER_FIELDS.items()},
    "employee": "employee",
    "template": "template",
    "quarter_template": "quarter_template",
    "year_template": "year_template",
    "kind": "kind",
    "account": "account",
    "valid_from": "valid_from",
    "valid_to": "valid_to",
}


def import_organisation(
    home: Path,
    dataset: str,
    files: Sequence[Path],
    *,
    user: str,
    profile: str | None,
    timezone: str,
    dry_run: bool,
) -> tuple[OrganisationChange, ...]:
    """What `files` change (dry_run), or that written and audited; `ImportRefused` and no change on any problem."""
    sheets = read_sheets(home, dataset, files, profile=profile, timezone=timezone)
    draft = Draft()
    for sheet in sheets:
        {"employees": _roster, "accounts": _accounts, "positions": _positions}[dataset](draft, sheet)
    try:
        return draft.changes() if dry_run else draft.commit(user)
    except OrganisationRefused as refused:
        raise refused.as_import(files[0].name if files else dataset) from None


def _origin(sheet: SheetRows, row: int) -> Origin:
    headers = tuple((field, sheet.headers.get(column, column)) for field, column in _COLUMNS.items())
    return Origin(sheet.file, row, headers)


def _roster(draft: Draft, sheet: SheetRows) -> None:
    for row, cells in sheet.rows:
        values = {name: cells[column] for column, name in ROSTER_FIELDS.items() if sheet.has(column)}
        for name in ("email", "mobile"):
            if name in values:
                values[name] = values[name] or ""
        draft.put_employee(values, effective=cells.get("effective"), origin=_origin(sheet, row))


def _accounts(draft: Draft, sheet: SheetRows) -> None:
    for row, cells in sheet.rows:
        origin = _origin(sheet, row)
        kind = kind_of(str(cells["kind"]))
        if kind is None:
            draft.refuse(
                "unknown_account_type",
                "kind",
                _(
                    "不认识的账号类型“%(kind)s”（可写：店铺、旺旺子账号、京东客服、推广计划、SNS账号、类目、任务）。"
                )
                % {"kind": cells["kind"]},
                origin,
            )
            continue
        draft.put_window(
            Window(
                str(cells["employee"]),
                kind,
                str(cells["account"]),
                cells.get("valid_from"),
                cells.get("valid_to"),
                origin=origin,
            )
        )


def _positions(draft: Draft, sheet: SheetRows) -> None:
    for row, cells in sheet.rows:
        template = cells.get("template")
        origin = _origin(sheet, row)
        draft.put_position(str(cells["position"]), str(template) if template else None, origin)
        for kind in PERIOD_KINDS:
            if sheet.has(f"{kind}_template"):  # a column the file has sets it; an empty cell: none
                draft.put_period_template(
                    str(cells["position"]), kind, str(cells.get(f"{kind}_template") or ""), origin
                )
