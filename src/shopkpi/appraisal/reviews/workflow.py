"""The review workflow of the spec (../shared/spec/workflow.md):

    pending_self ─► pending_supervisor ─► pending_hr ─► pending_gm ─► published ─► acknowledged
          ▲               │    ▲             │            │            │
          └─── returned ──┘    └─ returned ──┘◄─ returned ┘            └─► appealed ─► upheld (published)
                                                                                    └► amended (pending_gm)

`perform(user, review, action, **data)` is the one entry point of every step on one review: it
asks the policy first (ActionRefused, 403), then, in one transaction, locks the review, checks the
caller's version (StaleReview), takes the step (WorkflowError with a clear message when the domain
refuses), raises the review's version, and records the step (a Transition and an audit entry:
who, when, before/after, why). Cycle-level steps (open, bulk approval, archive, reopen) live in
`cycles` and are re-exported here.
"""

from __future__ import annotations

import datetime as dt
import inspect
import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from shopkpi.appraisal import audit, policy
from shopkpi.appraisal.accounts.roles import is_gm
from shopkpi.appraisal.bulk_rows import IDS_A_STATEMENT, insert_all
from shopkpi.appraisal.models import (
    ActionItem,
    Appeal,
    CalibrationTarget,
    Cycle,
    Interview,
    Override,
    PayAdjustment,
    Rating,
    Review,
    Transition,
)
from shopkpi.appraisal.notifications import events as notification_events
from shopkpi.appraisal.periods import consequences
from shopkpi.appraisal.reviews import appeal_points, chain, result_versions
from shopkpi.appraisal.reviews.fed_ratings import FED_PREFETCH, fed_items
from shopkpi.appraisal.reviews.publishing import Publishing
from shopkpi.appraisal.reviews.review_scoring import effective_value, read_histories, recompute
from shopkpi.appraisal.reviews.review_steps import (
    StaleReview,
    WorkflowError,
    actor_name,
    as_saved,
    listed,
    locked_current,
    record_step,
    review_state,
    step_name,
    take_snapshot,
)
from shopkpi.appraisal.reviews.review_steps import item_name as _item
from shopkpi.appraisal.reviews.review_steps import item_names as _items
from shopkpi.scorecard import RatingError, Template, rating_value
from shopkpi.scorecard.numbers import NumberError, parse_number

S = Review.Status

__all__ = [
    "StaleReview",
    "WorkflowError",
    "approve_all",
    "approve_reviews",
    "archive_cycle",
    "open_cycle",
    "perform",
    "recompute",
    "reopen_cycle",
]


@dataclass
class _Change:
    """What a step changed, for the audit entry, and the reason it was given."""

    reason: str = ""
    before: dict[str, Any] = field(default_factory=dict)
    after: dict[str, Any] = field(default_factory=dict)


def perform(
    user: Any, review: Review, action: str, *, expected_version: int | None = None, **data: Any
) -> Review:
    """Take `action` on `review` as `user`; returns the review as saved.

    `expected_version` is the version the caller loaded (default: the version of the `review`
    object passed); a review saved by someone else since raises StaleReview naming who and when.
    """
    policy.require(user, review, action)
    handler = _HANDLERS[action]
    expected = review.version if expected_version is None else expected_version
    with transaction.atomic():
        fresh = locked_current(review, expected)
        policy.require(user, fresh, action)
        try:
            inspect.signature(handler).bind(user, fresh, **data)
        except TypeError as exc:
            raise WorkflowError(
                _("%(step)s：提交的内容不对（%(detail)s）。") % {"step": step_name(action), "detail": exc},
                code="bad_arguments",
            ) from None
        from_status = fresh.status
        before = {"score": _text(fresh.score), "grade": fresh.grade}
        change = handler(user, fresh, **data)
        fresh.version += 1
        fresh.save()
        after = {"score": _text(fresh.score), "grade": fresh.grade}
        record_step(
            user,
            fresh,
            action,
            from_status=from_status,
            reason=change.reason,
            before={**change.before, **({} if before == after else before)},
            after={**change.after, **({} if before == after else after)},
        )
        consequences.settle(user, fresh, _settling_reason(action, change.reason))
        notification_events.after_step(fresh, action, change.reason)
    as_saved(review, fresh)
    return fresh


