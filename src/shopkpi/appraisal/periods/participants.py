"""Who a period appraises and with which template: the rule a cycle opens with, and `shopkpi run` reads
when no cycle is open for the period. A month, a quarter and a year follow the same rule; a position
is bound to one template per kind of period."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db.models import OuterRef, Q, Subquery, prefetch_related_objects
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shopkpi.appraisal.models import Employee, Position, TemplateVersion
from shopkpi.appraisal.organisation.records import apply_month_terms
from shopkpi.appraisal.reviews.review_steps import WorkflowError, listed
from shopkpi.scorecard import Period, PeriodKind, TemplateError, builtin_template_dir

DEFAULT_CUTOFF_DAY = 15
KIND_NAMES: dict[PeriodKind, Promise] = {
    "month": gettext_lazy("月度"),
    "quarter": gettext_lazy("季度"),
    "year": gettext_lazy("年度"),
}


def eligible_employees(period: str, cutoff_day: int = DEFAULT_CUTOFF_DAY) -> list[Employee]:
    """Employees active in the period: hired by the cut-off day of its last month (one hired after it
    joins from the next cycle) and not gone before its first day (one who left during the period is
    appraised)."""
    span = Period.parse(period)
    last = span.end
    cutoff = dt.date(last.year, last.month, min(cutoff_day, last.day))
    active = Employee.objects.filter(Q(hired_on__isnull=True) | Q(hired_on__lte=cutoff)).filter(
        Q(left_on__isnull=True) | Q(left_on__gte=span.start)
    )
    people = list(active.order_by("code"))
    # the period's position, supervisor and salary (effective-dated); departments, positions and
    # supervisors attached once each rather than read again with every person
    apply_month_terms(people, period, among=active)
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


def current_version(position: Position, kind: PeriodKind = "month") -> TemplateVersion | None:
    """The newest saved version of the position's template for periods of `kind`; before its first
    use, an unsaved version 1 holding the built-in template file; None when there is neither."""
    return template_version(position.template_for(kind))


def template_version(template_id: str) -> TemplateVersion | None:
    """The newest saved version of a template, else an unsaved version 1 of the built-in file, else None."""
    if not template_id:
        return None
    latest = TemplateVersion.objects.filter(template_id=template_id).order_by("-version").first()
    return latest if latest is not None else _builtin_version(template_id)


def template_versions(template_ids: Iterable[str]) -> dict[str, TemplateVersion | None]:
    """`template_version` of each of the templates, the saved ones read in one query."""
    wanted = {t for t in template_ids if t}
    newest = TemplateVersion.objects.filter(
        template_id__in=wanted,
        version=Subquery(
            TemplateVersion.objects.filter(template_id=OuterRef("template_id"))
            .order_by("-version")
            .values("version")[:1]
        ),
    )
    found: dict[str, TemplateVersion | None] = {v.template_id: v for v in newest}
    return {t: found[t] if t in found else _builtin_version(t) for t in wanted}


def _builtin_version(template_id: str) -> TemplateVersion | None:
    path = builtin_template_dir() / f"{template_id}.yaml"
    if not path.is_file():
        return None
    return TemplateVersion(template_id=template_id, version=1, text=path.read_text("utf-8"))


def position_versions(people: Sequence[Employee], kind: PeriodKind = "month") -> dict[int, TemplateVersion]:
    """Position id -> the template version its people are scored with in a period of `kind` (some maybe
    unsaved, see current_version). Every employee whose position has no template of that kind is
    listed in one WorkflowError (code template_missing), nobody skipped."""
    versions = _versions(people, kind)
    unusable = _unusable(people, versions, kind)
    if unusable:
        problems = [
            _("%(code)s %(name)s（岗位 %(position)s）：%(reason)s")
            % {"code": e.code, "name": e.name, "position": e.position.name, "reason": unusable[e.code]}
            for e in people
            if e.code in unusable
        ]
        raise WorkflowError(
            _("这些员工的岗位没有可用的%(kind)s考核表模板，请先为岗位指定模板：%(people)s")
            % {"kind": KIND_NAMES[kind], "people": listed(problems)},
            code="template_missing",
        )
    return {position: version for position, version in versions.items() if version is not None}


def without_template(people: Sequence[Employee], kind: PeriodKind = "month") -> dict[str, str]:
    """Employee code -> why their position has no usable template of `kind`, for those whose has none
    (what opening the period would refuse them for)."""
    return _unusable(people, _versions(people, kind), kind)


def _versions(people: Sequence[Employee], kind: PeriodKind) -> dict[int, TemplateVersion | None]:
    """Position id -> its template's version (`current_version`); positions and versions read at once."""
    prefetch_related_objects(list(people), "position")
    positions = {e.position_id: e.position for e in people}
    latest = template_versions(p.template_for(kind) for p in positions.values())
    return {pk: latest.get(p.template_for(kind)) for pk, p in positions.items()}


def _unusable(
    people: Sequence[Employee], versions: dict[int, TemplateVersion | None], kind: PeriodKind
) -> dict[str, str]:
    positions = {e.position_id: e.position for e in people}  # each position judged once, not per person
    why = {pk: _why_unusable(p, versions[pk], kind) for pk, p in positions.items()}
    return {e.code: why[e.position_id] for e in people if why[e.position_id]}


def _why_unusable(position: Position, version: TemplateVersion | None, kind: PeriodKind) -> str:
    template_id = position.template_for(kind)
    if not template_id:
        return _("岗位没有指定%(kind)s考核表模板") % {"kind": KIND_NAMES[kind]}
    if version is None:
        return _("模板“%(template)s”既没有保存过的版本，也没有内置的模板文件") % {"template": template_id}
    try:
        template = version.compiled()
    except TemplateError as exc:
        return _("模板“%(template)s”有误：%(problems)s") % {"template": template_id, "problems": exc}
    if template.period != kind:
        return _("模板“%(template)s”是%(period)s模板，%(kind)s考核期需要%(kind)s模板") % {
            "template": template_id,
            "period": KIND_NAMES[template.period],
            "kind": KIND_NAMES[kind],
        }
    return ""
