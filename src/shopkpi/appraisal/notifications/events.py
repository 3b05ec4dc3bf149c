"""The events of a review's life that tell someone something: returned (with its reason), published,
appeal answered, and a cycle's reopening requested. Called by the workflow; sent after the commit."""

from __future__ import annotations

from typing import Any

from shopkpi.appraisal.accounts.roles import GM, HR
from shopkpi.appraisal.models import Cycle, Notice, Review
from shopkpi.appraisal.notifications.service import after_commit, notify, users_in_group

K = Notice.Kind

# a return goes to whoever acts next: the employee, the evaluator, or HR
_RETURNS = {"return_to_self": "employee", "return_to_supervisor": "evaluator", "return_to_hr": "hr"}


def _user(employee: Any) -> Any:
    return getattr(employee, "user", None) if employee is not None else None


def after_step(review: Review, action: str, reason: str) -> None:
    """Queue the notice a step causes (if any), sent once the step's transaction commits."""
    params = {"period": review.cycle.period, "name": review.employee.name}
    where: dict[str, Any] = {"review": review, "employee": review.employee}
    if action in _RETURNS:
        to = _RETURNS[action]
        returned = {**params, "action": action, "reason": reason, "own": to == "employee"}
        recipients = users_in_group(HR) if to == "hr" else [_user(getattr(review, to))]
        after_commit(lambda: notify(K.RETURNED, recipients, returned, **where))
    elif action == "approve" and review.status == Review.Status.PUBLISHED:
        after_commit(lambda: notify(K.PUBLISHED, [_user(review.employee)], params, **where))
    elif action == "decide_appeal":
        appeal = review.appeals.order_by("-created_at", "-id").first()
        answered = {
            **params,
            "outcome": getattr(appeal, "status", ""),
            "note": getattr(appeal, "outcome", "") or "",
        }
        after_commit(lambda: notify(K.APPEAL_ANSWERED, [_user(review.employee)], answered, **where))


def reopen_requested(cycle: Cycle, who: str, reason: str) -> None:
    params = {"period": cycle.period, "who": who, "reason": reason, "name": ""}
    after_commit(lambda: notify(K.REOPEN_REQUESTED, users_in_group(GM), params))
