"""待我处理: the reviews waiting for a person's own step, for every role at once.

A review is on a person's list when the policy lets them take its current step (the same parties as
`policy.ACTIONS`, recusal included): their own self-review (自评) and their signature or appeal (签字或
申诉); the rating and interview of those they evaluate (评分与面谈); HR's check (人事核准) and the
appeals to decide (处理申诉); the GM's approval (总经理批准); a named reviewer's step of the approval
chain (审核, e.g. 销售总(副)经理审核). Only open months count: an archived
month is read-only.

Each entry carries the step's deadline (the appeal window for 签字或申诉) and the overdue flag; a
review sent back to the person (退回) comes first, with the reason of its last step. The list is a
query: the page paginates and filters it, nothing is cut silently.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import Group
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    DateField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import TruncDate

from shopkpi.appraisal.accounts.roles import GM, HR, employee_of, is_gm, is_hr
from shopkpi.appraisal.models import Cycle, Review, ReviewStep, Transition
from shopkpi.appraisal.reviews.chain import CHAIN_STATUSES

S = Review.Status

SELF = "self"
RATE = "rate"
CHECK = "check"
APPEAL = "appeal"
APPROVE = "approve"
REVIEW = "review"
SIGN = "sign"
KINDS = (SELF, RATE, REVIEW, CHECK, APPEAL, APPROVE, SIGN)
RETURNS = ("return_to_self", "return_to_supervisor", "return_to_hr", "return_step")


@dataclass(frozen=True)
class Filters:
    """What the person narrowed the list to (each optional)."""

    kind: str = ""
    period: str = ""
    only_overdue: bool = False
    search: str = ""

    @classmethod
    def from_query(cls, query: Mapping[str, Any]) -> Filters:
        kind = str(query.get("kind") or "")
        return cls(
            kind=kind if kind in KINDS else "",
            period=str(query.get("tperiod") or "").strip(),
            only_overdue=str(query.get("overdue") or "") == "1",
            search=str(query.get("q") or "").strip(),
        )


@dataclass(frozen=True)
class Todo:
    """One review on a person's list: which step, its deadline, and whether it came back to them."""

    review: Review
    kind: str
    due: dt.date | None
    overdue: bool
    returned: bool
    reason: str  # the reason of the review's last step (a return's reason when `returned`)


def entry(review: Review) -> Todo:
    """The to-do of a review from `waiting`, its annotations as a typed record."""
    last_action = getattr(review, "last_action", None)
    return Todo(
        review=review,
        kind=str(getattr(review, "todo_kind", "")),
        due=getattr(review, "todo_due", None),
        overdue=bool(getattr(review, "todo_overdue", False)),
        returned=last_action in RETURNS,
        reason=str(getattr(review, "last_reason", "") or ""),
    )


def _in_group(name: str) -> Exists:
    """The review's employee holds the group's role (HR, GM): another HR or GM user takes that step."""
    return Exists(Group.objects.filter(name=name, user=OuterRef("employee__user")))


def _steps(user: Any) -> list[tuple[Q | Exists, str]]:
    """(condition, kind) for every step this user may take, by the policy's parties."""
    me = employee_of(user)
    not_mine = ~Q(employee=me) if me is not None else Q()
    steps: list[tuple[Q | Exists, str]] = []
    if me is not None:
        # a named reviewer's step of the approval chain (审核), theirs while the review waits at it
        theirs = Exists(
            ReviewStep.objects.filter(review=OuterRef("pk"), person=me, order=OuterRef("chain_step"))
        )
        steps += [
            (Q(status=S.PENDING_SELF, employee=me), SELF),
            (Q(status=S.PENDING_SUPERVISOR, evaluator=me), RATE),
            (Q(status=S.PENDING_STEP) & not_mine & Q(theirs), REVIEW),
        ]
    hr, gm = is_hr(user), is_gm(user)
    if hr or gm:
        hr_step = not_mine if hr else not_mine & Q(_in_group(HR))
        gm_step = not_mine if gm else not_mine & Q(_in_group(GM))
        steps += [
            (Q(status=S.PENDING_HR) & hr_step, CHECK),
            (Q(status=S.APPEALED) & hr_step, APPEAL),
            (Q(status=S.PENDING_GM) & gm_step, APPROVE),
        ]
    if me is not None:
        steps.append((Q(status=S.PUBLISHED, employee=me), SIGN))
    return steps


