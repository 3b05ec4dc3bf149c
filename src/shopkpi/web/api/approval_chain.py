"""The company's approval chain (审批流程) for a script: read every chain, set the company's or a
department's. The same service as the 审批流程 page (`organisation.approval_chain`); the organisation's
rules of access: HR, GM and admin read it, HR and admin change it (403 `organisation_forbidden`
otherwise). A refused chain answers 400 with the first problem's code and field (every problem in
the message) and changes nothing.
"""

from __future__ import annotations

from typing import Annotated, Literal

from django.http import Http404, HttpRequest
from ninja import Router, Schema
from pydantic import ConfigDict, Field

from shopkpi.appraisal.models import Department
from shopkpi.appraisal.organisation import approval_chain
from shopkpi.appraisal.organisation.approval_chain import MAX_DAYS, MAX_STEPS, StepSetting
from shopkpi.web.api.errors import documented
from shopkpi.web.api.organisation import _reader, _writer
from shopkpi.web.api.schemas import NO_NUL, UnitName

router = Router(tags=["organisation"])
StepName = Annotated[str, Field(max_length=60, pattern=NO_NUL)]


class ChainStepIn(Schema):
    name: StepName = Field(description="The step's name, as pages, reminders and the audit log show it.")
    actor: Literal["hr", "gm", "person"] = Field(description="Who acts: HR, the GM, or the named `person`.")
    person: Annotated[str, Field(max_length=50, pattern=NO_NUL)] | None = Field(
        None, description="The named reviewer's 工号 (employee id) when `actor` is person."
    )
    due_days: Annotated[int, Field(ge=0, le=MAX_DAYS)] | None = Field(
        None, description="Due this many days after the previous step's deadline; null: the period's rule."
    )
    returns_to: Literal["previous", "supervisor"] = Field(
        "previous", description="Where a return from this step sends the review."
    )


class ChainStepOut(ChainStepIn):
    person_name: str = ""


class ChainIn(Schema):
    department: UnitName | None = Field(
        None, description="The department whose own chain this is; null: the company's chain."
    )
    steps: Annotated[list[ChainStepIn], Field(max_length=MAX_STEPS)] = Field(
        description="The steps after the supervisor, in order; empty: the department follows the "
        "company's chain (for the company: back to the default HR → GM)."
    )
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "department": "运营部",
                    "steps": [
                        {"name": "销售总(副)经理审核", "actor": "person", "person": "E0003", "due_days": 2},
                        {"name": "人事核准汇总", "actor": "hr", "returns_to": "previous"},
                        {"name": "总经理批准", "actor": "gm"},
                    ],
                }
            ]
        }
    )


class DepartmentChainOut(Schema):
    department: str
    steps: list[ChainStepOut] = Field(description="Empty: the department follows the company's chain.")


class ChainsOut(Schema):
    company: list[ChainStepOut] = Field(
        description="The company's chain (the default HR → GM when none is set)."
    )
    company_is_default: bool
    departments: list[DepartmentChainOut]


def _steps(settings: list[StepSetting]) -> list[ChainStepOut]:
    return [
        ChainStepOut(
            name=s.name,
            actor=s.actor,  # type: ignore[arg-type]
            person=s.person or None,
            person_name=s.person_name,
            due_days=s.due_days,
            returns_to=s.returns_to,  # type: ignore[arg-type]
        )
        for s in settings
    ]


def _chains() -> ChainsOut:
    company = approval_chain.chain(None)
    return ChainsOut(
        company=_steps(company or approval_chain.default_settings()),
        company_is_default=not company,
        departments=[
            DepartmentChainOut(department=d.name, steps=_steps(approval_chain.chain(d)))
            for d in Department.objects.order_by("name")
        ],
    )


@router.get(
    "/approval-chain",
    response={200: ChainsOut, **documented(401, 403)},
    summary="The approval chains: the company's and each department's own",
)
def get_chains(request: HttpRequest) -> ChainsOut:
    _reader(request)
    return _chains()


@router.put(
    "/approval-chain",
    response={200: ChainsOut, **documented(400, 401, 403, 404, 422)},
    summary="Set the company's or a department's approval chain (applies from the next period opened)",
)
def put_chain(request: HttpRequest, body: ChainIn) -> ChainsOut:
    actor = _writer(request)
    department = None
    if body.department is not None:
        department = Department.objects.filter(name=body.department).first()
        if department is None:
            raise Http404(f"no department {body.department}")
    approval_chain.replace(actor, department, [step.model_dump() for step in body.steps])
    return _chains()
