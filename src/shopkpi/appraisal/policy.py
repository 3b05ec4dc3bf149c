"""Confidentiality (保密) and recusal (回避) in one place.

Every page, API endpoint and export asks this module; no view decides on its own. A review the
user may not see does not exist for them (`ReviewNotFound`, answered 404); an action they may
see but not take is refused with a reason (`ActionRefused`, answered 403).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from shopkpi.appraisal.accounts.roles import employee_of, group_roles, is_gm, is_hr
from shopkpi.appraisal.models import Interview, Review, ReviewStep
from shopkpi.appraisal.reviews.review_steps import step_name

S = Review.Status


class ReviewNotFound(Exception):
    """The review does not exist, or the user may not know it exists."""


class ActionRefused(Exception):
    """The user sees the review but may not take this action; the message says why (in the language
    active when it is raised), `code` names the kind of refusal for machines."""

    code = "action_refused"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code


# action -> the statuses it may be taken in, and the party that takes it
ACTIONS: dict[str, tuple[frozenset[str], str]] = {
    "save_self": (frozenset({S.PENDING_SELF}), "employee"),
    "submit_self": (frozenset({S.PENDING_SELF}), "employee"),
    "withdraw_self": (frozenset({S.PENDING_SUPERVISOR}), "employee"),
    "rate": (frozenset({S.PENDING_SUPERVISOR}), "evaluator"),
    "record_interview": (frozenset({S.PENDING_SUPERVISOR}), "evaluator"),
    "submit_supervisor": (frozenset({S.PENDING_SUPERVISOR}), "evaluator"),
    "return_to_self": (frozenset({S.PENDING_SUPERVISOR}), "evaluator"),
    "override": (frozenset({S.PENDING_HR}), "hr"),
    "submit_hr": (frozenset({S.PENDING_HR}), "hr"),
    "return_to_supervisor": (frozenset({S.PENDING_HR}), "hr"),
    "approve": (frozenset({S.PENDING_GM}), "gm"),
    "return_to_hr": (frozenset({S.PENDING_GM}), "gm"),
    "pass_step": (frozenset({S.PENDING_STEP}), "reviewer"),
    "return_step": (frozenset({S.PENDING_STEP}), "reviewer"),
    "acknowledge": (frozenset({S.PUBLISHED}), "employee"),
    "appeal": (frozenset({S.PUBLISHED}), "employee"),
    "decide_appeal": (frozenset({S.APPEALED}), "hr"),
    "adjust_pay": (
        frozenset({S.PENDING_HR, S.PENDING_STEP, S.PENDING_GM, S.PUBLISHED, S.ACKNOWLEDGED, S.APPEALED}),
        "hr",
    ),
}


def _party_name(party: str) -> str:
    return {
        "employee": pgettext("party", "本人"),
        "evaluator": pgettext("party", "考评负责人"),
        "hr": pgettext("party", "人事"),
        "gm": pgettext("party", "总经理"),
        "reviewer": pgettext("party", "这一步的审核人"),
    }[party]


def require_company_role(user: Any, allowed: Collection[str]) -> None:
    """The company's months are for some of HR, GM and admin only: the months themselves for all
    three, opening one and importing for HR, the pay sheet for HR and the GM. Anybody else is refused
    (ActionRefused, wrong_party)."""
    if group_roles(user) & set(allowed):
        return
    messages = {
        frozenset({"hr", "gm", "admin"}): _("只有人事、总经理和管理员可以查看公司的考核期。"),
        frozenset({"hr"}): _("只有人事可以开启考核期和导入数据。"),
        frozenset({"hr", "gm"}): _("只有人事和总经理可以查看工资表。"),
    }
    raise ActionRefused(messages[frozenset(allowed)], code="wrong_party")


def status_name(status: str) -> str:
    """A review's state as the messages name it."""
    names: dict[str, str] = {
        S.PENDING_SELF: pgettext("review status", "待自评"),
        S.PENDING_SUPERVISOR: pgettext("review status", "待上级评分"),
        S.PENDING_HR: pgettext("review status", "待人事核准"),
        S.PENDING_GM: pgettext("review status", "待总经理批准"),
        S.PENDING_STEP: pgettext("review status", "待审核"),
        S.PUBLISHED: pgettext("review status", "已发布"),
        S.ACKNOWLEDGED: pgettext("review status", "已签字确认"),
        S.APPEALED: pgettext("review status", "申诉中"),
    }
    return names.get(status, status)