def approve_all(user: Any, cycle: Cycle, reason: str = "") -> list[Review]:
    """GM approval of every pending_gm review of the cycle the user may approve, in one transaction
    (a failure midway approves none). The GM's own review is left for another GM (回避).

    Each review is approved as `perform(user, review, "approve", reason=reason)` approves it (the same
    checks, version, Transition, audit entry, action items and notice), but together: their rows are
    read, written and audited in a few queries whatever their number (`_approve_together`).

    Refused (WorkflowError `nothing_to_approve`, a 409) when none is left to approve: the second of
    two GMs approving the same cycle at once waits for the first and is then told so, not "0 approved"."""
    if not is_gm(user):
        raise policy.ActionRefused(_("只有总经理可以批准考核。"), code="wrong_party")
    with transaction.atomic():
        locked = Cycle.objects.select_for_update().get(pk=cycle.pk)
        if locked.status != Cycle.Status.OPEN:
            raise WorkflowError(
                _("考核期 %(period)s 已归档，只读。") % {"period": locked.period}, code="cycle_archived"
            )
        pending = _for_approval(Review.objects.filter(cycle=locked, status=S.PENDING_GM), "employee__code")
        for review in pending:
            review.cycle = locked
        approvable = [r for r in pending if policy.refusal(user, r, "approve") is None]
        if not approvable:
            raise WorkflowError(
                _(
                    "考核期 %(period)s 没有待您批准的考核（可能刚刚已由另一位总经理批准）；什么都没有改变，请刷新页面查看。"
                )
                % {"period": locked.period},
                code="nothing_to_approve",
            )
        with audit.collected():
            approved = _approve_together(user, locked, approvable, reason)
            audit.record(
                actor_name(user),
                "cycle.approve_all",
                object_type="cycle",
                object_id=locked.period,
                after={"approved": [r.pk for r in approved]},
                reason=reason,
            )
    return approved


def approve_reviews(
    user: Any,
    wanted: QuerySet[Review],
    reason: str = "",
    *,
    check: Callable[[list[Review]], None] | None = None,
) -> list[Review]:
    """GM approval of the reviews `wanted` matches (the GM page's "approve every review the filter
    matches"), in one transaction: each as `perform(user, review, "approve", reason=reason)` approves it,
    in the order of their ids, with the same refusal when the policy refuses one (ActionRefused: none is
    approved), the same Transitions, audit entries, action items and notices; but together, as
    `approve_all` approves a cycle (`_approve_together`, a few queries for each cycle whatever the number
    of its reviews). The cycles are locked first, then the reviews, in approve_all's order.

    `check(reviews)` is given the locked reviews before anything is written (the page compares their
    number and pay with those the GM confirmed) and may refuse by raising.

    Reviews of several cycles (the page's filter may match several open months) are approved in the
    order of their ids, as one by one: each run of consecutive reviews of one cycle together, what a
    run writes written before the next run reads (a quarter's review reads whether its months are
    published), the publication moment and each cycle's calibration figures read once for all runs.
    A review of a cycle that was not locked (it came in between the two queries, on PostgreSQL's
    read committed) refuses the approval with nothing written (WorkflowError `list_changed`)."""
    with transaction.atomic():
        cycles = {
            c.pk: c
            for c in Cycle.objects.select_for_update()
            .filter(pk__in=wanted.order_by().values("cycle_id"))
            .order_by("pk")
        }
        pending = _for_approval(wanted, "pk")
        if any(review.cycle_id not in cycles for review in pending):
            raise WorkflowError(
                _(
                    "要批准的考核刚刚有了变化（另一个考核期的考核加入了）；什么都没有批准，请刷新页面后再确认。"
                ),
                code="list_changed",
            )
        for review in pending:
            review.cycle = cycles[review.cycle_id]
        if check is not None:
            check(pending)
        for review in pending:
            policy.require(user, review, "approve")  # an archived cycle's too, as perform's
        publishing = Publishing(timezone.now(), CalibrationTarget.objects.exists())
        with audit.collected():
            for cycle_id, run in itertools.groupby(pending, key=lambda r: r.cycle_id):
                _approve_together(user, cycles[cycle_id], list(run), reason, publishing)
    return pending


