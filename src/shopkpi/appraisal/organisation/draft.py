"""A draft of changes to the organisation: edits on a copy, checked whole, described, then written.

    draft = Draft()                       # the organisation as it is
    draft.put_employee({...}, effective=day)
    draft.put_window(Window(...))
    changes = draft.changes()             # what would change (the preview)
    draft.commit(actor)                   # checked again, written and audited in one transaction

Every check runs on the whole organisation after the edits: an unknown supervisor, a supervisor loop
on any day, two owners of an account on one day, a leaver who owns an account after 离职日期.
`OrganisationRefused` lists every problem, each where it was found (file and row, or a field), and
nothing is written.
"""

from __future__ import annotations

import copy
import datetime as dt
import itertools
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shopkpi.appraisal.organisation import writing
from shopkpi.appraisal.organisation.changes import CHANGE_KINDS, OrganisationChange
from shopkpi.appraisal.organisation.problems import OrganisationRefused, Problem
from shopkpi.appraisal.organisation.state import (
    PERSON_FIELDS,
    TERMS_FIELDS,
    Organisation,
    Origin,
    Person,
    Terms,
    Window,
    load,
)
from shopkpi.appraisal.organisation.templates import template_choices, template_exists
from shopkpi.scorecard import PeriodKind

PERIOD_KINDS: tuple[PeriodKind, ...] = (
    "quarter",
    "year",
)  # the kinds of period a position binds a card of its own for
KIND_NAMES = {"quarter": gettext_lazy("季度"), "year": gettext_lazy("年度")}
START = dt.date.min  # "from the start" when days are compared
CENT = Decimal("0.01")


