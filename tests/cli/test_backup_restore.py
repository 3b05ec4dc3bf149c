"""`shopkpi backup` of a running demo home, and `shopkpi restore` of it into SQLite and PostgreSQL.

One demo company (tests/cli/conftest.py) is built with the real command (`shopkpi demo --no-serve
--months 2`, 28 people, two months of cycles, a few hundred audit entries). It is backed up while served; each restored home
must then verify its audit log with `shopkpi audit verify`, answer every kind of page for HR, the
GM, a supervisor and an employee with the statuses the original answered (all 200), and compute
the same metric values (`shopkpi metrics`) from its warehouse. The PostgreSQL home is checked entry
by entry against the SQLite audit log (ids, timestamps to the microsecond, hashes) and takes a new
entry after the copy (its sequences were reset). A backup taken while an import commits holds that
import wholly or not at all.

PostgreSQL: a database of this test's own (backup_restore_<pid>) on the server of
SHOPKPI_TEST_DATABASE_URL (or postgres@127.0.0.1:5432), created and dropped here; with CI=true a
missing server fails the test instead of skipping it. Every command runs in a process of its own.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import pytest
from app_catalogue import warehouse_of
from served_home import Visitor, environment, served, shopkpi

from shopkpi.data.warehouse.batch_store import open_store

pytestmark = pytest.mark.slow

IN_CI = os.environ.get("CI", "").lower() == "true"
PASSWORD = "shopkpi-demo"
PERIODS = ("2026-05", "2026-06")  # demo.json says which; checked below


def run(*args: str, database_url: str | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        shopkpi(*args),
        env=environment(database_url),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if check:
        assert done.returncode == 0, (
            f"shopkpi {' '.join(args)}: {done.returncode}\n{done.stdout}\n{done.stderr}"
        )
    return done


def _people(home: Path) -> tuple[str, str]:
    """The usernames of a supervisor and of an employee who supervises no one, from the home's database."""
    con = sqlite3.connect(home / "shopkpi.sqlite3")
    try:
        found = con.execute(
            "SELECT u.username, EXISTS (SELECT 1 FROM appraisal_employee r WHERE r.supervisor_id = e.id) "
            "FROM appraisal_employee e JOIN auth_user u ON u.id = e.user_id "
            "WHERE u.username NOT IN ('hr', 'gm') ORDER BY u.username"
        ).fetchall()
    finally:
        con.close()
    supervisor = next(name for name, boss in found if boss)
    employee = next(name for name, boss in found if not boss)
    return str(supervisor), str(employee)


def pages(home: Path, users: tuple[str, ...], database_url: str | None = None) -> dict[str, dict[str, int]]:
    """Every kind of page each user reaches from the home page, with its status, the home served."""
    with served(home, database_url) as base:
        answered = {}
        for username in users:
            visitor = Visitor(base)
            visitor.login(username, PASSWORD)
            answered[username] = visitor.crawl()
    return answered


def metrics(
    home: Path, database_url: str | None = None, periods: tuple[str, ...] = PERIODS
) -> dict[str, object]:
    return {
        p: json.loads(run("--home", str(home), "metrics", "--period", p, database_url=database_url).stdout)
        for p in periods
    }


@dataclass(frozen=True)
class Original:
    users: tuple[str, ...]
    backup: Path
    audit_log: list[tuple[int, str, str, str]]  # (id, at, prev_hash, hash) as backed up
    pages: dict[str, dict[str, int]]
    metrics: dict[str, object]


