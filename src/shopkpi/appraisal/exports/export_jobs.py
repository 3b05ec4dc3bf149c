"""Excel exports larger than a request, as jobs (导出任务), downloaded from any server by who asked.

The exports (`EXPORTS`): the pay sheet of a month, the year's pay-grade adjustment list, and a
cycle's review list and its overdue list under the filter chosen on the page (carried in the job's
params), a cycle's department summary (汇总表, a line for each review it sums), and the lists of the
console under their page's filter: the audit log, the GM's approvals and HR's action items. An export
of at most `IN_REQUEST` lines is written within the request, as before. A larger one is
queued (`shopkpi.appraisal.background.jobs`, kind `export`) and written by `shopkpi worker` into the
store the warehouse's batch files use (`batch_store.open_store`: the home's `warehouse/` folder by
default, object storage when SHOPKPI_STORE_URL is s3://), as `exports/<job>/<file>`; its progress and
outcome are its `Job` row, which the export's page shows on whichever server it is asked. The file is
given only to the person who asked, checked again by the export's rule when it is downloaded (a pay
sheet is confidential), and each download is written to the audit log as the immediate export is.

A file is kept for `KEEP` after it was written, or until the same person makes a newer file of the
same export (the same month's pay sheet, the same year's list), and then removed (`sweep`, which `shopkpi worker` runs every hour and
each new export job runs first; it also removes files of the store's `exports/` folder no job knows).

The threshold is by lines: the pay sheet costs about 0.5 ms of CPU a line as the request writes it
(0.06 s at 100, 0.51 s at 1,000, 2.7 s at 5,000; bench/exports.py, bench/RESULTS.md), so 1,000 lines
take about the CPU the month's recompute takes for its 100 people, the recompute's threshold
(`recompute_jobs.IN_REQUEST`); on a machine with a load of 20–30 that is several seconds of wall time,
and 5,000 lines would be half a minute.

The file is written in the language of the page it was asked from (the job's params keep it), as the
immediate export is. Running a job again is safe: the file is written afresh and put under the same name.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone, translation

from shopkpi.appraisal.background import jobs
from shopkpi.appraisal.exports import action_items, approvals, audit_list, list_workbook, lists, summary
from shopkpi.appraisal.exports.list_workbook import ListSheet
from shopkpi.appraisal.models import Cycle, Job, PayProposal
from shopkpi.appraisal.pay import paysheet
from shopkpi.appraisal.pay_grades import workbook as pay_grade_workbook
from shopkpi.appraisal.policy import ActionRefused
from shopkpi.appraisal.reviews.approval_list import ApprovalFilter
from shopkpi.appraisal.reviews.review_steps import actor_name
from shopkpi.data.warehouse.batch_store import open_store

KIND = "export"
IN_REQUEST = 1000  # lines: an export with more is written by `shopkpi worker`
KEEP = dt.timedelta(days=1)  # how long a written file is kept (a newer one of the same export replaces it)
FOLDER = "exports"  # in the store: exports/<job>/<file>
NO_USER = "no_user"  # a job's error when its user is gone (besides a refusal's code)


@dataclass(frozen=True)
class Export:
    """One export that can be a job: how many lines it has, who may have it, how it is written, and
    the audit entry of a download. `params` are the job's (JSON)."""

    lines: Callable[[Any, dict[str, Any]], int]  # user, params
    check: Callable[[Any], None]  # raises ActionRefused for whoever may not have it
    # user, params, file, progress -> the job's result: its "lines", and what the audit entry needs
    write: Callable[[Any, dict[str, Any], Path, Callable[[int], None]], dict[str, Any]]
    record: Callable[[Any, dict[str, Any], dict[str, Any]], None]  # user, params, the job's result


def _cycle(params: dict[str, Any]) -> Cycle:
    return Cycle.objects.get(period=params["period"])


def _write_paysheet(
    user: Any, params: dict[str, Any], path: Path, progress: Callable[[int], None]
) -> dict[str, Any]:
    return {"lines": len(paysheet.to_xlsx(_cycle(params), path, progress=progress))}


