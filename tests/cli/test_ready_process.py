"""`shopkpi ready` takes the `shopkpi import`, `metrics`, `check` and `score` calls of its home: each runs
in a fork of it, with the caller's arguments, directory, environment and standard streams, and gives the
caller exactly what the caller would have given running it itself; anything it cannot take runs in the
caller as before (shopkpi.cli.handoff, shopkpi.cli.ready_process).

Real processes: a home, its ready process (`shopkpi --home H ready`) and the calls, each a
`python -c` of the entry point. That a call was handed off is shown by the caller itself: a hook at its
exit writes which of click, Django and DuckDB it imported (none, when the ready process ran the call;
all three when it ran the call itself), and with SHOPKPI_HANDOFF=debug the caller names the ready process
and the runner. A twin of the home (a copy made before any call) takes the same calls with
SHOPKPI_HANDOFF=0, so the two outputs can be compared byte for byte (batch ids, made of a time and a
random part, masked).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psutil
import pytest
from app_catalogue import warehouse_of

from shopkpi.data.warehouse import batch_states
from shopkpi.data.warehouse.batch_states import PAUSE_ENV

# the caller: the entry point, and at its exit which heavy modules it imported (MARK names the file)
CALLER = (
    "import atexit, os, signal, sys\n"
    "signal.signal(signal.SIGINT, signal.default_int_handler)\n"  # as from a shell, whatever pytest's is
    "def mark():\n"
    "    with open(os.environ['MARK'], 'w') as f:\n"
    "        f.write(' '.join(m for m in ('click', 'django', 'duckdb') if m in sys.modules))\n"
    "atexit.register(mark)\n"
    "sys.argv[0] = 'shopkpi'\n"
    "from shopkpi.cli.main import main\n"
    "main()\n"
)


def ran_itself(imported: str | None) -> bool:
    return imported is not None and imported.startswith("click")


NOT_PASSED = (
    "DJANGO_SETTINGS_MODULE",
    "SHOPKPI_HOME",
    "SHOPKPI_DATABASE_URL",
    "SHOPKPI_DEBUG",
    "SHOPKPI_HANDOFF",
)
BATCH_ID = re.compile(r"\b(shop_daily|orders)-\d{8}T\d{6}-[0-9a-f]+-[0-9a-f]+\b")
START_TIMEOUT = 120

GOOD = "shop,date,pv,uv,buyers,orders,gmv\nS1,2026-06-01,10,5,1,1,9.90\nS1,2026-06-02,12,6,2,2,19.80\n"
CORRECTED = "shop,date,pv,uv,buyers,orders,gmv\nS1,2026-06-01,10,5,1,1,9.90\nS1,2026-06-02,12,6,2,2,29.80\n"
REFUSED = "shop,date,pv,uv,buyers,orders,gmv\nS1,2026-06-01,10,5,1,1,九块九\nS1,2026-13-02,12,6,2,2,19.80\n"
BROKEN_TEMPLATE = "id: broken\nname: 坏模板\nitems: 3\n"


@pytest.fixture(autouse=True)
def read_as_is() -> Iterator[None]:
    """This process reads the homes' warehouses as their own processes left them."""
    saved = batch_states._decided
    batch_states.on_undecided(None)
    yield
    batch_states.on_undecided(saved)


def environment(extra: dict[str, str] | None = None) -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in NOT_PASSED} | (extra or {})


@dataclass
class Call:
    code: int
    out: str
    err: str
    imported: str | None  # which of click, Django, DuckDB the caller imported (None: it did not end normally)