@pytest.fixture(scope="module")
def original(demo_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Original:
    """The demo home's backup taken while it is served and used, then its pages and metrics."""
    assert tuple(json.loads((demo_home / "demo.json").read_text(encoding="utf-8"))["periods"]) == PERIODS
    users = ("hr", "gm", *_people(demo_home))
    backup = tmp_path_factory.mktemp("backups") / "demo-backup"
    with served(demo_home) as base:
        visitor = Visitor(base)
        visitor.login("hr", PASSWORD)  # a session in use while the backup is taken
        taken = run("--home", str(demo_home), "backup", "--output", str(backup))
        assert visitor.get("/")[0] == 200
    assert f"backup in {backup}" in taken.stdout
    audit_log = _audit_log(backup)
    assert len(audit_log) > 100
    assert _audit_log(demo_home)[: len(audit_log)] == audit_log  # the home went on (sign-ins, pages seen)
    answered = pages(demo_home, users)
    for username, statuses in answered.items():
        assert len(statuses) > 5, f"{username} reached only {statuses}"
        assert set(statuses.values()) <= {200, 302}, f"{username}: {statuses}"
    return Original(users, backup, audit_log, answered, metrics(demo_home))


def _audit_log(home: Path) -> list[tuple[int, str, str, str]]:
    con = sqlite3.connect(home / "shopkpi.sqlite3")
    try:
        return [
            (int(i), str(at), str(prev), str(h))
            for i, at, prev, h in con.execute(
                "SELECT id, at, prev_hash, hash FROM appraisal_auditentry ORDER BY id"
            )
        ]
    finally:
        con.close()


def test_the_manifest_lists_every_file_with_its_checksum(demo_home: Path, original: Original) -> None:
    backup = original.backup
    manifest = json.loads((backup / "manifest.json").read_text(encoding="utf-8"))
    assert {"version", "created_at", "company", "files", "counts"} <= set(manifest)
    listed = {f["path"]: f for f in manifest["files"]}
    on_disk = {p.relative_to(backup).as_posix() for p in backup.rglob("*") if p.is_file()} - {"manifest.json"}
    assert set(listed) == on_disk
    for path, item in listed.items():
        data = (backup / path).read_bytes()
        assert (len(data), hashlib.sha256(data).hexdigest()) == (item["size"], item["sha256"]), path
    assert {"shopkpi.sqlite3", "secret_key", "demo.json"} <= set(listed)
    assert "warehouse/catalogue.duckdb" not in listed  # the catalogue is in the application database
    assert (backup / "secret_key").read_text() == (demo_home / "secret_key").read_text()
    # the counts are the snapshot's: the audit log's entries as the original's database holds them
    assert manifest["counts"]["database"]["appraisal_auditentry"] == len(original.audit_log) > 100
    # the warehouse: every Parquet file of the home, none left out (no import ran since the demo)
    parquet = {p.relative_to(demo_home).as_posix() for p in (demo_home / "warehouse").rglob("*.parquet")}
    assert {p for p in listed if p.endswith(".parquet")} == parquet
    assert manifest["counts"]["warehouse"]["batches"] == len([p for p in parquet if ".rollup/" not in p])


def test_restore_into_a_new_sqlite_home(tmp_path: Path, demo_home: Path, original: Original) -> None:
    home = tmp_path / "restored"
    done = run("--home", str(home), "restore", str(original.backup))
    entries = len(original.audit_log)
    assert f"audit log intact: {entries} entries" in done.stdout
    assert run("--home", str(home), "audit", "verify").stdout == f"audit log intact: {entries} entries\n"
    assert _audit_log(home) == original.audit_log
    assert (home / "secret_key").stat().st_mode & 0o777 == 0o600
    assert pages(home, original.users) == original.pages
    assert metrics(home) == original.metrics


# ---- PostgreSQL ----------------------------------------------------------------------------------


@pytest.fixture
def new_database() -> Iterator[Callable[[], str]]:
    """new_database() -> the URL of a new, empty database of this test's own on the test PostgreSQL
    server (backup_restore_<pid>_<n>); every one is dropped afterwards."""
    import psycopg

    server = os.environ.get("SHOPKPI_TEST_DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/postgres"
    try:
        admin = psycopg.connect(server, autocommit=True, connect_timeout=10)
    except psycopg.OperationalError as error:
        if IN_CI:
            pytest.fail(f"CI=true and no PostgreSQL server answers at {server}: {error}", pytrace=False)
        pytest.skip(f"no PostgreSQL server at {server}: {error}")
    made: list[str] = []

    def create() -> str:
        name = f"backup_restore_{os.getpid()}_{len(made)}"
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
        made.append(name)
        return urllib.parse.urlparse(server)._replace(path=f"/{name}").geturl()

    with admin:
        try:
            yield create
        finally:
            for name in made:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _postgres_audit_log(url: str) -> list[tuple[int, str, str, str]]:
    import psycopg

    with psycopg.connect(url) as con:
        con.execute("SET TIME ZONE 'UTC'")
        rows = con.execute("SELECT id, at, prev_hash, hash FROM appraisal_auditentry ORDER BY id").fetchall()
    # the text SQLite keeps for a timestamp: UTC, microseconds (six digits) when there are any
    return [
        (int(i), at.strftime("%Y-%m-%d %H:%M:%S.%f").removesuffix(".000000"), p, h) for i, at, p, h in rows
    ]


def test_restore_moves_a_sqlite_home_to_postgresql_and_back_up_from_there(
    tmp_path: Path, original: Original, new_database: Callable[[], str]
) -> None:
    postgres_url = new_database()
    home = tmp_path / "on-postgres"
    done = run("--home", str(home), "restore", str(original.backup), "--database-url", postgres_url)
    source = original.audit_log
    assert f"audit log intact: {len(source)} entries" in done.stdout
    assert not (home / "shopkpi.sqlite3").exists()
    verified = run("--home", str(home), "audit", "verify", database_url=postgres_url)
    assert verified.stdout == f"audit log intact: {len(source)} entries\n"
    # every entry as it was: id, time to the microsecond, link and hash
    assert _postgres_audit_log(postgres_url) == source
    assert any(
        not at.endswith(":00") and "." in at for _, at, _, _ in source
    )  # microseconds were there to lose
    assert pages(home, original.users, postgres_url) == original.pages
    assert metrics(home, postgres_url) == original.metrics
    # the sequences continue after the copied ids: a new entry is appended and the chain holds
    before = _postgres_audit_log(postgres_url)  # the crawl added entries (sign-ins, pages seen) already
    script = "import django; django.setup()\nfrom shopkpi.appraisal import audit\nprint(audit.record('hr', 'moved').id)"
    env = environment(postgres_url) | {
        "SHOPKPI_HOME": str(home),
        "DJANGO_SETTINGS_MODULE": "shopkpi.config.settings",
    }
    added = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120, check=True
    )
    assert int(added.stdout) == before[-1][0] + 1
    assert run("--home", str(home), "audit", "verify", database_url=postgres_url).stdout == (
        f"audit log intact: {len(before) + 1} entries\n"
    )
    # the PostgreSQL home backed up (pg_dump in the manifest's snapshot) and restored into another database
    backup = tmp_path / "pg-backup"
    run("--home", str(home), "backup", "--output", str(backup), database_url=postgres_url)
    manifest = json.loads((backup / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["database"] == "postgresql" and (backup / "shopkpi.pgdump").is_file()
    assert manifest["counts"]["database"]["appraisal_auditentry"] == len(before) + 1
    refused = run("--home", str(tmp_path / "no-url"), "restore", str(backup), check=False)
    assert refused.returncode == 1 and "give --database-url" in refused.stderr
    again, second_url = tmp_path / "on-postgres-again", new_database()
    run("--home", str(again), "restore", str(backup), "--database-url", second_url)
    assert _postgres_audit_log(second_url) == _postgres_audit_log(postgres_url)
    assert run("--home", str(again), "audit", "verify", database_url=second_url).stdout == (
        f"audit log intact: {len(before) + 1} entries\n"
    )
    assert metrics(again, second_url, periods=PERIODS[-1:]) == {PERIODS[-1]: original.metrics[PERIODS[-1]]}


def test_a_database_that_holds_tables_is_refused(
    tmp_path: Path, original: Original, new_database: Callable[[], str]
) -> None:
    import psycopg

    postgres_url = new_database()

    with psycopg.connect(postgres_url, autocommit=True) as con:
        con.execute("CREATE TABLE notes (line text)")
    home = tmp_path / "refused"
    done = run(
        "--home", str(home), "restore", str(original.backup), "--database-url", postgres_url, check=False
    )
    assert done.returncode == 1
    assert "already holds tables (notes" in done.stderr and "nothing was restored" in done.stderr
    assert not home.exists() and list(tmp_path.iterdir()) == []
    with psycopg.connect(postgres_url) as con:
        tables = con.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")
        assert [t for (t,) in tables] == ["notes"]


# ---- refusals -----------------------------------------------------------------------------------


def _tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def test_refusals_change_nothing(tmp_path: Path, demo_home: Path, original: Original) -> None:
    # a home that is not empty
    home = tmp_path / "used"
    home.mkdir()
    (home / "notes.txt").write_text("mine")
    done = run("--home", str(home), "restore", str(original.backup), check=False)
    assert (done.returncode, _tree(home)) == (1, {"notes.txt": b"mine"})
    assert f"the home {home} is not empty" in done.stderr and "nothing was restored" in done.stderr
    # a backup changed after it was taken: one byte of one warehouse file
    damaged = tmp_path / "damaged"
    shutil.copytree(original.backup, damaged)
    parquet = sorted(damaged.glob("warehouse/*/*.parquet"))[0]
    data = bytearray(parquet.read_bytes())
    data[len(data) // 2] ^= 1
    parquet.write_bytes(bytes(data))
    done = run("--home", str(tmp_path / "new"), "restore", str(damaged), check=False)
    assert done.returncode == 1
    assert (
        f"{parquet.relative_to(damaged).as_posix()} in the backup is not the file that was backed up"
        in done.stderr
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["damaged", "used"]  # no home, nothing half-made
    # a backup into a folder that holds something, or inside the home
    done = run("--home", str(demo_home), "backup", "--output", str(home), check=False)
    assert done.returncode == 1 and "already exists and is not empty" in done.stderr
    done = run("--home", str(demo_home), "backup", "--output", str(demo_home / "backups"), check=False)
    assert done.returncode == 1 and "is inside the home" in done.stderr
    assert _tree(home) == {"notes.txt": b"mine"} and not (demo_home / "backups").exists()
    assert not [p for p in tmp_path.parent.iterdir() if ".partial-" in p.name or ".restoring-" in p.name]


# ---- a backup while an import commits -------------------------------------------------------------

PAUSE_ENV = "SHOPKPI_TEST_PAUSE_AT"


def _wait_for(stream: IO[str], text: str) -> None:
    lines = []
    for line in stream:
        lines.append(line)
        if text in line:
            return
    raise AssertionError(f"never said {text!r}: {''.join(lines)}")


def _corrected_sns_file(home: Path, folder: Path) -> Path:
    """The demo's 2026-06 SNS report with its first row corrected (fewer posts): one new batch."""
    source = next((home / "synth" / "2026-06" / "sns_posts").glob("*.csv"))
    header, first, *_ = source.read_text(encoding="utf-8-sig").splitlines()
    cells = first.split(",")
    cells[3] = str(int(cells[3]) - 1)  # 发布数
    corrected = folder / "新媒体运营日报_更正.csv"
    corrected.write_text(f"{header}\n{','.join(cells)}\n", encoding="utf-8-sig")
    return corrected


def _catalogued(home: Path) -> tuple[set[str], set[str]]:
    """(the batches the warehouse catalogue names, the Parquet files of its folder)."""
    con = warehouse_of(home).connect()
    try:
        batches = {str(b) for (b,) in con.execute("SELECT id FROM batches").fetchall()}
        paths = {str(p) for (p,) in con.execute("SELECT path FROM batches").fetchall()}
    finally:
        con.close()
    files = {p.relative_to(home / "warehouse").as_posix() for p in (home / "warehouse").rglob("*.parquet")}
    assert {f for f in files if ".rollup/" not in f} == paths, "a Parquet file no batch names, or the reverse"
    return batches, files


@pytest.mark.parametrize("the_import", ["commits", "is killed"])
def test_a_backup_while_an_import_commits_holds_it_wholly_or_not_at_all(
    tmp_path: Path, demo_home: Path, the_import: str
) -> None:
    home = tmp_path / "home"
    shutil.copytree(demo_home, home)
    corrected = _corrected_sns_file(home, tmp_path)
    batches_before, _ = _catalogued(home)
    metrics_before = metrics(home, periods=PERIODS[-1:])
    backup = tmp_path / "backup"
    importing = subprocess.Popen(
        shopkpi("--home", str(home), "import", "sns_posts", str(corrected), "--user", "hr"),
        env=environment() | {PAUSE_ENV: "before_catalogue:5"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    backing_up: subprocess.Popen[str] | None = None
    try:
        assert importing.stderr is not None
        _wait_for(importing.stderr, "paused at before_catalogue")  # its files placed, the lock held
        os.kill(importing.pid, signal.SIGSTOP)  # kept there until the backup waits for it
        backing_up = subprocess.Popen(
            shopkpi("--home", str(home), "backup", "--output", str(backup)),
            env=environment(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert backing_up.stderr is not None
        _wait_for(backing_up.stderr, "waiting for an import that is committing")
        if the_import == "commits":
            os.kill(importing.pid, signal.SIGCONT)
        else:
            os.kill(importing.pid, signal.SIGKILL)
        imported = importing.communicate(timeout=300)[0]
        assert backing_up.wait(timeout=300) == 0
    finally:
        for process in (importing, backing_up):
            if process is not None and process.poll() is None:
                process.kill()
                process.wait()
    restored = tmp_path / "restored"
    run("--home", str(restored), "restore", str(backup))
    batches, files = _catalogued(restored)
    if the_import == "commits":
        assert importing.returncode == 0 and "imported" in imported
        new = batches - batches_before
        assert len(new) == 1 and f"batch {next(iter(new))}" in imported
        assert (
            metrics(restored, periods=PERIODS[-1:]) == metrics(home, periods=PERIODS[-1:]) != metrics_before
        )
    else:
        assert importing.returncode == -signal.SIGKILL
        assert batches == batches_before
        placed = {
            p.relative_to(home / "warehouse").as_posix() for p in (home / "warehouse").rglob("*.parquet")
        }
        assert placed - files, "the killed import left its placed files in the live warehouse"
        assert metrics(restored, periods=PERIODS[-1:]) == metrics_before
    with served(restored) as base:
        visitor = Visitor(base)
        visitor.login("hr", PASSWORD)
        assert visitor.get("/hr/imports/")[0] == 200
        assert visitor.get(f"/hr/cycles/{PERIODS[-1]}/")[0] == 200
        assert visitor.post(f"/hr/cycles/{PERIODS[-1]}/recompute/") == 302
    assert "audit log intact" in run("--home", str(restored), "audit", "verify").stdout


# ---- object storage ------------------------------------------------------------------------------


def test_a_home_on_object_storage_is_backed_up_and_restored_into_object_storage(
    tmp_path: Path, s3_store: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Batch files in S3-compatible storage (a local S3 server): the backup holds them, and the restore
    puts them into the store the restored home is configured with, not into its folder."""
    for name in (
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_DEFAULT_REGION",
    ):  # this process reads too
        monkeypatch.setenv(name, s3_store[name])
    home, backup, restored = tmp_path / "home", tmp_path / "backup", tmp_path / "restored"
    moved = s3_store | {"SHOPKPI_STORE_URL": s3_store["SHOPKPI_STORE_URL"] + "-restored"}

    def shopkpi_with(store: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            shopkpi(*args), env=environment() | store, capture_output=True, text=True, timeout=600
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done

    shops = tmp_path / "店铺.csv"
    shops.write_text("shop,date,uv,gmv\nS1,2026-09-01,10,100.50\nS2,2026-09-02,5,50\n", encoding="utf-8")
    shopkpi_with(s3_store, "--home", str(home), "import", "shop_daily", str(shops), "--accept-warnings")
    shopkpi_with(s3_store, "--home", str(home), "backup", "--output", str(backup))
    listed = [f["path"] for f in json.loads((backup / "manifest.json").read_text(encoding="utf-8"))["files"]]
    [batch_file] = [p for p in listed if p.startswith("warehouse/shop_daily/")]
    done = shopkpi_with(moved, "--home", str(restored), "restore", str(backup))
    assert "1 put, 0 already there" in done.stderr
    assert not list((restored / "warehouse").rglob("*.parquet"))  # in the store, not the home

    def rows(at: Path, store: dict[str, str]) -> list[tuple[object, ...]]:
        con = warehouse_of(at, store=open_store(at, store)).connect()
        try:
            return con.execute("SELECT shop, date, uv, gmv, _batch FROM shop_daily ORDER BY shop").fetchall()
        finally:
            con.close()

    assert rows(restored, moved) == rows(home, s3_store) != []
    assert open_store(restored, moved).files() == [batch_file.removeprefix("warehouse/")]