class Draft:
    def __init__(self, today: dt.date | None = None) -> None:
        self.today = today or timezone.localdate()
        self.before = load()
        self.after: Organisation = copy.deepcopy(self.before)
        self.problems: list[Problem] = []
        self._touched_accounts: set[tuple[str, str]] = set()
        self._touched_positions: set[str] = set()

    # ---- edits -------------------------------------------------------------------------------------

    def refuse(self, code: str, field: str, message: str, origin: Origin | None = None) -> None:
        where = origin or Origin()
        self.problems.append(Problem(code, field, message, where.file, where.row, where.header(field)))

    def put_department(self, name: str) -> None:
        self.after.departments.add(name)

    def put_position(self, name: str, template: str | None, origin: Origin | None = None) -> None:
        """The position `name`, bound to `template` (an id or a template's name; None: left as it is)."""
        self._touched_positions.add(name)
        current = self.after.positions.get(name, "")
        if template is None:
            self.after.positions[name] = current
            return
        found = template_exists(template) if template else ""
        if found is None:
            self.refuse(
                "unknown_template",
                "template",
                _("没有模板“%(template)s”（写模板的编号或名称，如 s001-customer-service）。")
                % {"template": template},
                origin,
            )
            return
        self.after.positions[name] = found

    def put_period_template(
        self, name: str, kind: PeriodKind, template: str, origin: Origin | None = None
    ) -> None:
        """Bind position `name` to `template` (an id or a name; '' for none) in cycles of `kind` (quarter
        or year); a template of another period is refused."""
        found = template_exists(template) if template else ""
        field = f"{kind}_template"
        if found is None:
            self.refuse(
                "unknown_template",
                field,
                _("没有模板“%(template)s”（写模板的编号或名称，如 s001-customer-service）。")
                % {"template": template},
                origin,
            )
            return
        if found and found not in dict(template_choices(kind)):
            self.refuse(
                "template_period",
                field,
                _("模板“%(template)s”不是%(kind)s模板。") % {"template": found, "kind": KIND_NAMES[kind]},
                origin,
            )
            return
        self.after.period_templates.setdefault(name, dict.fromkeys(PERIOD_KINDS, ""))[kind] = found

    def put_employee(
        self, values: Mapping[str, Any], *, effective: dt.date | None = None, origin: Origin | None = None
    ) -> None:
        """The employee `values["code"]` with the fields given (a field not given stays as it is).

        Department, position, supervisor and base salary of someone already recorded change from
        `effective` (default: today); a new employee's terms hold from the start."""
        where = origin or Origin()
        code = str(values["code"])
        if values.get("base_salary") not in (None, ""):  # text from a form or the API: exact yuan
            values = {**values, "base_salary": Decimal(str(values["base_salary"])).quantize(CENT)}
        for name in ("department", "position"):
            if values.get(name):
                if name == "department":
                    self.put_department(str(values[name]))
                elif values[name] not in self.after.positions:
                    self.put_position(str(values[name]), None, where)
                else:
                    self._touched_positions.add(str(values[name]))
        self._contact(values, where)
        person = self.after.people.get(code)
        if person is None:
            missing = [n for n in ("name", "department", "position") if not values.get(n)]
            for name in missing:
                self.refuse("required", name, _("新员工必须填写这一项。"), where)
            if missing:
                return
            person = Person(
                code=code,
                name=str(values["name"]),
                terms=[
                    Terms(
                        None,
                        str(values["department"]),
                        str(values["position"]),
                        values.get("supervisor") or None,
                        values.get("base_salary"),
                    )
                ],
                origin=where,
            )
            self.after.people[code] = person
            for name in PERSON_FIELDS:
                if name in values and name != "name":
                    setattr(person, name, values[name] if values[name] is not None else _empty(name))
            return
        person.origin = where
        for name in PERSON_FIELDS:
            if name in values:
                value = values[name]
                if name == "name" and not value:
                    self.refuse("required", name, _("姓名不能为空。"), where)
                    continue
                setattr(person, name, value if value is not None else _empty(name))
        changed: dict[str, object] = {}
        for name in TERMS_FIELDS:
            if name not in values:
                continue
            value = values[name]
            if name in ("department", "position") and not value:
                self.refuse("required", name, _("部门和岗位不能为空。"), where)
                continue
            changed[name] = value if name == "base_salary" else (value or None)
        day = effective or self.today
        in_effect = person.terms_on(day) or person.terms[0]
        changed = {k: v for k, v in changed.items() if getattr(in_effect, k) != v}
        if changed:
            person.set_terms(day, **changed)

    def _contact(self, values: Mapping[str, Any], where: Origin) -> None:
        email = values.get("email")
        if email:
            try:
                validate_email(email)
            except ValidationError:
                self.refuse(
                    "bad_email", "email", _("“%(email)s”不是电子邮箱地址。") % {"email": email}, where
                )

    def put_window(self, window: Window) -> None:
        """`window.employee` owns the account from `valid_from`: an open-ended window of another owner
        that it falls in ends the day before (a hand-over); the same account and first day replaces."""
        if window.employee not in self.after.people:
            self.refuse(
                "unknown_employee",
                "employee",
                _("没有工号为 %(code)s 的员工。") % {"code": window.employee},
                window.origin,
            )
            return
        if window.valid_from and window.valid_to and window.valid_from > window.valid_to:
            self.refuse(
                "window_reversed",
                "valid_to",
                _("失效日期 %(to)s 早于生效日期 %(from)s。")
                % {"to": window.valid_to, "from": window.valid_from},
                window.origin,
            )
            return
        self._touched_accounts.add(window.key)
        kept: list[Window] = []
        replaced: list[Window] = []  # one pass: `w not in kept` made 1,800 windows a cubic 150 s
        for w in self.after.windows:
            same = w.account == window.account and w.kind == window.kind and w.valid_from == window.valid_from
            (replaced if same else kept).append(w)
        if replaced:
            window.pk = replaced[0].pk
        kept.append(window)
        self.after.windows = kept

    def end_window(self, pk: int, valid_to: dt.date | None, origin: Origin | None = None) -> None:
        window = self._window(pk)
        self._touched_accounts.add(window.key)
        window.valid_to = valid_to
        window.origin = origin or Origin()

    def remove_window(self, pk: int) -> None:
        window = self._window(pk)
        self._touched_accounts.add(window.key)
        self.after.windows.remove(window)

    def _window(self, pk: int) -> Window:
        for window in self.after.windows:
            if window.pk == pk:
                return window
        raise KeyError(pk)

    # ---- checks ------------------------------------------------------------------------------------

    def check(self) -> None:
        """Every problem of the edits and of the organisation they leave; OrganisationRefused if any."""
        self._hand_overs()
        self._supervisors()
        self._owners()
        self._leavers()
        if self.problems:
            raise OrganisationRefused(self.problems)

    def _hand_overs(self) -> None:
        """An open-ended window ends the day before the next window of the same account begins."""
        by_key = self._touched_windows()
        for key in self._touched_accounts:
            windows = sorted(by_key.get(key, []), key=lambda w: w.valid_from or START)
            for earlier, later in itertools.pairwise(windows):
                if earlier.valid_to is None and later.valid_from is not None:
                    earlier.valid_to = later.valid_from - dt.timedelta(days=1)

    def _touched_windows(self) -> dict[tuple[str, str], list[Window]]:
        """The windows of each touched account, in the organisation's order (one pass over them all,
        not one per account: 1,800 accounts of 1,800 windows)."""
        found: dict[tuple[str, str], list[Window]] = {}
        for window in self.after.windows:
            if window.key in self._touched_accounts:
                found.setdefault(window.key, []).append(window)
        return found

    def _supervisors(self) -> None:
        people = self.after.people
        for person in people.values():
            for terms in person.terms:
                if terms.supervisor is not None and terms.supervisor not in people:
                    self.refuse(
                        "unknown_supervisor",
                        "supervisor",
                        _("没有工号为 %(code)s 的员工可以做上级。") % {"code": terms.supervisor},
                        person.origin,
                    )
        reported: set[str] = set()
        for day in self._days_to_check():
            lines = {}
            for code, person in people.items():
                on_day = person.terms_on(day)
                if on_day is not None and on_day.supervisor is not None:
                    lines[code] = on_day.supervisor
            for loop in _loops(lines):
                key = "→".join(sorted(loop))
                if key in reported:
                    continue
                reported.add(key)
                shown = " → ".join([*loop, loop[0]])
                message = (
                    _("不能做自己的上级。")
                    if len(loop) == 1
                    else _("上级关系成环：%(loop)s（自 %(day)s 起）。") % {"loop": shown, "day": _day(day)}
                )
                placed = [people[code].origin for code in loop if people[code].origin != Origin()]
                for origin in placed or [Origin()]:
                    self.refuse("supervisor_loop", "supervisor", message, origin)

    def _days_to_check(self) -> list[dt.date]:
        """The days the reporting lines change, from the first day an edit changed them."""
        first: dt.date | None = None
        for code, person in self.after.people.items():
            old = self.before.people.get(code)
            if old is not None and old.terms == person.terms:
                continue
            old_terms = [] if old is None else old.terms
            for terms in person.terms:
                if terms not in old_terms:
                    day = terms.valid_from or START
                    first = day if first is None else min(first, day)
        if first is None:
            return []
        days = {terms.valid_from or START for p in self.after.people.values() for terms in p.terms}
        return sorted(d for d in days | {first} if d >= first)

    def _owners(self) -> None:
        by_key = self._touched_windows()
        for key in self._touched_accounts:
            windows = sorted(by_key.get(key, []), key=lambda w: w.valid_from or START)
            for earlier, later in itertools.pairwise(windows):
                start = later.valid_from or START
                if earlier.valid_to is None or earlier.valid_to >= start:
                    end = min(earlier.valid_to or dt.date.max, later.valid_to or dt.date.max)
                    blamed = later if later.origin.file or later.pk is None else earlier
                    self.refuse(
                        "two_owners",
                        "valid_from",
                        _("%(account)s 在 %(days)s 有两个归属人（%(first)s 和 %(second)s）。")
                        % {
                            "account": later.account,
                            "days": _days(start, end),
                            "first": earlier.employee,
                            "second": later.employee,
                        },
                        blamed.origin,
                    )

    def _leavers(self) -> None:
        for person in self.after.people.values():
            if person.left_on is None:
                continue
            if person.hired_on is not None and person.left_on < person.hired_on:
                self.refuse(
                    "left_before_hired",
                    "left_on",
                    _("离职日期 %(left)s 早于入职日期 %(hired)s。")
                    % {"left": person.left_on, "hired": person.hired_on},
                    person.origin,
                )
            owned = [
                w for w in self.after.windows if w.employee == person.code and w.owns_after(person.left_on)
            ]
            if owned:
                names = sorted({w.account for w in owned})
                shown = "、".join(names[:5]) + ("…" if len(names) > 5 else "")
                changed = self.before.people.get(person.code)
                origin = (
                    person.origin
                    if changed is None or changed.left_on != person.left_on
                    else (owned[0].origin if owned[0].origin.file else person.origin)
                )
                self.refuse(
                    "leaver_owns_accounts",
                    "left_on",
                    _(
                        "%(code)s 在离职日期 %(left)s 之后仍是 %(accounts)s 的归属人；"
                        "请先交接这些账号（新归属人自 %(next)s 起）或结束归属。"
                    )
                    % {
                        "code": person.code,
                        "left": person.left_on,
                        "accounts": shown,
                        "next": person.left_on + dt.timedelta(days=1),
                    },
                    origin,
                )

    # ---- what changes, and writing it ----------------------------------------------------------------

    def changes(self) -> tuple[OrganisationChange, ...]:
        """Check, then describe what the edits change, in the order a preview lists them."""
        self.check()
        found = list(_describe(self.before, self.after, self._touched_positions))
        found.sort(key=lambda c: CHANGE_KINDS.index(c.kind))
        return tuple(found)

    def commit(self, actor: str) -> tuple[OrganisationChange, ...]:
        """Check, write and audit every change in one transaction; the changes made."""
        changes = self.changes()
        if changes:
            with transaction.atomic():
                writing.write(self.before, self.after, self.today)
                writing.audit_changes(actor, changes, self.after)
        return changes


