"""A monthly cycle: opening it (participants, evaluators, frozen template versions, deadlines),
archiving it, and reopening it (HR and GM together, keeping every changed review's earlier version).

Each of these runs in one transaction: a failure midway leaves the previous state.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from shopkpi.appraisal import audit
from shopkpi.appraisal.deadlines import Deadlines, default_deadlines
from shopkpi.appraisal.models import Cycle, CycleTemplate, Employee, Position, Review, TemplateVersion
from shopkpi.appraisal.policy import ActionRefused
from shopkpi.appraisal.review_scoring import recompute_all
from shopkpi.appraisal.review_steps import WorkflowError, actor_name, record_step, take_snapshot
from shopkpi.appraisal.roles import GM, HR, is_gm, is_hr
from shopkpi.scorecard import PeriodError, TemplateError, builtin_template_dir, load_template_text
from shopkpi.scorecard.periods import check_period

S = Review.Status
DEFAULT_CUTOFF_DAY = 15
DEFAULT_APPEAL_DAYS = 7


def open_cycle(
    user: Any,
    period: str,
    *,
    participants: Iterable[Employee] | None = None,
    deadlines: Deadlines | Mapping[str, dt.date] | None = None,
    cutoff_day: int = DEFAULT_CUTOFF_DAY,
    appeal_days: int = DEFAULT_APPEAL_DAYS,
) -> Cycle:
    """HR opens the month `period` (YYYY-MM): one review per participant (default: `eligible_employees`),
    each with its evaluator and its position's template version frozen, and the steps' deadlines
    (default: `deadlines.default_deadlines`)."""
    if not is_hr(user):
        raise ActionRefused("only HR (人事) may open a cycle")
    try:
        check_period(period, "month")
    except PeriodError as exc:
        raise WorkflowError(str(exc)) from None
    if not 1 <= cutoff_day <= 31:
        raise WorkflowError(f"the cut-off day {cutoff_day} is not a day of the month")
    due = _deadlines(period, deadlines)
    with transaction.atomic():
        if Cycle.objects.filter(period=period).exists():
            raise WorkflowError(f"the cycle {period} is already open (or archived); reopen it instead")
        people = list(participants) if participants is not None else eligible_employees(period, cutoff_day)
        if not people:
            raise WorkflowError(f"nobody takes part in {period}: no employee is active in that month")
        cycle = Cycle.objects.create(
            period=period,
            cutoff_day=cutoff_day,
            self_due=due.self_due,
            supervisor_due=due.supervisor_due,
            hr_due=due.hr_due,
            appeal_days=appeal_days,
            opened_by=user,
        )
        frozen: dict[int, TemplateVersion] = {}
        for employee in people:
            if employee.position_id not in frozen:
                version = template_version_for(user, employee.position)
                frozen[employee.position_id] = version
                CycleTemplate.objects.create(
                    cycle=cycle, position=employee.position, template_version=version
                )
        reviews = []
        for employee in sorted(people, key=lambda e: e.code):
            review = Review.objects.create(
                cycle=cycle,
                employee=employee,
                evaluator=evaluator_for(employee),
                template_version=frozen[employee.position_id],
            )
            record_step(user, review, "open", from_status="", after={"evaluator": review.evaluator_id})
            reviews.append(review)
        recompute_all(reviews)
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


def eligible_employees(period: str, cutoff_day: int = DEFAULT_CUTOFF_DAY) -> list[Employee]:
    """Employees active in the month: hired by its last day (one hired after the cut-off day joins from
    the next cycle) and not gone before its first day (one who left during the month is appraised)."""
    year, month = (int(part) for part in period.split("-"))
    first = dt.date(year, month, 1)
    last = (dt.date(year + 1, 1, 1) if month == 12 else dt.date(year, month + 1, 1)) - dt.timedelta(days=1)
    cutoff = dt.date(year, month, min(cutoff_day, last.day))
    active = Employee.objects.filter(Q(hired_on__isnull=True) | Q(hired_on__lte=cutoff)).filter(
        Q(left_on__isnull=True) | Q(left_on__gte=first)
    )
    return list(active.select_related("position").order_by("code"))


def evaluator_for(employee: Employee) -> Employee:
    """The direct supervisor; for someone without one, a GM user's employee other than themself, or an
    HR user's employee where the company has a single GM (the one being evaluated)."""
    if employee.supervisor_id is not None and employee.supervisor_id != employee.pk:
        assert employee.supervisor is not None
        return employee.supervisor
    for role in (GM, HR):
        found = (
            Employee.objects.filter(user__groups__name=role, user__is_active=True)
            .exclude(pk=employee.pk)
            .order_by("code")
            .first()
        )
        if found is not None:
            return found
    raise WorkflowError(
        f"{employee.code} {employee.name} has no supervisor, and no other GM or HR user linked to an employee "
        "can evaluate them; set a supervisor or link a GM user to an employee"
    )


