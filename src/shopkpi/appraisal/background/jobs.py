"""Jobs: work longer than a request, on a queue that lives in the application database.

The queue is django-q2 with its ORM broker: a job is queued as a row of the application database
(SQLite on the embedded default, PostgreSQL when several servers share it), and `shopkpi worker`
(django-q2's cluster) runs it. What a job is, how far it got and how it ended is the `Job` row, which
every server reads; the queue only carries the job's id.

A job runs at most once at a time, whoever delivers it: a worker *claims* it (queued, or running
with a heartbeat older than `STALE_SECONDS`) in one conditional UPDATE, and beats its heartbeat
every `HEARTBEAT_SECONDS` while it runs. A job whose worker died (killed, its machine gone) stops
beating; every worker looks for such jobs (`requeue_stalled`) and queues them again, and the next
attempt runs it from the start. Each kind of job is written so that running it again is safe (an
import that was recorded is found unchanged; one that was not is removed and done again). A job that
has started `MAX_ATTEMPTS` times without ending fails with the error `STOPPED`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import secrets
import threading
from collections.abc import Callable, Iterator

from django.db import DatabaseError, connections
from django.db.models import F, Q
from django.utils import timezone
from django.utils.module_loading import import_string

from shopkpi.appraisal.models import Job

log = logging.getLogger(__name__)

# tests only: SHOPKPI_TEST_JOB_STALE_SECONDS shortens the wait before a dead worker's job is run again
# (the heartbeat and the sweep shorten with it), so a test of a killed worker need not wait half a minute
STALE_ENV = "SHOPKPI_TEST_JOB_STALE_SECONDS"
STALE_SECONDS = float(os.environ.get(STALE_ENV) or 30.0)
HEARTBEAT_SECONDS = min(5.0, STALE_SECONDS / 6)
MAX_ATTEMPTS = 3
STOPPED = "stopped"  # the error of a job that never ended (its worker died every time)
# what runs each kind of job: a function of the claimed Job
RUNNERS = {
    "import": "shopkpi.appraisal.importing.import_jobs.run_job",
    "recompute": "shopkpi.appraisal.periods.recompute_jobs.run_job",
    "export": "shopkpi.appraisal.exports.export_jobs.run_job",
}


def new_id() -> str:
    return secrets.token_hex(8)


def enqueue(job: Job) -> None:
    """Put the (queued) job on the queue for `shopkpi worker`."""
    from django_q.tasks import async_task

    async_task(
        "shopkpi.appraisal.background.jobs.work", job.id, task_name=f"{job.kind}-{job.id}", group=job.kind
    )


def run_here(job: Job) -> Job:
    """Run a queued job in this process (a small one, within the request); the job as it ended."""
    work(job.id)
    job.refresh_from_db()
    return job


def work(job_id: str) -> None:
    """What a worker runs for a job: claim it, run it with a heartbeat; nothing when it is not this
    delivery's to run (ended, or running elsewhere)."""
    job = claim(job_id)
    if job is None:
        return
    if job.attempts > MAX_ATTEMPTS:
        finish(job, Job.State.FAILED, error=STOPPED)
        return
    runner: Callable[[Job], None] = import_string(RUNNERS[job.kind])
    with heartbeat(job.id):
        try:
            runner(job)
        except Exception as exc:  # a bug or a full disk: the job says so, the trace goes to the log
            log.exception("job %s failed", job.id)
            finish(job, Job.State.FAILED, error=f"{type(exc).__name__}: {exc}")


def claim(job_id: str) -> Job | None:
    """The job, now running for this caller; None when it has ended or another worker beats it."""
    now = timezone.now()
    claimable = Q(state=Job.State.QUEUED) | Q(state=Job.State.RUNNING, updated_at__lt=_stale(now))
    claimed = Job.objects.filter(claimable, id=job_id).update(
        state=Job.State.RUNNING, attempts=F("attempts") + 1, started_at=now, updated_at=now
    )
    return Job.objects.get(id=job_id) if claimed else None


def finish(job: Job, state: str, *, error: str = "") -> None:
    """The job has ended in `state` (its result already set on `job`)."""
    job.state, job.error, job.finished_at = state, error, timezone.now()
    job.save()


def progress(job: Job, done: int, *, every: float = 0.5) -> None:
    """Record how far the job is (at most every `every` seconds)."""
    job.done = done
    now = timezone.now()
    if (now - job.updated_at).total_seconds() >= every:
        job.updated_at = now
        Job.objects.filter(id=job.id).update(done=done, updated_at=now)


def requeue_stalled() -> list[str]:
    """Queue again every running job whose heartbeat stopped (its worker died); their ids."""
    now = timezone.now()
    requeued = []
    for job in Job.objects.filter(state=Job.State.RUNNING, updated_at__lt=_stale(now)):
        stalled = Job.objects.filter(id=job.id, state=Job.State.RUNNING, updated_at__lt=_stale(now))
        if stalled.update(state=Job.State.QUEUED, updated_at=now):
            enqueue(job)
            requeued.append(job.id)
    return requeued


@contextlib.contextmanager
def heartbeat(job_id: str) -> Iterator[None]:
    """Beat the job's heartbeat every HEARTBEAT_SECONDS while the block runs (a thread of its own, with
    its own database connection)."""
    stop = threading.Event()

    def beat() -> None:
        try:
            while not stop.wait(HEARTBEAT_SECONDS):
                try:
                    Job.objects.filter(id=job_id, state=Job.State.RUNNING).update(updated_at=timezone.now())
                except DatabaseError:  # busy for a while: the next beat tries again
                    log.warning("job %s: heartbeat not written", job_id, exc_info=True)
        finally:
            connections.close_all()

    thread = threading.Thread(target=beat, name=f"job-{job_id}-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def _stale(now: dt.datetime) -> dt.datetime:
    return now - dt.timedelta(seconds=STALE_SECONDS)