def _empty(name: str) -> object:
    return "" if name in ("email", "mobile") else None


def _day(day: dt.date) -> str:
    return _("入职起") if day == START else day.isoformat()


def _days(start: dt.date, end: dt.date) -> str:
    if start == end:
        return _day(start)
    return f"{_day(start)} … {_('不限') if end == dt.date.max else end.isoformat()}"


def _loops(lines: Mapping[str, str]) -> Iterable[list[str]]:
    """Each loop of `lines` (employee → supervisor) once, in walking order."""
    state: dict[str, int] = {}  # 1: on the current walk, 2: done
    for start in lines:
        walk: list[str] = []
        code: str | None = start
        while code is not None and state.get(code) is None:
            state[code] = 1
            walk.append(code)
            code = lines.get(code)
        if code is not None and state.get(code) == 1:
            yield walk[walk.index(code) :]
        for seen in walk:
            state[seen] = 2


def _describe(
    before: Organisation, after: Organisation, touched_positions: set[str]
) -> Iterable[OrganisationChange]:
    for name in sorted(after.departments - before.departments):
        yield OrganisationChange("new_department", name)
    for name, template in sorted(after.positions.items()):
        if name not in before.positions:
            yield OrganisationChange("new_position", name, after=template or None)
        elif before.positions[name] != template:
            yield OrganisationChange(
                "position_template", name, "template", before.positions[name] or None, template or None
            )
        if not template and name in touched_positions:
            yield OrganisationChange("position_without_template", name)
        for kind in PERIOD_KINDS:
            was = before.period_templates.get(name, {}).get(kind, "")
            now = after.period_templates.get(name, {}).get(kind, "")
            if was != now:
                yield OrganisationChange(
                    "position_template", name, f"{kind}_template", was or None, now or None
                )
    for code, person in sorted(after.people.items()):
        old = before.people.get(code)
        if old is None:
            yield OrganisationChange("new_employee", code, after=person.name)
            if person.left_on is not None:
                yield OrganisationChange("leaver", code, "left_on", None, person.left_on)
            continue
        for name in PERSON_FIELDS:
            was, now = getattr(old, name), getattr(person, name)
            if was == now:
                continue
            if name == "left_on" and was is None:
                yield OrganisationChange("leaver", code, name, None, now)
            else:
                yield OrganisationChange("changed_field", code, name, was, now)
        for terms in person.terms:
            if terms in old.terms:
                continue
            then = old.terms_on(terms.valid_from) if terms.valid_from else old.terms[0]
            then = then or old.terms[0]
            for name in TERMS_FIELDS:
                was, now = getattr(then, name), getattr(terms, name)
                if was != now:
                    yield OrganisationChange("changed_field", code, name, was, now, terms.valid_from)
    yield from _describe_windows(before.windows, after.windows)


