"""Consequence action items: the template's rules (two months 差 → 警告 …) over the employee's history.

An action item is raised when a result becomes final, never while it can still change: the employee
acknowledges (本人签字确认), the appeal window closes, or the cycle is archived. `settle` brings one
review's items in line with its result after each step: it raises what the final result's rules fire
(computed now, with the employee's earlier published results as history), and withdraws, with the
reason in the audit log, a live item that the result no longer fires (an amended appeal, a reopened
month corrected). A changed result also re-settles the employee's later final months, whose runs read
it as history. The appeal window closes by time alone, so `settle_due` raises the items of reviews
whose window has passed; the HR pages call it before they list, and archiving settles every review.
Nothing happens to a person automatically: HR handles each item and closes it with a note.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, NamedTuple

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shopkpi.appraisal import audit
from shopkpi.appraisal.accounts.roles import employee_of, is_hr
from shopkpi.appraisal.bulk_rows import IDS_A_STATEMENT, insert_all
from shopkpi.appraisal.models import ActionItem, Cycle, Review
from shopkpi.appraisal.policy import ActionRefused
from shopkpi.appraisal.reviews.review_scoring import history_of, read_histories
from shopkpi.appraisal.reviews.review_steps import WorkflowError, actor_name
from shopkpi.scorecard import rule_actions

S = Review.Status
LIVE = (ActionItem.Status.OPEN, ActionItem.Status.CLOSED)
WINDOW_CLOSED = "申诉期已结束，结果确定"


def is_final(review: Review, now: dt.datetime | None = None) -> bool:
    """The result can no longer change: acknowledged, its appeal window closed without an appeal, or
    its cycle archived (a reopen makes it changeable again)."""
    if review.cycle.status == Cycle.Status.ARCHIVED:
        return review.status in (S.ACKNOWLEDGED, S.PUBLISHED)
    if review.status == S.ACKNOWLEDGED:
        return True
    moment = now or timezone.now()
    return (
        review.status == S.PUBLISHED
        and review.appeal_deadline is not None
        and review.appeal_deadline < moment
    )


def fired_actions(review: Review) -> list[str]:
    """The actions the review's rules fire now, with the employee's earlier published results as history."""
    if review.score is None:
        return []
    template = review.template_version.compiled()
    if not template.rules:
        return []
    return list(
        rule_actions(template, review.cycle.period, review.score, review.grade or None, history_of(review))
    )


class _Change(NamedTuple):
    """What settling a review changes: its result's actions (None: unchanged), the live items it
    withdraws and the actions it raises, in that order, and its finality (None: unchanged)."""

    actions: list[str] | None
    withdrawn: list[ActionItem]
    raised: list[str]
    final: bool | None


def _change(review: Review, live: dict[str, ActionItem], now: dt.datetime) -> _Change:
    """`settle`'s decision for `review` with its live items `live` at `now` (one home for `settle` and
    `settle_together`'s `_Plan`)."""
    final = is_final(review, now)
    actions: list[str] | None = None
    withdrawn: list[ActionItem] = []
    raised: list[str] = []
    if final or live:
        fired = fired_actions(review)
        if fired != review.result.get("actions", []):
            actions = fired
        withdrawn = [item for action, item in live.items() if action not in fired]
        if final:
            raised = [action for action in fired if action not in live]
    return _Change(actions, withdrawn, raised, final if final != (review.final_at is not None) else None)


def settle(user: Any, review: Review, reason: str, *, later: bool = True) -> None:
    """Bring the review's action items in line with its result (see the module's docstring): raise on a
    final result what its rules fire, withdraw a live item the result no longer fires. With `later`,
    the employee's later months that are final are settled again (this month is part of their history)."""
    now = timezone.now()
    live = {item.action: item for item in ActionItem.objects.filter(review=review, status__in=LIVE)}
    change = _change(review, live, now)
    if change.actions is not None:
        review.result = {**review.result, "actions": change.actions}
        review.save(update_fields=["result"])
    for item in change.withdrawn:
        _withdraw(user, item, reason)
    for action in change.raised:
        _raise(user, review, action, reason)
    if change.final is not None:
        review.final_at = now if change.final else None
        review.save(update_fields=["final_at"])
    if later and review.published_at is not None:
        for other in (
            Review.objects.filter(employee_id=review.employee_id, cycle__period__gt=review.cycle.period)
            .filter(final_at__isnull=False)
            .select_related("cycle", "employee", "template_version")
            .order_by("cycle__period")
        ):
            settle(user, other, f"{review.cycle.period} 的考核结果改变：{reason}", later=False)