def template_version_for(user: Any, position: Position) -> TemplateVersion:
    """The newest version of the position's template; the first time a template id is used, version 1
    from the built-in template file."""
    latest = TemplateVersion.objects.filter(template_id=position.template_id).order_by("-version").first()
    if latest is None:
        path = builtin_template_dir() / f"{position.template_id}.yaml"
        if not path.is_file():
            raise WorkflowError(
                f"position {position.name} uses template {position.template_id!r}, which has no saved version "
                "and no built-in template file; save a version of it first"
            )
        latest = new_template_version(user, position.template_id, path.read_text("utf-8"))
    template = latest.compiled()
    if template.period != "month":
        raise WorkflowError(
            f"template {latest} is scored per {template.period}; a monthly cycle needs a monthly template"
        )
    return latest


def new_template_version(user: Any, template_id: str, text: str) -> TemplateVersion:
    """Save a template edit as a new version (checked by the same loader users use). Open and past
    cycles keep the versions they froze."""
    try:
        template = load_template_text(text, template_id)
    except TemplateError as exc:
        raise WorkflowError(str(exc)) from None
    if template.id != template_id:
        raise WorkflowError(f"the template's id is {template.id!r}, not {template_id!r}")
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
        raise ActionRefused("only HR (人事) may archive a cycle")
    with transaction.atomic():
        locked = Cycle.objects.select_for_update().get(pk=cycle.pk)
        if locked.status != Cycle.Status.OPEN:
            raise WorkflowError(f"the cycle {locked.period} is already archived")
        now = timezone.now()
        reviews = list(
            Review.objects.select_for_update(of=("self",))
            .filter(cycle=locked)
            .select_related("employee")
            .order_by("employee__code")
        )
        waiting = [r for r in reviews if not _closed(r, now)]
        if waiting:
            listed = ", ".join(_why_open(r) for r in waiting[:10])
            more = f" and {len(waiting) - 10} more" if len(waiting) > 10 else ""
            raise WorkflowError(
                f"the cycle {locked.period} cannot be archived yet: {len(waiting)} review(s) are not acknowledged "
                f"or past their appeal window: {listed}{more}"
            )
        locked.status = Cycle.Status.ARCHIVED
        locked.archived_at = now
        locked.save(update_fields=["status", "archived_at"])
        for review in reviews:
            record_step(user, review, "archive", from_status=review.status)
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
        raise ActionRefused("reopening a cycle needs an HR (人事) user")
    if not is_gm(gm_user):
        raise ActionRefused("reopening a cycle needs a GM (总经理) user's approval")
    if hr_user.pk == gm_user.pk:
        raise ActionRefused("reopening a cycle needs two people: an HR user and another, GM user")
    reason = str(reason).strip()
    if not reason:
        raise WorkflowError("reopening a cycle needs a reason")
    with transaction.atomic():
        locked = Cycle.objects.select_for_update().get(pk=cycle.pk)
        if locked.status != Cycle.Status.ARCHIVED:
            raise WorkflowError(f"the cycle {locked.period} is open; only an archived cycle is reopened")
        chosen = (
            Review.objects.select_for_update(of=("self",)).filter(cycle=locked).order_by("employee__code")
        )
        if reviews is not None:
            ids = {r.pk for r in reviews}
            chosen = chosen.filter(pk__in=ids)
            if chosen.count() != len(ids):
                raise WorkflowError("every review to reopen must belong to the cycle")
        reopened = []
        for review in chosen:
            take_snapshot(review, f"重新开启前的版本：{reason}")
            from_status = review.status
            review.status = S.PENDING_HR
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
        return f"{review.employee.code} (published, appeal window open until {until})"
    return f"{review.employee.code} ({review.status})"


def _deadlines(period: str, given: Deadlines | Mapping[str, dt.date] | None) -> Deadlines:
    default = default_deadlines(period)
    if given is None:
        return default
    if isinstance(given, Deadlines):
        return given
    unknown = set(given) - {"self_due", "supervisor_due", "hr_due"}
    if unknown:
        raise WorkflowError(
            f"unknown deadline(s): {', '.join(sorted(unknown))} (self_due, supervisor_due, hr_due)"
        )
    return Deadlines(
        self_due=given.get("self_due", default.self_due),
        supervisor_due=given.get("supervisor_due", default.supervisor_due),
        hr_due=given.get("hr_due", default.hr_due),
    )