def _write_summary(
    user: Any, params: dict[str, Any], path: Path, progress: Callable[[int], None]
) -> dict[str, Any]:
    found = summary.write(user, _cycle(params), path)
    progress(found.total.count)
    return {"lines": found.total.count, "departments": len(found.lines)}


def _list(
    name: str,
    lines: Callable[[Any, dict[str, Any]], int],
    check: Callable[[Any], None],
    listed: Callable[[Any, dict[str, Any]], ListSheet],
    filters: Callable[[dict[str, Any]], dict[str, Any]] = lambda params: params["filters"],
) -> Export:
    """A list (`list_workbook`) as an export: `listed` builds its sheet from the user and the job's params
    (the same builder the request uses); its download is audited as the immediate export is, with the
    sheet's filter (`filters` of the params for a file written before the result held it)."""

    def write(
        user: Any, params: dict[str, Any], path: Path, progress: Callable[[int], None]
    ) -> dict[str, Any]:
        sheet = listed(user, params)
        now = timezone.localtime().strftime("%Y-%m-%d %H:%M")
        with path.open("wb") as out:
            list_workbook.write(sheet, out, exported_by=actor_name(user), exported_at=now)
        progress(len(sheet.rows))
        return {"lines": len(sheet.rows), "filters": sheet.filters}

    return Export(
        lines=lines,
        check=check,
        write=write,
        record=lambda user, params, result: list_workbook.record_list_export(
            actor_name(user), name, result["lines"], result.get("filters", filters(params))
        ),
    )


EXPORTS = {
    "paysheet": Export(
        lines=lambda user, params: paysheet.approved(_cycle(params)).count(),
        check=paysheet.check_export,
        write=_write_paysheet,
        record=lambda user, params, result: paysheet.record_export(
            user, _cycle(params), result["lines"], "xlsx"
        ),
    ),
    "summary": Export(  # a cycle's department summary (汇总表) with each review's line
        lines=lambda user, params: summary.lines(user, _cycle(params)),
        check=summary.check_export,
        write=_write_summary,
        record=lambda user, params, result: summary.record_export(
            user, _cycle(params), result["departments"], result["lines"]
        ),
    ),
    "pay_adjustments": _list(  # the year's adjustment list (年度调薪清单), one row per proposal
        "pay_adjustments",
        lines=lambda user, params: PayProposal.objects.filter(period=params["period"]).count(),
        check=pay_grade_workbook.check_reader,
        listed=lambda user, params: pay_grade_workbook.listed(params["period"]),
        filters=lambda params: {"period": params["period"]},
    ),
    "reviews": _list(  # a cycle's review list (考核列表) under the page's filter
        "reviews",
        lines=lambda user, params: lists.review_count(user, params["period"], params["filters"]),
        check=lists.check_hr,
        listed=lambda user, params: lists.reviews(user, params["period"], params["filters"]),
    ),
    "overdue": _list(  # a cycle's overdue reviews (逾期考核) of the step chosen on the page
        "overdue",
        lines=lambda user, params: lists.overdue_count(user, params["period"], params["filters"]),
        check=lists.check_hr,
        listed=lambda user, params: lists.overdue(user, params["period"], params["filters"]),
    ),
    "audit": _list(  # the audit log (审计日志) under the page's filter: its valid values, and its query
        "audit",
        lines=lambda user, params: audit_list.lines(params["chosen"]),
        check=lists.check_hr,
        listed=lambda user, params: audit_list.sheet(params["chosen"], params["filters"]),
    ),
    "approvals": _list(  # the GM's approvals (总经理审批清单) under the page's period, department and state
        "approvals",
        lines=lambda user, params: approvals.lines(user, ApprovalFilter(**params["filters"])),
        check=approvals.check_gm,
        listed=lambda user, params: approvals.sheet(user, ApprovalFilter(**params["filters"])),
    ),
    "actions": _list(  # HR's action items (行动项) in the state chosen on the page
        "actions",
        lines=lambda user, params: action_items.lines(params["filters"]["status"]),
        check=lists.check_hr,
        listed=lambda user, params: action_items.sheet(params["filters"]["status"]),
    ),
}


def home() -> Path:
    return Path(settings.HOME)


