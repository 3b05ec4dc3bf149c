"""Who a month appraises and with which template: the rule a cycle opens with, and `shopkpi run` reads
when no cycle is open for the month."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _

from shopkpi.appraisal.models import Employee, Position, TemplateVersion
from shopkpi.appraisal.organisation.records import apply_month_terms
from shopkpi.appraisal.review_steps import WorkflowError, listed
from shopkpi.scorecard import TemplateError, builtin_template_dir

DEFAULT_CUTOFF_DAY = 15


def eligible_employees(period: str, cutoff_day: int = DEFAULT_CUTOFF_DAY) -> list[Employee]:
    """Employees active in the month: hired by its last day (one hired after the cut-off day joins from
    the next cycle) and not gone before its first day (one who left during the month is appraised)."""
    year, month = (int(part) for part in period.split("-"))
    first = dt.date(year, month, 1)
    last = (dt.date(year + 1, 1, 1) if month == 12 else dt.date(year, month + 1, 1)) - dt.timedelta(days=1)
    cutoff = dt.date(year, month, min(cutoff_day, last.day))
    active = Employee.objects.filter(Q(hired_on__isnull=True) | Q(hired_on__lte=cutoff)).filter(
        Q(left_on__isnull=True) | Q(left_on__gte=first)
    )
    people = list(active.select_related("position", "department", "supervisor").order_by("code"))
    apply_month_terms(people, period)  # the month's position, supervisor and salary (effective-dated)
    return people


@dataclass(frozen=True)
class ParticipantRule:
    """Who a month appraises as HR names them when opening it: everyone eligible (`eligible_employees`)
    in the chosen departments (none chosen: every department), less the exceptions, named by 工号. A
    rule and its exceptions, however many people it covers."""

    departments: frozenset[int] = frozenset()
    excluded: frozenset[str] = frozenset()

    def in_scope(self, people: Sequence[Employee]) -> list[Employee]:
        """The eligible people of the chosen departments, exceptions included."""
        return [e for e in people if not self.departments or e.department_id in self.departments]

    def choose(self, people: Sequence[Employee]) -> list[Employee]:
        """The participants among the eligible `people`. An exception that names nobody in scope is
        refused (code unknown_exception), listing every such 工号."""
        scope = self.in_scope(people)
        unknown = self.excluded - {e.code for e in scope}
        if unknown:
            raise WorkflowError(
                _(
                    "这些工号不在本期的参加范围内，不能排除：%(codes)s。"
                    "请核对工号（在职、入职截止日前入职、在所选部门）。"
                )
                % {"codes": listed(sorted(unknown))},
                code="unknown_exception",
            )
        return [e for e in scope if e.code not in self.excluded]


def codes_in(text: str) -> frozenset[str]:
    """The 工号 written in a text: one per line, or separated by commas, 、, semicolons or spaces."""
    return frozenset(part for part in re.split(r"[\s,，、;；]+", text) if part)


def current_version(position: Position) -> TemplateVersion | None:
    """The newest saved version of the position's template; before its first use, an unsaved version 1
    holding the built-in template file; None when there is neither."""
    if not position.template_id:
        return None
    latest = TemplateVersion.objects.filter(template_id=position.template_id).order_by("-version").first()
    if latest is not None:
        return latest
    path = builtin_template_dir() / f"{position.template_id}.yaml"
    if not path.is_file():
        return None
    return TemplateVersion(template_id=position.template_id, version=1, text=path.read_text("utf-8"))


def position_versions(people: Sequence[Employee]) -> dict[int, TemplateVersion]:
    """Position id -> the template version its people are scored with this month (some maybe unsaved,
    see current_version). Every employee whose position has no monthly template is listed in one
    WorkflowError (code template_missing), nobody skipped."""
    versions = _versions(people)
    unusable = _unusable(people, versions)
    if unusable:
        problems = [
            _("%(code)s %(name)s（岗位 %(position)s）：%(reason)s")
            % {"code": e.code, "name": e.name, "position": e.position.name, "reason": unusable[e.code]}
            for e in people
            if e.code in unusable
        ]
        raise WorkflowError(
            _("这些员工的岗位没有可用的月度考核表模板，请先为岗位指定模板：%(people)s")
            % {"people": listed(problems)},
            code="template_missing",
        )
    return {position: version for position, version in versions.items() if version is not None}


def without_template(people: Sequence[Employee]) -> dict[str, str]:
    """Employee code -> why their position has no usable monthly template, for those whose has none
    (what opening the month would refuse them for)."""
    return _unusable(people, _versions(people))


def _versions(people: Sequence[Employee]) -> dict[int, TemplateVersion | None]:
    versions: dict[int, TemplateVersion | None] = {}
    for employee in people:
        if employee.position_id not in versions:
            versions[employee.position_id] = current_version(employee.position)
    return versions


def _unusable(people: Sequence[Employee], versions: dict[int, TemplateVersion | None]) -> dict[str, str]:
    found = {e.code: _why_unusable(e.position, versions[e.position_id]) for e in people}
    return {code: reason for code, reason in found.items() if reason}


def _why_unusable(position: Position, version: TemplateVersion | None) -> str:
    if not position.template_id:
        return _("岗位没有指定考核表模板")
    if version is None:
        return _("模板“%(template)s”既没有保存过的版本，也没有内置的模板文件") % {
            "template": position.template_id
        }
    try:
        template = version.compiled()
    except TemplateError as exc:
        return _("模板“%(template)s”有误：%(problems)s") % {"template": position.template_id, "problems": exc}
    if template.period != "month":
        return _("模板“%(template)s”按“%(period)s”考核，月度考核期需要月度模板") % {
            "template": position.template_id,
            "period": template.period,
        }
    return ""
