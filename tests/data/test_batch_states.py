"""A batch's life in the warehouse: a commit that waits for its confirmation, and withdrawal (撤回).

A withdrawn batch leaves the next metric computation exactly as it was before its import (the whole
MetricResults compared, provenance included); a confirmation that fails leaves nothing written; a
batch left undecided by a killed process is decided by the application's record of it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from export_builders import write_csv

from shopkpi.data.imports.importer import checked_import, import_files
from shopkpi.data.metrics.catalogue import load_catalogue
from shopkpi.data.metrics.computation import MetricResults, compute_metrics
from shopkpi.data.metrics.org_snapshot import OrganisationSnapshot
from shopkpi.data.warehouse import batch_states
from shopkpi.data.warehouse.catalogue import BatchNotWithdrawable, Warehouse

ZTC_HEADER = ["日期", "计划名称", "展现量", "点击量", "花费", "直接成交金额"]


@pytest.fixture(autouse=True)
def nobody_decides() -> Iterator[None]:
    """These tests run without the application: no one answers for undecided batches unless a test says."""
    saved = batch_states._decided
    batch_states.on_undecided(None)
    yield
    batch_states.on_undecided(saved)


def files_of(home: Path) -> dict[str, str]:
    root = home / "warehouse"
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*.parquet"))
    }


def metrics(home: Path, period: str) -> MetricResults:
    con = Warehouse(home).connect()
    try:
        return compute_metrics(con, period, load_catalogue(home), organisation=ORGANISATION)
    finally:
        con.close()


def campaigns(home: Path) -> list[tuple[object, ...]]:
    con = Warehouse(home).connect()
    try:
        return con.execute("SELECT * FROM campaigns ORDER BY campaign, date").fetchall()
    finally:
        con.close()


def states(home: Path) -> dict[str, str]:
    con = Warehouse(home).connect()
    try:
        return {str(f): str(s) for f, s in con.execute("SELECT file_name, state FROM batches").fetchall()}
    finally:
        con.close()


# E01 runs 推广计划 计划A and E02 计划B (the organisation the application hands the metric step)
ORGANISATION = OrganisationSnapshot.of(
    [
        {"employee": "E01", "name": "赵一", "department": "推广部", "position": "推广专员"},
        {"employee": "E02", "name": "钱二", "department": "推广部", "position": "推广专员"},
    ],
    [
        {"employee": "E01", "kind": "campaign", "account": "计划A"},
        {"employee": "E02", "kind": "campaign", "account": "计划B"},
    ],
)


def company_home(tmp_path: Path) -> Path:
    """September's 直通车 report is in."""
    home = tmp_path / "home"
    september = write_csv(
        tmp_path / "直通车_9月.csv",
        [ZTC_HEADER]
        + [
            [f"2026-09-{d:02d}", plan, "1000", "30", "50.00", f"{100 * d}.00"]
            for d in range(1, 31)
            for plan in ("计划A", "计划B")
        ],
        encoding="gbk",
    )
    import_files(home, "campaigns", [september], period="2026-09")
    return home


def stray_october(tmp_path: Path) -> Path:
    """October's report with one row of 15 September (计划A): it speaks for 计划A from the 15th."""
    return write_csv(
        tmp_path / "直通车_10月.csv",
        [
            ZTC_HEADER,
            ["2026-10-01", "计划A", "1000", "30", "80.00", "900.00"],
            ["2026-10-02", "计划A", "1000", "30", "80.00", "900.00"],
            ["2026-09-15", "计划A", "10", "1", "1.00", "0"],
        ],
        encoding="gbk",
    )


def test_the_stray_october_batch_withdrawn_leaves_september_as_before(tmp_path: Path) -> None:
    home = company_home(tmp_path)
    september_before, october_before, rows_before = (
        metrics(home, "2026-09"),
        metrics(home, "2026-10"),
        campaigns(home),
    )
    with checked_import(home, "campaigns", [stray_october(tmp_path)]) as checked:
        assert [w.code for w in checked.warnings] == ["replaces_other_period"]
        [outcome] = checked.commit()
    # it took over 计划A's 15th … 30th of September: 16 rows of the September batch replaced by one
    assert outcome.partly_replaced and len(campaigns(home)) == len(rows_before) - 16 + 3
    assert metrics(home, "2026-09") != september_before
    seen: list[str] = []
    info = Warehouse(home).withdraw(outcome.batch, lambda batch: seen.append(batch.id))
    assert seen == [outcome.batch] and (info.file_name, info.row_count) == ("直通车_10月.csv", 3)
    # the next computation is exactly what it was before the import: values and provenance alike
    assert metrics(home, "2026-09") == september_before
    assert metrics(home, "2026-10") == october_before
    assert campaigns(home) == rows_before
    assert states(home) == {
        "直通车_9月.csv": "current",
        "直通车_10月.csv": "withdrawn",  # kept in the history
    }
    with pytest.raises(BatchNotWithdrawable, match="is withdrawn, not current"):
        Warehouse(home).withdraw(outcome.batch, lambda batch: None)
    # the same file again is a new import, not "unchanged"
    [again] = import_files(home, "campaigns", [stray_october(tmp_path)])
    assert again.status == "imported"


