"""The check step: a valid file's suspicious rows are listed as warnings, and nothing is written
until the checked import is committed."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

from export_builders import write_csv

from shopkpi.data.imports.import_warnings import AccountOwner
from shopkpi.data.imports.importer import checked_import, import_files
from shopkpi.data.problems import DataWarning
from shopkpi.data.warehouse.catalogue import Warehouse

ZTC_HEADER = ["日期", "计划名称", "展现量", "点击量", "花费", "直接成交金额"]


def warehouse_files(home: Path) -> dict[str, str]:
    root = home / "warehouse"
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


# the organisation's snapshot: 计划A belongs to E01 from September on
SEPTEMBER_OWNERS = [AccountOwner("E01", "campaign", "计划A", dt.date(2026, 9, 1), None)]


def september_home(tmp_path: Path) -> Path:
    """September's 直通车 report is in."""
    home = tmp_path / "home"
    september = write_csv(
        tmp_path / "直通车_9月.csv",
        [ZTC_HEADER]
        + [["2026-09-" + day, "计划A", "1000", "30", "50.00", "200.00"] for day in ("14", "15", "16", "30")],
        encoding="gbk",
    )
    import_files(home, "campaigns", [september], period="2026-09")
    return home


def october_file(tmp_path: Path) -> Path:
    return write_csv(
        tmp_path / "直通车_10月.csv",
        [
            ZTC_HEADER,
            ["2026-10-01", "计划A", "1000", "30", "50.00", "200.00"],
            ["2026-10-02", "计划A", "900", "20", "", "100.00"],  # 花费 left empty
            ["2026-10-01", "计划C", "800", "10", "20.00", "0"],  # a campaign nobody owns
            ["2026-09-15", "计划A", "700", "10", "10.00", "0"],  # a September row in October's report
        ],
        encoding="gbk",
    )


def test_the_planted_october_report_is_warned_about_and_nothing_is_written(tmp_path: Path) -> None:
    home = september_home(tmp_path)
    before = warehouse_files(home)
    path = october_file(tmp_path)
    with checked_import(home, "campaigns", [path], period="2026-10", owners=SEPTEMBER_OWNERS) as checked:
        [planned] = checked.outcomes
        assert (planned.status, planned.rows, planned.profile) == ("checked", 4, "ztc-campaign")
        september = Warehouse(home).connect().execute("SELECT id FROM batches WHERE period = '2026-09'")
        [(september_batch,)] = september.fetchall()
        assert list(checked.warnings) == [
            DataWarning(
                "outside_period",
                path.name,
                5,
                "日期",
                {"period": "2026-10", "rows": 1, "first": "2026-09-15"},
            ),
            DataWarning("empty_money", path.name, 3, "花费", {"rows": 1}),
            DataWarning(
                "unowned_account",
                path.name,
                4,
                "计划名称",
                {"kind": "campaign", "rows": 1, "accounts": ["计划C"]},
            ),
            # the file speaks for 计划A from 15 September to 2 October: September's rows of the 15th,
            # 16th and 30th would be replaced
            DataWarning(
                "replaces_other_period",
                path.name,
                None,
                None,
                {
                    "batch": september_batch,
                    "batch_file": "直通车_9月.csv",
                    "rows": 3,
                    "periods": ["2026-09"],
                    "period": "2026-10",
                },
            ),
        ]
        assert warehouse_files(home) == before  # checked, not written
    assert warehouse_files(home) == before  # and not written when the block ends without a commit
    assert (
        str(checked.warnings[0])
        == "直通车_10月.csv, row 5, column 日期: 1 row(s) outside the period 2026-10 (first: 2026-09-15)"
    )


def test_without_a_named_period_the_file_is_taken_for_its_main_month(tmp_path: Path) -> None:
    home = september_home(tmp_path)
    with checked_import(home, "campaigns", [october_file(tmp_path)], owners=SEPTEMBER_OWNERS) as checked:
        codes = [(w.code, w.params.get("period")) for w in checked.warnings]
        # no period named: no row is "outside" it, but the file is October's (3 rows of 4), and the
        # September rows it would replace are still listed
        assert codes == [
            ("empty_money", None),
            ("unowned_account", None),
            ("replaces_other_period", "2026-10"),
        ]
        outcomes = checked.commit()
    assert [o.status for o in outcomes] == ["imported"]


def test_ownership_comes_from_the_snapshot_given(tmp_path: Path) -> None:
    home = september_home(tmp_path)
    # the organisation says 计划C is E02's from October on, and 计划A nobody's
    owners = [AccountOwner("E02", "campaign", "计划C", dt.date(2026, 10, 1), None)]
    with checked_import(home, "campaigns", [october_file(tmp_path)], owners=owners) as checked:
        [unowned] = [w for w in checked.warnings if w.code == "unowned_account"]
        assert (unowned.row, unowned.params["rows"], unowned.params["accounts"]) == (2, 3, ["计划A"])


def test_rows_that_repeat_each_other_and_empty_counts(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "events.csv",
        [
            ["user", "ts", "behavior", "shop"],
            ["u1", "2026-10-01 10:00:00", "pv", "S1"],
            ["u2", "2026-10-01 10:00:00", "pv", "S1"],
            ["u1", "2026-10-01 10:00:00", "pv", "S1"],  # row 4 repeats row 2
            ["u1", "2026-10-01 10:00:00", "pv", "S1"],  # and again
        ],
    )
    with checked_import(tmp_path / "home", "traffic_events", [path]) as checked:
        [repeated] = [w for w in checked.warnings if w.code == "duplicate_rows"]
        assert (repeated.row, repeated.params) == (5, {"rows": 2, "first": 2})
    counts = write_csv(tmp_path / "shops.csv", [["shop", "date", "uv", "pv"], ["S1", "2026-10-01", "-", "3"]])
    with checked_import(tmp_path / "home", "shop_daily", [counts]) as checked:
        assert [(w.code, w.row, w.column) for w in checked.warnings if w.code.startswith("empty")] == [
            ("empty_count", 2, "uv")
        ]
