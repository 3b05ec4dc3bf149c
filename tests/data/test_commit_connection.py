"""An import's commit works in the import's own DuckDB connection (its copy of the catalogue made again
under the lock) and gives what a commit in a connection of its own gives: the same outcomes, catalogue,
rows and clean-up, also when another process committed between this call's reading and its commit."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from export_builders import write_csv

from shopkpi.data.imports import importer
from shopkpi.data.imports.importer import FileOutcome, checked_import, import_files
from shopkpi.data.warehouse import batch_states
from shopkpi.data.warehouse.catalogue import Warehouse

HEADER = ["shop", "date", "uv", "gmv"]


@pytest.fixture(autouse=True)
def nobody_decides() -> Iterator[None]:
    saved = batch_states._decided
    batch_states.on_undecided(None)
    yield
    batch_states.on_undecided(saved)


def shop_file(path: Path, rows: list[list[object]]) -> Path:
    return write_csv(path, [HEADER, *rows])


def names(home: Path) -> dict[str, str]:
    """{batch id: its file's name} (batch ids differ between homes)."""
    con = Warehouse(home).connect(datasets=())
    try:
        return {str(b): str(f) for b, f in con.execute("SELECT id, file_name FROM batches").fetchall()}
    finally:
        con.close()


def told(home: Path, outcomes: list[FileOutcome]) -> list[tuple[object, ...]]:
    of = names(home)
    return [
        (
            o.file,
            o.status,
            of.get(o.batch or "", o.batch),
            o.rows,
            [of[b] for b in o.replaced],
            [of[b] for b in o.partly_replaced],
        )
        for o in outcomes
    ]


def catalogue(home: Path) -> list[tuple[object, ...]]:
    """The catalogue, batches named by their files: every column but the id, time and path."""
    con = Warehouse(home).connect(datasets=())
    try:
        return con.execute(
            """
            SELECT b.seq, b.dataset, b.file_name, b.sha256, b.profile, b.row_count, r.file_name, b.period,
                   b.scope_from, b.scope_to, b.state, b.sheet,
                   (SELECT list(a.account ORDER BY a.account) FROM batch_accounts a WHERE a.batch = b.id)
            FROM batches b LEFT JOIN batches r ON r.id = b.replaced_by ORDER BY b.seq
            """
        ).fetchall()
    finally:
        con.close()


def rows(home: Path) -> list[tuple[object, ...]]:
    con = Warehouse(home).connect()
    try:
        return con.execute(
            "SELECT b.file_name, shop, date, uv, gmv, _row FROM shop_daily JOIN batches b ON b.id = _batch "
            "ORDER BY ALL"
        ).fetchall()
    finally:
        con.close()


def stored(home: Path) -> list[str]:
    """The store's batch files, named by their batches' files."""
    of = names(home)
    root = home / "warehouse"
    found = []
    for p in root.glob("*/*.parquet"):
        batch = p.stem
        found.append(f"{p.parent.name}/{of.get(batch, batch)}")
    return sorted(found)


class Killed(BaseException):
    """Stands for a process dying between the warehouse's steps."""


def leave_pending(home: Path, path: Path) -> None:
    """Import `path` as a process killed during its confirmation would: its batch left pending."""

    def die(outcomes: object) -> None:
        raise Killed

    original = Warehouse._set_states
    with checked_import(home, "shop_daily", [path]) as checked:
        Warehouse._set_states = lambda self, decided: None  # type: ignore[method-assign]
        try:
            with pytest.raises(Killed):
                checked.commit(confirm=die)
        finally:
            Warehouse._set_states = original  # type: ignore[method-assign]


def test_the_commit_uses_the_imports_connection_and_opens_no_other_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    import_files(home, "shop_daily", [shop_file(tmp_path / "a.csv", [["A", "2026-10-01", "1", "1"]])])
    staging, given, opened = [], [], []
    make, copy, connect = importer._staging_connection, Warehouse._copy_locked, duckdb.connect

    def staging_connection(*args: object) -> duckdb.DuckDBPyConnection:
        staging.append(make(*args))  # type: ignore[arg-type]
        return staging[-1]

    def copy_locked(self: Warehouse, con: duckdb.DuckDBPyConnection | None) -> duckdb.DuckDBPyConnection:
        given.append(con)
        return copy(self, con)

    def counted(database: str = ":memory:", *args: object, **kwargs: object) -> duckdb.DuckDBPyConnection:
        opened.append(str(database))
        return connect(database, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(importer, "_staging_connection", staging_connection)
    monkeypatch.setattr(Warehouse, "_copy_locked", copy_locked)
    monkeypatch.setattr(duckdb, "connect", counted)
    files = [
        shop_file(tmp_path / "a2.csv", [["A", "2026-10-01", "2", "2"]]),
        shop_file(tmp_path / "b.csv", [["B", "2026-10-01", "3", "3"]]),
    ]
    outcomes = import_files(home, "shop_daily", files)
    assert [(o.status, len(o.replaced)) for o in outcomes] == [("imported", 1), ("imported", 0)]
    assert len(staging) == 1 and given == staging  # the commit's copy is made in the import's connection
    # one DuckDB database of its own for the whole call (the others: the catalogue's file, written)
    assert [d for d in opened if not d.endswith("catalogue.duckdb")] == [":memory:"]


def run_calls(tmp_path: Path, home: Path, fresh: bool, monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Four calls into `home`: replacements whole and partial, a file already imported, a file no batch
    names (left by a crash) and a batch left pending by a killed process, both between one call's
    reading and its commit. With `fresh`, each commit makes its copy of the catalogue in a new
    connection (the path without the import's connection)."""
    if fresh:
        commit = Warehouse.commit

        def without(self: Warehouse, staged: object, **kwargs: object) -> object:
            kwargs.pop("con")
            return commit(self, staged, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(Warehouse, "commit", without)
    files = tmp_path / ("fresh" if fresh else "own")
    files.mkdir()
    told_all: list[object] = []
    a = shop_file(files / "a.csv", [["A", "2026-10-01", "1", "1"], ["A", "2026-10-02", "2", "2"]])
    b = shop_file(files / "b.csv", [["B", "2026-10-01", "3", "3"]])
    told_all.append(told(home, import_files(home, "shop_daily", [a, b])))
    crashed = home / "warehouse" / "shop_daily" / "shop_daily-crashed.parquet"
    crashed.write_bytes(b"PAR1")
    a_first = shop_file(files / "a_first.csv", [["A", "2026-10-01", "4", "4"]])  # a partly
    b2 = shop_file(files / "b2.csv", [["B", "2026-10-01", "5", "5"]])  # b wholly
    c = shop_file(files / "c.csv", [["C", "2026-10-03", "6", "6"]])
    with checked_import(home, "shop_daily", [a_first, b2, c]) as checked:
        # a batch left pending meanwhile (decided at the commit: the application recorded it)
        batch_states.on_undecided(lambda at, undecided: set(undecided))
        leave_pending(home, shop_file(files / "d.csv", [["D", "2026-10-01", "7", "7"]]))
        told_all.append(told(home, checked.commit()))
    batch_states.on_undecided(None)
    assert not crashed.exists()
    again = shop_file(files / "again.csv", [["A", "2026-10-01", "4", "4"]])  # a_first's content
    e = shop_file(files / "e.csv", [["A", "2026-10-01", "8", "8"], ["A", "2026-10-02", "9", "9"]])
    told_all.append(told(home, import_files(home, "shop_daily", [again, e])))
    return [*told_all, catalogue(home), rows(home), stored(home)]


def test_a_commit_in_the_imports_connection_gives_what_a_fresh_connection_gives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    own = run_calls(tmp_path, tmp_path / "own", False, monkeypatch)
    fresh = run_calls(tmp_path, tmp_path / "fresh", True, monkeypatch)
    assert own == fresh
    assert own[1] == [  # the second call: a partly replaced, b wholly, c new
        ("a_first.csv", "imported", "a_first.csv", 1, [], ["a.csv"]),
        ("b2.csv", "imported", "b2.csv", 1, ["b.csv"], []),
        ("c.csv", "imported", "c.csv", 1, [], []),
    ]
    assert own[2] == [
        ("again.csv", "unchanged", "a_first.csv", 0, [], []),
        ("e.csv", "imported", "e.csv", 2, ["a.csv", "a_first.csv"], []),
    ]
    assert [(r[2], r[6], r[10]) for r in own[3]] == [  # type: ignore[union-attr]
        ("a.csv", "e.csv", "current"),
        ("b.csv", "b2.csv", "current"),
        ("d.csv", None, "current"),  # decided under the commit's lock
        ("a_first.csv", "e.csv", "current"),
        ("b2.csv", None, "current"),
        ("c.csv", None, "current"),
        ("e.csv", None, "current"),
    ]


ELSEWHERE = """
import sys
from pathlib import Path
from shopkpi.data.imports.importer import import_files
[o] = import_files(Path(sys.argv[1]), "shop_daily", [Path(sys.argv[2])])
print(o.status, o.batch)
"""


def import_elsewhere(home: Path, path: Path) -> str:
    """Import `path` into `home` in another process; its batch."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(ELSEWHERE), str(home), str(path)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    status, batch = done.stdout.split()
    assert status == "imported"
    return batch


def test_a_commit_sees_what_another_process_committed_after_the_import_read_the_catalogue(
    tmp_path: Path,
) -> None:
    home = tmp_path / "home"
    [first] = import_files(
        home, "shop_daily", [shop_file(tmp_path / "a.csv", [["A", "2026-10-01", "1", "1"]])]
    )
    ours = shop_file(tmp_path / "ours.csv", [["A", "2026-10-01", "3", "3"], ["B", "2026-10-01", "4", "4"]])
    same = shop_file(tmp_path / "same.csv", [["C", "2026-10-01", "5", "5"]])
    with checked_import(home, "shop_daily", [ours, same]) as checked:
        # read and checked against a catalogue of one batch; another process then commits two
        assert [o.status for o in checked.outcomes] == ["checked", "checked"]
        theirs = import_elsewhere(home, shop_file(tmp_path / "theirs.csv", [["A", "2026-10-01", "2", "2"]]))
        copy = tmp_path / "copy.csv"
        copy.write_bytes(same.read_bytes())
        their_copy = import_elsewhere(home, copy)
        outcomes = checked.commit()
    assert [(o.status, o.batch, o.replaced) for o in outcomes[1:]] == [("unchanged", their_copy, ())]
    assert (outcomes[0].status, outcomes[0].replaced) == ("imported", (theirs,))
    assert [(r[2], r[6]) for r in catalogue(home)] == [
        ("a.csv", "theirs.csv"),
        ("theirs.csv", "ours.csv"),
        ("copy.csv", None),
        ("ours.csv", None),
    ]
    assert first.status == "imported"
    # their files were not taken for files no batch names
    assert {name.split("/")[1] for name in stored(home)} == {"a.csv", "copy.csv", "ours.csv", "theirs.csv"}
    assert [(r[0], r[1], r[3]) for r in rows(home)] == [
        ("copy.csv", "C", 5),
        ("ours.csv", "A", 3),
        ("ours.csv", "B", 4),
    ]
