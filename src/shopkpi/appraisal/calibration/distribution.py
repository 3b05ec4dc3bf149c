"""A cycle's grade distribution, company-wide and per department, against HR's target (校准).

The distribution counts the cycle's reviews that have a grade (a complete score), whatever their step:
calibration happens before publication, and the figures the GM confirms must not move as reviews are
approved. A grade's share is exact (count × 100 / graded, a Decimal); it is outside the target when it
is above the grade's `at_most` or below its `at_least`. A department with targets of its own is held to
them; any other department, and the company as a whole, to the company's targets.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count

from shopkpi.appraisal.models import CalibrationTarget, Cycle, CycleTemplate, Review, TemplateVersion

HUNDRED = Decimal(100)
ABOVE = "above"  # more than the grade's at_most
BELOW = "below"  # less than the grade's at_least


@dataclass(frozen=True)
class Bound:
    at_most: Decimal | None = None
    at_least: Decimal | None = None


@dataclass(frozen=True)
class Share:
    """One grade's bar: how many reviews, their share, the target, and the reviews behind it."""

    grade: str
    count: int
    total: int
    bound: Bound
    reviews: tuple[int, ...]

    @property
    def percent(self) -> Decimal:
        return Decimal(0) if self.total == 0 else Decimal(self.count) * HUNDRED / Decimal(self.total)

    @property
    def outside(self) -> str | None:
        """ABOVE, BELOW or None (inside the target, or no target for this grade, or nothing graded)."""
        if self.total == 0:
            return None
        if self.bound.at_most is not None and self.percent > self.bound.at_most:
            return ABOVE
        if self.bound.at_least is not None and self.percent < self.bound.at_least:
            return BELOW
        return None


@dataclass(frozen=True)
class Distribution:
    """The grades of one scope: the whole company (department None) or one department."""

    department: int | None
    name: str  # the department's name; "" for the company
    graded: int
    ungraded: int  # reviews without a grade yet (an incomplete score)
    shares: tuple[Share, ...]
    own_targets: bool  # a department held to targets of its own

    @property
    def outside(self) -> tuple[Share, ...]:
        return tuple(share for share in self.shares if share.outside is not None)


@dataclass(frozen=True)
class CycleDistribution:
    cycle: Cycle
    company: Distribution
    departments: tuple[Distribution, ...]
    has_targets: bool

    def scopes(self) -> tuple[Distribution, ...]:
        return (self.company, *self.departments)

    def of_department(self, department: int | None) -> Distribution | None:
        return next((d for d in self.departments if d.department == department), None)

    def figures_all(self) -> list[dict[str, object]]:
        """Every scope's shares outside the target, as data (what the GM confirms)."""
        return [figure(scope, share) for scope in self.scopes() for share in scope.outside]

    def figures_for(self, department: int | None) -> list[dict[str, object]]:
        """The company's and one department's shares outside the target (what publishing one of its
        reviews is checked against)."""
        scopes = (self.company, self.of_department(department))
        return [figure(scope, share) for scope in scopes if scope is not None for share in scope.outside]


def figure(scope: Distribution, share: Share) -> dict[str, object]:
    bound = share.bound.at_most if share.outside == ABOVE else share.bound.at_least
    return {
        "department": scope.department,
        "scope": scope.name,
        "grade": share.grade,
        "count": share.count,
        "total": share.total,
        "outside": share.outside,
        "bound": None if bound is None else format(bound.normalize(), "f"),
    }


Row = tuple[
    int | None, int | None, str | None, str, int
]  # review (or None), department, its name, grade, count


def of_cycle(cycle: Cycle, *, with_reviews: bool = True) -> CycleDistribution:
    """The cycle's distribution (three queries: the reviews, the targets, the templates' grades).
    Without the reviews behind each bar (what publishing checks), the reviews are counted by the
    database, one row per department and grade, whatever their number."""
    found = Review.objects.filter(cycle=cycle)
    columns = ("employee__department_id", "employee__department__name", "grade")
    rows: list[Row] = (
        [
            (pk, department, name, grade, 1)
            for pk, department, name, grade in found.order_by(
                "employee__department__name", "employee__code"
            ).values_list("pk", *columns)
        ]
        if with_reviews
        else [
            (None, department, name, grade, count)
            for department, name, grade, count in found.order_by()
            .values_list(*columns)
            .annotate(n=Count("pk"))
            .order_by("employee__department__name", "grade")
        ]
    )
    targets = targets_by_scope(CalibrationTarget.objects.all())
    order = grade_order(cycle, targets, (row[3] for row in rows))
    company = _scope(None, "", rows, order, targets.get(None, {}), own=False)
    names: dict[int | None, str] = {}
    for _pk, department, name, _grade, _n in rows:
        names.setdefault(department, name or "")
    departments = tuple(
        _scope(
            department,
            name,
            [row for row in rows if row[1] == department],
            order,
            targets.get(department, targets.get(None, {})),
            own=department in targets,
        )
        for department, name in names.items()
    )
    return CycleDistribution(cycle, company, departments, bool(targets))


def targets_by_scope(found: Iterable[CalibrationTarget]) -> dict[int | None, dict[str, Bound]]:
    targets: dict[int | None, dict[str, Bound]] = {}
    for target in found:
        targets.setdefault(target.department_id, {})[target.grade] = Bound(target.at_most, target.at_least)
    return targets


def grade_order(
    cycle: Cycle, targets: Mapping[int | None, Mapping[str, Bound]], given: Iterable[str]
) -> list[str]:
    """The grades in the order the cycle's templates list them (best first), then any other grade a
    target or a review names."""
    order: list[str] = []
    versions = CycleTemplate.objects.filter(cycle=cycle).select_related("template_version")
    for bound in sorted({ct.template_version for ct in versions}, key=lambda v: (v.template_id, v.pk)):
        order.extend(g.name for g in bound.compiled().grades if g.name not in order)
    for grade in [*given, *(g for scope in targets.values() for g in scope)]:
        if grade and grade not in order:
            order.append(grade)
    return order


def grade_names() -> list[str]:
    """The grades of every template's latest version, in their order (best first): the grades a
    target can name."""
    names: list[str] = []
    latest: dict[str, TemplateVersion] = {}
    for version in TemplateVersion.objects.order_by("template_id", "-version"):
        latest.setdefault(version.template_id, version)
    for version in latest.values():
        names.extend(g.name for g in version.compiled().grades if g.name not in names)
    return names


def _scope(
    department: int | None,
    name: str,
    rows: Sequence[Row],
    order: Sequence[str],
    bounds: Mapping[str, Bound],
    *,
    own: bool,
) -> Distribution:
    counts: dict[str, int] = {}
    members: dict[str, list[int]] = {}
    for pk, _department, _name, grade, n in rows:
        counts[grade] = counts.get(grade, 0) + n
        if pk is not None:
            members.setdefault(grade, []).append(pk)
    graded = sum(n for grade, n in counts.items() if grade)
    shares = tuple(
        Share(grade, counts.get(grade, 0), graded, bounds.get(grade, Bound()), tuple(members.get(grade, ())))
        for grade in order
        if grade in bounds or counts.get(grade)
    )
    return Distribution(department, name, graded, counts.get("", 0), shares, own)
