"""What a notice says, in the active language: its subject and body for the person, and a shorter text
for a group robot (a group chat sees who and what to do, never a reason, score or pay)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from shopkpi.appraisal.models import Notice, Review
from shopkpi.appraisal.reviews.review_steps import step_name

K = Notice.Kind


def _status(params: dict[str, Any]) -> str:
    """The step a reminder is about: the approval chain step's own name, else the status's."""
    if params.get("step_name"):
        return str(params["step_name"])
    try:
        return str(Review.Status(params.get("status", "")).label)
    except ValueError:
        return str(params.get("status", ""))


def subject(notice: Notice) -> str:
    p: dict[str, Any] = notice.params
    kind = K(notice.kind)
    if kind == K.DUE:
        return _("%(period)s 考核：「%(step)s」将于 %(due)s 到期") % {**p, "step": _status(p)}
    if kind == K.OVERDUE:
        return _("%(period)s 考核：「%(step)s」已逾期") % {**p, "step": _status(p)}
    if kind == K.RETURNED:
        return _("你的考核被退回") if p.get("own") else _("%(name)s 的考核被退回") % p
    if kind == K.PUBLISHED:
        return _("%(period)s 考核结果已发布") % p
    if kind == K.APPEAL_ANSWERED:
        return _("%(period)s 考核：你的申诉已处理") % p
    if kind == K.STEP_WAITING:
        return _("%(period)s 考核：%(name)s 的考核待你「%(step_name)s」") % p
    return _("考核期 %(period)s 申请重新开启") % p


def body(notice: Notice) -> str:
    p: dict[str, Any] = notice.params
    kind = K(notice.kind)
    if kind == K.DUE:
        return _("%(name)s 的考核（%(period)s）等待「%(step)s」，截止 %(due)s，还有 %(days)s 天。") % {
            **p,
            "step": _status(p),
        }
    if kind == K.OVERDUE:
        return _("%(name)s 的考核（%(period)s）等待「%(step)s」，截止 %(due)s，已逾期 %(days)s 天。") % {
            **p,
            "step": _status(p),
        }
    if kind == K.RETURNED:
        start = _("你的考核被退回") if p.get("own") else _("%(name)s 的考核被退回") % p
        return _("%(start)s（%(period)s，%(step)s），原因：%(reason)s") % {
            **p,
            "start": start,
            "step": step_name(p.get("action", "")),
        }
    if kind == K.PUBLISHED:
        return _("你的 %(period)s 考核结果已发布：请查看、签字确认，如有异议可在期限内申诉。") % p
    if kind == K.APPEAL_ANSWERED:
        outcome = _("维持原结果") if p.get("outcome") == "upheld" else _("已修改，待总经理重新批准")
        return _("你的 %(period)s 考核申诉已处理：%(outcome)s。说明：%(note)s") % {**p, "outcome": outcome}
    if kind == K.STEP_WAITING:
        if p.get("due"):
            return _("%(name)s 的考核（%(period)s）到了「%(step_name)s」这一步，请在 %(due)s 前审核。") % p
        return _("%(name)s 的考核（%(period)s）到了「%(step_name)s」这一步，请登录审核。") % p
    return _("%(who)s 申请重新开启考核期 %(period)s，原因：%(reason)s。请在审批页确认或驳回。") % p


def robot_text(notice: Notice) -> str:
    """For a group chat: who and what to do, without reasons, scores or pay."""
    p: dict[str, Any] = notice.params
    kind = K(notice.kind)
    if kind in (K.DUE, K.OVERDUE):
        return body(notice)
    if kind == K.RETURNED:
        return str(_("%(name)s 的考核（%(period)s）被退回，请登录 shopkpi 查看原因并处理。") % p)
    if kind == K.PUBLISHED:
        return str(_("%(name)s 的考核（%(period)s）结果已发布，请登录 shopkpi 查看并签字确认。") % p)
    if kind == K.APPEAL_ANSWERED:
        return str(_("%(name)s 的考核申诉（%(period)s）已处理，请登录 shopkpi 查看。") % p)
    if kind == K.STEP_WAITING:
        return str(_("%(name)s 的考核（%(period)s）待「%(step_name)s」，请登录 shopkpi 审核。") % p)
    return _("考核期 %(period)s 申请重新开启，请总经理登录 shopkpi 处理。") % p
