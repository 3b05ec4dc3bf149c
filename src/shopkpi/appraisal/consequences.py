"""Consequence action items: the template's rules (two months 差 → 警告 …) over the employee's history.

At approval the engine's result names the rules that fired (`review.result["actions"]`, computed
with the employee's earlier published results); each becomes one ActionItem per review and action
(approving the same review again, after an amended appeal, adds none twice). Nothing happens to a
person automatically: HR handles each item and closes it with a note.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shopkpi.appraisal import audit
from shopkpi.appraisal.models import ActionItem, Review
from shopkpi.appraisal.policy import ActionRefused
from shopkpi.appraisal.review_steps import WorkflowError, actor_name
from shopkpi.appraisal.roles import employee_of, is_hr


def raise_action_items(user: Any, review: Review) -> list[ActionItem]:
    """ActionItems for the rules that fired in the review's result; returns those created now."""
    created: list[ActionItem] = []
    for action in review.result.get("actions", []):
        item, new = ActionItem.objects.get_or_create(
            review=review,
            action=action,
            defaults={"employee_id": review.employee_id, "cycle_id": review.cycle_id},
        )
        if new:
            created.append(item)
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
                reason=f"考核结果触发规则：{action}",
            )
    return created


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