def settle_together(user: Any, reviews: Sequence[Review], reason: str) -> None:
    """`settle(user, review, reason)` for each of `reviews` (of one cycle, in order: archiving a cycle
    settles all of its reviews), with the same items raised and withdrawn, results and audit entries in
    the same order, but in a number of queries that does not grow with the reviews: their action items,
    histories and later final months read at once, the changes written together (one moment of finality
    for all). Each review's later final months are settled after it, as `settle` settles them."""
    if not reviews:
        return
    period = reviews[0].cycle.period
    read_histories(period, reviews)
    published = [r.employee_id for r in reviews if r.published_at is not None]
    later: dict[int, list[Review]] = {}
    if published:
        for other in (
            Review.objects.filter(employee_id__in=published, cycle__period__gt=period, final_at__isnull=False)
            .select_related("cycle", "employee", "template_version")
            .order_by("cycle__period")
        ):
            later.setdefault(other.employee_id, []).append(other)
    by_period: dict[str, list[Review]] = {}
    for others in later.values():
        for other in others:
            by_period.setdefault(other.cycle.period, []).append(other)
    for other_period, others in by_period.items():  # one query for each later month, not each review
        read_histories(other_period, others)
    live: dict[int, dict[str, ActionItem]] = {}
    everyone = [*reviews, *(o for others in later.values() for o in others)]
    for item in ActionItem.objects.filter(
        review_id__in=[r.pk for r in everyone], status__in=LIVE
    ).select_related("employee", "cycle"):
        live.setdefault(item.review_id, {})[item.action] = item
    plan = _Plan(user, timezone.now())
    for review in reviews:
        plan.settle(review, reason, live.get(review.pk, {}))
        if review.published_at is not None:
            for other in later.get(review.employee_id, []):
                plan.settle(other, f"{period} 的考核结果改变：{reason}", live.get(other.pk, {}))
    plan.write()


class _Plan:
    """What `settle` would write for many reviews, written together by `write`."""

    def __init__(self, user: Any, now: dt.datetime) -> None:
        self.user, self.now = user, now
        self.results: list[Review] = []
        self.finals: dict[bool, list[int]] = {True: [], False: []}
        # in settle's order: ("withdraw", item, the status it had, reason) or ("raise", review, action, reason)
        self.steps: list[tuple[str, Any, str, str]] = []

    def settle(self, review: Review, reason: str, live: dict[str, ActionItem]) -> None:
        change = _change(review, live, self.now)
        if change.actions is not None:
            review.result = {**review.result, "actions": change.actions}
            self.results.append(review)
        self.steps.extend(("withdraw", item, item.status, reason) for item in change.withdrawn)
        self.steps.extend(("raise", review, action, reason) for action in change.raised)
        if change.final is not None:
            review.final_at = self.now if change.final else None
            self.finals[change.final].append(review.pk)

    def write(self) -> None:
        Review.objects.bulk_update(self.results, ["result"], batch_size=500)
        for final, pks in self.finals.items():
            for start in range(0, len(pks), IDS_A_STATEMENT):
                Review.objects.filter(pk__in=pks[start : start + IDS_A_STATEMENT]).update(
                    final_at=self.now if final else None
                )
        withdrawn = []
        for kind, item, _before, reason in self.steps:
            if kind == "withdraw":
                item.status = ActionItem.Status.WITHDRAWN
                item.withdrawn_reason = reason
                item.withdrawn_at = timezone.now()
                withdrawn.append(item)
        ActionItem.objects.bulk_update(
            withdrawn, ["status", "withdrawn_reason", "withdrawn_at"], batch_size=500
        )
        raised = insert_all(
            ActionItem,
            [
                ActionItem(
                    review=review, employee_id=review.employee_id, cycle_id=review.cycle_id, action=action
                )
                for kind, review, action, _reason in self.steps
                if kind == "raise"
            ],
        )
        made = iter(raised)
        with audit.collected():  # in the order settle records them, one append
            for kind, subject, said, reason in self.steps:
                if kind == "withdraw":
                    _withdrawn(self.user, subject, said, reason)
                else:
                    _raised(self.user, subject, next(made), said, reason)


