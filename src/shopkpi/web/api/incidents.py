"""Incident records (奖惩记录) for other systems: GET /api/incidents and POST /api/incidents.

A list holds the incidents the user may see (HR and the GM: everyone's; a supervisor: their reports'
and their own; an employee: their own), of a month or any period (`2026-09`, `2026-Q3`, `2026`); a new
incident is checked and recorded by the same service as the page (`incidents.records.record`: HR and
the employee's supervisor only, 403 `wrong_party` or `recusal` otherwise; 409 `incident_refused` with
every problem). Evidence files are added on the page.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from django.conf import settings
from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from shopkpi.appraisal.incidents import lists, records
from shopkpi.appraisal.models import Incident
from shopkpi.scorecard.numbers import format_decimal, plain
from shopkpi.scorecard.periods import Period, PeriodError
from shopkpi.web.api.errors import documented
from shopkpi.web.api.schemas import NO_NUL, Key, Page, Paged, Reason

router = Router(tags=["incidents"])
Amount = Annotated[
    str, Field(min_length=1, max_length=30, pattern=NO_NUL, description="A count or amount above 0.")
]


class IncidentOut(Schema):
    id: int
    employee: str = Field(description="The employee's 工号.")
    occurred_on: dt.date
    kind: str = Field(description="The template variable it counts towards, e.g. 差评次数.")
    amount: str = Field(description="The count or amount, as a decimal string.")
    note: str
    status: str = Field(description="active, or removed (deleted with a reason: it counts for nothing).")
    evidence: list[str] = Field(description="The names of its evidence files.")


class IncidentIn(Schema):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "employee": "E001",
                    "occurred_on": "2026-09-03",
                    "kind": "差评次数",
                    "amount": "1",
                    "note": "回复超时，顾客差评",
                }
            ]
        }
    )

    employee: Key
    occurred_on: dt.date
    kind: Key
    amount: Amount
    note: Reason


class IncidentQuery(Page):
    period: Annotated[str, Field(max_length=10, pattern=NO_NUL)] = Field(
        "", description="A month, quarter or year (2026-09, 2026-Q3, 2026); empty: the current month."
    )
    employee: Annotated[str, Field(max_length=50, pattern=NO_NUL)] = Field(
        "", description="One employee's 工号."
    )


def _out(incident: Incident) -> IncidentOut:
    return IncidentOut(
        id=incident.pk,
        employee=incident.employee.code,
        occurred_on=incident.occurred_on,
        kind=incident.kind,
        amount=format_decimal(plain(incident.amount)),
        note=incident.note,
        status=incident.status,
        evidence=[e.name for e in incident.evidence.all()],
    )


@router.get(
    "/incidents", operation_id="list_incidents", response={200: Paged[IncidentOut], **documented(401, 422)}
)
def list_incidents(request: HttpRequest, query: Query[IncidentQuery]) -> Paged[IncidentOut]:
    """The incidents of a period the user may see, by date (an unknown period: the current month)."""
    try:
        span = Period.parse(query.period)
    except PeriodError:
        span = Period.parse(dt.date.today().strftime("%Y-%m"))
    found = lists.visible(request.auth, span, query.employee.strip())  # type: ignore[attr-defined]
    rows = found[query.offset : query.offset + query.limit]
    return Paged[IncidentOut](items=[_out(i) for i in rows], count=found.count())


@router.post(
    "/incidents",
    operation_id="record_incident",
    response={201: IncidentOut, **documented(400, 401, 403, 409, 422)},
)
def record_incident(request: HttpRequest, body: IncidentIn) -> Status[IncidentOut]:
    """Record an incident (HR, or the employee's supervisor), as the page does."""
    given = records.IncidentInput(body.employee, body.occurred_on, body.kind, body.amount, body.note)
    incident = records.record(request.auth, given, home=settings.HOME)  # type: ignore[attr-defined]
    return Status(201, _out(incident))