def visible_reviews(user: Any) -> QuerySet[Review]:
    """The reviews the user may see: their own, those they evaluate, those whose approval chain names
    them once the review has come to their step (and from then on), or all for HR and GM."""
    reviews = Review.objects.all()
    if not getattr(user, "is_authenticated", False):
        return reviews.none()
    if is_hr(user) or is_gm(user):
        return reviews
    employee = employee_of(user)
    if employee is None:
        return reviews.none()
    on_their_step = Exists(
        ReviewStep.objects.filter(review=OuterRef("pk"), person=employee, reached_at__isnull=False)
    )
    return reviews.filter(Q(employee=employee) | Q(evaluator=employee) | Q(on_their_step))


def review_for(user: Any, review_id: object) -> Review:
    """The review with this id if the user may see it; otherwise ReviewNotFound."""
    try:
        number = int(str(review_id))
    except ValueError:
        raise ReviewNotFound(review_id) from None
    review = (
        visible_reviews(user)
        .select_related("employee", "evaluator", "cycle", "template_version")
        .filter(pk=number)
        .first()
    )
    if review is None:
        raise ReviewNotFound(review_id)
    return review


def rows_review(user: Any, review_id: object) -> Review:
    """The review whose data rows (数据明细: the source rows behind its values) the user asks for.

    The rows are as confidential as the review: whoever may see the review (the employee, the
    evaluator, HR, the GM) sees the rows credited to its employee in its period, and nothing else;
    anyone else gets ReviewNotFound. An employee therefore sees their own rows only, never a
    colleague's, even of a shop they shared."""
    return review_for(user, review_id)


def is_subject(user: Any, review: Review) -> bool:
    employee = employee_of(user)
    return employee is not None and review.employee_id == employee.pk


def is_evaluator(user: Any, review: Review) -> bool:
    employee = employee_of(user)
    return employee is not None and review.evaluator_id == employee.pk


def is_step_reviewer(user: Any, review: Review) -> bool:
    """The user is the named reviewer of the chain step the review waits at."""
    from shopkpi.appraisal.reviews.chain import current_step

    employee = employee_of(user)
    step = current_step(review)
    return employee is not None and step is not None and step.person_id == employee.pk


def sees_supervisor_part(user: Any, review: Review) -> bool:
    """The supervisor's ratings and comments: the employee only from publication on."""
    if is_subject(user, review) and not (is_hr(user) or is_gm(user)):
        return review.published_at is not None
    return True


def sees_self_part(user: Any, review: Review) -> bool:
    """The self-review: the evaluator once it is submitted."""
    if is_subject(user, review) or is_hr(user) or is_gm(user):
        return True
    return review.submitted_self_at is not None


def refusal(user: Any, review: Review, action: str) -> str | None:
    """Why the user may not take `action` on `review` now, or None when they may."""
    found = _refusal(user, review, action)
    return None if found is None else found[1]


def allows(user: Any, review: Review, action: str) -> bool:
    """`refusal(...) is None` without wording a refusal: a review at another step is refused before
    any message is translated (a list of a hundred reviews asks it for each)."""
    if action in ACTIONS and review.status not in ACTIONS[action][0]:
        return False
    return _refusal(user, review, action) is None


def _refusal(user: Any, review: Review, action: str) -> tuple[str, str] | None:
    """(code, message) of the refusal, or None."""
    if action not in ACTIONS:
        return "unknown_action", _("没有“%(action)s”这个操作。") % {"action": action}
    statuses, party = ACTIONS[action]
    if review.status not in statuses:
        return "wrong_status", _("考核当前处于「%(status)s」，不能%(step)s。") % {
            "status": status_name(review.status),
            "step": step_name(action),
        }
    if review.cycle.status != "open":
        return "cycle_archived", _("考核期 %(period)s 已归档，只读。") % {"period": review.cycle.period}
    own = is_subject(user, review)
    if party == "employee":
        if not own:
            return _only(party, action)
        if action == "withdraw_self" and supervisor_started(review):
            return "supervisor_started", _("上级已开始评分或面谈，自评不能再撤回；如需修改，请联系上级退回。")
        return None
    if own:
        return "recusal", _("回避：本人的考核只能以员工身份操作；%(step)s须由另一位人事或总经理完成。") % {
            "step": step_name(action)
        }
    if party == "evaluator":
        return None if is_evaluator(user, review) else _only(party, action)
    if party == "reviewer":
        return None if is_step_reviewer(user, review) else _only(party, action)
    # 回避: when the evaluatee holds HR or GM, "another HR or GM user" does that step — so a GM may take
    # the HR step of the only HR officer's review, and HR the GM step of the only GM's
    subject_user = review.employee.user
    if party == "hr":
        if is_hr(user) or (is_gm(user) and subject_user is not None and is_hr(subject_user)):
            return None
        return _only(party, action)
    if is_gm(user) or (is_hr(user) and subject_user is not None and is_gm(subject_user)):
        return None
    return _only(party, action)