def test_a_withdrawn_correction_brings_back_the_batch_it_replaced(tmp_path: Path) -> None:
    home = company_home(tmp_path)
    before = metrics(home, "2026-09")
    corrected = write_csv(
        tmp_path / "直通车_9月_更正.csv",
        [ZTC_HEADER]
        + [
            [f"2026-09-{d:02d}", plan, "1000", "30", "60.00", "1.00"]
            for d in range(1, 31)
            for plan in ("计划A", "计划B")
        ],
        encoding="gbk",
    )
    [outcome] = import_files(home, "campaigns", [corrected])
    assert len(outcome.replaced) == 1  # September's batch wholly replaced
    assert metrics(home, "2026-09") != before
    Warehouse(home).withdraw(outcome.batch, lambda batch: None)
    assert metrics(home, "2026-09") == before
    con = Warehouse(home).connect()
    assert con.execute("SELECT replaced_by FROM batches WHERE file_name = '直通车_9月.csv'").fetchone() == (
        None,
    )


def test_a_withdrawal_whose_confirmation_fails_changes_nothing(tmp_path: Path) -> None:
    home = company_home(tmp_path)
    [outcome] = import_files(home, "campaigns", [stray_october(tmp_path)])
    after_import = metrics(home, "2026-09")

    def refuse(batch: object) -> None:
        # the batch reads as withdrawn while the application decides
        assert metrics(home, "2026-09") != after_import
        raise RuntimeError("the application database is locked")

    with pytest.raises(RuntimeError, match="locked"):
        Warehouse(home).withdraw(outcome.batch, refuse)
    assert metrics(home, "2026-09") == after_import
    assert states(home)["直通车_10月.csv"] == "current"


def test_a_commit_whose_confirmation_fails_leaves_nothing(tmp_path: Path) -> None:
    home = company_home(tmp_path)
    before, files, rows = metrics(home, "2026-09"), files_of(home), campaigns(home)

    def refuse(outcomes: object) -> None:
        assert campaigns(home) == rows  # pending: not seen by readers yet
        raise RuntimeError("the application database is locked")

    with (
        checked_import(home, "campaigns", [stray_october(tmp_path)]) as checked,
        pytest.raises(RuntimeError, match="locked"),
    ):
        checked.commit(confirm=refuse)
    assert metrics(home, "2026-09") == before and campaigns(home) == rows
    assert files_of(home) == files  # the batch's Parquet file is gone again
    assert "直通车_10月.csv" not in states(home)
    con = Warehouse(home).connect()
    assert con.execute("SELECT count(*) FROM batches WHERE replaced_by IS NOT NULL").fetchone() == (0,)
    [again] = import_files(home, "campaigns", [stray_october(tmp_path)])  # not "unchanged"
    assert again.status == "imported"


def test_undecided_batches_are_decided_by_the_applications_record(tmp_path: Path) -> None:
    home = company_home(tmp_path)
    rows = campaigns(home)
    kept, dropped = [], []

    class Killed(BaseException):
        """Stands for the process dying between the warehouse's steps."""

    def die(outcomes: list) -> None:  # type: ignore[type-arg]
        raise Killed

    original = Warehouse._set_states
    # a kill leaves the batch pending: nothing after `confirm` runs
    for name, into in (("直通车_10月.csv", kept), ("other.csv", dropped)):
        path = (
            stray_october(tmp_path)
            if into is kept
            else write_csv(
                tmp_path / name,
                [ZTC_HEADER, ["2026-10-05", "计划B", "1", "1", "1.00", "1.00"]],
                encoding="gbk",
            )
        )
        with checked_import(home, "campaigns", [path]) as checked:
            Warehouse._set_states = lambda self, decided: None  # type: ignore[method-assign]
            try:
                with pytest.raises(Killed):
                    checked.commit(confirm=die)
            finally:
                Warehouse._set_states = original  # type: ignore[method-assign]
            into.append(checked.outcomes[0].batch)
    assert set(states(home).values()) == {"current", "pending"}
    assert campaigns(home) == rows  # pending batches are not seen
    asked: list[dict[str, str]] = []

    def decided(at: Path, undecided: dict[str, str]) -> set[str]:
        asked.append(dict(undecided))
        return set(kept)  # the application recorded the first import, not the second

    batch_states.on_undecided(decided)
    after = campaigns(home)  # a reader decides them
    assert asked == [{kept[0]: "pending", dropped[0]: "pending"}]
    assert states(home)["直通车_10月.csv"] == "current" and "other.csv" not in states(home)
    assert len(after) == len(rows) - 16 + 3
    batch_states.on_undecided(lambda at, undecided: None)  # another home's application: no answer
    assert Warehouse(home).decide_undecided() == {}
