"""HR's recompute of an open month (按仓库数据重算), as a job when it is larger than a request.

A month of at most `IN_REQUEST` reviews is recomputed within the request, as before. A larger one is
queued (`shopkpi.appraisal.background.jobs`) and run by `shopkpi worker`: its state and, when it
ends, how many reviews were recomputed and whose result changed are its `Job` row, which the month's
page shows (and polls) on whichever server it is asked. The threshold is by head count: the month
close reads the warehouse once and scores every review, about 0.6 s of CPU for 100 people, and
7.8 s of wall time for 100 under a load of 22–30 (bench/RESULTS.md); a request should answer well
within its 120 s limit on a busy machine, and a month past 100 people does not have to.

A recompute is safe to run again (it computes the month afresh in one transaction): a worker that
dies mid-way leaves the month as it was, and the job runs again from the start.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from shopkpi.appraisal.background import jobs
from shopkpi.appraisal.models import Cycle, Job, MonthComputation, Review
from shopkpi.appraisal.periods import month_close
from shopkpi.appraisal.reviews.review_steps import WorkflowError, actor_name

KIND = "recompute"
IN_REQUEST = 100  # reviews: a month with more is recomputed by `shopkpi worker`
SHOWN = dt.timedelta(days=1)  # how long the month's page shows a recompute job after it ended


def recompute(user: Any, cycle: Cycle) -> Job | list[str]:
    """HR's recompute of `cycle`: done here for a small month (the employee codes whose result changed),
    or queued for a large one (its job). WorkflowError for an archived month, before anything is queued."""
    reviews = Review.objects.filter(cycle=cycle).count()
    if reviews <= IN_REQUEST or cycle.status != Cycle.Status.OPEN:  # an archived month: refused here
        return month_close.recompute_cycle(user, cycle, home=Path(settings.HOME))
    return _queued(actor_name(user), cycle, reviews, {})


def refresh_open(home: Path, actor: str, reason: str) -> list[Job]:
    """After a change every open month reads (a 客服班表 kept or removed): each open month computed
    again, here when it has at most `IN_REQUEST` reviews, else queued as a recompute job for
    `shopkpi worker` with `reason` as its computation's; the jobs queued."""
    queued = []
    for cycle in Cycle.objects.filter(status=Cycle.Status.OPEN).order_by("period"):
        reviews = Review.objects.filter(cycle=cycle).count()
        if reviews <= IN_REQUEST:
            month_close.refresh_cycle(cycle, reason=reason, actor=actor, home=home)
        else:
            queued.append(_queued(actor, cycle, reviews, {"reason": reason}))
    return queued


def _queued(actor: str, cycle: Cycle, reviews: int, params: dict[str, str]) -> Job:
    job = Job.objects.create(
        id=jobs.new_id(), kind=KIND, user=actor, params={"period": cycle.period, **params}, total=reviews
    )
    jobs.enqueue(job)
    return job


def run_job(row: Job) -> None:
    """The recompute of a claimed job (`jobs.work`): the reviews and the changed employees on its row."""
    cycle = Cycle.objects.filter(period=row.params["period"]).first()
    user = get_user_model().objects.filter(username=row.user).first()
    if cycle is None:
        jobs.finish(row, Job.State.FAILED, error="no_cycle")
        return
    try:
        changed = month_close.recompute_cycle(
            user,
            cycle,
            home=Path(settings.HOME),
            reason=row.params.get("reason", MonthComputation.Reason.RECOMPUTE),
        )
    except WorkflowError as refused:  # archived since it was queued
        jobs.finish(row, Job.State.FAILED, error=refused.code)
        return
    row.done = row.total
    row.result = {"period": cycle.period, "reviews": row.total, "changed": changed}
    jobs.finish(row, Job.State.DONE)


def latest(cycle: Cycle) -> Job | None:
    """The month's latest recompute job."""
    return Job.objects.filter(kind=KIND, params__period=cycle.period).order_by("-created_at").first()


def shown(cycle: Cycle) -> Job | None:
    """The recompute job the month's page shows: the latest, while it waits or runs and for a day after."""
    job = latest(cycle)
    if job is None or (job.finished_at is not None and job.finished_at < timezone.now() - SHOWN):
        return None
    return job
