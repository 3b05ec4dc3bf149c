"""The events of a review's life that tell someone something: returned (with its reason, to whoever acts
next), waiting at a named reviewer's step of the approval chain, published, appeal answered, and a
cycle's reopening requested. Called by the workflow; sent after the commit."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from shopkpi.appraisal.accounts.roles import GM, HR
from shopkpi.appraisal.models import Cycle, Employee, Notice, Review
from shopkpi.appraisal.notifications.service import Note, after_commit, notify, notify_many, users_in_group
from shopkpi.appraisal.reviews.chain import current_step

K = Notice.Kind
RETURNS = ("return_to_self", "return_to_supervisor", "return_to_hr", "return_step")
FORWARD = ("submit_supervisor", "pass_step", "submit_hr", "approve")  # the steps that pass a review on


def _user(employee: Any) -> Any:
    return getattr(employee, "user", None) if employee is not None else None


def acting(review: Review) -> list[Any]:
    """Who acts on the review at its current step: the employee, the evaluator, HR, the GM, or the named
    reviewer of its approval chain's step."""
    status = review.status
    if status == Review.Status.PENDING_HR:
        return users_in_group(HR)
    if status == Review.Status.PENDING_GM:
        return users_in_group(GM)
    if status == Review.Status.PENDING_STEP:
        step = current_step(review)
        if step is None or step.person_id is None:
            return []
        return [_user(Employee.objects.select_related("user").filter(pk=step.person_id).first())]
    acting = (
        review.employee
        if status in (Review.Status.PENDING_SELF, Review.Status.PUBLISHED)
        else review.evaluator
    )
    return [_user(acting)]


def after_step(review: Review, action: str, reason: str) -> None:
    """Queue the notice a step causes (if any), sent once the step's transaction commits: a return goes to
    whoever acts next; a review that comes to a named reviewer's step tells them."""
    params = {"period": review.cycle.period, "name": review.employee.name}
    where: dict[str, Any] = {"review": review, "employee": review.employee}
    if action in RETURNS:
        own = review.status == Review.Status.PENDING_SELF
        returned = {**params, "action": action, "reason": reason, "own": own}
        recipients = acting(review)
        after_commit(lambda: notify(K.RETURNED, recipients, returned, **where))
    elif review.status == Review.Status.PENDING_STEP and action in FORWARD:
        step = current_step(review)
        waiting = {**params, "step_name": step.name if step else "", "due": _day(review.step_due)}
        recipients = acting(review)
        after_commit(lambda: notify(K.STEP_WAITING, recipients, waiting, **where))
    elif review.status == Review.Status.PUBLISHED and action in FORWARD:
        after_commit(lambda: notify(K.PUBLISHED, [_user(review.employee)], params, **where))
    elif action == "decide_appeal":
        appeal = review.appeals.order_by("-created_at", "-id").first()
        answered = {
            **params,
            "outcome": getattr(appeal, "status", ""),
            "note": getattr(appeal, "outcome", "") or "",
        }
        after_commit(lambda: notify(K.APPEAL_ANSWERED, [_user(review.employee)], answered, **where))


def after_steps(reviews: Sequence[Review], action: str, reason: str) -> None:
    """`after_step` for the same step taken on many reviews: their publications told in one go (one
    job after the commit, `notify_many`), anything else as `after_step` tells it."""
    published: list[Review] = []
    for review in reviews:
        if review.status == Review.Status.PUBLISHED and action in FORWARD:
            published.append(review)
        else:
            after_step(review, action, reason)
    if published:
        notes = [
            Note(
                [_user(review.employee)],
                {"period": review.cycle.period, "name": review.employee.name},
                review=review,
                employee=review.employee,
            )
            for review in published
        ]
        after_commit(lambda: notify_many(K.PUBLISHED, notes))


def _day(day: Any) -> str:
    return "" if day is None else str(day.isoformat())


def reopen_requested(cycle: Cycle, who: str, reason: str) -> None:
    params = {"period": cycle.period, "who": who, "reason": reason, "name": ""}
    after_commit(lambda: notify(K.REOPEN_REQUESTED, users_in_group(GM), params))