def _for_approval(reviews: QuerySet[Review], order: str) -> list[Review]:
    """The reviews locked, with what approving them reads."""
    return list(
        reviews.select_for_update(of=("self",))
        .select_related("employee__user", "employee__department", "evaluator", "template_version")
        .prefetch_related("ratings", "overrides__created_by", "calibrations__created_by", *FED_PREFETCH)
        .order_by(order)
    )


def _approve_together(
    user: Any, cycle: Cycle, reviews: list[Review], reason: str, publishing: Publishing | None = None
) -> list[Review]:
    """`perform`'s approve on each of the locked `reviews` (in order), with what every review reads
    read once for all (chains, histories, the calibration targets and the cycle's distribution, action
    items, later months) and what they write written together: the reviews by what changed, their
    Transitions, their audit entries (inside `audit.collected`, in the order perform writes them) and
    their notices. `publishing`: the moment and calibration figures shared with other runs of the step.
    """
    chain.read_chains(reviews)
    read_histories(cycle.period, reviews)
    if publishing is None:
        publishing = Publishing(timezone.now(), CalibrationTarget.objects.exists())
    live = set(
        ActionItem.objects.filter(review__in=reviews, status__in=consequences.LIVE).values_list(
            "review_id", flat=True
        )
    )
    later = set(
        Review.objects.filter(
            employee_id__in=[r.employee_id for r in reviews],
            cycle__period__gt=cycle.period,
            final_at__isnull=False,
        ).values_list("employee_id", flat=True)
    )
    transitions: list[Transition] = []
    changed: dict[int, dict[str, Any]] = {}
    reason = str(reason).strip()
    settling = _settling_reason("approve", reason)
    for review in reviews:
        was = _fields(review)
        from_status = review.status
        before = {"score": _text(review.score), "grade": review.grade}
        change = _Change(
            reason=reason, before=_chain_step(review), after=chain.advance(user, review, publishing)
        )
        review.version += 1
        after = {"score": _text(review.score), "grade": review.grade}
        transitions.append(
            Transition(
                review=review,
                from_status=from_status,
                to_status=review.status,
                action="approve",
                reason=change.reason,
                actor=user,
            )
        )
        audit.record(
            actor_name(user),
            "review.approve",
            object_type="review",
            object_id=review.pk,
            before={"status": from_status, **change.before, **({} if before == after else before)},
            after={
                "status": review.status,
                "version": review.version,
                **change.after,
                **({} if before == after else after),
            },
            reason=change.reason,
        )
        regraded = review.grade != was["grade"]
        if consequences.settles_anything(
            review, has_live=review.pk in live, has_later=review.employee_id in later
        ):  # saved first: the later months read it as history
            review.save()
            consequences.settle(user, review, settling)
        elif regraded:  # saved now: the next reviews' distribution counts its new grade
            review.save()
        else:
            changed[review.pk] = {k: v for k, v in _fields(review).items() if was[k] != v}
        if regraded:
            publishing.together.forget()
    _write_changes(changed)
    insert_all(Transition, transitions)
    notification_events.after_steps(reviews, "approve", reason)
    return reviews


_UNSAVED = frozenset({"id", "version"})


def _fields(review: Review) -> dict[str, Any]:
    return {
        f.attname: getattr(review, f.attname)
        for f in Review._meta.concrete_fields
        if f.attname not in _UNSAVED
    }


def _write_changes(changed: Mapping[int, dict[str, Any]]) -> None:
    """Save reviews that a step changed (review id -> the fields it changed, each review's version raised
    by one): one UPDATE for each set of reviews that changed the same way (all published at one moment,
    say), one for each review whose own result changed."""
    groups: dict[Any, list[int]] = {}
    alone: list[tuple[int, dict[str, Any]]] = []
    for pk, fields in changed.items():
        if any(isinstance(value, (dict, list)) for value in fields.values()):
            alone.append((pk, fields))
        else:
            groups.setdefault(tuple(sorted(fields.items())), []).append(pk)
    for key, pks in groups.items():
        for start in range(0, len(pks), IDS_A_STATEMENT):
            Review.objects.filter(pk__in=pks[start : start + IDS_A_STATEMENT]).update(
                version=F("version") + 1, **dict(key)
            )
    for pk, fields in alone:
        Review.objects.filter(pk=pk).update(version=F("version") + 1, **fields)


