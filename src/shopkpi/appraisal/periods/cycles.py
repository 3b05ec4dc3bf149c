"""A cycle (a month, a quarter or a year): opening it (participants, evaluators, frozen template versions, deadlines),
archiving it, and reopening it (HR and GM together, keeping every changed review's earlier version).

Each of these runs in one transaction: a failure midway leaves the previous state.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _

from shopkpi.appraisal import audit
from shopkpi.appraisal.accounts.roles import GM, HR, is_gm, is_hr
from shopkpi.appraisal.bulk_rows import insert_all
from shopkpi.appraisal.models import Cycle, CycleTemplate, Employee, Review, TemplateVersion
from shopkpi.appraisal.models.cycles import compiled_before
from shopkpi.appraisal.periods import consequences
from shopkpi.appraisal.periods.month_close import checked_period, open_reviews
from shopkpi.appraisal.periods.participants import DEFAULT_CUTOFF_DAY, eligible_employees, position_versions
from shopkpi.appraisal.policy import ActionRefused, status_name
from shopkpi.appraisal.reviews import chain
from shopkpi.appraisal.reviews.deadlines import Deadlines, default_deadlines
from shopkpi.appraisal.reviews.review_steps import (
    Step,
    WorkflowError,
    actor_name,
    listed,
    record_step,
    record_steps,
    take_snapshot,
)
from shopkpi.scorecard import PeriodKind, TemplateError, load_template_text
from shopkpi.scorecard.collector import collector_paused

S = Review.Status
DEFAULT_APPEAL_DAYS = 7
__all__ = ["DEFAULT_CUTOFF_DAY", "archive_cycle", "eligible_employees", "open_cycle", "reopen_cycle"]


def open_cycle(
    user: Any,
    period: str,
    *,
    participants: Iterable[Employee] | None = None,
    deadlines: Deadlines | Mapping[str, dt.date] | None = None,
    cutoff_day: int = DEFAULT_CUTOFF_DAY,
    appeal_days: int = DEFAULT_APPEAL_DAYS,
    home: Path | None = None,
) -> Cycle:
    """HR opens the period `period` (a month YYYY-MM, a quarter YYYY-Qn or a year YYYY): one review per
    participant (default: `eligible_employees`), each with its evaluator and its position's template
    version of the period's kind frozen, and the steps' deadlines (default:
    `deadlines.default_deadlines`); the period's values are computed once for everyone from the
    warehouse of `home` (default: the application's), a quarter's or a year's aggregates from the
    published results of the months (or quarters) inside it."""
    if not is_hr(user):
        raise ActionRefused(_("只有人事可以开启考核期。"), code="wrong_party")
    span = checked_period(period)
    period = span.text
    if not 1 <= cutoff_day <= 31:
        raise WorkflowError(
            _("截止日 %(day)s 不是一个月中的某一天（1–31）。") % {"day": cutoff_day}, code="bad_cutoff_day"
        )
    due = _deadlines(period, deadlines)
    # the collector paused: it walked the month's growing heap of rows and results again and again
    # (about a sixth of opening the 1,000-person demo's month)
    with collector_paused(), transaction.atomic():
        if Cycle.objects.filter(period=period).exists():
            raise WorkflowError(
                _("考核期 %(period)s 已经开启过（或已归档）；请改为重新开启。") % {"period": period},
                code="cycle_exists",
            )
        people = list(participants) if participants is not None else eligible_employees(period, cutoff_day)
        if not people:
            raise WorkflowError(
                _("考核期 %(period)s 没有参加考核的人：这一期没有在职员工。") % {"period": period},
                code="no_participants",
            )
        cycle = Cycle.objects.create(
            period=period,
            cutoff_day=cutoff_day,
            self_due=due.self_due,
            supervisor_due=due.supervisor_due,
            hr_due=due.hr_due,
            appeal_days=appeal_days,
            opened_by=user,
        )
        frozen = _frozen_versions(user, people, span.kind)
        insert_all(
            CycleTemplate,
            [
                CycleTemplate(cycle=cycle, position_id=position_id, template_version=version)
                for position_id, version in frozen.items()
            ],
        )
        evaluators = _evaluators(people)
        reviews = [
            Review(
                cycle=cycle,
                employee=employee,
                evaluator=evaluators[employee.pk],
                template_version=frozen[employee.position_id],
            )
            for employee in sorted(people, key=lambda e: e.code)
        ]
        # the month's values computed once for everyone, saved with the reviews
        open_reviews(cycle, reviews, actor=actor_name(user), home=home or Path(settings.HOME))
        chain.attach(cycle, reviews)  # each review keeps the approval chain in force today
        record_steps(user, [Step(r, after={"evaluator": r.evaluator_id}) for r in reviews], "open")
        audit.record(
            actor_name(user),
            "cycle.open",
            object_type="cycle",
            object_id=period,
            after={
                "participants": [e.code for e in sorted(people, key=lambda e: e.code)],
                "templates": sorted(str(v) for v in frozen.values()),
                "self_due": due.self_due,
                "supervisor_due": due.supervisor_due,
                "hr_due": due.hr_due,
                "cutoff_day": cutoff_day,
                "appeal_days": appeal_days,
            },
        )
    return cycle


def evaluator_for(employee: Employee, fallbacks: Mapping[str, Sequence[Employee]] | None = None) -> Employee:
    """The direct supervisor; for someone without one, a GM user's employee other than themself, or an
    HR user's employee where the company has a single GM (the one being evaluated). `fallbacks`: those
    GM and HR employees as `fallbacks()` reads them, read here when not given."""
    if employee.supervisor_id is not None and employee.supervisor_id != employee.pk:
        assert employee.supervisor is not None
        return employee.supervisor
    for candidates in (fallbacks if fallbacks is not None else _fallbacks()).values():
        found = next((c for c in candidates if c.pk != employee.pk), None)
        if found is not None:
            return found
    raise WorkflowError(
        _(
            "%(code)s %(name)s 没有直接上级，也没有其他关联了员工的总经理或人事用户可以考评他/她；"
            "请设置直接上级，或把一位总经理用户关联到员工。"
        )
        % {"code": employee.code, "name": employee.name},
        code="no_evaluator",
    )


def _fallbacks() -> dict[str, list[Employee]]:
    """GM, then HR: the first two employees (by 工号) with an active user of that role; one of them may be
    the person evaluated, the other evaluates them. Two queries, whoever is evaluated."""
    return {
        role: list(
            Employee.objects.filter(user__groups__name=role, user__is_active=True).order_by("code")[:2]
        )
        for role in (GM, HR)
    }


def without_evaluator(people: Sequence[Employee]) -> set[str]:
    """The codes of those nobody can evaluate (no supervisor, and no other GM or HR with an employee
    record): the exceptions a period opens with by default, since it could not open with them."""
    alone = [e for e in people if e.supervisor_id is None]
    fallbacks = _fallbacks() if alone else {}
    found = set()
    for employee in alone:
        try:
            evaluator_for(employee, fallbacks)
        except WorkflowError:
            found.add(employee.code)
    return found


def open_by_default_rule(user: Any, period: str, *, home: Path | None = None) -> tuple[Cycle, list[Employee]]:
    """Open `period` as the open-month page does by default: everyone eligible but those nobody can
    evaluate, who are returned (left out, named to the caller). When nobody is left, the period is
    refused as `open_cycle` refuses it (no_evaluator lists them all)."""
    span = checked_period(period)
    eligible = eligible_employees(span.text)
    left = without_evaluator(eligible)
    chosen = [e for e in eligible if e.code not in left]
    cycle = open_cycle(user, span.text, participants=chosen or None, home=home)
    return cycle, ([e for e in eligible if e.code in left] if chosen else [])


def _evaluators(people: Sequence[Employee]) -> dict[int, Employee]:
    """Employee id -> evaluator; everyone who has none is listed in one refusal (code no_evaluator). The
    supervisors not yet read with their people are read at once, the GM's and HR's employees once."""
    prefetch_related_objects(list(people), "supervisor")
    fallbacks = _fallbacks() if any(e.supervisor_id in (None, e.pk) for e in people) else {}
    found: dict[int, Employee] = {}
    refused: list[str] = []
    for employee in people:
        try:
            found[employee.pk] = evaluator_for(employee, fallbacks)
        except WorkflowError as exc:
            refused.append(str(exc))
    if refused:
        raise WorkflowError(" ".join(refused), code="no_evaluator")
    return found


def _frozen_versions(user: Any, people: Sequence[Employee], kind: PeriodKind) -> dict[int, TemplateVersion]:
    """Position id -> the template version of the period's kind frozen for the cycle; a template used
    for the first time gets its version 1 saved from the built-in file."""
    versions = position_versions(people, kind)
    saved: dict[str, TemplateVersion] = {}
    for position_id, version in versions.items():
        if version.pk is None:
            if version.template_id not in saved:
                saved[version.template_id] = new_template_version(user, version.template_id, version.text)
            versions[position_id] = saved[version.template_id]
    return versions


def new_template_version(user: Any, template_id: str, text: str) -> TemplateVersion:
    """Save a template edit as a new version (checked by the same loader users use). Open and past
    cycles keep the versions they froze."""
    template = compiled_before(text)  # a built-in template saved on first use was checked already
    if template is None or template.id != template_id:  # (a mismatch is worded as compiled here)
        try:
            template = load_template_text(text, template_id)
        except TemplateError as exc:
            raise WorkflowError(
                _("模板有误：%(problems)s") % {"problems": exc}, code="template_invalid"
            ) from None
    if template.id != template_id:
        raise WorkflowError(
            _("模板的 id 是“%(found)s”，不是“%(expected)s”。")
            % {"found": template.id, "expected": template_id},
            code="template_id_mismatch",
        )
    with transaction.atomic():
        last = (
            TemplateVersion.objects.select_for_update()
            .filter(template_id=template_id)
            .order_by("-version")
            .first()
        )
        version = TemplateVersion.objects.create(
            template_id=template_id,
            version=1 if last is None else last.version + 1,
            name=template.name,
            text=text,
            created_by=user if getattr(user, "is_authenticated", False) else None,
        )
        audit.record(
            actor_name(user),
            "template.version",
            object_type="template",
            object_id=str(version),
            before=None if last is None else {"version": last.version, "sha256": last.sha256},
            after={"version": version.version, "sha256": version.sha256},
        )
    return version


def archive_cycle(user: Any, cycle: Cycle) -> Cycle:
    """HR archives the cycle once every review is acknowledged or past its appeal window; archived is
    read-only."""
    if not is_hr(user):
        raise ActionRefused(_("只有人事可以归档考核期。"), code="wrong_party")
    with transaction.atomic():
        locked = Cycle.objects.select_for_update().get(pk=cycle.pk)
        if locked.status != Cycle.Status.OPEN:
            raise WorkflowError(
                _("考核期 %(period)s 已经归档。") % {"period": locked.period}, code="cycle_archived"
            )
        now = timezone.now()
        reviews = list(
            Review.objects.select_for_update(of=("self",))
            .filter(cycle=locked)
            .select_related("employee", "template_version")
            .order_by("employee__code")
        )
        waiting = [r for r in reviews if not _closed(r, now)]
        if waiting:
            shown = listed(_why_open(r) for r in waiting[:10])
            more = _("等另外 %(n)s 份") % {"n": len(waiting) - 10} if len(waiting) > 10 else ""
            raise WorkflowError(
                _(
                    "考核期 %(period)s 还不能归档：%(n)s 份考核既未签字确认，申诉期也未结束：%(listed)s%(more)s"
                )
                % {"period": locked.period, "n": len(waiting), "listed": shown, "more": more},
                code="cycle_not_closed",
            )
        locked.status = Cycle.Status.ARCHIVED
        locked.archived_at = now
        locked.save(update_fields=["status", "archived_at"])
        record_steps(user, [Step(r, r.status) for r in reviews], "archive")
        for review in reviews:
            review.cycle = locked
        consequences.settle_together(user, reviews, "考核期归档，结果确定")  # as settle on each, together
        audit.record(
            actor_name(user),
            "cycle.archive",
            object_type="cycle",
            object_id=locked.period,
            before={"status": Cycle.Status.OPEN},
            after={"status": locked.status, "reviews": len(reviews)},
        )
    cycle.refresh_from_db()
    return locked


def reopen_cycle(
    hr_user: Any, gm_user: Any, cycle: Cycle, reason: str, *, reviews: Iterable[Review] | None = None
) -> Cycle:
    """Reopen an archived cycle: needs an HR user and a (different) GM user, and a reason. Every reopened
    review (default: all of the cycle's) keeps its earlier version as a ReviewSnapshot and goes back to
    pending_hr, where HR corrects it (overrides with reasons, pay adjustments) and the GM approves it
    again, which publishes it with a new appeal window. Its values stay frozen."""
    if not is_hr(hr_user):
        raise ActionRefused(_("重新开启考核期需要一位人事用户。"), code="wrong_party")
    if not is_gm(gm_user):
        raise ActionRefused(_("重新开启考核期需要总经理批准。"), code="wrong_party")
    if hr_user.pk == gm_user.pk:
        raise ActionRefused(_("重新开启考核期需要两个人：一位人事和另一位总经理。"), code="same_person")
    reason = str(reason).strip()
    if not reason:
        raise WorkflowError(_("重新开启考核期需要填写原因。"), code="reason_required")
    with transaction.atomic():
        locked = Cycle.objects.select_for_update().get(pk=cycle.pk)
        if locked.status != Cycle.Status.ARCHIVED:
            raise WorkflowError(
                _("考核期 %(period)s 未归档；只有已归档的考核期可以重新开启。") % {"period": locked.period},
                code="cycle_open",
            )
        chosen = (
            Review.objects.select_for_update(of=("self",)).filter(cycle=locked).order_by("employee__code")
        )
        if reviews is not None:
            ids = {r.pk for r in reviews}
            chosen = chosen.filter(pk__in=ids)
            if chosen.count() != len(ids):
                raise WorkflowError(_("要重新开启的考核必须都属于这个考核期。"), code="review_not_in_cycle")
        reopened = []
        for review in chosen:
            take_snapshot(review, f"重新开启前的版本：{reason}")
            from_status = review.status
            chain.reopened(review)  # HR's step of its chain (pending_hr)
            review.acknowledged_at = None
            review.appeal_deadline = None
            review.version += 1
            review.save()
            record_step(
                hr_user,
                review,
                "reopen",
                from_status=from_status,
                reason=reason,
                after={"approved_by": actor_name(gm_user)},
            )
            review.cycle = locked  # open again: the result can change until it is final once more
            consequences.settle(hr_user, review, f"重新开启：{reason}")
            reopened.append(review.pk)
        locked.status = Cycle.Status.OPEN
        locked.archived_at = None
        locked.save(update_fields=["status", "archived_at"])
        audit.record(
            actor_name(hr_user),
            "cycle.reopen",
            object_type="cycle",
            object_id=locked.period,
            before={"status": Cycle.Status.ARCHIVED},
            after={"status": locked.status, "approved_by": actor_name(gm_user), "reviews": reopened},
            reason=reason,
        )
    cycle.refresh_from_db()
    return locked


def _closed(review: Review, now: dt.datetime) -> bool:
    if review.status == S.ACKNOWLEDGED:
        return True
    return (
        review.status == S.PUBLISHED and review.appeal_deadline is not None and review.appeal_deadline < now
    )


def _why_open(review: Review) -> str:
    if review.status == S.PUBLISHED and review.appeal_deadline is not None:
        until = timezone.localtime(review.appeal_deadline).strftime("%Y-%m-%d %H:%M")
        return _("%(code)s（已发布，申诉期至 %(until)s）") % {"code": review.employee.code, "until": until}
    return _("%(code)s（%(status)s）") % {"code": review.employee.code, "status": status_name(review.status)}


def _deadlines(period: str, given: Deadlines | Mapping[str, dt.date] | None) -> Deadlines:
    default = default_deadlines(period)
    if given is None:
        return default
    if isinstance(given, Deadlines):
        return given
    unknown = set(given) - {"self_due", "supervisor_due", "hr_due"}
    if unknown:
        raise WorkflowError(
            _("未知的截止日期：%(unknown)s（可用：self_due、supervisor_due、hr_due）。")
            % {"unknown": listed(sorted(unknown))},
            code="unknown_deadline",
        )
    return Deadlines(
        self_due=given.get("self_due", default.self_due),
        supervisor_due=given.get("supervisor_due", default.supervisor_due),
        hr_due=given.get("hr_due", default.hr_due),
    )
