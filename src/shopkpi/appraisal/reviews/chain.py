"""Where a review goes after its supervisor: the steps of its approval chain (审批流程).

Each step is acted on by HR (status pending_hr: 人事核准, with HR's overrides), the GM (pending_gm:
总经理批准) or a named person (pending_step: e.g. 销售总(副)经理审核). A review keeps the chain its cycle
opened with (`ReviewStep` rows, taken by `attach` from `organisation.approval_chain`); a review
without rows follows DEFAULT, today's 人事核准 → 总经理批准, so a company that never set a chain
works as before.

- `advance` passes the current step: the review goes to the next step, or, after the last one, is
  published (`publishing.publish`, the one publishing point).
- `send_back` returns the current step with a reason: to the previous step or to the supervisor, as
  the step is set up.
- Recusal (回避): a step whose named reviewer is the review's own employee is skipped, with an audit
  entry (`review.skip_step`) naming the step; role steps keep the policy's rule (another HR or GM user).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from shopkpi.appraisal import audit
from shopkpi.appraisal.bulk_rows import insert_all
from shopkpi.appraisal.models import Review, ReviewStep
from shopkpi.appraisal.models.chain import Actor, ReturnTo
from shopkpi.appraisal.reviews.review_steps import actor_name, step_name

if TYPE_CHECKING:
    from shopkpi.appraisal.reviews.publishing import Publishing

S = Review.Status
STATUS_OF = {Actor.HR: S.PENDING_HR, Actor.GM: S.PENDING_GM, Actor.PERSON: S.PENDING_STEP}
CHAIN_STATUSES = frozenset(STATUS_OF.values())


@dataclass(frozen=True)
class ChainStep:
    """One step of a review's chain: its place, name, who acts, deadline and where a return goes."""

    order: int
    name: str
    actor: str
    person_id: int | None = None
    due: dt.date | None = None
    returns_to: str = ReturnTo.PREVIOUS

    @property
    def status(self) -> str:
        return str(STATUS_OF[Actor(self.actor)])


def default_chain(review: Review) -> list[ChainStep]:
    """人事核准 (due on the cycle's HR deadline, returned to the supervisor) → 总经理批准 (returned to HR)."""
    return [
        ChainStep(0, step_name("submit_hr"), Actor.HR, returns_to=ReturnTo.SUPERVISOR),
        ChainStep(1, step_name("approve"), Actor.GM),
    ]


def read_chains(reviews: Sequence[Review]) -> None:
    """Read the chains of many reviews at once (a step taken on many): `chain_of` then reads none."""
    rows: dict[int, list[ChainStep]] = {}
    for r in ReviewStep.objects.filter(review__in=[review.pk for review in reviews]).order_by(
        "review_id", "order"
    ):
        rows.setdefault(r.review_id, []).append(
            ChainStep(r.order, r.name, r.actor, r.person_id, r.due, r.returns_to)
        )
    for review in reviews:
        review._chain = rows.get(review.pk) or default_chain(review)  # type: ignore[attr-defined]
        review._chain_rows = review.pk in rows  # type: ignore[attr-defined]


def chain_of(review: Review) -> list[ChainStep]:
    """The review's steps after the supervisor (read once per review object)."""
    cached: list[ChainStep] | None = getattr(review, "_chain", None)
    if cached is None:
        rows = ReviewStep.objects.filter(review_id=review.pk).order_by("order") if review.pk else []
        cached = [ChainStep(r.order, r.name, r.actor, r.person_id, r.due, r.returns_to) for r in rows]
        review._chain_rows = bool(cached)  # type: ignore[attr-defined]
        review._chain = cached = cached or default_chain(review)  # type: ignore[attr-defined]
    return cached


def current_step(review: Review) -> ChainStep | None:
    """The step the review waits at, or None before the chain (self, supervisor) and after it."""
    if review.status not in CHAIN_STATUSES:
        return None
    chain = chain_of(review)
    index = review.chain_step
    if index is not None and 0 <= index < len(chain) and chain[index].status == review.status:
        return chain[index]
    return next((step for step in chain if step.status == review.status), None)


def following(review: Review) -> ChainStep | None:
    """The step after the one the review waits at (None after the last: passing it publishes)."""
    step = current_step(review)
    chain = chain_of(review)
    at = 0 if step is None else step.order + 1
    return chain[at] if at < len(chain) else None


def _recused(review: Review, step: ChainStep) -> bool:
    return step.actor == Actor.PERSON and step.person_id == review.employee_id