# ---- the steps -------------------------------------------------------------------------------


def _save_self(
    user: Any, review: Review, ratings: Mapping[str, Any] | None = None, self_assessment: str | None = None
) -> _Change:
    change = _set_ratings(user, review, Rating.Rater.SELF, ratings or {})
    if self_assessment is not None:
        change.before["self_assessment"] = review.self_assessment
        review.self_assessment = self_assessment
        change.after["self_assessment"] = self_assessment
    recompute(review, save=False)
    return change


def _submit_self(user: Any, review: Review) -> _Change:
    template = review.template_version.compiled()
    if template.self_weight != 0:
        rated = {r.item_key for r in review.ratings.filter(rater=Rating.Rater.SELF)}
        unrated = [
            item.key
            for item in template.items
            if item.is_rated and not item.rated_by_peers and item.key not in rated
        ]
        if unrated:
            raise WorkflowError(
                _("本考核表的自评计入得分；请先给这些指标自评：%(items)s")
                % {"items": _items(template, unrated)},
                code="self_review_incomplete",
            )
    review.submitted_self_at = timezone.now()
    review.status = S.PENDING_SUPERVISOR
    recompute(review, save=False)
    return _Change()


def _withdraw_self(user: Any, review: Review) -> _Change:
    """The employee takes the submitted self-review back to change it (the policy refuses once the
    supervisor has acted); audited like every step."""
    review.status = S.PENDING_SELF
    review.submitted_self_at = None
    return _Change()


def _rate(
    user: Any, review: Review, ratings: Mapping[str, Any] | None = None, comment: str | None = None
) -> _Change:
    change = _set_ratings(user, review, Rating.Rater.SUPERVISOR, ratings or {})
    if comment is not None:
        change.before["supervisor_comment"] = review.supervisor_comment
        review.supervisor_comment = comment
        change.after["supervisor_comment"] = comment
    recompute(review, save=False)
    return change


def _record_interview(
    user: Any,
    review: Review,
    held_on: dt.date | str,
    strengths: str,
    improvements: str,
    plan: str,
    employee_response: str = "",
) -> _Change:
    day = _date(held_on, "held_on")
    missing = [
        n
        for n, text in (("strengths", strengths), ("improvements", improvements), ("plan", plan))
        if not str(text).strip()
    ]
    if missing:
        raise WorkflowError(
            _("面谈表还缺：%(fields)s。") % {"fields": listed(_interview_field(n) for n in missing)},
            code="interview_incomplete",
        )
    fields = {
        "held_on": day,
        "strengths": strengths,
        "improvements": improvements,
        "plan": plan,
        "employee_response": employee_response,
    }
    earlier = Interview.objects.filter(review=review).first()  # the review is locked: this is its interview
    before = {} if earlier is None else {"interview": {k: getattr(earlier, k) for k in fields}}
    if earlier is None:
        Interview.objects.create(review=review, recorded_by=user, **fields)
    else:
        for name, value in {**fields, "recorded_by": user}.items():
            setattr(earlier, name, value)
        earlier.save(update_fields=[*fields, "recorded_by", "recorded_at"])
    return _Change(before=before, after={"interview": fields})


def _submit_supervisor(user: Any, review: Review) -> _Change:
    if not Interview.objects.filter(review=review).exists():
        raise WorkflowError(
            _("请先记录考评面谈（面谈表）；没有面谈记录的考核不能提交人事。"), code="interview_missing"
        )
    template = review.template_version.compiled()
    rated = {r.item_key for r in review.ratings.filter(rater=Rating.Rater.SUPERVISOR)} | set(
        fed_items(review)
    )
    unrated = [item.key for item in template.items if item.is_rated and item.key not in rated]
    if unrated:
        raise WorkflowError(
            _("请先给每个评分指标打分；尚未评分：%(items)s") % {"items": _items(template, unrated)},
            code="ratings_incomplete",
        )
    recompute(review, save=False)
    return _Change(after=chain.start(user, review))


