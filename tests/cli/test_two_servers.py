"""Two `shopkpi serve` processes and one `shopkpi worker`, each with a home folder of its own, on one
PostgreSQL database (which holds the warehouse's batch catalogue and the jobs) and one object store
for the batch files and the uploads waiting for their job (a local S3 server, moto's) (issue 13): an import started through one server is watched to the end through the other, and a
worker killed with SIGKILL mid-import leaves the import wholly out (killed before its audit entry) or
wholly in (killed after it) — and the restarted worker finishes the job, which both servers show.

Every process is a real subprocess; the database is a new one of this test's own on the test
PostgreSQL server (SHOPKPI_TEST_DATABASE_URL, or postgres@127.0.0.1:5432), dropped at the end. With
CI=true a missing server fails the test instead of skipping it.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import signal
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from app_catalogue import warehouse_of
from served_home import Visitor, environment, served, shopkpi

from shopkpi.appraisal.background import jobs
from shopkpi.appraisal.importing import import_jobs
from shopkpi.data.warehouse import batch_states
from shopkpi.data.warehouse.batch_store import open_store
from shopkpi.data.warehouse.catalogue import PAUSE_ENV

pytestmark = pytest.mark.slow

PASSWORD = "two-servers-Pass-2026"
ROWS = 45_000  # a file over import_jobs.BACKGROUND_BYTES: the worker imports it, not the request
# the worker's restart finds the killed job once its heartbeat is stale (after STALE seconds here, not the
# 30 s of a real home: the same recovery, sooner), then queues it again
STALE = 10
RECOVERY_SECONDS = STALE + 60


@pytest.fixture
def database_url() -> Iterator[str]:
    import psycopg

    server = os.environ.get("SHOPKPI_TEST_DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/postgres"
    try:
        admin = psycopg.connect(server, autocommit=True, connect_timeout=10)
    except psycopg.OperationalError as error:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true and no PostgreSQL server answers at {server}: {error}", pytrace=False)
        pytest.skip(f"no PostgreSQL server at {server}: {error}")
    name = f"two_servers_{os.getpid()}_{secrets.token_hex(3)}"
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield urllib.parse.urlparse(server)._replace(path=f"/{name}").geturl()
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(autouse=True)
def read_as_is() -> Iterator[None]:
    """This process reads the home's warehouse as its processes left it (it is not that application)."""
    saved = batch_states._decided
    batch_states.on_undecided(None)
    yield
    batch_states.on_undecided(saved)


def shop_file(folder: Path, day: int) -> Path:
    """ROWS shops' figures on one day of September 2026 (no shop has an owner: one warning to confirm)."""
    path = folder / f"shops-09-{day:02d}.csv"
    lines = [f"S{i:05d},2026-09-{day:02d},{i % 97},{i % 89}.50" for i in range(ROWS)]
    path.write_text("shop,date,uv,gmv\n" + "\n".join(lines) + "\n", encoding="utf-8")
    assert path.stat().st_size > import_jobs.BACKGROUND_BYTES
    return path


class Company:
    """The database and store, the two servers' base URLs, and the one worker (restartable); each has a
    home of its own (`homes`: the servers', then the worker's)."""

    def __init__(self, homes: list[Path], env: dict[str, str], first: str, second: str) -> None:
        self.homes, self.env, self.first, self.second = homes, env, first, second
        self.home = homes[-1]  # the worker's
        self.database_url = env["SHOPKPI_DATABASE_URL"]
        self.worker: subprocess.Popen[str] | None = None

    def start_worker(self, pause: str | None = None) -> subprocess.Popen[str]:
        env = self.env | ({PAUSE_ENV: pause} if pause else {})
        self.worker = subprocess.Popen(
            shopkpi("--home", str(self.home), "worker", "--processes", "1"),
            env=env,
            stderr=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            text=True,
            start_new_session=True,  # its own process group: the cluster's processes die with it
        )
        return self.worker

    def kill_worker(self) -> None:
        """SIGKILL to every process of the worker at once, as when its machine dies."""
        assert self.worker is not None
        os.killpg(self.worker.pid, signal.SIGKILL)
        self.worker.wait(timeout=30)
        self.worker = None

    def stop_worker(self) -> None:
        if self.worker is not None:
            os.killpg(self.worker.pid, signal.SIGTERM)
            try:
                self.worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.worker.pid, signal.SIGKILL)
                self.worker.wait(timeout=30)
            self.worker = None


