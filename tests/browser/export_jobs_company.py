"""Export jobs put into a copy of the demo company, for the browser visits of their pages.

The demo's lists are far below `export_jobs.IN_REQUEST` lines, so this script, run in its own process
over a copy (`python -c`, SHOPKPI_HOME set), lowers the threshold to 0 and asks the exports as the
pages do (a POST to the list's Excel address): HR's audit log under a filter, written by the worker
(done: the page offers the file); HR's action items (三条面谈, which the demo's rules do not
make), left queued (the page follows it); the GM's
approvals, taken by a worker a third of the way (running); and a second audit log whose file was
removed, and one that failed. It prints the jobs' ids by what the visits call them, as JSON.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main(home: Path) -> None:
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.test import Client
    from django.utils import timezone

    from shopkpi.appraisal.background import jobs
    from shopkpi.appraisal.exports import export_jobs
    from shopkpi.appraisal.models import ActionItem, Job, Review

    export_jobs.IN_REQUEST = 0  # every list is "large" here: each export becomes a job

    def ask(username: str, address: str) -> Job:
        client = Client(SERVER_NAME="127.0.0.1")
        client.force_login(User.objects.get(username=username))
        answer = client.post(address)
        assert answer.status_code == 302, (address, answer.status_code)
        return Job.objects.get(id=answer["Location"].rstrip("/").rsplit("/", 1)[-1])

    done = ask("hr", "/hr/audit.xlsx?action=review.")
    jobs.work(done.id)
    for review in Review.objects.filter(status__in=("published", "acknowledged")).order_by("pk")[:3]:
        ActionItem.objects.create(employee=review.employee, cycle=review.cycle, review=review, action="面谈")
    queued = ask("hr", "/hr/actions.xlsx?status=all")
    running = ask("gm", "/gm/approvals.xlsx")
    Job.objects.filter(id=running.id).update(
        state=Job.State.RUNNING, started_at=timezone.now(), attempts=1, done=max(1, running.total // 3)
    )
    removed = ask("hr", "/hr/audit.xlsx?action=cycle.")
    jobs.work(removed.id)
    removed.refresh_from_db()
    export_jobs._remove(removed)  # as the hourly sweep does once the file is a day old
    failed = ask("hr", "/hr/audit.xlsx")
    jobs.finish(failed, Job.State.FAILED, error="worker stopped")
    print(
        json.dumps(
            {
                "done": done.id,
                "queued": queued.id,
                "running": running.id,
                "removed": removed.id,
                "failed": failed.id,
            }
        )
    )


if __name__ == "__main__":
    main(Path(sys.argv[1]))