def _return_to_self(user: Any, review: Review, reason: str) -> _Change:
    review.status = S.PENDING_SELF
    review.submitted_self_at = None  # the employee revises; the evaluator sees it again once resubmitted
    return _Change(reason=_reason(reason))


def _return_step(user: Any, review: Review, reason: str) -> _Change:
    """A chain step sends the review back (HR's 退回, the GM's, a named reviewer's): to the previous
    step or to the supervisor, as the step is set up."""
    reason = _reason(reason)
    before = _chain_step(review)
    return _Change(reason=reason, before=before, after=chain.send_back(review))


def _pass_step(user: Any, review: Review, reason: str = "") -> _Change:
    """A named reviewer's 审核通过: the next step, or publication after the last."""
    before = _chain_step(review)
    return _Change(reason=str(reason).strip(), before=before, after=chain.advance(user, review))


def _reason(reason: str) -> str:
    if not str(reason).strip():
        raise WorkflowError(_("退回考核需要填写原因。"), code="reason_missing")
    return str(reason).strip()


def _chain_step(review: Review) -> dict[str, Any]:
    step = chain.current_step(review)
    return {} if step is None else {"chain_step": step.name}


def _override(user: Any, review: Review, name: str, value: Any, reason: str) -> _Change:
    template = review.template_version.compiled()
    if name not in template.variables:
        known = listed(sorted(template.variables)) or pgettext("nothing listed", "无")
        raise WorkflowError(
            _("“%(name)s”不是本考核表的数值（它的数值有：%(known)s）。") % {"name": name, "known": known},
            code="unknown_value",
        )
    if not str(reason).strip():
        raise WorkflowError(_("修正数值需要写明原因。"), code="reason_missing")
    number = _decimal(value, "value", places=6)
    previous = effective_value(review, name) or ""
    Override.objects.create(
        review=review, name=name, value=number, previous=previous, reason=str(reason).strip(), created_by=user
    )
    recompute(review, save=False)
    return _Change(
        reason=str(reason).strip(),
        before={"name": name, "value": previous or None},
        after={"name": name, "value": str(number)},
    )


def _submit_hr(user: Any, review: Review) -> _Change:
    recompute(review, save=False)
    if review.missing:
        template = review.template_version.compiled()
        values = listed(review.result.get("missing_values", [])) or "—"
        raise WorkflowError(
            _(
                "考核不完整（缺：%(items)s）；请先以修正数值（写明原因）补上缺失的数值，再提交总经理"
                "（缺失的数值：%(values)s）。"
            )
            % {"items": _items(template, review.missing), "values": values},
            code="review_incomplete",
        )
    from shopkpi.appraisal.periods.reconciliation import unacknowledged

    pending = unacknowledged(review.cycle)
    if pending:
        first = pending[0]
        raise WorkflowError(
            _(
                "本月数据核对有 %(n)s 处差异未确认（%(label)s：%(key)s %(left)s 对 %(right)s）；"
                "请人事在“数据核对”页确认后再提交总经理。"
            )
            % {
                "n": len(pending),
                "label": first.label,
                "key": first.key,
                "left": first.left,
                "right": first.right,
            },
            code="reconciliation_unacknowledged",
        )
    review.values_frozen_at = timezone.now()
    before = _chain_step(review)
    after = {"values_frozen_at": _when(review.values_frozen_at), **chain.advance(user, review)}
    return _Change(before=before, after=after)


def _approve(user: Any, review: Review, reason: str = "") -> _Change:
    """The GM's 总经理批准: the next step of the chain, or (the default, the last step) publication."""
    before = _chain_step(review)
    return _Change(reason=str(reason).strip(), before=before, after=chain.advance(user, review))


def _acknowledge(user: Any, review: Review) -> _Change:
    review.status = S.ACKNOWLEDGED
    review.acknowledged_at = timezone.now()
    return _Change(after={"acknowledged_at": _when(review.acknowledged_at)})


