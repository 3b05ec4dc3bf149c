"""Running an upload through the shop-data importer (all or nothing), from a page.

A small file is imported within the request. A large one runs in a background thread; its state
(bytes read, then the outcome or every problem) is a JSON file under `<home>/import-jobs/`, written
atomically, which the page polls (HTMX) until the import has ended. The uploaded file is kept under
`<home>/import-uploads/` while its import runs, and while its warnings wait for HR to confirm or
cancel them (state `needs_confirmation`: checked, nothing written). Each imported batch is written to
the audit log (`data.import`); a refused import changes nothing, the warehouse and the log alike.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import secrets
import shutil
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import connections
from django.utils import timezone

from shopkpi.appraisal.imports import ImportRequest, outcome_fields, run_import, warning_fields
from shopkpi.data.problems import ImportRefused

log = logging.getLogger(__name__)

BACKGROUND_BYTES = 1 << 20  # files larger than this import in a background thread
JOBS = "import-jobs"
UPLOADS = "import-uploads"
_JOB_ID = re.compile(r"^[0-9a-f]{16}$")
KEEP_SECONDS = 7 * 24 * 3600  # finished jobs' state files are kept a week
CONFIRM_SECONDS = 24 * 3600  # an upload waits a day for its warnings to be confirmed
EXPIRED = "the checked file was kept for a day and is gone; nothing was imported from it, upload it again"
STOPPED = (
    "the import stopped before it ended (the server was restarted?); nothing was imported from it, try again"
)


@dataclass
class ImportJob:
    """One import from the pages: what was asked, how far it got, and how it ended."""

    id: str
    user: str
    dataset: str
    file: str
    size: int
    profile: str = ""
    period: str = ""
    state: str = "running"  # running | needs_confirmation | imported | refused | failed | cancelled
    bytes_read: int = 0
    started: str = ""
    finished: str = ""
    outcomes: list[dict[str, Any]] = field(default_factory=list)
    problems: list[dict[str, Any]] = field(default_factory=list)
    truncated: bool = False
    warnings: list[dict[str, Any]] = field(default_factory=list)
    accept_warnings: bool = False  # HR has seen the warnings and confirmed the import
    error: str = ""
    pid: int = 0  # the process running it: a job whose process is gone has stopped

    @property
    def running(self) -> bool:
        return self.state == "running"

    @property
    def percent(self) -> int:
        return 100 if not self.size else min(100, self.bytes_read * 100 // self.size)


def home() -> Path:
    return Path(settings.HOME)


def new_job(
    user: str, dataset: str, upload: UploadedFile, profile: str = "", period: str = ""
) -> tuple[ImportJob, Path]:
    """Save the upload under its own name (the importer reports problems by file name)."""
    sweep()
    job_id = secrets.token_hex(8)
    name = Path(str(upload.name or "")).name.strip() or "upload"
    folder = home() / UPLOADS / job_id
    folder.mkdir(parents=True)
    path = folder / name
    with path.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    job = ImportJob(
        id=job_id,
        user=user,
        dataset=dataset,
        file=name,
        size=path.stat().st_size,
        profile=profile,
        period=period,
        started=_now(),
        pid=os.getpid(),
    )
    return job, path


def run(job: ImportJob, path: Path, *, save: bool = False) -> ImportJob:
    """Import the file; the job records the outcome or every problem. With `save`, the job's state file
    is written as it goes (for a background import)."""
    last_write = 0.0

    def progress(_name: str, done: int, _size: int) -> None:
        nonlocal last_write
        job.bytes_read = done
        if save and time.monotonic() - last_write > 0.5:
            last_write = time.monotonic()
            save_job(job)

    try:
        request = ImportRequest(
            files=(path,),
            user=job.user,
            dataset=job.dataset or None,
            profile=job.profile or None,
            period=job.period or None,
            accept_warnings=job.accept_warnings,
        )
        report = run_import(home(), request, progress=progress)
        job.dataset = report.dataset
        job.outcomes = [outcome_fields(o) for o in report.outcomes]
        job.warnings = [warning_fields(w) for w in report.warnings]
        job.state = "imported" if report.written else "needs_confirmation"
    except ImportRefused as refused:
        job.state = "refused"
        job.problems = [asdict(p) for p in refused.problems]
        job.truncated = refused.truncated
    except Exception as exc:  # a bug or a full disk: say so on the page, keep the trace in the log
        log.exception("import %s failed", job.id)
        job.state = "failed"
        job.error = f"{type(exc).__name__}: {exc}"
    finally:
        job.bytes_read = job.size if job.state != "failed" else job.bytes_read
        job.finished = _now()
        if job.state != "needs_confirmation":
            shutil.rmtree(path.parent, ignore_errors=True)
        if save or job.state == "needs_confirmation":
            save_job(job)
    return job


def upload_of(job: ImportJob) -> Path:
    return home() / UPLOADS / job.id / job.file


def confirmed(job: ImportJob) -> tuple[ImportJob, Path | None]:
    """The job again, to run with its warnings accepted; the upload's path (None when it is gone)."""
    path = upload_of(job)
    if job.state != "needs_confirmation" or not path.is_file():
        return job, None
    job.state, job.accept_warnings, job.started, job.finished = "running", True, _now(), ""
    job.bytes_read, job.pid = 0, os.getpid()
    return job, path


def cancel(job: ImportJob) -> ImportJob:
    """HR does not import a checked file: its upload is removed, nothing was written."""
    if job.state == "needs_confirmation":
        shutil.rmtree(upload_of(job).parent, ignore_errors=True)
        job.state, job.finished = "cancelled", _now()
        save_job(job)
    return job


def start(job: ImportJob, path: Path) -> threading.Thread:
    """Run the import in a background thread (its own database connection, closed at the end)."""
    save_job(job)

    def work() -> None:
        try:
            run(job, path, save=True)
        finally:
            connections.close_all()

    thread = threading.Thread(target=work, name=f"import-{job.id}", daemon=True)
    thread.start()
    return thread


def save_job(job: ImportJob) -> None:
    folder = home() / JOBS
    folder.mkdir(parents=True, exist_ok=True)
    temporary = folder / f".{job.id}.{os.getpid()}.{threading.get_ident()}.tmp"
    temporary.write_text(json.dumps(asdict(job), ensure_ascii=False), encoding="utf-8")
    os.replace(temporary, folder / f"{job.id}.json")


def load_job(job_id: str) -> ImportJob | None:
    if not _JOB_ID.match(job_id):
        return None
    path = home() / JOBS / f"{job_id}.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    job = ImportJob(**data)
    if job.running and not _alive(job.pid):
        job.state, job.error = "failed", STOPPED
    return job


def sweep() -> None:
    """Remove state files older than a week and uploads left by imports whose process is gone."""
    now = time.time()
    jobs = home() / JOBS
    if jobs.is_dir():
        for path in jobs.glob("*.json"):
            with contextlib.suppress(OSError):
                if now - path.stat().st_mtime > KEEP_SECONDS:
                    path.unlink()
    uploads = home() / UPLOADS
    if uploads.is_dir():
        for folder in uploads.iterdir():
            job = load_job(folder.name)
            if job is None or not job.running:
                waiting = job is not None and job.state == "needs_confirmation"
                with contextlib.suppress(OSError):
                    if now - folder.stat().st_mtime > (CONFIRM_SECONDS if waiting else 3600):
                        shutil.rmtree(folder)


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _now() -> str:
    """Now in the company's time zone (TIME_ZONE, from SHOPKPI_TIME_ZONE)."""
    return timezone.localtime().isoformat(timespec="seconds")