def _mine(user: Any, today: dt.date, steps: list[tuple[Q | Exists, str]]) -> QuerySet[Review]:
    """The reviews waiting for the user at these steps, annotated with `todo_kind`, `todo_due` and
    `todo_overdue`."""
    return (
        Review.objects.filter(cycle__status=Cycle.Status.OPEN)
        .annotate(
            todo_kind=Case(*(When(cond, then=Value(kind)) for cond, kind in steps), output_field=CharField()),
            todo_due=Case(
                When(status=S.PENDING_SELF, then=F("cycle__self_due")),
                When(status=S.PENDING_SUPERVISOR, then=F("cycle__supervisor_due")),
                When(status__in=CHAIN_STATUSES, step_due__isnull=False, then=F("step_due")),
                When(status=S.PENDING_HR, then=F("cycle__hr_due")),
                When(status=S.PUBLISHED, then=TruncDate("appeal_deadline")),
                output_field=DateField(),
            ),
        )
        .filter(todo_kind__isnull=False)
        .annotate(
            # a closed appeal window leaves the signature, which is not late
            todo_overdue=Case(
                When(Q(todo_due__lt=today) & ~Q(status=S.PUBLISHED), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
    )


def waiting(user: Any, today: dt.date, filters: Filters = Filters()) -> QuerySet[Review]:
    """The reviews waiting for the user, returned ones first, then by deadline; each annotated with
    `todo_kind`, `todo_due`, `todo_overdue`, and `last_action` and `last_reason` (its latest step)."""
    steps = _steps(user)
    if not steps or (filters.kind and filters.kind not in {kind for _, kind in steps}):
        return Review.objects.none()
    mine = _mine(user, today, steps)
    last = Transition.objects.filter(review=OuterRef("pk")).order_by("-at", "-id")
    reviews = mine.annotate(
        last_action=Subquery(last.values("action")[:1]),
        last_reason=Subquery(last.values("reason")[:1]),
        todo_returned=Case(When(last_action__in=RETURNS, then=Value(0)), default=Value(1)),
    )
    if filters.kind:
        reviews = reviews.filter(Q(todo_kind=filters.kind))
    if filters.period:
        reviews = reviews.filter(cycle__period=filters.period)
    if filters.only_overdue:
        reviews = reviews.filter(Q(todo_overdue=True))
    if filters.search:
        reviews = reviews.filter(
            Q(employee__name__icontains=filters.search) | Q(employee__code__iexact=filters.search)
        )
    return reviews.select_related(
        "cycle", "employee__department", "employee__position", "evaluator"
    ).order_by("todo_returned", F("todo_due").asc(nulls_last=True), "cycle__period", "employee__code")


def counts(user: Any, today: dt.date) -> dict[str, int]:
    """How many reviews wait for the user at each step, with `total` and `overdue`."""
    found = {kind: 0 for kind in KINDS}
    overdue = 0
    steps = _steps(user)
    if not steps:  # no employee, no HR or GM role: nothing can wait for them
        return {**found, "total": 0, "overdue": 0}
    rows = (
        _mine(user, today, steps)
        .order_by()
        .values(*["todo_kind"])  # an annotation of _mine, which the type checker no longer sees
        .annotate(n=Count("id"), late=Count("id", filter=Q(todo_overdue=True)))
    )
    for row in rows:
        found[row["todo_kind"]] = row["n"]
        overdue += row["late"]
    return {**found, "total": sum(found.values()), "overdue": overdue}