def _appeal(user: Any, review: Review, items: Sequence[Mapping[str, Any]]) -> _Change:
    closed = policy.appeal_closed(review)
    if closed is not None:
        raise WorkflowError(closed[1], code=closed[0])
    if not items:
        raise WorkflowError(_("申诉至少要针对一个指标，并写明理由。"), code="appeal_empty")
    template = review.template_version.compiled()
    keys = {item.key for item in template.items}
    cleaned: list[tuple[str, str]] = []
    filed: list[list[appeal_points.Filed]] = []
    for entry in items:
        key = str(entry.get("item_key") or "")
        reason = str(entry.get("reason") or "").strip()
        if key and key not in keys:
            raise WorkflowError(
                _("“%(key)s”不是本考核的指标（本考核的指标有：%(items)s）。")
                % {"key": key, "items": _items(template, sorted(keys))},
                code="unknown_item",
            )
        if not reason:
            raise WorkflowError(
                _("对%(item)s的申诉需要写明理由。")
                % {"item": _item(template, key) if key else pgettext("appeal", "整体结果")},
                code="reason_missing",
            )
        cleaned.append((key, reason))
        filed.append(appeal_points.checked_points(review, entry.get("points") or ()))
    for (key, reason), points in zip(cleaned, filed, strict=True):
        appeal_points.record(Appeal.objects.create(review=review, item_key=key, reason=reason), points)
    review.status = S.APPEALED
    return _Change(
        reason="; ".join(f"{key or '整体'}: {reason}" for key, reason in cleaned),
        after={
            "appeals": [
                {"item_key": k, "reason": r, **({"points": [vars(p) for p in f]} if f else {})}
                for (k, r), f in zip(cleaned, filed, strict=True)
            ]
        },
    )


def _decide_appeal(
    user: Any,
    review: Review,
    outcome: str,
    note: str,
    overrides: Sequence[Mapping[str, Any]] = (),
    points: Sequence[Mapping[str, Any]] = (),
) -> _Change:
    if outcome not in (Appeal.Status.UPHELD, Appeal.Status.AMENDED):
        raise WorkflowError(
            _("申诉的处理结果只能是维持原结果（upheld）或修正（amended），不能是“%(outcome)s”。")
            % {"outcome": outcome},
            code="bad_outcome",
        )
    if not str(note).strip():
        raise WorkflowError(_("处理申诉需要写明处理意见（决定的理由）。"), code="reason_missing")
    if overrides and outcome != Appeal.Status.AMENDED:
        raise WorkflowError(
            _("修正数值只属于“修正”的申诉处理；维持原结果不改动任何数值。"), code="bad_outcome"
        )
    note = str(note).strip()
    now = timezone.now()
    open_appeals = list(review.appeals.filter(status=Appeal.Status.OPEN))
    change = _Change(reason=note, after={"outcome": outcome, "appeals": [a.pk for a in open_appeals]})
    kept = None
    if outcome == Appeal.Status.AMENDED:
        kept = take_snapshot(review, f"申诉修正前的版本：{note}")
    accepted = appeal_points.decide(user, review, open_appeals, points, note)
    if accepted and outcome != Appeal.Status.AMENDED:
        raise WorkflowError(
            _("支持了申诉要点（改计或不计入数据行）就要选“修正”：结果会重算并提交总经理。"),
            code="bad_outcome",
        )
    if accepted:
        change.after["points"] = [{"id": p.pk, "decision": p.decision, "reason": p.reason} for p in accepted]
    for appeal in open_appeals:
        appeal.status = outcome
        appeal.outcome = note
        appeal.handled_by = user
        appeal.handled_at = now
        appeal.save(update_fields=["status", "outcome", "handled_by", "handled_at"])
    if outcome == Appeal.Status.UPHELD:
        review.status = S.PUBLISHED  # the employee may acknowledge now
        return change
    applied = []
    for entry in overrides:
        sub = _override(
            user, review, str(entry.get("name", "")), entry.get("value"), str(entry.get("reason", ""))
        )
        applied.append(sub.after)
    change.after["overrides"] = applied
    recompute(review, save=False)
    if kept is not None:
        change.after["difference"] = result_versions.difference(kept.data, review_state(review))
    change.after.update(chain.last_step(review))
    return change


