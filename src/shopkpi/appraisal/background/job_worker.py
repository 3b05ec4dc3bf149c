"""`shopkpi worker`: django-q2's cluster on the application database, running the queued jobs.

Its processes take jobs off the queue (a table of the application database) and run them
(`jobs.work`); this process meanwhile queues again, every `SWEEP_SECONDS`, the jobs whose worker died
(`jobs.requeue_stalled`), and every `CLEAN_SECONDS` removes the export files past their time
(`export_jobs.sweep`). Several workers, on one machine or several, share the queue: a job runs on
one of them at a time. SIGTERM or Ctrl+C lets the running jobs end, then stops.
"""

from __future__ import annotations

import logging
import time

from django.db import connections

from shopkpi.appraisal.background import jobs
from shopkpi.appraisal.exports import export_jobs

log = logging.getLogger(__name__)

SWEEP_SECONDS = min(10.0, jobs.STALE_SECONDS / 3)
CLEAN_SECONDS = 3600.0


def run_worker(processes: int) -> None:
    """Run jobs with `processes` processes until stopped (SIGTERM, SIGINT)."""
    from django_q.cluster import Cluster
    from django_q.conf import Conf

    Conf.WORKERS = processes
    Conf.QUEUE_LIMIT = (
        processes  # take no more jobs off the queue than can run: the others stay for other workers
    )
    connections.close_all()  # the cluster's processes are forked from this one: no connection shared
    cluster = Cluster()
    cluster.start()
    clean_at = time.monotonic()
    try:
        while cluster.sentinel is not None and cluster.sentinel.is_alive():
            for job_id in jobs.requeue_stalled():
                log.warning("job %s: its worker stopped; queued again", job_id)
            if time.monotonic() >= clean_at:
                clean_at = time.monotonic() + CLEAN_SECONDS
                try:
                    export_jobs.sweep()
                except Exception:  # the store out of reach for a while: the next hour tries again
                    log.warning("export files not swept", exc_info=True)
            cluster.sentinel.join(timeout=SWEEP_SECONDS)
    finally:
        cluster.stop()
        connections.close_all()
