"""Which incidents an employee can have: the kinds their template counts.

A kind is an entered variable (not a metric of the shop data, not an employee field) that a counting
item reads: a deduction (`deduct`, 扣完为止), a penalty (`penalty`) or a bonus (`bonus`, 加分项), e.g.
差评次数, 违规用语次数, 工作记录未完成次数, 缺勤天数, 问题汇报次数. The template is the one the employee's month
is scored with: the review's, once the month is open, else the position's current monthly template.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from shopkpi.appraisal.models import Employee, Review, TemplateVersion
from shopkpi.scorecard import Template, TemplateError
from shopkpi.scorecard.periods import Period
from shopkpi.scorecard.template import BonusRule, DeductRule, PenaltyRule

EMPLOYEE_FIELDS = frozenset({"base_salary", "days_worked", "days_in_period"})


@dataclass(frozen=True)
class Kind:
    """One kind of incident: the variable it counts towards and the items that read it."""

    name: str
    items: tuple[str, ...]  # the names of the items that count it
    bonus: bool  # counted by a bonus item (加分) rather than a deduction


def counted_kinds(template: Template, metrics: frozenset[str]) -> tuple[Kind, ...]:
    """The template's kinds, in the order of its items (`metrics`: the names the shop data computes)."""
    items: dict[str, list[str]] = {}
    bonus: dict[str, bool] = {}
    for item in template.items:
        if item.value is None or not isinstance(item.rule, DeductRule | PenaltyRule | BonusRule):
            continue
        for name in sorted(item.value.variables - metrics - EMPLOYEE_FIELDS):
            items.setdefault(name, []).append(item.name)
            bonus.setdefault(name, isinstance(item.rule, BonusRule))
    return tuple(Kind(name, tuple(names), bonus[name]) for name, names in items.items())


def metric_names(home: Path) -> frozenset[str]:
    from shopkpi.data.metrics.catalogue import load_catalogue

    return frozenset(load_catalogue(home).metrics)


def month_template(employee: Employee, day: dt.date) -> Template | None:
    """The template the employee's month of `day` is scored with (see the module docstring)."""
    from shopkpi.appraisal.periods.participants import current_version

    month = Period.parse(day.strftime("%Y-%m"))
    review = (
        Review.objects.filter(employee=employee, cycle__period=month.text)
        .select_related("template_version")
        .first()
    )
    version: TemplateVersion | None = (
        review.template_version if review is not None else current_version(employee.position, "month")
    )
    if version is None:
        return None
    try:
        return version.compiled()
    except TemplateError:  # a broken saved template offers no kinds; opening the month names the problem
        return None


def kinds_for(home: Path, employee: Employee, day: dt.date) -> tuple[Kind, ...]:
    template = month_template(employee, day)
    return () if template is None else counted_kinds(template, metric_names(home))