def _adjust_pay(user: Any, review: Review, amount: Any, reason: str) -> _Change:
    number = _decimal(amount, "amount", places=2, digits=10)
    if number == 0:
        raise WorkflowError(_("奖惩调整金额为 0，什么也不会改变。"), code="zero_adjustment")
    if not str(reason).strip():
        raise WorkflowError(_("奖惩调整需要写明原因。"), code="reason_missing")
    adjustment = PayAdjustment.objects.create(
        review=review, amount=number, reason=str(reason).strip(), created_by=user
    )
    return _Change(
        reason=adjustment.reason, after={"adjustment": str(number), "adjustment_id": adjustment.pk}
    )


_HANDLERS: dict[str, Callable[..., _Change]] = {
    "save_self": _save_self,
    "submit_self": _submit_self,
    "withdraw_self": _withdraw_self,
    "rate": _rate,
    "record_interview": _record_interview,
    "submit_supervisor": _submit_supervisor,
    "return_to_self": _return_to_self,
    "override": _override,
    "submit_hr": _submit_hr,
    "return_to_supervisor": _return_step,
    "approve": _approve,
    "return_to_hr": _return_step,
    "pass_step": _pass_step,
    "return_step": _return_step,
    "acknowledge": _acknowledge,
    "appeal": _appeal,
    "decide_appeal": _decide_appeal,
    "adjust_pay": _adjust_pay,
}
assert set(_HANDLERS) == set(policy.ACTIONS), "every action of the policy has a step here"


# ---- helpers ---------------------------------------------------------------------------------


def _settling_reason(action: str, reason: str) -> str:
    """Why a step raises or withdraws action items, for the audit log."""
    said = {
        "acknowledge": "本人签字确认，结果确定",
        "decide_appeal": "申诉处理",
        "override": "人事修正数值",
    }.get(action, step_name(action))
    return f"{said}：{reason}" if reason else said


def _set_ratings(user: Any, review: Review, rater: str, ratings: Mapping[str, Any]) -> _Change:
    template = review.template_version.compiled()
    before: dict[str, str | None] = {}
    after: dict[str, str | None] = {}
    existing = {r.item_key: r for r in review.ratings.filter(rater=rater)}
    fed = fed_items(review) if rater == Rating.Rater.SUPERVISOR and ratings else {}
    for key, raw in ratings.items():
        try:
            item = template.item(key)
        except KeyError:
            rated = [i.key for i in template.items if i.is_rated]
            raise WorkflowError(
                _("“%(key)s”不是本考核的评分指标（评分指标有：%(items)s）。")
                % {
                    "key": key,
                    "items": _items(template, rated) if rated else pgettext("nothing listed", "无"),
                },
                code="unknown_item",
            ) from None
        if not item.is_rated:
            raise WorkflowError(
                _("指标%(item)s由数据计算得出，不用评分。") % {"item": _item(template, key)},
                code="item_not_rated",
            )
        blank = raw is None or str(raw).strip() == ""
        if (key in fed or (rater == Rating.Rater.SELF and item.rated_by_peers)) and blank:
            continue  # the form's empty field of an item others rate: their ratings decide
        if rater == Rating.Rater.SELF and item.rated_by_peers:
            raise WorkflowError(
                _("指标%(item)s由同事互评，本人不自评。") % {"item": _item(template, key)},
                code="item_rated_by_peers",
            )
        if fed.get(key) == "peers":
            raise WorkflowError(
                _("指标%(item)s的评分是同事互评的平均数；没有同事评分时才由上级评分。")
                % {"item": _item(template, key)},
                code="item_fed_by_peers",
            )
        if key in fed:
            raise WorkflowError(
                _("指标%(item)s的上级评分是本月抽查样本得分的平均数，请在抽查页给样本打分。")
                % {"item": _item(template, key)},
                code="item_fed_by_spot_checks",
            )
        old = existing.get(key)
        before[key] = None if old is None else (old.level or str(old.value))
        if raw is None or str(raw).strip() == "":
            if old is not None:
                old.delete()
            after[key] = None
            continue
        try:
            value = rating_value(
                item, raw if isinstance(raw, (str, Decimal)) else _decimal(raw, key, places=2, digits=3)
            )
        except RatingError:
            raise WorkflowError(_rating_refusal(template, key, raw), code="bad_rating") from None
        if value != value.quantize(Decimal("0.01")):
            raise WorkflowError(
                _("指标%(item)s的评分 %(value)s 超过两位小数。")
                % {"item": _item(template, key), "value": value},
                code="bad_rating",
            )
        level = (
            str(raw).strip()
            if isinstance(raw, str) and str(raw).strip() in getattr(item.rule, "levels", {})
            else ""
        )
        if old is None:  # the review is locked: the ratings read above are its ratings
            Rating.objects.create(
                review=review, item_key=key, rater=rater, value=value, level=level, rated_by=user
            )
        else:
            old.value, old.level, old.rated_by = value, level, user
            old.save(update_fields=["value", "level", "rated_by", "rated_at"])
        after[key] = level or str(value)
    return _Change(before={"ratings": before}, after={"ratings": after, "rater": rater})