@pytest.fixture
def company(
    tmp_path: Path, database_url: str, s3_store: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> Iterator[Company]:
    homes = [tmp_path / name for name in ("first", "second", "worker")]
    env = environment(database_url) | s3_store | {jobs.STALE_ENV: str(STALE)}
    for name, value in s3_store.items():  # this process reads the same store
        monkeypatch.setenv(name, value)
    for command in (("migrate",), ("init", "--company", "两台服务器电商", "--admin", "hr")):
        done = subprocess.run(
            shopkpi("--home", str(homes[0]), *command),
            env=env | {"SHOPKPI_ADMIN_PASSWORD": PASSWORD},
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stdout + done.stderr
    with contextlib.ExitStack() as servers:
        # the two servers start side by side, as two machines would (each is stopped on leaving)
        with ThreadPoolExecutor(2) as starting:
            first, second = starting.map(
                lambda home: servers.enter_context(
                    served(home, database_url, extra=s3_store | {jobs.STALE_ENV: str(STALE)})
                ),
                homes[:2],
            )
        shared = Company(homes, env, first, second)
        try:
            yield shared
        finally:
            shared.stop_worker()


def upload(visitor: Visitor, path: Path) -> str:
    """POST the file to the import page (multipart, as the browser sends it); the job's id."""
    token = next(c.value for c in visitor.cookies if c.name == "csrftoken")
    boundary = secrets.token_hex(12)
    fields = {"csrfmiddlewaretoken": token or "", "dataset": "shop_daily", "profile": "", "period": "2026-09"}
    body = b"".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    )
    body += (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{path.name}"\r\n'
        "Content-Type: text/csv\r\n\r\n"
    ).encode()
    body += path.read_bytes() + f"\r\n--{boundary}--\r\n".encode()
    request = urllib.request.Request(
        visitor.base + "/hr/imports/",
        data=body,
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}", "Referer": visitor.base},
    )
    try:
        visitor.opener.open(request, timeout=120)
        raise AssertionError("a large file is queued and the page redirects to its job")
    except urllib.error.HTTPError as answer:
        assert answer.code == 302, answer.read().decode()[-2000:]
        found = re.fullmatch(r"/hr/imports/jobs/([0-9a-f]{16})/", answer.headers["Location"])
        assert found, answer.headers["Location"]
        return found.group(1)


def watch(visitor: Visitor, job_id: str, timeout: float) -> tuple[str, list[str]]:
    """Poll the job's fragment as the page does, until it stops polling; (the last fragment, every one)."""
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    while True:
        status, _, fragment = visitor.get(f"/hr/imports/jobs/{job_id}/status/")
        assert status == 200
        seen.append(fragment)
        if "hx-get" not in fragment:
            return fragment, seen
        assert time.monotonic() < deadline, f"the job did not end within {timeout} s:\n{fragment}"
        time.sleep(0.5)


def confirm(visitor: Visitor, job_id: str) -> None:
    assert visitor.post(f"/hr/imports/jobs/{job_id}/confirm/") == 302  # queued again, warnings accepted


def wait_for_pause(worker: subprocess.Popen[str], point: str) -> None:
    assert worker.stderr is not None
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        line = worker.stderr.readline()
        assert line, "the worker ended before it paused"
        if f"paused at {point}" in line:
            return
    raise AssertionError(f"the worker did not pause at {point}")


def warehouse(company: Company) -> tuple[dict[str, str], dict[str, int]]:
    """(each batch's file and state, the current rows of each file): the catalogue in the database."""
    con = warehouse_of(company.home, company.database_url).connect()
    try:
        states = dict(con.execute("SELECT file_name, state FROM batches ORDER BY seq").fetchall())
        rows = con.execute(
            "SELECT b.file_name, count(*) FROM shop_daily d JOIN batches b ON b.id = d._batch GROUP BY 1"
        ).fetchall()
    finally:
        con.close()
    return {str(k): str(v) for k, v in states.items()}, {str(f): int(n) for f, n in rows}