def settles_anything(review: Review, *, has_live: bool, has_later: bool) -> bool:
    """Whether `settle` would change anything for `review`, given whether it has live action items and
    whether its employee has final later months (for callers that read those once for many reviews)."""
    final = is_final(review)
    return (
        final
        or has_live
        or final != (review.final_at is not None)
        or (has_later and review.published_at is not None)
    )


def settle_due(user: Any = None) -> int:
    """Raise the action items of published results whose appeal window has closed; returns how many
    reviews became final. Safe to call often: a settled review is not looked at again."""
    now = timezone.now()
    due = (
        Review.objects.filter(status=S.PUBLISHED, appeal_deadline__lt=now, final_at__isnull=True)
        .select_related("cycle", "employee", "template_version")
        .order_by("cycle__period", "employee__code")
    )
    count = 0
    for candidate in due:
        with transaction.atomic():
            review = (
                Review.objects.select_for_update(of=("self",))
                .select_related("cycle", "employee", "template_version")
                .get(pk=candidate.pk)
            )
            if review.final_at is None and is_final(review, now):
                settle(user, review, WINDOW_CLOSED)
                count += 1
    return count


def _raise(user: Any, review: Review, action: str, reason: str) -> ActionItem:
    item = ActionItem.objects.create(
        review=review, employee_id=review.employee_id, cycle_id=review.cycle_id, action=action
    )
    _raised(user, review, item, action, reason)
    return item


def _raised(user: Any, review: Review, item: ActionItem, action: str, reason: str) -> None:
    audit.record(
        actor_name(user),
        "action_item.create",
        object_type="action_item",
        object_id=item.pk,
        after={
            "employee": review.employee.code,
            "period": review.cycle.period,
            "action": action,
            "review": review.pk,
        },
        reason=f"{reason}；考核结果触发规则：{action}",
    )


def _withdraw(user: Any, item: ActionItem, reason: str) -> None:
    before = item.status
    item.status = ActionItem.Status.WITHDRAWN
    item.withdrawn_reason = reason
    item.withdrawn_at = timezone.now()
    item.save(update_fields=["status", "withdrawn_reason", "withdrawn_at"])
    _withdrawn(user, item, before, reason)


def _withdrawn(user: Any, item: ActionItem, before: str, reason: str) -> None:
    audit.record(
        actor_name(user),
        "action_item.withdraw",
        object_type="action_item",
        object_id=item.pk,
        before={"status": before, "action": item.action},
        after={"status": item.status, "employee": item.employee.code, "period": item.cycle.period},
        reason=f"{reason}；考核结果不再触发规则：{item.action}",
    )


def close_action_item(user: Any, item: ActionItem, note: str) -> ActionItem:
    """HR closes an action item with a note (what was done). HR only, never on their own item; audited."""
    if not is_hr(user):
        raise ActionRefused(_("只有人事可以关闭行动项。"), code="wrong_party")
    own = employee_of(user)
    if own is not None and own.pk == item.employee_id:
        raise ActionRefused(_("回避：关于本人的行动项不能由本人处理；须由另一位人事关闭。"), code="recusal")
    if not note.strip():
        raise WorkflowError(_("关闭行动项需要填写处理说明。"), code="reason_missing")
    with transaction.atomic():
        fresh = ActionItem.objects.select_for_update().get(pk=item.pk)
        if fresh.status == ActionItem.Status.CLOSED:
            raise WorkflowError(
                _("行动项 %(id)s（%(action)s）已经关闭。") % {"id": fresh.pk, "action": fresh.action},
                code="already_closed",
            )
        fresh.status = ActionItem.Status.CLOSED
        fresh.note = note.strip()
        fresh.closed_by = user
        fresh.closed_at = timezone.now()
        fresh.save(update_fields=["status", "note", "closed_by", "closed_at"])
        audit.record(
            actor_name(user),
            "action_item.close",
            object_type="action_item",
            object_id=fresh.pk,
            before={"status": ActionItem.Status.OPEN},
            after={"status": fresh.status, "action": fresh.action, "employee": fresh.employee.code},
            reason=fresh.note,
        )
    return fresh
