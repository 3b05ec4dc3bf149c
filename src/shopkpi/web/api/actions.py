"""The workflow actions: POST /api/reviews/{id}/{action}, one endpoint per action with its own body.

Every endpoint does the same three things: find the review the caller may see (404 otherwise),
hand the action to `workflow.perform` (which asks the policy and takes the step), answer the review
as the caller now sees it. Errors become status codes in errors.py, never here.

No `from __future__ import annotations` here: the endpoints are made in a loop, and django-ninja
reads each one's body type from its annotations.
"""

from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import ConfigDict, Field

from shopkpi.appraisal import policy
from shopkpi.appraisal.reviews import workflow
from shopkpi.web.api import presenters
from shopkpi.web.api.errors import documented
from shopkpi.web.api.reviews import ReviewId
from shopkpi.web.api.schemas import NO_NUL, Key, Note, Reason, ReviewDetailOut

router = Router(tags=["workflow"])

RatingIn = (
    Annotated[str, Field(min_length=1, max_length=50, pattern=NO_NUL)]
    | Annotated[Decimal, Field(ge=0, le=100, max_digits=5, decimal_places=2)]
)
Ratings = Annotated[dict[Key, RatingIn | None], Field(max_length=200)]
OverrideValue = Annotated[Decimal, Field(max_digits=24, decimal_places=6)]
Amount = Annotated[Decimal, Field(max_digits=12, decimal_places=2)]


def _example(**fields: Any) -> ConfigDict:
    return ConfigDict(json_schema_extra={"examples": [{"expected_version": 1, **fields}]})


class ActionIn(Schema):
    expected_version: int = Field(
        ge=1,
        le=2**31 - 1,
        description="The review's `version` as the caller last read it; 409 if it changed since.",
    )
    model_config = _example()


class SaveSelfIn(ActionIn):
    ratings: Ratings | None = Field(
        None, description="Item key -> level name or 0..100; null removes a rating."
    )
    self_assessment: Note | None = Field(
        None, description="The self-assessment text (自我评价); null keeps it."
    )
    model_config = _example(ratings={"attitude": "90"}, self_assessment="本月完成了全部目标。")


class RateIn(ActionIn):
    ratings: Ratings | None = Field(
        None, description="Item key -> level name or 0..100; null removes a rating."
    )
    comment: Note | None = Field(None, description="The supervisor's comment (上级评语); null keeps it.")
    model_config = _example(ratings={"attitude": "80"}, comment="工作认真，沟通可以更主动。")


class InterviewIn(ActionIn):
    held_on: date
    strengths: Reason
    improvements: Reason
    plan: Reason
    employee_response: Note = ""
    model_config = _example(
        held_on="2026-04-05",
        strengths="执行力强",
        improvements="数据分析",
        plan="每周复盘一次",
        employee_response="同意",
    )


class ReasonIn(ActionIn):
    reason: Reason
    model_config = _example(reason="请补充评分依据")


class OverrideIn(ActionIn):
    name: Key = Field(description="The template variable whose value HR replaces.")
    value: OverrideValue
    reason: Reason
    model_config = _example(name="目标", value="100000", reason="目标值以总经办确认的为准")


class ApproveIn(ActionIn):
    reason: Note = ""
    model_config = _example(reason="同意")


class AppealItemIn(Schema):
    item_key: Annotated[str, Field(max_length=100, pattern=NO_NUL)] = Field(
        "", description="Blank: the whole result."
    )
    reason: Reason


class AppealIn(ActionIn):
    items: Annotated[list[AppealItemIn], Field(min_length=1, max_length=50)]
    model_config = _example(items=[{"item_key": "attitude", "reason": "本月加班较多，评分偏低"}])


class AppealOverrideIn(Schema):
    name: Key
    value: OverrideValue
    reason: Reason


class DecideAppealIn(ActionIn):
    outcome: Literal["upheld", "amended"]
    note: Reason
    overrides: Annotated[list[AppealOverrideIn], Field(max_length=50)] = []
    model_config = _example(outcome="upheld", note="评分依据充分，维持原结果")


class AdjustPayIn(ActionIn):
    amount: Amount = Field(description="Yuan, positive (奖) or negative (惩).")
    reason: Reason
    model_config = _example(amount="200.00", reason="双十一加班补贴")


BODIES: dict[str, type[ActionIn]] = {
    "save_self": SaveSelfIn,
    "submit_self": ActionIn,
    "withdraw_self": ActionIn,
    "rate": RateIn,
    "record_interview": InterviewIn,
    "submit_supervisor": ActionIn,
    "return_to_self": ReasonIn,
    "override": OverrideIn,
    "submit_hr": ActionIn,
    "return_to_supervisor": ReasonIn,
    "approve": ApproveIn,
    "return_to_hr": ReasonIn,
    "pass_step": ApproveIn,
    "return_step": ReasonIn,
    "acknowledge": ActionIn,
    "appeal": AppealIn,
    "decide_appeal": DecideAppealIn,
    "adjust_pay": AdjustPayIn,
}
assert set(BODIES) == set(policy.ACTIONS), "every action of the policy has an endpoint"


def _take(request: HttpRequest, review_id: int, action: str, body: ActionIn) -> ReviewDetailOut:
    user = request.auth  # type: ignore[attr-defined]
    review = policy.review_for(user, review_id)
    data = body.model_dump(exclude={"expected_version"})
    workflow.perform(user, review, action, expected_version=body.expected_version, **data)
    return presenters.detail(user, policy.review_for(user, review_id))


def _register(action: str, body_type: type[ActionIn]) -> None:
    party = policy.ACTIONS[action][1]
    steps = ", ".join(sorted(policy.ACTIONS[action][0]))

    def endpoint(request: HttpRequest, review_id: ReviewId, body: body_type) -> ReviewDetailOut:  # type: ignore[valid-type]
        return _take(request, review_id, action, body)

    endpoint.__name__ = action
    router.post(
        f"/reviews/{{review_id}}/{action}",
        response={200: ReviewDetailOut, **documented(400, 401, 403, 404, 409, 422)},
        operation_id=f"review_{action}",
        summary=action.replace("_", " ").capitalize(),
        description=f"Taken by {party} while the review is {steps}; answers the review after the step.",
    )(endpoint)


for _action, _body in BODIES.items():
    _register(_action, _body)
