"""Reopening an archived cycle takes two people: an HR user asks, with a reason; another person holding
the GM role confirms (the cycle is reopened by `cycles.reopen_cycle`) or declines, with a reason.

Each request is a `ReopenRequest` record (at most one waits per cycle); every step is also written to
the audit log: `cycle.reopen_request`, `cycle.reopen_decline`, and `cycle.reopen` by `reopen_cycle`.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shopkpi.appraisal import audit
from shopkpi.appraisal.accounts.roles import is_gm, is_hr
from shopkpi.appraisal.models import Cycle, ReopenRequest
from shopkpi.appraisal.notifications import events as notification_events
from shopkpi.appraisal.periods.cycles import reopen_cycle
from shopkpi.appraisal.policy import ActionRefused
from shopkpi.appraisal.reviews.review_steps import WorkflowError, actor_name

REQUEST = "cycle.reopen_request"
DECLINE = "cycle.reopen_decline"

Status = ReopenRequest.Status


def pending_requests() -> dict[str, ReopenRequest]:
    """The requests waiting for a GM, by period (one query)."""
    waiting = (
        ReopenRequest.objects.filter(status=Status.PENDING)
        .select_related("cycle", "requested_by")
        .order_by("cycle__period")
    )
    return {found.cycle.period: found for found in waiting}


def pending_request(cycle: Cycle) -> ReopenRequest | None:
    """The cycle's request waiting for a GM, if any."""
    return (
        ReopenRequest.objects.filter(cycle=cycle, status=Status.PENDING)
        .select_related("requested_by")
        .first()
    )


def _reason(text: Any, message: str) -> str:
    reason = str(text or "").strip()
    if not reason:
        raise WorkflowError(message, code="reason_required")
    return reason


def request_reopen(hr_user: Any, cycle: Cycle, reason: str) -> ReopenRequest:
    """An HR user asks to reopen an archived cycle; a GM (another person) decides."""
    if not is_hr(hr_user):
        raise ActionRefused(_("只有人事可以申请重新开启考核期。"), code="wrong_party")
    reason = _reason(reason, _("申请重新开启需要填写原因。"))
    already = _("考核期 %(period)s 已有待总经理确认的重新开启申请。") % {"period": cycle.period}
    try:
        with transaction.atomic():
            locked = Cycle.objects.select_for_update().get(pk=cycle.pk)
            if locked.status != Cycle.Status.ARCHIVED:
                raise WorkflowError(
                    _("考核期 %(period)s 未归档，无需重新开启。") % {"period": locked.period},
                    code="cycle_open",
                )
            if ReopenRequest.objects.filter(cycle=locked, status=Status.PENDING).exists():
                raise WorkflowError(already, code="reopen_pending")
            made = ReopenRequest.objects.create(cycle=locked, requested_by=hr_user, reason=reason)
            audit.record(
                actor_name(hr_user),
                REQUEST,
                object_type="cycle",
                object_id=locked.period,
                after={"request": made.pk},
                reason=reason,
            )
            notification_events.reopen_requested(locked, actor_name(hr_user), reason)
    except IntegrityError:  # another HR user's request was saved first
        raise WorkflowError(already, code="reopen_pending") from None
    return made


def _waiting(cycle: Cycle) -> ReopenRequest:
    """The cycle's pending request, locked for the decision."""
    found = (
        ReopenRequest.objects.select_for_update()
        .select_related("requested_by")
        .filter(cycle=cycle, status=Status.PENDING)
        .first()
    )
    if found is None:
        raise WorkflowError(
            _("考核期 %(period)s 没有待确认的重新开启申请。") % {"period": cycle.period},
            code="no_reopen_request",
        )
    return found


def confirm_reopen(gm_user: Any, cycle: Cycle) -> Cycle:
    """A GM confirms the pending request: the cycle is reopened (earlier versions kept) on the request's
    reason, by the requesting HR user and this GM. Whoever asked cannot confirm."""
    if not is_gm(gm_user):
        raise ActionRefused(_("只有总经理可以确认重新开启。"), code="wrong_party")
    with transaction.atomic():
        found = _waiting(cycle)
        requester = found.requested_by
        if requester.pk == gm_user.pk:
            raise ActionRefused(
                _("重新开启需要两个人：须由申请人以外的另一位总经理确认。"), code="same_person"
            )
        if not requester.is_active or not is_hr(requester):
            raise WorkflowError(
                _("申请人 %(user)s 已不是有效的人事用户；请人事重新申请。") % {"user": requester.username},
                code="requester_gone",
            )
        reopened = reopen_cycle(requester, gm_user, cycle, found.reason)
        found.status = Status.CONFIRMED
        found.decided_by = gm_user
        found.decided_at = timezone.now()
        found.save(update_fields=["status", "decided_by", "decided_at"])
    return reopened


def decline_reopen(gm_user: Any, cycle: Cycle, reason: str) -> ReopenRequest:
    """A GM declines the pending request, with a reason; the cycle stays archived."""
    if not is_gm(gm_user):
        raise ActionRefused(_("只有总经理可以驳回重新开启申请。"), code="wrong_party")
    reason = _reason(reason, _("驳回申请需要填写原因。"))
    with transaction.atomic():
        found = _waiting(cycle)
        found.status = Status.DECLINED
        found.decided_by = gm_user
        found.decided_at = timezone.now()
        found.decision_reason = reason
        found.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
        audit.record(
            actor_name(gm_user),
            DECLINE,
            object_type="cycle",
            object_id=cycle.period,
            before={
                "request": found.pk,
                "requested_by": found.requested_by.username,
                "request_reason": found.reason,
            },
            reason=reason,
        )
    return found
