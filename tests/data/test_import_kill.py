"""An import killed with SIGKILL at any point leaves the warehouse as it was."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from export_builders import write_csv

from shopkpi.data.imports import importer
from shopkpi.data.imports.importer import import_files
from shopkpi.data.warehouse.catalogue import PAUSE_ENV, Warehouse

# the data layer alone, as the seeding below (the application's import, whose catalogue is in its
# database, is killed the same way in tests/cli/test_import_kill_audit.py)
RUN_IMPORT = (
    "import sys; from pathlib import Path; from shopkpi.data.imports.importer import import_files; "
    "import_files(Path(sys.argv[1]), sys.argv[2], [Path(sys.argv[3])])"
)


def warehouse_files(home: Path) -> dict[str, str]:
    root = home / "warehouse"
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def visible(home: Path) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    con = Warehouse(home).connect()
    return (
        con.execute("SELECT * FROM batches ORDER BY seq").fetchall(),
        con.execute("SELECT * FROM shop_daily ORDER BY shop, date").fetchall(),
    )


def start_import(home: Path, path: Path, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", RUN_IMPORT, str(home), "shop_daily", str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **env},
    )


def seeded_home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    first = write_csv(
        tmp_path / "first.csv", [["shop", "date", "uv"], ["A", "2026-10-01", "10"], ["B", "2026-10-01", "5"]]
    )
    import_files(home, "shop_daily", [first])
    return home


def test_killed_between_parquet_and_catalogue_commit(tmp_path: Path) -> None:
    home = seeded_home(tmp_path)
    files, seen = warehouse_files(home), visible(home)
    # a corrected file for shop A: were it committed, it would replace A's row
    fix = write_csv(tmp_path / "fix.csv", [["shop", "date", "uv"], ["A", "2026-10-01", "99"]])
    process = start_import(home, fix, {PAUSE_ENV: "before_catalogue"})
    assert process.stderr is not None
    line = process.stderr.readline()  # printed once the Parquet file is in place
    assert "paused at before_catalogue" in line, line + process.stderr.read()
    placed = set(warehouse_files(home)) - set(files)
    assert len(placed) == 1 and next(iter(placed)).startswith("shop_daily/")  # the new file is in place ...
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    assert visible(home) == seen  # ... but no reader sees it: the catalogue was not committed
    assert {k: v for k, v in warehouse_files(home).items() if k not in placed} == files
    Warehouse(home).recover()  # the next commit does this too
    assert warehouse_files(home) == files
    # the warehouse works on: the same file imports now; the killed run's staging is left while it is
    # young (on a shared home it could be another machine's import at work), and cleared once a day old
    [left] = list((home / ".import-staging").iterdir())
    [outcome] = import_files(home, "shop_daily", [fix])
    assert outcome.status == "imported"
    assert list((home / ".import-staging").iterdir()) == [left]
    day_old = time.time() - importer.STAGING_KEEP_SECONDS - 60
    os.utime(left, (day_old, day_old))
    import_files(home, "shop_daily", [fix])
    assert not (home / ".import-staging").exists()
    assert Warehouse(home).connect().execute("SELECT uv FROM shop_daily WHERE shop = 'A'").fetchall() == [
        (99,)
    ]


def test_killed_while_reading_a_large_file(tmp_path: Path) -> None:
    home = seeded_home(tmp_path)
    files, seen = warehouse_files(home), visible(home)
    big = tmp_path / "big.csv"
    with big.open("w", encoding="utf-8") as f:
        f.write("shop,date,item,uv,pv,gmv\n")
        for i in range(400_000):
            f.write(f"S{i % 50},2026-10-{1 + i % 28:02d},item{i},{i % 97},{i % 301},{i % 1000}.50\n")
    process = start_import(home, big, {})
    deadline = time.monotonic() + 60
    while not list((home / ".import-staging").glob("*/0")):  # the file's folder: reading begins
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert visible(home) == seen
    assert warehouse_files(home) == files