def _describe_windows(before: list[Window], after: list[Window]) -> Iterable[OrganisationChange]:
    old = {w.pk: w for w in before}
    now = {w.pk for w in after if w.pk is not None}
    handed: set[tuple[str, str, dt.date | None]] = set()
    by_key: dict[tuple[str, str], list[Window]] = {}  # (an account's windows, looked up per new window)
    for window in after:
        by_key.setdefault(window.key, []).append(window)
    for window in after:
        was = old.get(window.pk) if window.pk is not None else None
        if was is not None and was.employee == window.employee:
            continue
        previous = was if was is not None else _previous_owner(old, by_key.get(window.key, []), window)
        if previous is not None and previous.employee != window.employee:
            handed.add((window.kind, window.account, window.valid_from))
            yield OrganisationChange(
                "hand_over", window.subject, "employee", previous.employee, window.employee, window.valid_from
            )
        else:
            yield OrganisationChange(
                "new_owner", window.subject, "employee", None, window.employee, window.valid_from
            )
    for window in after:
        was = old.get(window.pk) if window.pk is not None else None
        if was is None or was.employee != window.employee or was.valid_to == window.valid_to:
            continue
        ended_for = window.valid_to + dt.timedelta(days=1) if window.valid_to else None
        if (window.kind, window.account, ended_for) in handed:
            continue  # the hand-over says it
        yield OrganisationChange(
            "ownership_end", window.subject, "valid_to", was.valid_to, window.valid_to, window.valid_from
        )
    for pk, window in old.items():
        if pk not in now:
            yield OrganisationChange(
                "ownership_removed", window.subject, "employee", window.employee, None, window.valid_from
            )


def _previous_owner(
    before: Mapping[int | None, Window], account_windows: Sequence[Window], window: Window
) -> Window | None:
    """The window of the account that this new one ends (the day before it begins), if any, of the
    account's windows after the edits (`before`: the windows before them by primary key)."""
    if window.valid_from is None:
        return None
    day = window.valid_from - dt.timedelta(days=1)
    for other in account_windows:
        if other.valid_to == day and other.pk is not None:
            was = before.get(other.pk)
            if was is not None and was.valid_to != day:
                return other
    return None
