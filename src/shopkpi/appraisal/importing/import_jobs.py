"""An import asked for on a page, as a job (`shopkpi.appraisal.background.jobs`): all or nothing, like every import.

A small file is imported within the request; a large one is queued and run by `shopkpi worker`. Either
way the job's state — bytes read, then the outcome or every problem — is its `Job` row, which the page
polls (HTMX) on whichever server it asks. The uploaded file is kept under `<home>/import-uploads/<job>/`
(and in the batch store when that is not the home's folder, for a worker on another machine:
`shared_uploads`) while its import runs, and while its warnings wait for HR to confirm or cancel them (state
`needs_confirmation`: checked, nothing written). Each imported batch is written to the audit log
(`data.import`); a refused import changes nothing, the warehouse and the log alike.

A worker that dies mid-import leaves the import wholly in or wholly out (the warehouse decides an
undecided batch by its audit entry); the job is run again (`jobs.requeue_stalled`): an import that
was recorded is found unchanged, one that was not is done again.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import shutil
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone

from shopkpi.appraisal.background import jobs
from shopkpi.appraisal.importing import shared_uploads
from shopkpi.appraisal.importing.imports import ImportRequest, outcome_fields, run_import, warning_fields
from shopkpi.appraisal.models import Job
from shopkpi.appraisal.periods.month_close import refresh_open_cycles
from shopkpi.data.problems import ImportRefused

log = logging.getLogger(__name__)

BACKGROUND_BYTES = 1 << 20  # files larger than this are imported by `shopkpi worker`
KIND = "import"
UPLOADS = "import-uploads"
KEEP = dt.timedelta(days=7)  # ended jobs are kept a week
CONFIRM = dt.timedelta(days=1)  # an upload waits a day for its warnings to be confirmed
LEFT = dt.timedelta(hours=1)  # an upload no job waits for is removed after an hour
EXPIRED = "expired"  # the error of a confirmation that came after the upload was removed
STOPPED, MAX_ATTEMPTS = jobs.STOPPED, jobs.MAX_ATTEMPTS
WAITING = (Job.State.QUEUED, Job.State.RUNNING)


@dataclass
class ImportJob:
    """One import from the pages: what was asked, how far it got, and how it ended (its `Job` row)."""

    id: str
    user: str
    dataset: str
    file: str
    size: int
    profile: str = ""
    period: str = ""
    state: str = Job.State.QUEUED
    bytes_read: int = 0
    outcomes: list[dict[str, Any]] = field(default_factory=list)
    problems: list[dict[str, Any]] = field(default_factory=list)
    truncated: bool = False
    warnings: list[dict[str, Any]] = field(default_factory=list)
    accept_warnings: bool = False  # HR has seen the warnings and confirmed the import
    error: str = ""

    @property
    def running(self) -> bool:
        """Queued or running: the page polls it."""
        return self.state in WAITING

    @property
    def percent(self) -> int:
        return 100 if not self.size else min(100, self.bytes_read * 100 // self.size)

    @classmethod
    def of(cls, row: Job) -> ImportJob:
        result = row.result or {}
        return cls(
            id=row.id,
            user=row.user,
            dataset=result.get("dataset") or row.params.get("dataset", ""),
            file=row.params.get("file", ""),
            size=row.total,
            profile=row.params.get("profile", ""),
            period=row.params.get("period", ""),
            state=row.state,
            bytes_read=row.done,
            outcomes=result.get("outcomes", []),
            problems=result.get("problems", []),
            truncated=bool(result.get("truncated")),
            warnings=result.get("warnings", []),
            accept_warnings=bool(row.params.get("accept_warnings")),
            error=row.error,
        )


def home() -> Path:
    return Path(settings.HOME)


def upload_folder(job_id: str) -> Path:
    return home() / UPLOADS / job_id


def save_upload(upload: UploadedFile) -> Path:
    """Keep the upload under its own name (the importer reports problems by file name), in a folder
    of its own whose name its job takes."""
    sweep()
    name = Path(str(upload.name or "")).name.strip() or "upload"
    folder = upload_folder(jobs.new_id())
    folder.mkdir(parents=True)
    path = folder / name
    with path.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    shared_uploads.share(home(), path)  # for a worker on another machine (a store every machine reads)
    return path


def new_job(user: str, path: Path, dataset: str = "", profile: str = "", period: str = "") -> ImportJob:
    """The queued job of a saved upload (`save_upload`); `start` or `run` it."""
    params = {
        "dataset": dataset,
        "file": path.name,
        "profile": profile,
        "period": period,
        "accept_warnings": False,
    }
    row = Job.objects.create(
        id=path.parent.name, kind=KIND, user=user, params=params, total=path.stat().st_size
    )
    return ImportJob.of(row)


def is_large(job: ImportJob) -> bool:
    return job.size > BACKGROUND_BYTES


def start(job: ImportJob) -> None:
    """Queue the job for `shopkpi worker`."""
    jobs.enqueue(Job.objects.get(id=job.id))


def run(job: ImportJob) -> ImportJob:
    """Run the job here and now (a small file, within the request); the job as it ended."""
    return ImportJob.of(jobs.run_here(Job.objects.get(id=job.id)))


def run_job(row: Job) -> None:
    """The import of a claimed job (`jobs.work` calls it, in a worker or here): the outcome or every
    problem on the job's row."""
    path = upload_folder(row.id) / row.params["file"]
    if not shared_uploads.fetched(home(), path):  # removed after a day, or by the job that ended it
        jobs.finish(row, Job.State.FAILED, error=EXPIRED)
        return
    request = ImportRequest(
        files=(path,),
        user=row.user,
        dataset=row.params.get("dataset") or None,
        profile=row.params.get("profile") or None,
        period=row.params.get("period") or None,
        accept_warnings=bool(row.params.get("accept_warnings")),
    )
    row.done, row.result = 0, {}
    try:
        report = run_import(home(), request, progress=lambda _name, done, _size: jobs.progress(row, done))
    except ImportRefused as refused:
        row.result = {"problems": [asdict(p) for p in refused.problems], "truncated": refused.truncated}
        state = Job.State.REFUSED
    else:
        row.result = {
            "dataset": report.dataset,
            "outcomes": [outcome_fields(o) for o in report.outcomes],
            "warnings": [warning_fields(w) for w in report.warnings],
        }
        state = Job.State.IMPORTED if report.written else Job.State.NEEDS_CONFIRMATION
        if report.written and row.attempts > 1 and not any(o.status == "imported" for o in report.outcomes):
            # an earlier attempt was recorded and then died: the open months may not have followed
            refresh_open_cycles(home(), row.user)
    row.done = row.total
    if state != Job.State.NEEDS_CONFIRMATION:
        shutil.rmtree(path.parent, ignore_errors=True)
        shared_uploads.remove(home(), row.id, path.name)
    jobs.finish(row, state)


