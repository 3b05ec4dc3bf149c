"""The API's request and response shapes (the OpenAPI document is generated from these)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Generic, TypeVar

from ninja import Schema
from pydantic import ConfigDict, Field

NO_NUL = r"^[^\x00]*$"  # databases refuse NUL characters in text; the schema says so


# text fields: no NUL characters, bounded length
Username = Annotated[str, Field(min_length=1, max_length=150, pattern=NO_NUL)]
Password = Annotated[str, Field(min_length=1, max_length=1024, pattern=NO_NUL)]
Reason = Annotated[str, Field(min_length=1, max_length=10_000, pattern=NO_NUL)]  # required: not empty
Note = Annotated[str, Field(max_length=10_000, pattern=NO_NUL)]
Key = Annotated[str, Field(min_length=1, max_length=100, pattern=NO_NUL)]

T = TypeVar("T")


class ErrorOut(Schema):
    code: str = Field(
        description="What was refused, for programs: the same in every language (e.g. stale_review, "
        "wrong_party, interview_missing)."
    )
    detail: str = Field(
        description="Why, for people: in the user's language (简体中文 unless English is chosen)."
    )
    field: str | None = Field(
        None, description="A refused change of the organisation: the field of the body it is about."
    )
    problems: list[dict[str, Any]] | None = Field(
        None, description="A refused change of the organisation: every problem (code, field, detail)."
    )


class ValidationErrorOut(Schema):
    code: str = Field(description="Always `invalid`.")
    detail: list[dict[str, Any]]


class LockedOut(Schema):
    code: str = Field(description="Always `login_locked`.")
    detail: str
    locked_until: datetime


class Page(Schema):
    limit: int = Field(50, ge=1, le=500, description="How many items at most.")
    offset: int = Field(0, ge=0, le=1_000_000_000, description="How many items to skip.")


class Paged(Schema, Generic[T]):
    items: list[T]
    count: int = Field(description="How many items there are in all, across pages.")


class TokenIn(Schema):
    username: Username
    password: Password


class TokenOut(Schema):
    token: str = Field(description="Send as `Authorization: Bearer <token>`.")
    id: int = Field(description="The token's number, to revoke it with DELETE /api/tokens/{id}.")
    expires_at: datetime


class TokenInfoOut(Schema):
    id: int = Field(description="The token's number (the secret itself is not kept).")
    username: str = Field(description="Whose token it is.")
    created_at: datetime
    expires_at: datetime


class MeOut(Schema):
    username: str
    employee: str | None = Field(description="The user's employee id (工号), or null.")
    roles: list[str]
    must_change_password: bool = Field(
        description="True while the user signs in with a one-time password: POST /api/me/password first; "
        "every other endpoint answers 403 `password_change_required` until then."
    )


class PasswordChangeIn(Schema):
    old_password: Password
    new_password: Password

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"old_password": "the one-time password", "new_password": "a new one"}]
        }
    )


Text = Annotated[str, Field(max_length=200, pattern=NO_NUL)]
Code = Annotated[str, Field(min_length=1, max_length=50, pattern=NO_NUL)]
Name = Annotated[str, Field(min_length=1, max_length=100, pattern=NO_NUL)]
# a department's or position's name is also the audit entry's object (60 characters at most)
UnitName = Annotated[str, Field(min_length=1, max_length=60, pattern=NO_NUL)]
Money = Annotated[str, Field(max_length=20, pattern=r"^-?\d{1,10}(\.\d{1,2})?$")]


class TermsOut(Schema):
    valid_from: date | None = Field(description="The first day (null: from the start).")
    valid_to: date | None = Field(description="The last day (null: still in effect).")
    department: str
    position: str
    supervisor: str | None
    base_salary: str | None = Field(description='Yuan, exact (e.g. "6000.00").')


class EmployeeRecordOut(Schema):
    id: str = Field(description="The employee id (工号).")
    name: str
    department: str = Field(description="Today's department (terms: over time).")
    position: str
    supervisor: str | None = Field(description="The direct supervisor's employee id, or null.")
    base_salary: str | None
    hired_on: date | None
    left_on: date | None = Field(description="离职日期: the last day of work.")
    email: str
    mobile: str
    terms: list[TermsOut] = Field(
        description="Department, position, supervisor and base salary over time (one employee's record only)."
    )


class EmployeeIn(Schema):
    code: Code = Field(description="工号, unique.")
    name: Name
    department: UnitName = Field(description="A new name creates the department.")
    position: UnitName = Field(description="A new name creates the position (without a template).")
    supervisor: Code | None = None
    base_salary: Money | None = None
    hired_on: date | None = None
    left_on: date | None = None
    email: Text = ""
    mobile: Text = ""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "code": "E100",
                    "name": "陈客服",
                    "department": "客服部",
                    "position": "客服专员",
                    "supervisor": "E001",
                    "base_salary": "5000.00",
                    "hired_on": "2026-11-01",
                }
            ]
        }
    )


class EmployeeChangeIn(Schema):
    name: Name | None = None
    department: UnitName | None = None
    position: UnitName | None = None
    supervisor: Code | None = None
    base_salary: Money | None = None
    hired_on: date | None = None
    left_on: date | None = None
    email: Text | None = None
    mobile: Text | None = None
    effective: date | None = Field(
        None,
        description="The day a new department, position, supervisor or base salary applies from (default: today).",
    )

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"base_salary": "6500.00", "effective": "2026-11-16"}]}
    )


class ChangeOut(Schema):
    kind: str = Field(
        description="new_department, new_position, position_template, position_without_template, "
        "new_employee, changed_field, leaver, new_owner, hand_over, ownership_end or ownership_removed."
    )
    subject: str = Field(description="The 工号, account (kind:account), department or position.")
    field: str
    before: str | None
    after: str | None
    valid_from: date | None = Field(description="The day it applies from (effective-dated changes).")


class OrganisationChangesOut(Schema):
    written: bool = Field(description="false for a dry run: nothing was changed.")
    changes: list[ChangeOut]
    employee: EmployeeRecordOut | None = None


class DepartmentOut(Schema):
    name: str
    employees: int


class DepartmentIn(Schema):
    name: UnitName

    model_config = ConfigDict(json_schema_extra={"examples": [{"name": "直播部"}]})


class PositionOut(Schema):
    name: str
    template: str | None = Field(description="The id of the template it is scored with; null: none yet.")
    employees: int


class PositionIn(Schema):
    name: UnitName
    template: Text | None = Field(None, description="A template's id or name.")

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"name": "主播", "template": "s004-live-streamer"}]}
    )


class PositionChangeIn(Schema):
    template: Text = Field(description="A template's id or name.")

    model_config = ConfigDict(json_schema_extra={"examples": [{"template": "s004-live-streamer"}]})


class AccountOut(Schema):
    id: int
    employee: str
    kind: str = Field(description="shop, agent, campaign, sns, category or assignee.")
    kind_label: str
    account: str
    valid_from: date | None
    valid_to: date | None


class AccountIn(Schema):
    employee: Code
    kind: Text = Field(
        description="shop, agent, campaign, sns, category, assignee, or 店铺, 旺旺子账号, 京东客服 …"
    )
    account: Annotated[str, Field(min_length=1, max_length=200, pattern=NO_NUL)]
    valid_from: date | None = None
    valid_to: date | None = None

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"employee": "E012", "kind": "店铺", "account": "旗舰店", "valid_from": "2026-11-16"}
            ]
        }
    )


class AccountChangeIn(Schema):
    valid_to: date | None = Field(description="The last day (null: open-ended).")

    model_config = ConfigDict(json_schema_extra={"examples": [{"valid_to": "2026-11-30"}]})


class ReviewOut(Schema):
    id: int
    employee: str = Field(description="The employee id (工号) of the person appraised.")
    employee_name: str
    period: str
    status: str
    evaluator: str | None = Field(description="The evaluator's employee id in this cycle, or null.")
    score: str | None = Field(
        description="Decimal text; null until computed or while hidden from the caller."
    )
    grade: str | None
    version: int = Field(description="Send back as `expected_version` to detect concurrent changes.")


class TemplateRef(Schema):
    id: str
    version: int
    name: str


class ItemOut(Schema):
    key: str
    name: str
    weight: str | None
    rated: bool = Field(description="True when a person rates the item; false when computed from data.")
    value: str | None
    band: str | None = Field(description="The band the value fell in, for banded items.")
    rating: str | None = Field(description="The supervisor's rating 0..100; null while hidden.")
    points: str | None
    self_rating: str | None = Field(description="The self rating 0..100; null while hidden.")
    self_points: str | None
    missing: str | None = Field(description="Why the item has no points, in the request's language.")
    explanation: str | None = Field(
        description="How the points came about, in the request's language (units, percentages, band)."
    )


class RatingOut(Schema):
    item_key: str
    rater: str
    value: str
    level: str
    comment: str
    rated_by: str | None
    rated_at: datetime


class InterviewOut(Schema):
    held_on: date
    strengths: str
    improvements: str
    plan: str
    employee_response: str
    recorded_by: str
    recorded_at: datetime


class OverrideOut(Schema):
    name: str
    value: str
    previous: str
    reason: str
    created_by: str
    created_at: datetime


class CalibrationOut(Schema):
    """A grade adjusted in calibration (校准调整): the score stays."""

    grade: str = Field(description="The grade set in calibration (the review's grade).")
    score_grade: str = Field(description="The grade the score earns, before calibration.")
    reason: str
    by: str = Field(description="Who calibrated (username).")
    at: str = Field(description="When, in the company's time zone (YYYY-MM-DD HH:MM:SS).")


class TransitionOut(Schema):
    from_status: str
    to_status: str
    action: str
    reason: str | None = Field(description="Null where the caller may not read it yet.")
    actor: str
    at: datetime


class AppealOut(Schema):
    item_key: str
    reason: str
    status: str
    outcome: str
    created_at: datetime
    handled_by: str | None
    handled_at: datetime | None


class AdjustmentOut(Schema):
    amount: str
    reason: str
    created_by: str
    created_at: datetime


class ReviewDetailOut(ReviewOut):
    template: TemplateRef
    pay: str | None = Field(
        description="The pay the review computed (pro-rated), decimal text; see pay_kind."
    )
    pay_kind: str | None = Field(
        description="What `pay` is: performance (绩效工资, paid on top of the base wage), wage (a whole "
        "wage by the template's design, 整月工资) or null (the position has no performance pay, or hidden "
        "from the caller)."
    )
    self_assessment: str | None = Field(description="Null while hidden from the caller.")
    supervisor_comment: str | None = Field(description="Null while hidden from the caller.")
    values: dict[str, str | None]
    missing: list[str]
    missing_values: list[str] = Field(
        description="The values the review lacks (no export, import or override gave them): what HR "
        "supplies as overrides before submitting to the GM."
    )
    items: list[ItemOut]
    ratings: list[RatingOut]
    interview: InterviewOut | None
    overrides: list[OverrideOut]
    transitions: list[TransitionOut]
    appeals: list[AppealOut]
    adjustments: list[AdjustmentOut]
    calibration: CalibrationOut | None = Field(
        None,
        description="The grade's calibration (校准调整) with its reason; null without one, or while hidden.",
    )
    submitted_self_at: datetime | None
    published_at: datetime | None
    acknowledged_at: datetime | None
    appeal_deadline: datetime | None
    actions: list[str] = Field(description="The workflow actions the caller may take now.")
