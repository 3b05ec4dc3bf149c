"""An import (and a withdrawal) killed with SIGKILL at each point is wholly in or wholly out: its rows
and its audit entry alike (issue 11: the data was in, the audit entry missing, the page said failed).

A real home in a subprocess (`shopkpi --home H import …`, its SQLite application database under H)
pauses at a point (SHOPKPI_TEST_PAUSE_AT) and is killed there; the audit log is read from that
database, the warehouse from its catalogue (in that database too); then the next process that opens the home decides what
the killed one left (`Warehouse.recover`, as every import does first).
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from app_catalogue import warehouse_of

from shopkpi.data.warehouse import batch_states
from shopkpi.data.warehouse.catalogue import PAUSE_ENV

RUN_CLI = "import sys; from shopkpi.cli.main import main; sys.argv[0] = 'shopkpi'; main()"
RECOVER = (
    "import sys; from pathlib import Path; from shopkpi.cli.django_home import prepare_home; "
    "from shopkpi.data.warehouse.catalogue import Warehouse; Warehouse(prepare_home(Path(sys.argv[1]))).recover()"
)
# the test run's settings must not reach the home's own processes
NOT_PASSED = ("DJANGO_SETTINGS_MODULE", "SHOPKPI_HOME", "SHOPKPI_DATABASE_URL", "SHOPKPI_DEBUG")
SEPTEMBER = "shop,date,uv,gmv\nA,2026-09-01,10,100\nB,2026-09-01,5,50\n"
CORRECTION = "shop,date,uv,gmv\nA,2026-09-01,99,990\n"


@pytest.fixture(autouse=True)
def read_as_is() -> Iterator[None]:
    """This process reads the home's warehouse as the killed process left it (it is not that home's
    application: only the home's own processes decide)."""
    saved = batch_states._decided
    batch_states.on_undecided(None)
    yield
    batch_states.on_undecided(saved)


def environment(extra: dict[str, str] | None = None) -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in NOT_PASSED} | (extra or {})


def shopkpi(home: Path, *args: str, pause: str | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", RUN_CLI, "--home", str(home), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment({PAUSE_ENV: pause} if pause else None),
    )


def run(home: Path, *args: str) -> str:
    process = shopkpi(home, *args)
    out, err = process.communicate(timeout=300)
    assert process.returncode == 0, out + err
    return out


def audit(home: Path) -> list[tuple[str, str]]:
    con = sqlite3.connect(home / "shopkpi.sqlite3")
    try:
        return [
            (str(a), str(o))
            for a, o in con.execute(
                "SELECT action, object_id FROM appraisal_auditentry WHERE action LIKE 'data.%' ORDER BY id"
            )
        ]
    finally:
        con.close()


def seen(home: Path) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    """(each batch's file and state, the current shop rows)."""
    con = warehouse_of(home).connect()
    try:
        return (
            con.execute("SELECT file_name, state FROM batches ORDER BY seq").fetchall(),
            con.execute("SELECT shop, uv, _batch FROM shop_daily ORDER BY shop").fetchall(),
        )
    finally:
        con.close()


def parquet_files(home: Path) -> set[str]:
    return {p.relative_to(home / "warehouse").as_posix() for p in (home / "warehouse").rglob("*.parquet")}


def kill_at(home: Path, point: str, *args: str) -> None:
    process = shopkpi(home, *args, pause=point)
    assert process.stderr is not None
    line = process.stderr.readline()
    assert f"paused at {point}" in line, line + process.stderr.read()
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL


def september_home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    first = tmp_path / "september.csv"
    first.write_text(SEPTEMBER, encoding="utf-8")
    run(home, "import", "shop_daily", str(first), "--accept-warnings", "--user", "hr")
    return home


@pytest.mark.parametrize("point", ["before_catalogue", "before_confirm", "after_confirm"])
def test_an_import_killed_at_each_point_is_wholly_in_or_wholly_out(tmp_path: Path, point: str) -> None:
    home = september_home(tmp_path)
    batches, rows = seen(home)
    entries, files = audit(home), parquet_files(home)
    fix = tmp_path / "fix.csv"
    fix.write_text(CORRECTION, encoding="utf-8")
    kill_at(home, point, "import", "shop_daily", str(fix), "--accept-warnings", "--user", "hr")
    # as the killed process left it: the correction is nowhere a reader looks
    assert seen(home)[1] == rows
    written = audit(home)[len(entries) :]
    assert written == ([] if point != "after_confirm" else [("data.import", written[0][1])])

    run_recover = subprocess.run(
        [sys.executable, "-c", RECOVER, str(home)],
        env=environment(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run_recover.returncode == 0, run_recover.stderr
    after_batches, after_rows = seen(home)
    if point == "after_confirm":  # its audit entry was committed: wholly in
        [(action, batch)] = written
        assert after_batches == [*batches, ("fix.csv", "current")]
        assert after_rows == [("A", 99, batch), rows[1]]
        again = run(home, "import", "shop_daily", str(fix), "--accept-warnings", "--user", "hr")
        assert again.startswith(f"unchanged  fix.csv: already imported as batch {batch}")
        assert audit(home) == [*entries, (action, batch)]
    else:  # no audit entry: wholly out, its files gone too
        assert (after_batches, after_rows) == (batches, rows)
        assert audit(home) == entries and parquet_files(home) == files
        again = run(home, "import", "shop_daily", str(fix), "--accept-warnings", "--user", "hr")
        assert again.startswith("imported   fix.csv")
        assert [a for a, _ in audit(home)] == [a for a, _ in entries] + ["data.import"]


@pytest.mark.parametrize("point", ["before_confirm", "after_confirm"])
def test_a_withdrawal_killed_at_each_point_is_wholly_done_or_not(tmp_path: Path, point: str) -> None:
    home = september_home(tmp_path)
    [(_, batch)] = audit(home)
    batches, rows = seen(home)
    kill_at(home, point, "import", "--withdraw", batch, "--reason", "wrong month", "--user", "hr")
    assert seen(home)[1] == []  # withdrawing: its rows already out of what readers see
    run_recover = subprocess.run(
        [sys.executable, "-c", RECOVER, str(home)],
        env=environment(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run_recover.returncode == 0, run_recover.stderr
    if point == "after_confirm":  # the withdrawal's audit entry was committed: withdrawn
        assert audit(home) == [("data.import", batch), ("data.withdraw", batch)]
        assert seen(home) == ([("september.csv", "withdrawn")], [])
    else:
        assert audit(home) == [("data.import", batch)]
        assert seen(home) == (batches, rows)