def call(home: Path, *args: str, cwd: Path, env: dict[str, str] | None = None) -> Call:
    mark = cwd / ".mark"
    mark.unlink(missing_ok=True)
    done = subprocess.run(
        [sys.executable, "-c", CALLER, "--home", str(home), *args],
        cwd=cwd,
        env=environment(env) | {"MARK": str(mark)},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    return Call(done.returncode, done.stdout, done.stderr, mark.read_text() if mark.exists() else None)


def start_ready(home: Path, log: Path, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    """`shopkpi --home HOME ready`, from a directory of its own; returned once it takes calls."""
    elsewhere = log.parent / "ready-cwd"
    elsewhere.mkdir(exist_ok=True)
    with log.open("w") as out:
        ready = subprocess.Popen(
            [sys.executable, "-c", "from shopkpi.cli.main import main; main()", "--home", str(home), "ready"],
            cwd=elsewhere,
            env=environment(env),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + START_TIMEOUT
    while "takes calls on" not in log.read_text():
        if ready.poll() is not None or time.monotonic() > deadline:
            ready.kill()
            raise AssertionError(f"shopkpi ready did not start:\n{log.read_text()}")
        time.sleep(0.2)
    return ready


def stop(ready: subprocess.Popen[bytes]) -> None:
    ready.terminate()
    ready.wait(timeout=60)


@dataclass
class Homes:
    served: Path  # the one the ready process serves
    twin: Path  # a copy, for the same calls run by the caller itself
    pristine: Path  # a copy no call changes, for the tests' own homes
    data: Path  # the callers' working directory, with the files
    ready: subprocess.Popen[bytes]


@pytest.fixture(scope="module")
def homes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Homes]:
    root = tmp_path_factory.mktemp("ready")
    data = root / "data"
    data.mkdir()
    for name, text in {
        "good.csv": GOOD,
        "corrected.csv": CORRECTED,
        "refused.csv": REFUSED,
        "broken.yaml": BROKEN_TEMPLATE,
    }.items():
        (data / name).write_text(text, encoding="utf-8")
    served = root / "home"
    made = call(served, "metrics", "--period", "2026-06", cwd=data, env={"SHOPKPI_HANDOFF": "0"})
    assert made.code == 0, made.err  # the home made, its database migrated
    twin, pristine = root / "twin", root / "pristine"
    shutil.copytree(served, twin)
    shutil.copytree(served, pristine)
    ready = start_ready(served, root / "ready.log")
    try:
        yield Homes(served, twin, pristine, data, ready)
    finally:
        stop(ready)


def masked(text: str) -> str:
    return BATCH_ID.sub("<batch>", text)


TEMPLATE = Path(__file__).resolve().parents[2] / "src/shopkpi/scorecard/templates/s000-warehouse.yaml"
CALLS = [  # in this order, on both homes: each call sees what the ones before it left
    ("a good file", ("import", "shop_daily", "good.csv", "--accept-warnings"), 0),
    ("the same file again", ("import", "shop_daily", "good.csv", "--accept-warnings"), 0),
    ("warnings not accepted", ("import", "shop_daily", "corrected.csv"), 3),
    ("a corrected file", ("import", "shop_daily", "corrected.csv", "--accept-warnings"), 0),
    ("a refused file", ("import", "shop_daily", "refused.csv"), 1),
    ("a dry run", ("import", "shop_daily", "good.csv", "--dry-run"), 0),
    ("a usage error", ("import", "shop_daily"), 2),
    ("the metrics", ("metrics", "--period", "2026-06"), 0),
    ("a template", ("check", str(TEMPLATE)), 0),
    ("a broken template", ("check", "broken.yaml"), 1),
]


def test_each_call_is_run_by_the_ready_process_with_the_output_of_a_call_run_by_itself(homes: Homes) -> None:
    for what, args, code in CALLS:
        handed = call(homes.served, *args, cwd=homes.data)
        itself = call(homes.twin, *args, cwd=homes.data, env={"SHOPKPI_HANDOFF": "0"})
        assert handed.imported == "", f"{what}: the caller imported {handed.imported}: {handed.err}"
        assert ran_itself(itself.imported)
        assert (handed.code, masked(handed.out), masked(handed.err)) == (
            itself.code,
            masked(itself.out),
            masked(itself.err),
        ), what
        assert handed.code == code, f"{what}: {handed.err}"
    # what each printed is what it did: the two homes hold the same batches and rows
    assert current_rows(homes.served) == current_rows(homes.twin) == [("S1", "29.80")]


def test_the_runner_is_a_fork_of_the_ready_process_in_the_callers_directory(homes: Homes) -> None:
    handed = call(homes.served, "import", "shop_daily", "good.csv", "--dry-run", cwd=homes.data, env=DEBUG)
    found = re.search(r"handed to the ready process (\d+) \(runner (\d+)\)", handed.err)
    assert found, handed.err
    assert int(found.group(1)) == homes.ready.pid
    # the file named relative to the caller's directory, not the ready process's (ready-cwd)
    assert "checked    good.csv → shop_daily: 2 rows" in handed.out


DEBUG = {"SHOPKPI_HANDOFF": "debug"}


def test_a_caller_with_other_settings_runs_the_call_itself(homes: Homes) -> None:
    other = call(
        homes.served,
        "import",
        "shop_daily",
        "good.csv",
        "--dry-run",
        cwd=homes.data,
        env=DEBUG | {"SHOPKPI_LOG_LEVEL": "INFO"},
    )
    assert ran_itself(other.imported)
    assert "the ready process refused the call: another code, home or setting" in other.err
    assert other.code == 0 and "checked    good.csv → shop_daily: 2 rows" in other.out
    unset = call(homes.served, "check", str(TEMPLATE), cwd=homes.data, env={"SHOPKPI_HANDOFF": "0"})
    assert ran_itself(unset.imported) and unset.code == 0


def test_commands_it_does_not_take_run_in_the_caller(homes: Homes) -> None:
    done = call(homes.served, "audit", "verify", cwd=homes.data, env=DEBUG)
    assert ran_itself(done.imported)
    assert "handed to" not in done.err


def test_the_socket_is_the_owners_alone(homes: Homes) -> None:
    run = homes.served / "run"
    assert stat.S_IMODE(run.stat().st_mode) == 0o700
    assert stat.S_ISSOCK((run / "commands.sock").stat().st_mode)
    assert stat.S_IMODE((run / "commands.sock").stat().st_mode) == 0o600


def test_a_stale_socket_is_passed_by_and_replaced(tmp_path: Path, homes: Homes) -> None:
    home = tmp_path / "home"
    shutil.copytree(homes.pristine, home)
    (home / "run").mkdir(mode=0o700, exist_ok=True)
    dead = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    dead.bind(str(home / "run" / "commands.sock"))  # left by a process that died: nobody listens
    dead.close()
    done = call(home, "import", "shop_daily", "good.csv", "--dry-run", cwd=homes.data, env=DEBUG)
    assert ran_itself(done.imported) and done.code == 0
    assert "no ready process listens on" in done.err
    ready = start_ready(home, tmp_path / "ready.log")  # a new ready process takes the socket's place
    try:
        done = call(home, "import", "shop_daily", "good.csv", "--dry-run", cwd=homes.data)
        assert done.imported == "" and done.code == 0
    finally:
        stop(ready)
    assert not (home / "run" / "commands.sock").exists()  # removed when it stopped
    done = call(home, "import", "shop_daily", "good.csv", "--dry-run", cwd=homes.data, env=DEBUG)
    assert ran_itself(done.imported) and "no ready process" in done.err


@pytest.mark.parametrize("point", ["before_catalogue", "before_confirm"])
def test_an_import_stopped_by_ctrl_c_in_the_caller_is_all_or_nothing(
    tmp_path: Path, homes: Homes, point: str
) -> None:
    """Ctrl-C (SIGINT to the caller) reaches the runner: the import stops as it would in the caller, with
    the same output and exit status; nothing of it is where a reader looks, and the next import (which
    decides what a stopped one left, as every import does first) leaves no trace of it."""
    home = tmp_path / "home"
    shutil.copytree(homes.pristine, home)
    pause = {PAUSE_ENV: f"{point}:120"}
    ready = start_ready(home, tmp_path / "ready.log", pause)  # (the caller's settings must be its own)
    try:
        rows, entries = current_rows(home), audit(home)
        interrupted = {}
        for handoff in ("debug", "0"):  # handed off, and run by the caller itself
            mark = homes.data / f".mark-{handoff}"
            caller = subprocess.Popen(
                [
                    sys.executable,
                    "-c",
                    CALLER,
                    "--home",
                    str(home),
                    "import",
                    "shop_daily",
                    "good.csv",
                    "--accept-warnings",
                ],
                cwd=homes.data,
                env=environment(pause | {"SHOPKPI_HANDOFF": handoff, "MARK": str(mark)}),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            assert caller.stderr is not None
            said = caller.stderr.readline()
            if handoff == "debug":
                assert "handed to the ready process" in said, said
                said = caller.stderr.readline()
            assert f"paused at {point}" in said, said + caller.stderr.read()
            caller.send_signal(signal.SIGINT)
            out, err = caller.communicate(timeout=120)
            interrupted[handoff] = (caller.returncode, out, RUNNER_LINE.sub("", err))
            assert ran_itself(mark.read_text()) == (handoff == "0")
            assert (current_rows(home), audit(home)) == (rows, entries)  # nothing where a reader looks
        assert interrupted["debug"] == interrupted["0"]
        assert interrupted["0"][0] == 1 and interrupted["0"][2].endswith("Aborted!\n")
        # a caller killed outright takes its call with it, as its own process would have gone
        caller = subprocess.Popen(
            [
                sys.executable,
                "-c",
                CALLER,
                "--home",
                str(home),
                "import",
                "shop_daily",
                "good.csv",
                "--accept-warnings",
            ],
            cwd=homes.data,
            env=environment(pause | DEBUG | {"MARK": str(homes.data / ".mark-killed")}),
            stderr=subprocess.PIPE,
            text=True,
        )
        assert caller.stderr is not None
        found = re.search(r"\(runner (\d+)\)", caller.stderr.readline())
        assert found and f"paused at {point}" in caller.stderr.readline()
        runner = psutil.Process(int(found.group(1)))
        caller.kill()
        caller.wait(timeout=60)
        runner.wait(timeout=60)  # (raises if it is still running then)
        assert (current_rows(home), audit(home)) == (rows, entries)
    finally:
        stop(ready)
    again = call(home, "import", "shop_daily", "corrected.csv", "--accept-warnings", cwd=homes.data)
    assert again.code == 0 and again.out.startswith("imported   corrected.csv"), again.err
    [(action, batch)] = audit(home)[len(entries) :]
    assert action == "data.import"
    assert batches(home) == [("corrected.csv", "current")]
    assert parquet_files(home) == {f"shop_daily/{batch}.parquet"}
    assert current_rows(home) == [("S1", "29.80")]


RUNNER_LINE = re.compile(r"shopkpi: runner's processor time [0-9.]+ s\n")


def current_rows(home: Path) -> list[tuple[object, ...]]:
    con = warehouse_of(home).connect()
    try:
        return [
            (s, str(g))
            for s, g in con.execute("SELECT shop, gmv FROM shop_daily WHERE date = '2026-06-02'").fetchall()
        ]
    finally:
        con.close()


def batches(home: Path) -> list[tuple[object, ...]]:
    con = warehouse_of(home).connect()
    try:
        return con.execute("SELECT file_name, state FROM batches ORDER BY seq").fetchall()
    finally:
        con.close()


def audit(home: Path) -> list[tuple[object, ...]]:
    con = sqlite3.connect(home / "shopkpi.sqlite3")
    try:
        return con.execute("SELECT action, object_id FROM appraisal_auditentry ORDER BY id").fetchall()
    finally:
        con.close()


def parquet_files(home: Path) -> set[str]:
    return {p.relative_to(home / "warehouse").as_posix() for p in (home / "warehouse").rglob("*.parquet")}


def test_a_runner_imports_nothing_from_the_callers_folder(tmp_path: Path, homes: Homes) -> None:
    """The ready process runs as `serve` starts it (`python -c`, '' first on its path): a runner, in the
    caller's folder, still imports the installed pyarrow (which `metrics` imports in the runner), not a
    `pyarrow.py` lying in that folder."""
    folder = tmp_path / "caller"
    folder.mkdir()
    planted = folder / "planted-ran"
    (folder / "pyarrow.py").write_text(
        f"open({str(planted)!r}, 'w').close()\nraise ImportError('the folder pyarrow')\n", encoding="utf-8"
    )
    done = call(homes.served, "metrics", "--period", "2026-06", cwd=folder)
    assert done.imported == "", done.err
    assert done.code == 0, done.err
    assert not planted.exists()


# the ready process's start (its preload), then one call in a fork of it, as its runner would; the
# call's exit status, its output and the modules it imported that the ready process had not are
# written to MARK (JSON)
PRELOADED_CALL = (
    "import io, json, os, sys\n"
    "from pathlib import Path\n"
    "from shopkpi.cli import ready_process\n"
    "from shopkpi.cli.django_home import prepare_home\n"
    "prepare_home(Path(sys.argv[2]))\n"
    "ready_process._preload()\n"
    "pid = os.fork()\n"
    "if pid == 0:\n"
    "    from shopkpi.cli.group import cli\n"
    "    before = set(sys.modules)\n"
    "    sys.stdout = sys.stderr = output = io.StringIO()\n"
    "    code = 0\n"
    "    try:\n"
    "        cli.main(args=sys.argv[1:], prog_name='shopkpi')\n"
    "    except SystemExit as exit:\n"
    "        code = exit.code if isinstance(exit.code, int) else (exit.code is not None)\n"
    "    with open(os.environ['MARK'], 'w') as f:\n"
    "        json.dump({'code': int(code), 'output': output.getvalue(),\n"
    "                   'modules': ' '.join(sorted(set(sys.modules) - before))}, f)\n"
    "    os._exit(0)\n"
    "os.waitpid(pid, 0)\n"
)


@pytest.mark.parametrize(
    ("args", "code", "written"),
    [
        (("import", "shop_daily", "good.csv", "--accept-warnings"), 0, [("good.csv", "current")]),
        (("import", "shop_daily", "refused.csv"), 1, []),
        (("import", "shop_daily", "good.csv", "--dry-run"), 0, []),
    ],
    ids=["imported", "refused", "dry-run"],
)
def test_a_runners_import_imports_no_module_of_its_own(
    tmp_path: Path, homes: Homes, args: tuple[str, ...], code: int, written: list[tuple[str, str]]
) -> None:
    """Whatever an import imports when it runs, the ready process imported before it forked
    (ready_process.PRELOADED): a runner pays for no import of its own, each call again. (The call did
    what it does when run by itself: its exit status, and the batches written.)"""
    home = copied(tmp_path, homes)
    before, files = batches(home), parquet_files(home)
    mark = tmp_path / ".mark-modules"
    done = subprocess.run(
        [sys.executable, "-c", PRELOADED_CALL, "--home", str(home), *args],
        cwd=homes.data,
        env=environment({"MARK": str(mark)}),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    found = json.loads(mark.read_text())
    assert (found["code"], found["modules"]) == (code, ""), found["output"]
    assert batches(home) == before + written
    if not written:  # refused or a dry run: nothing written
        assert parquet_files(home) == files


def paused_import(home: Path, point: str, env: dict[str, str]) -> tuple[subprocess.Popen[str], int]:
    """A handed-off `shopkpi import` of good.csv, paused at `point`; and its runner's pid."""
    caller = subprocess.Popen(
        [
            sys.executable,
            "-c",
            CALLER,
            "--home",
            str(home),
            "import",
            "shop_daily",
            "good.csv",
            "--accept-warnings",
        ],
        cwd=home.parent / "data" if (home.parent / "data").exists() else home.parent,
        env=environment(env | DEBUG | {"MARK": str(home.parent / ".mark-paused")}),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert caller.stderr is not None
    found = re.search(r"\(runner (\d+)\)", caller.stderr.readline())
    assert found and f"paused at {point}" in caller.stderr.readline()
    return caller, int(found.group(1))


def copied(tmp_path: Path, homes: Homes) -> Path:
    home = tmp_path / "home"
    shutil.copytree(homes.pristine, home)
    shutil.copy(homes.data / "good.csv", tmp_path / "good.csv")
    return home


def test_ctrl_c_in_the_ready_process_terminal_leaves_the_calls_running(tmp_path: Path, homes: Homes) -> None:
    """SIGINT to the ready process's whole process group (Ctrl-C where `shopkpi ready` runs) ends it;
    the calls it runs are in sessions of their own and go on to their end."""
    home = copied(tmp_path, homes)
    pause = {PAUSE_ENV: "before_confirm:5"}
    ready = start_ready(home, tmp_path / "ready.log", pause)
    try:
        caller, _runner = paused_import(home, "before_confirm", pause)
        os.killpg(ready.pid, signal.SIGINT)
        ready.wait(timeout=60)
        out, err = caller.communicate(timeout=120)
        assert caller.returncode == 0, err
        assert out.startswith("imported   good.csv"), out + err
    finally:
        if ready.poll() is None:
            stop(ready)
    assert batches(home) == [("good.csv", "current")]


def test_a_runner_dies_with_its_supervisor(tmp_path: Path, homes: Homes) -> None:
    home = copied(tmp_path, homes)
    pause = {PAUSE_ENV: "before_confirm:120"}
    ready = start_ready(home, tmp_path / "ready.log", pause)
    try:
        rows = current_rows(home)
        caller, runner = paused_import(home, "before_confirm", pause)
        process = psutil.Process(runner)
        supervisor = process.ppid()
        assert supervisor != ready.pid
        os.kill(supervisor, signal.SIGKILL)
        process.wait(timeout=60)  # (raises if it is still running then)
        _out, err = caller.communicate(timeout=120)
        assert caller.returncode == 1 and "without its exit status" in err, err
        assert current_rows(home) == rows
    finally:
        stop(ready)


def test_a_stopped_ready_process_leaves_the_call_to_the_caller_and_never_runs_it_too(
    tmp_path: Path, homes: Homes
) -> None:
    """A ready process stopped (SIGSTOP, Ctrl-Z) does not answer: after handoff.HANDOFF_TIMEOUT the
    caller runs the call itself; the ready process, going on, finds the call given up and runs nothing."""
    home = copied(tmp_path, homes)
    ready = start_ready(home, tmp_path / "ready.log")
    try:
        os.kill(ready.pid, signal.SIGSTOP)
        mark = tmp_path / ".mark"
        caller = subprocess.Popen(
            [
                sys.executable,
                "-c",
                CALLER,
                "--home",
                str(home),
                "import",
                "shop_daily",
                "good.csv",
                "--accept-warnings",
            ],
            cwd=tmp_path,
            env=environment(DEBUG | {"MARK": str(mark)}),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            caller.wait(timeout=120)  # (its pipes stay open until the ready process takes the given-up call)
        finally:
            os.kill(ready.pid, signal.SIGCONT)
        out, err = caller.communicate(timeout=120)
        done = Call(caller.returncode, out, err, mark.read_text() if mark.exists() else None)
        assert ran_itself(done.imported) and done.code == 0, done.err
        assert "runs in this process: the ready process did not answer within 5 s" in done.err
        after = call(home, "import", "shop_daily", "good.csv", "--dry-run", cwd=tmp_path)
        assert after.imported == "" and after.code == 0, after.err  # (it took the given-up call first)
    finally:
        stop(ready)
    assert batches(home) == [("good.csv", "current")]