def supervisor_started(review: Review) -> bool:
    """The supervisor has acted on the submitted self-review: a rating, a comment or the interview."""
    return bool(
        review.supervisor_comment
        or review.ratings.filter(rater="supervisor").exists()
        or Interview.objects.filter(review=review).exists()
    )


def _only(party: str, action: str) -> tuple[str, str]:
    return "wrong_party", _("只有%(party)s可以%(step)s。") % {
        "party": _party_name(party),
        "step": step_name(action),
    }


def require(user: Any, review: Review, action: str) -> None:
    found = _refusal(user, review, action)
    if found is not None:
        raise ActionRefused(found[1], code=found[0])


def allowed_actions(user: Any, review: Review) -> list[str]:
    """The steps the user may take now; an appeal only while one can still be filed, so that no form
    is offered that would be refused."""
    return [
        action
        for action in ACTIONS
        if refusal(user, review, action) is None and not (action == "appeal" and appeal_closed(review))
    ]


def appeal_closed(review: Review) -> tuple[str, str] | None:
    """(code, message) when a published result can no longer be appealed: the appeal window has
    closed, or this result was appealed already and HR decided; None while an appeal can be filed."""
    if review.appeal_deadline is None or timezone.now() > review.appeal_deadline:
        closed = (
            "—"
            if review.appeal_deadline is None
            else timezone.localtime(review.appeal_deadline).strftime("%Y-%m-%d %H:%M")
        )
        return "appeal_window_closed", _("申诉期已于 %(closed)s 结束；现在只能签字确认。") % {
            "closed": closed
        }
    if (
        review.published_at is not None
        and review.appeals.filter(created_at__gte=review.published_at).exists()
    ):
        return "already_appealed", _("这个结果已经申诉过，人事已作出处理；现在只能签字确认。")
    return None


# ---- incident records (奖惩/扣分记录) ------------------------------------------------------------


class IncidentNotFound(ReviewNotFound):
    """The incident does not exist, or the user may not know it exists (answered 404 like a review)."""


def sees_incidents(user: Any, employee: Any, day: Any) -> bool:
    """Whether the user sees the employee's incidents of `day` and their evidence: whoever may see the
    employee's review of a period holding that day (the employee, its evaluator, HR, the GM, and
    whoever else `visible_reviews` admits), and, before such a review exists, the employee and their
    supervisor."""
    if is_hr(user) or is_gm(user):
        return True
    me = employee_of(user)
    if me is None:
        return False
    if employee.pk == me.pk or employee.supervisor_id == me.pk:
        return True
    from shopkpi.scorecard.periods import Period

    for period in visible_reviews(user).filter(employee=employee).values_list("cycle__period", flat=True):
        span = Period.parse(period)
        if span.start <= day <= span.end:
            return True
    return False


def is_own(user: Any, employee: Any) -> bool:
    """Whether `employee` is the user's own employee record."""
    me = employee_of(user)
    return me is not None and employee.pk == me.pk


def incident_refusal(user: Any, employee: Any) -> tuple[str, str] | None:
    """(code, message) when the user may not record or change the employee's incidents: HR and the
    employee's supervisor may; nobody records their own (回避)."""
    me = employee_of(user)
    if me is not None and employee.pk == me.pk:
        return "recusal", _("回避：不能为自己记录或修改奖惩记录；请由上级或另一位人事记录。")
    if is_hr(user) or (me is not None and employee.supervisor_id == me.pk):
        return None
    return "wrong_party", _("只有人事和员工的直接上级可以记录和修改奖惩记录。")


def require_incident_recorder(user: Any, employee: Any) -> None:
    """ActionRefused unless the user may record the employee's incidents; for an employee not found
    (None), unless the user records anybody's (HR, or a supervisor), so that nobody else learns who exists."""
    if employee is None:
        me = employee_of(user)
        if is_hr(user) or (me is not None and type(me).objects.filter(supervisor=me).exists()):
            return
        raise ActionRefused(_("只有人事和员工的直接上级可以记录和修改奖惩记录。"), code="wrong_party")
    found = incident_refusal(user, employee)
    if found is not None:
        raise ActionRefused(found[1], code=found[0])


# ---- spot checks (质检抽查) -------------------------------------------------------------------

SPOT_CHECK_STATUSES = frozenset({S.PENDING_SELF, S.PENDING_SUPERVISOR})


def spot_check_review(user: Any, review_id: object) -> Review:
    """The review whose spot-check pages the user may open: they are the supervisor's part of the
    review, for its evaluator, HR and the GM; the employee sees the scored cases in the item's
    explanation once the result is published, never the pages (ReviewNotFound, like anyone else)."""
    review = review_for(user, review_id)
    if not sees_spot_checks(user, review):
        raise ReviewNotFound(review_id)
    return review


