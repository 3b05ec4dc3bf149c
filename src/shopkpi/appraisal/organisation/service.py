"""The organisation's changes one at a time, as the pages and the API make them.

Each function takes who acts (a username, for the audit log), checks the change with the whole
organisation (`Draft`) and either describes it (`dry_run`) or writes and audits it; a refused change
raises `OrganisationRefused` (each problem with its field and code) and changes nothing. A change
that can move an open month's values (ownership, terms, a leaver) computes the open months again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from shopkpi.appraisal.organisation.changes import OrganisationChange
from shopkpi.appraisal.organisation.draft import Draft
from shopkpi.appraisal.organisation.kinds import kind_of
from shopkpi.appraisal.organisation.problems import OrganisationRefused, Problem
from shopkpi.appraisal.organisation.state import Window

Changes = tuple[OrganisationChange, ...]


# changes that may change an open month's values (attribution, team, base salary, days worked)
MONTH_CHANGES = frozenset(
    {"changed_field", "leaver", "new_owner", "hand_over", "ownership_end", "ownership_removed"}
)


def _finish(draft: Draft, actor: str, dry_run: bool) -> Changes:
    if draft.problems:
        raise OrganisationRefused(draft.problems)
    if dry_run:
        return draft.changes()
    changes = draft.commit(actor)
    if any(change.kind in MONTH_CHANGES for change in changes):
        from shopkpi.appraisal.models import MonthComputation
        from shopkpi.appraisal.periods.month_close import refresh_open_cycles

        refresh_open_cycles(Path(settings.HOME), actor, MonthComputation.Reason.ORGANISATION)
    return changes


def add_employee(actor: str, values: Mapping[str, Any], *, dry_run: bool = False) -> Changes:
    """A new employee: code (工号), name, department, position and the optional fields."""
    draft = Draft()
    if values["code"] in draft.after.people:
        raise OrganisationRefused(
            [Problem("employee_exists", "code", _("工号 %(code)s 已经有人用了。") % {"code": values["code"]})]
        )
    draft.put_employee(values)
    return _finish(draft, actor, dry_run)


def change_employee(
    actor: str,
    code: str,
    values: Mapping[str, Any],
    *,
    effective: dt.date | None = None,
    dry_run: bool = False,
) -> Changes:
    """Change the fields given; department, position, supervisor and base salary from `effective`
    (default: today), the others at once. 离职日期 (`left_on`) makes the employee a leaver."""
    draft = Draft()
    _known(draft, code)
    draft.put_employee({**values, "code": code}, effective=effective)
    return _finish(draft, actor, dry_run)


def assign_account(
    actor: str,
    employee: str,
    kind: str,
    account: str,
    valid_from: dt.date | None,
    valid_to: dt.date | None = None,
    *,
    dry_run: bool = False,
) -> Changes:
    """`employee` owns the account from `valid_from`; an open-ended window of another owner that the
    day falls in ends the day before (a hand-over)."""
    draft = Draft()
    found = kind_of(kind)
    if found is None:
        raise OrganisationRefused(
            [Problem("unknown_account_type", "kind", _("不认识的账号类型“%(kind)s”。") % {"kind": kind})]
        )
    if not account.strip():
        raise OrganisationRefused([Problem("required", "account", _("请填写账号。"))])
    draft.put_window(Window(employee, found, account.strip(), valid_from, valid_to))
    return _finish(draft, actor, dry_run)


def end_account(actor: str, window: int, valid_to: dt.date | None, *, dry_run: bool = False) -> Changes:
    """The ownership `window` ends on `valid_to` (None: open-ended again)."""
    draft = Draft()
    _window(draft, window)
    draft.end_window(window, valid_to)
    return _finish(draft, actor, dry_run)


def remove_account(actor: str, window: int, *, dry_run: bool = False) -> Changes:
    """The ownership `window` was recorded by mistake: it is removed (audited)."""
    draft = Draft()
    _window(draft, window)
    draft.remove_window(window)
    return _finish(draft, actor, dry_run)


def add_department(actor: str, name: str) -> Changes:
    draft = Draft()
    if not name.strip():
        raise OrganisationRefused([Problem("required", "name", _("请填写部门名称。"))])
    draft.put_department(name.strip())
    return _finish(draft, actor, False)


def put_position(actor: str, name: str, template: str | None, *, dry_run: bool = False) -> Changes:
    """The position `name` (created when new), bound to `template` (an id or a name; None: as it is)."""
    draft = Draft()
    if not name.strip():
        raise OrganisationRefused([Problem("required", "name", _("请填写岗位名称。"))])
    draft.put_position(name.strip(), template)
    return _finish(draft, actor, dry_run)


def _known(draft: Draft, code: str) -> None:
    if code not in draft.after.people:
        raise OrganisationRefused(
            [Problem("unknown_employee", "code", _("没有工号为 %(code)s 的员工。") % {"code": code})]
        )


def _window(draft: Draft, pk: int) -> None:
    if not any(w.pk == pk for w in draft.after.windows):
        raise OrganisationRefused([Problem("unknown_account", "account", _("没有这条账号归属记录。"))])
