"""Reopening an archived cycle takes two people: HR asks (with a reason), a GM confirms or declines.

The request and the decline are entries of the audit log (`cycle.reopen_request`,
`cycle.reopen_decline`), append-only like every other step; the confirmation is
`cycles.reopen_cycle(hr_user, gm_user, …)`, which writes `cycle.reopen`. A request is pending while it
is the newest of those three entries for an archived cycle.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _

from shopkpi.appraisal import audit
from shopkpi.appraisal.cycles import reopen_cycle
from shopkpi.appraisal.models import AuditEntry, Cycle
from shopkpi.appraisal.policy import ActionRefused
from shopkpi.appraisal.review_steps import WorkflowError, actor_name
from shopkpi.appraisal.roles import is_gm, is_hr

REQUEST = "cycle.reopen_request"
DECLINE = "cycle.reopen_decline"
REOPEN = "cycle.reopen"


@dataclass(frozen=True)
class ReopenRequest:
    period: str
    requested_by: str
    at: dt.datetime
    reason: str


def pending_requests() -> dict[str, ReopenRequest]:
    """The pending reopen requests by period (archived cycles only)."""
    newest: dict[str, tuple[str, str, dt.datetime, str]] = {}
    entries = (
        AuditEntry.objects.filter(object_type="cycle", action__in=(REQUEST, DECLINE, REOPEN))
        .order_by("id")
        .values_list("object_id", "action", "actor", "at", "reason")
    )
    for period, action, actor, at, reason in entries:
        newest[period] = (action, actor, at, reason)
    archived = set(Cycle.objects.filter(status=Cycle.Status.ARCHIVED).values_list("period", flat=True))
    return {
        period: ReopenRequest(period, actor, at, reason)
        for period, (action, actor, at, reason) in sorted(newest.items())
        if action == REQUEST and period in archived
    }


def request_reopen(user: Any, cycle: Cycle, reason: str) -> ReopenRequest:
    """HR asks to reopen an archived cycle; a GM (another person) confirms it on the GM page."""
    if not is_hr(user):
        raise ActionRefused(_("只有人事可以申请重新开启考核期。"))
    reason = str(reason).strip()
    if not reason:
        raise WorkflowError(_("申请重新开启需要填写原因。"))
    with transaction.atomic():
        locked = Cycle.objects.select_for_update().get(pk=cycle.pk)
        if locked.status != Cycle.Status.ARCHIVED:
            raise WorkflowError(_("考核期 %(period)s 未归档，无需重新开启。") % {"period": locked.period})
        if locked.period in pending_requests():
            raise WorkflowError(
                _("考核期 %(period)s 已有待总经理确认的重新开启申请。") % {"period": locked.period}
            )
        entry = audit.record(
            actor_name(user), REQUEST, object_type="cycle", object_id=locked.period, reason=reason
        )
    return ReopenRequest(locked.period, entry.actor, entry.at, reason)


def _pending(cycle: Cycle) -> ReopenRequest:
    found = pending_requests().get(cycle.period)
    if found is None:
        raise WorkflowError(_("考核期 %(period)s 没有待确认的重新开启申请。") % {"period": cycle.period})
    return found


def confirm_reopen(gm_user: Any, cycle: Cycle) -> Cycle:
    """The GM confirms HR's request: the cycle is reopened (earlier versions kept) by `reopen_cycle`."""
    if not is_gm(gm_user):
        raise ActionRefused(_("只有总经理可以确认重新开启。"))
    found = _pending(cycle)
    hr_user = get_user_model().objects.filter(username=found.requested_by, is_active=True).first()
    if hr_user is None:
        raise WorkflowError(
            _("申请人 %(user)s 已不是有效用户；请人事重新申请。") % {"user": found.requested_by}
        )
    return reopen_cycle(hr_user, gm_user, cycle, found.reason)


def decline_reopen(gm_user: Any, cycle: Cycle, reason: str) -> None:
    """The GM declines HR's request, with a reason."""
    if not is_gm(gm_user):
        raise ActionRefused(_("只有总经理可以驳回重新开启申请。"))
    reason = str(reason).strip()
    if not reason:
        raise WorkflowError(_("驳回申请需要填写原因。"))
    with transaction.atomic():
        found = _pending(cycle)
        audit.record(
            actor_name(gm_user),
            DECLINE,
            object_type="cycle",
            object_id=cycle.period,
            before={"requested_by": found.requested_by, "request_reason": found.reason},
            reason=reason,
        )