def audited(database_url: str) -> list[str]:
    """The files of the data.import entries of the audit log."""
    import psycopg

    with psycopg.connect(database_url) as con:
        found = con.execute(
            "SELECT after->>'file' FROM appraisal_auditentry WHERE action = 'data.import' ORDER BY id"
        ).fetchall()
    return [str(file) for (file,) in found]


def test_an_import_is_followed_across_servers_and_survives_a_killed_worker(
    company: Company, tmp_path: Path
) -> None:
    # one person, one session, two servers (a load balancer sends each request to either)
    first = Visitor(company.first)
    first.login("hr", PASSWORD)
    second = Visitor(company.second)
    second.cookies, second.opener = first.cookies, first.opener
    first_file, killed_before, killed_after = (shop_file(tmp_path, day) for day in (1, 2, 3))

    # started through the first server, watched through the second: queued, read, checked
    company.start_worker()
    job_id = upload(first, first_file)
    fragment, seen = watch(second, job_id, timeout=300)
    assert any('max="100"' in f for f in seen)  # the second server showed its progress while it ran
    assert "需要您确认" in fragment and "1 条提醒" in fragment
    confirm(second, job_id)
    fragment, _ = watch(first, job_id, timeout=300)
    assert "导入完成。" in fragment and f"<td>{first_file.name}</td><td>已导入</td>" in fragment
    assert audited(company.database_url) == [first_file.name]

    # the worker is killed before the import's audit entry: wholly out, then done by the next worker
    company.stop_worker()
    worker = company.start_worker(pause="before_confirm:600")
    job_id = upload(second, killed_before)
    assert "需要您确认" in watch(first, job_id, timeout=300)[0]
    confirm(first, job_id)
    wait_for_pause(worker, "before_confirm")
    company.kill_worker()
    states, rows = warehouse(company)
    assert (
        states.get(killed_before.name) == "pending" and killed_before.name not in rows
    )  # nowhere a reader looks
    assert audited(company.database_url) == [first_file.name]
    _, _, page = second.get("/hr/imports/")
    assert killed_before.name not in page  # not in the history: the server decided it out (no audit entry)
    assert "hx-get" in second.get(f"/hr/imports/jobs/{job_id}/status/")[2]  # the job waits for a worker
    company.start_worker()
    fragment, _ = watch(second, job_id, timeout=RECOVERY_SECONDS)
    assert f"<td>{killed_before.name}</td><td>已导入</td>" in fragment

    # the worker is killed after the audit entry: wholly in; the next worker finds it imported
    company.stop_worker()
    worker = company.start_worker(pause="after_confirm:600")
    job_id = upload(first, killed_after)
    assert "需要您确认" in watch(second, job_id, timeout=300)[0]
    confirm(second, job_id)
    wait_for_pause(worker, "after_confirm")
    company.kill_worker()
    _, _, page = first.get("/hr/imports/")
    assert f">{killed_after.name}</td>" in page  # in the history, current: decided in by its audit entry
    company.start_worker()
    fragment, _ = watch(first, job_id, timeout=RECOVERY_SECONDS)
    assert f"<td>{killed_after.name}</td><td>未变化（同一文件已导入）</td>" in fragment
    company.stop_worker()

    # each file wholly in, once: one current batch, all its rows, one audit entry
    names = [first_file.name, killed_before.name, killed_after.name]
    assert audited(company.database_url) == names
    states, rows = warehouse(company)
    assert states == dict.fromkeys(names, "current")
    assert rows == dict.fromkeys(names, ROWS)
    assert len(open_store(company.home).files()) == 3  # in the object store, none in any home
    for home in company.homes:
        assert not list((home / "warehouse").glob("*/*.parquet"))
    # the worker read every upload from the store (the servers' homes are not its own); none is left there
    assert not open_store(company.home).aged("import-uploads")