def _decimal(value: Any, name: str, *, places: int, digits: int = 18) -> Decimal:
    """A number with at most `places` decimals and `digits` digits before the point (what the column holds)."""
    label = _field(name)
    if isinstance(value, bool) or value is None:
        raise WorkflowError(_("%(field)s必须是数字。") % {"field": label}, code="bad_number")
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except InvalidOperation:
        raise WorkflowError(
            _("%(field)s必须是数字，“%(value)s”不是。") % {"field": label, "value": value}, code="bad_number"
        ) from None
    if not number.is_finite():
        raise WorkflowError(_("%(field)s必须是有限的数字。") % {"field": label}, code="bad_number")
    if abs(number) >= Decimal(10) ** digits:
        raise WorkflowError(
            _("%(field)s %(value)s 太大（小数点前最多 %(digits)s 位）。")
            % {"field": label, "value": number, "digits": digits},
            code="bad_number",
        )
    if number != number.quantize(Decimal(1).scaleb(-places)):
        raise WorkflowError(
            _("%(field)s %(value)s 超过 %(places)s 位小数。")
            % {"field": label, "value": number, "places": places},
            code="bad_number",
        )
    return number


def _date(value: dt.date | str, name: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise WorkflowError(
            _("%(field)s必须是日期（YYYY-MM-DD），“%(value)s”不是。")
            % {"field": _field(name), "value": value},
            code="bad_date",
        ) from None


def _when(moment: dt.datetime) -> str:
    """A moment as the audit log keeps it for people: in the company's time zone, with its offset."""
    return timezone.localtime(moment).isoformat()


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _interview_field(name: str) -> str:
    return {
        "strengths": pgettext("interview", "优点"),
        "improvements": pgettext("interview", "待改进"),
        "plan": pgettext("interview", "改进计划"),
    }[name]


def _field(name: str) -> str:
    """The name of a form field in a message; a rating's field is its item key."""
    known = {
        "value": pgettext("field", "数值"),
        "amount": pgettext("field", "金额"),
        "held_on": pgettext("field", "面谈日期"),
    }
    return known.get(name, f"「{name}」")


def _rating_refusal(template: Template, key: str, raw: Any) -> str:
    """Why `raw` is not a rating of item `key`: not a number nor a level, or outside 0..100."""
    item = template.item(key)
    try:
        number = raw if isinstance(raw, Decimal) else parse_number(str(raw))
    except NumberError:
        levels = listed(getattr(item.rule, "levels", {})) or pgettext("nothing listed", "无")
        return _("“%(raw)s”不是指标%(item)s的评分（0–100 的数字，或等级：%(levels)s）。") % {
            "raw": raw,
            "item": _item(template, key),
            "levels": levels,
        }
    return _("指标%(item)s的评分 %(value)s 超出 0–100。") % {"item": _item(template, key), "value": number}


from shopkpi.appraisal.periods.cycles import archive_cycle, open_cycle, reopen_cycle  # noqa: E402  (cycles uses no workflow name)
