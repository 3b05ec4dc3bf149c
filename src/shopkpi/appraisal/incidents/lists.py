"""Which incidents and people a user's incident pages list (the policy decides; this only asks it).

HR and the GM see every employee's incidents; a supervisor their direct reports' (and may record
them); HR records anybody's but their own. One employee's incidents of a review's period, grouped
by the kind they count, are what the review page shows under each item (`for_review`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import Q, QuerySet

from shopkpi.appraisal.accounts.roles import employee_of, is_gm, is_hr
from shopkpi.appraisal.models import Employee, Incident, Review
from shopkpi.appraisal.policy import IncidentNotFound, sees_incidents
from shopkpi.scorecard.periods import Period


def recordable_employees(user: Any) -> QuerySet[Employee]:
    """The people the user may record incidents for: everyone but themself for HR, else their reports."""
    me = employee_of(user)
    people = Employee.objects.select_related("department", "position").order_by("code")
    if is_hr(user):
        return people if me is None else people.exclude(pk=me.pk)
    return people.none() if me is None else people.filter(supervisor=me)


def listed(user: Any, period: Period, q: str = "") -> QuerySet[Incident]:
    """The incidents of `period` on the user's list: everyone's for HR and the GM, else their reports'."""
    found = Incident.objects.filter(occurred_on__gte=period.start, occurred_on__lte=period.end)
    if not (is_hr(user) or is_gm(user)):
        me = employee_of(user)
        found = found.none() if me is None else found.filter(employee__supervisor=me)
    if q:
        found = found.filter(Q(employee__code=q) | Q(employee__name__contains=q))
    return (
        found.select_related("employee", "recorded_by")
        .prefetch_related("evidence")
        .order_by("-occurred_on", "employee__code", "-id")
    )


def visible(user: Any, period: Period, code: str = "") -> QuerySet[Incident]:
    """The incidents of `period` the user may see: everyone's for HR and the GM, else their reports' and
    their own (a review's evaluator from elsewhere opens one by its page)."""
    found = Incident.objects.filter(occurred_on__gte=period.start, occurred_on__lte=period.end)
    if not (is_hr(user) or is_gm(user)):
        me = employee_of(user)
        found = found.none() if me is None else found.filter(Q(employee=me) | Q(employee__supervisor=me))
    if code:
        found = found.filter(employee__code=code)
    return found.select_related("employee").prefetch_related("evidence").order_by("occurred_on", "id")


def incident_for(user: Any, incident_id: object) -> Incident:
    """The incident if the user may see it; IncidentNotFound (404) otherwise."""
    try:
        number = int(str(incident_id))
    except ValueError:
        raise IncidentNotFound(incident_id) from None
    incident = (
        Incident.objects.select_related("employee", "employee__supervisor", "recorded_by")
        .prefetch_related("evidence")
        .filter(pk=number)
        .first()
    )
    if incident is None or not sees_incidents(user, incident.employee, incident.occurred_on):
        raise IncidentNotFound(incident_id)
    return incident


def for_review(review: Review, kinds: Sequence[str]) -> dict[str, list[Incident]]:
    """The active incidents of the review's employee and period of each of `kinds` (the review's page
    is only shown to those who may see the review, and so its incidents)."""
    span = Period.parse(review.cycle.period)
    found: dict[str, list[Incident]] = {}
    for incident in (
        Incident.objects.filter(
            employee_id=review.employee_id,
            status=Incident.Status.ACTIVE,
            kind__in=list(kinds),
            occurred_on__gte=span.start,
            occurred_on__lte=span.end,
        )
        .prefetch_related("evidence")
        .order_by("occurred_on", "id")
    ):
        found.setdefault(incident.kind, []).append(incident)
    return found