def sees_spot_checks(user: Any, review: Review) -> bool:
    """The spot-check pages of a review it sees: its evaluator, HR and the GM, never its employee."""
    return not is_subject(user, review) and (is_evaluator(user, review) or is_hr(user) or is_gm(user))


def spot_check_refusal(user: Any, review: Review) -> tuple[str, str] | None:
    """(code, message) when the user may not draw or score the review's spot checks now: only its
    evaluator does (回避 included: never on their own review), until the supervisor's rating is
    submitted, in an open cycle."""
    if is_subject(user, review) or not is_evaluator(user, review):
        return "wrong_party", _("只有考评负责人可以抽查和打分。")
    if review.cycle.status != "open":
        return "cycle_archived", _("考核期 %(period)s 已归档，只读。") % {"period": review.cycle.period}
    if review.status not in SPOT_CHECK_STATUSES:
        return "wrong_status", _("上级评分已提交（考核当前处于「%(status)s」），抽查不能再改。") % {
            "status": status_name(review.status)
        }
    return None


def require_spot_check(user: Any, review: Review) -> None:
    found = spot_check_refusal(user, review)
    if found is not None:
        raise ActionRefused(found[1], code=found[0])


# ---- calibration (校准): a grade adjusted before publication ---------------------------------------

CALIBRATION_STATUSES = frozenset({S.PENDING_HR, S.PENDING_STEP, S.PENDING_GM})


def calibration_refusal(user: Any, review: Review) -> str | None:
    """Why the user may not adjust the review's grade in calibration now, or None: HR and the GM may,
    once the supervisor is done and until the result is published, on an open cycle, never on their
    own review (回避)."""
    found = _calibration_refusal(user, review)
    return None if found is None else found[1]


def require_calibration(user: Any, review: Review) -> None:
    found = _calibration_refusal(user, review)
    if found is not None:
        raise ActionRefused(found[1], code=found[0])


def _calibration_refusal(user: Any, review: Review) -> tuple[str, str] | None:
    if not (is_hr(user) or is_gm(user)):
        return "wrong_party", _("只有人事和总经理可以校准等级。")
    if review.status not in CALIBRATION_STATUSES:
        return "wrong_status", _(
            "考核当前处于「%(status)s」；上级评分之后、发布之前的考核才可以校准等级。"
        ) % {"status": status_name(review.status)}
    if review.cycle.status != "open":
        return "cycle_archived", _("考核期 %(period)s 已归档，只读。") % {"period": review.cycle.period}
    if is_subject(user, review):
        return "recusal", _("回避：本人的等级须由另一位人事或总经理校准。")
    return None


# ---- peer evaluation (互评) --------------------------------------------------------------------


def peer_naming_refusal(user: Any, review: Review) -> tuple[str, str] | None:
    """(code, message) when the user may not name the colleagues who rate a review's peers items:
    its evaluator and HR may (never on their own review), until the supervisor's rating is submitted."""
    if is_subject(user, review) or not (is_evaluator(user, review) or is_hr(user)):
        return "wrong_party", _("只有考评负责人和人事可以指定互评人。")
    if review.cycle.status != "open":
        return "cycle_archived", _("考核期 %(period)s 已归档，只读。") % {"period": review.cycle.period}
    if review.status not in SPOT_CHECK_STATUSES:
        return "wrong_status", _("上级评分已提交（考核当前处于「%(status)s」），互评已截止。") % {
            "status": status_name(review.status)
        }
    return None


def sees_peer_raters(user: Any, review: Review) -> bool:
    """Who rates a review's peers items, and what each gave: its evaluator, HR and the GM; the employee
    sees only the ratings, without names, in the item's explanation once the result is published."""
    return sees_spot_checks(user, review)


def peer_task_for(user: Any, peer_id: object) -> Any:
    """The peer rating asked of the user (互评): only the named colleague sees it, and through it only
    the colleague's name, the month and the item — never the review (ReviewNotFound to anyone else)."""
    from shopkpi.appraisal.models import PeerRater

    me = employee_of(user)
    try:
        number = int(str(peer_id))
    except ValueError:
        number = 0
    found = (
        None
        if me is None
        else PeerRater.objects.select_related("review__employee", "review__cycle", "review__template_version")
        .filter(pk=number, rater=me)
        .first()
    )
    if found is None:
        raise ReviewNotFound(peer_id)
    return found


def peer_rating_refusal(peer: Any) -> tuple[str, str] | None:
    """(code, message) when the peer rating can no longer be given: ratings close when the supervisor
    submits their rating (the item is then the average of those given)."""
    review = peer.review
    if review.cycle.status != "open" or review.status not in SPOT_CHECK_STATUSES:
        return "peer_rating_closed", _("互评已截止：上级评分已提交，本项按已给出的互评计算。")
    return None