def load_job(job_id: str) -> ImportJob | None:
    row = Job.objects.filter(id=job_id, kind=KIND).first()
    return None if row is None else ImportJob.of(row)


def confirmed(job: ImportJob) -> ImportJob | None:
    """The job queued again with its warnings accepted; None when it is not waiting for a confirmation,
    or its upload is gone (then it says so)."""
    if job.state != Job.State.NEEDS_CONFIRMATION:
        return None
    row = Job.objects.get(id=job.id)
    if not shared_uploads.present(home(), upload_folder(job.id) / job.file):
        jobs.finish(row, Job.State.FAILED, error=EXPIRED)
        return None
    row.params = {**row.params, "accept_warnings": True}
    row.state, row.done, row.attempts, row.finished_at = Job.State.QUEUED, 0, 0, None
    row.save()
    return ImportJob.of(row)


def cancel(job: ImportJob) -> None:
    """HR does not import a checked file: its upload is removed, nothing was written."""
    if job.state == Job.State.NEEDS_CONFIRMATION:
        shutil.rmtree(upload_folder(job.id), ignore_errors=True)
        shared_uploads.remove(home(), job.id, job.file)
        jobs.finish(Job.objects.get(id=job.id), Job.State.CANCELLED)


def sweep() -> None:
    """Remove import jobs ended more than a week ago, and uploads no job waits for: by their age and
    their job's state in the database (whichever server or worker left them)."""
    now = timezone.now()
    Job.objects.filter(kind=KIND, finished_at__lt=now - KEEP).exclude(state__in=WAITING).delete()
    states = dict(Job.objects.filter(kind=KIND).values_list("id", "state"))
    kept_for: dict[str | None, float] = {s: -1 for s in WAITING}  # never while a job waits for it
    kept_for |= {Job.State.NEEDS_CONFIRMATION: CONFIRM.total_seconds(), None: LEFT.total_seconds()}
    shared_uploads.sweep(home(), states, kept_for)
    uploads = home() / UPLOADS
    if not uploads.is_dir():
        return
    for folder in uploads.iterdir():
        state = states.get(folder.name)
        if state in WAITING:
            continue
        kept = CONFIRM if state == Job.State.NEEDS_CONFIRMATION else LEFT
        with contextlib.suppress(OSError):
            if time.time() - folder.stat().st_mtime > kept.total_seconds():
                shutil.rmtree(folder)