def queue(user: Any, what: str, params: dict[str, Any], file: str) -> Job | None:
    """The export `what` (one of EXPORTS, with `params`) for `user`, queued as a job when it has more than
    IN_REQUEST lines; None for a small one, which the caller writes within the request. ActionRefused
    when `user` may not have it."""
    export = EXPORTS[what]
    export.check(user)
    lines = export.lines(user, params)
    if lines <= IN_REQUEST:
        return None
    sweep()
    job = Job.objects.create(
        id=jobs.new_id(),
        kind=KIND,
        user=actor_name(user),
        params={"what": what, "file": file, "language": translation.get_language(), **params},
        total=lines,
    )
    jobs.enqueue(job)
    return job


def run_job(row: Job) -> None:
    """Write the file of a claimed job (`jobs.work`) into the store; its lines on the job's row."""
    export = EXPORTS[row.params["what"]]
    user = get_user_model().objects.filter(username=row.user).first()
    if user is None:
        jobs.finish(row, Job.State.FAILED, error=NO_USER)
        return
    try:
        export.check(user)  # the person's role may have changed since they asked
    except ActionRefused as refused:
        jobs.finish(row, Job.State.FAILED, error=refused.code)
        return
    staged = home() / f".export-{row.id}.xlsx"  # hidden: a backup leaves it out
    # in the language of who asked (the worker has no request to take it from)
    language = row.params.get("language") or settings.LANGUAGE_CODE
    try:
        with translation.override(language):
            result = export.write(user, row.params, staged, lambda done: jobs.progress(row, done))
        open_store(home()).put(staged, key(row))
    finally:
        staged.unlink(missing_ok=True)
    row.done = result["lines"]
    row.result = result
    jobs.finish(row, Job.State.DONE)
    for older in _same_export(row):
        _remove(older)


def key(job: Job) -> str:
    return f"{FOLDER}/{job.id}/{job.params['file']}"


def mine(user: Any, job_id: str) -> Job | None:
    """The export job `job_id` when `user` asked for it; None otherwise (as if there were none)."""
    return Job.objects.filter(kind=KIND, id=job_id, user=actor_name(user)).first()


def downloadable(job: Job) -> bool:
    """Whether the job's file is there to download (written, not removed since)."""
    return job.state == Job.State.DONE and not job.result.get("removed")


def download(user: Any, job: Job, target: Path) -> bool:
    """Copy the file of `user`'s export job to `target` and write the download to the audit log; False
    when it is not there (not written yet, or removed). ActionRefused when `user` may no longer have it."""
    export = EXPORTS[job.params["what"]]
    export.check(user)
    store = open_store(home())
    if not downloadable(job) or not store.present([key(job)]):
        return False
    store.get(key(job), target)
    export.record(user, job.params, job.result)
    return True


def sweep() -> None:
    """Remove the files written more than KEEP ago, and files of the store's exports/ folder no job
    knows (its row deleted, or it failed after writing) once they are KEEP old; export jobs ended more
    than KEEP ago are deleted with their file."""
    cutoff = timezone.now() - KEEP
    for job in Job.objects.filter(kind=KIND, finished_at__lt=cutoff):
        _remove(job)
        job.delete()
    store = open_store(home())
    known = {
        key(job)
        for job in Job.objects.filter(
            kind=KIND, state__in=(Job.State.DONE, Job.State.QUEUED, Job.State.RUNNING)
        )
    }
    now = time.time()
    for relative, modified in store.aged(FOLDER):
        if relative not in known and now - modified > KEEP.total_seconds():
            store.remove(relative)


def _same_export(job: Job) -> list[Job]:
    """The person's earlier files of the same export (the same `what` and params)."""
    done = Job.objects.filter(kind=KIND, user=job.user, state=Job.State.DONE, created_at__lt=job.created_at)
    return [older for older in done if older.params == job.params]


def _remove(job: Job) -> None:
    if job.state == Job.State.DONE:
        open_store(home()).remove(key(job))
        if not job.result.get("removed"):
            job.result = {**job.result, "removed": True}
            Job.objects.filter(id=job.id).update(result=job.result)