def enter(user: Any, review: Review, index: int, publishing: Publishing | None = None) -> dict[str, Any]:
    """Move the review to step `index` (skipping the steps its own employee would review, 回避), or past
    the last step: published (as `publishing` says, when a step taken on many reviews says). What
    changed, for the step's audit entry."""
    from shopkpi.appraisal.reviews.publishing import publish

    chain = chain_of(review)
    while index < len(chain) and _recused(review, chain[index]):
        _record_skip(user, review, chain[index])
        index += 1
    if index >= len(chain):
        return publish(user, review, publishing)
    step = chain[index]
    review.status = step.status
    review.chain_step = index
    review.step_due = step.due
    if getattr(review, "_chain_rows", True):  # (DEFAULT has no rows to mark)
        ReviewStep.objects.filter(review_id=review.pk, order=index, reached_at__isnull=True).update(
            reached_at=timezone.now()
        )
    return {"chain_step": step.name}


def start(user: Any, review: Review) -> dict[str, Any]:
    """The supervisor submitted: the review goes to the first step of its chain."""
    return enter(user, review, 0)


def advance(user: Any, review: Review, publishing: Publishing | None = None) -> dict[str, Any]:
    """The current step is passed: the next step, or publication after the last."""
    step = current_step(review)
    return enter(user, review, 0 if step is None else step.order + 1, publishing)


def send_back(review: Review) -> dict[str, Any]:
    """Return the current step as it is set up: to the previous step (not one its own employee would
    review), or to the supervisor. What changed, for the audit entry."""
    step = current_step(review)
    chain = chain_of(review)
    target = None
    if step is not None and step.returns_to == ReturnTo.PREVIOUS:
        earlier = [s for s in chain[: step.order] if not _recused(review, s)]
        target = earlier[-1] if earlier else None
    if target is None:
        review.status = S.PENDING_SUPERVISOR
        review.chain_step = None
        review.step_due = None
        return {"returned_to": step_name("rate")}
    review.status = target.status
    review.chain_step = target.order
    review.step_due = target.due
    return {"returned_to": target.name}


def last_step(review: Review) -> dict[str, Any]:
    """An amended appeal goes back to the chain's last step (总经理批准 by default)."""
    chain = chain_of(review)
    last = chain[-1]
    review.status = last.status
    review.chain_step = last.order
    review.step_due = None
    return {"chain_step": last.name}


def reopened(review: Review) -> None:
    """A reopened cycle's review goes back to HR's step (the first HR step of its chain, else the first)."""
    chain = chain_of(review)
    step = next((s for s in chain if s.actor == Actor.HR), chain[0])
    review.status = step.status
    review.chain_step = step.order
    review.step_due = None


def _record_skip(user: Any, review: Review, step: ChainStep) -> None:
    audit.record(
        actor_name(user),
        "review.skip_step",
        object_type="review",
        object_id=review.pk,
        after={"chain_step": step.name},
        reason="回避：被考核人本人是这一步的审核人，此步跳过",
    )


def reviewer_ids(reviews: Sequence[Review]) -> set[int]:
    """The employees named on these reviews' chains."""
    return set(
        ReviewStep.objects.filter(review__in=reviews, person__isnull=False).values_list(
            "person_id", flat=True
        )
    )


def attach(cycle: Any, reviews: Sequence[Review]) -> int:
    """Copy the chain in force to each review of the newly opened `cycle` (its department's own chain,
    else the company's), with each step's deadline: `due_days` after the previous step's (the
    supervisor's first), moved to the next working day; without days, HR's step is due on the cycle's HR
    deadline and another step has none. Reviews of a company without a chain get no rows (DEFAULT).
    The number of steps written."""
    from shopkpi.appraisal.organisation.approval_chain import configured
    from shopkpi.appraisal.reviews.deadlines import next_working_day  # deadlines reads CHAIN_STATUSES

    chains = configured()
    if not chains:
        return 0
    rows: list[ReviewStep] = []
    for review in reviews:
        settings = chains.get(review.employee.department_id) or chains.get(None)
        if not settings:
            continue
        base: dt.date = cycle.supervisor_due
        for order, setting in enumerate(settings):
            if setting.due_days is not None:
                due: dt.date | None = next_working_day(base + dt.timedelta(days=setting.due_days))
            else:
                due = cycle.hr_due if setting.actor == Actor.HR else None
            base = due or base
            rows.append(
                ReviewStep(
                    review=review,
                    order=order,
                    name=setting.name,
                    actor=setting.actor,
                    person_id=setting.person_id,
                    due=due,
                    returns_to=setting.returns_to,
                )
            )
    insert_all(ReviewStep, rows)
    return len(rows)
