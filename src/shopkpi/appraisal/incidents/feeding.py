"""The incidents of a period feed the items that count them.

For every variable of a template that is the kind of at least one incident of the employee in the
period, the value is the sum of those incidents (次数 or 金额; a deleted incident counts 0 but still says
that the kind is kept by records, so deleting the last one gives 0): **incidents win**. A number HR typed
or imported for that variable (an `inputs` row) is then not counted; the value's source names it. With no
incident of a kind in the period at all, the typed number stands as before (or the value is missing, as
before: nothing is counted as 0 silently). HR's override (人事修正, with a reason) still wins over both.

`lay_over` is run by the month close over a month's fresh values (`month_close.compute_month`), so
every route that scores a month (the cycle, `shopkpi run`, the what-if) counts incidents the same way;
`refresh_employee` computes the open months of one employee again after an incident changed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path

from shopkpi.appraisal.models import Cycle, Incident, Review
from shopkpi.scorecard import Template
from shopkpi.scorecard.numbers import format_decimal, plain
from shopkpi.scorecard.periods import Period

SOURCE = "奖惩记录"  # the start of the source of every value the incidents made


def period_incidents(period: str, employee_ids: Iterable[int]) -> dict[int, list[Incident]]:
    """The incidents of `period` (a month, a quarter or a year) by employee id, in date order, deleted
    ones included (they count for nothing, but say that the kind is kept by incident records)."""
    span = Period.parse(period)
    found: dict[int, list[Incident]] = {}
    for incident in Incident.objects.filter(
        employee_id__in=list(employee_ids),
        occurred_on__gte=span.start,
        occurred_on__lte=span.end,
    ).order_by("occurred_on", "id"):
        found.setdefault(incident.employee_id, []).append(incident)
    return found


def totals(template: Template, incidents: Sequence[Incident]) -> dict[str, tuple[Decimal, list[Incident]]]:
    """Kind -> (the sum of the active incidents, every incident) for the kinds the template reads."""
    found: dict[str, tuple[Decimal, list[Incident]]] = {}
    for incident in incidents:
        if incident.kind in template.variables:
            total, listed = found.get(incident.kind, (Decimal(0), []))
            counted = incident.amount if incident.status == Incident.Status.ACTIVE else Decimal(0)
            found[incident.kind] = (total + counted, [*listed, incident])
    return found


def lay_over(
    template: Template,
    values: Mapping[str, str | None],
    provenance: Mapping[str, str],
    incidents: Sequence[Incident],
) -> tuple[dict[str, str | None], dict[str, str]]:
    """The values with the incidents' sums laid over them (see the module docstring); a value an earlier
    computation took from incidents that are gone now is dropped (the typed number, if any, was laid
    over it again by the fresh values)."""
    values = dict(values)
    sources = dict(provenance)
    counted = totals(template, incidents)
    for name in [n for n, source in sources.items() if source.startswith(SOURCE) and n not in counted]:
        values.pop(name, None)
        sources.pop(name)
    for name, (total, listed) in counted.items():
        typed = None if sources.get(name, "").startswith(SOURCE) else values.get(name)
        active = sum(1 for i in listed if i.status == Incident.Status.ACTIVE)
        source = f"{SOURCE} {active} 条，合计 {_text(total)}"
        if active < len(listed):
            source += f"（另有 {len(listed) - active} 条已删除）"
        if typed is not None:
            source += f"（不计入已录入的 {typed}：{sources.get(name, '')}）"
        values[name] = _text(total)
        sources[name] = source
    return values, sources


def refresh_employee(employee_id: int, days: Iterable[dt.date], *, actor: str, home: Path) -> list[Review]:
    """After incidents of `days` changed: the employee's reviews of open cycles whose period holds one of
    them and whose values are not frozen, computed again (the month close for this one person)."""
    from shopkpi.appraisal.periods.month_close import Candidate, compute_month
    from shopkpi.appraisal.reviews.review_scoring import store

    wanted = set(days)
    reviews = [
        review
        for review in Review.objects.filter(
            employee_id=employee_id, cycle__status=Cycle.Status.OPEN, values_frozen_at__isnull=True
        )
        .select_related("employee", "employee__position", "template_version", "cycle")
        .prefetch_related("ratings", "overrides__created_by")
        if any(
            Period.parse(review.cycle.period).start <= day <= Period.parse(review.cycle.period).end
            for day in wanted
        )
    ]
    for review in reviews:
        computed = compute_month(
            home, review.cycle.period, [Candidate(review.employee, review.template_version, review)]
        )
        (card,) = computed.cards
        store(review, card.month, card.scored)
    return reviews


def _text(value: Decimal) -> str:
    return format_decimal(plain(value))
