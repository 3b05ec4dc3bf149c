"""Many small files of one dataset in one call: files of the same shape are parsed and checked by one
statement, and each keeps its own batch, rows, values filled from its name or banner, problems (file,
row, column) and duplicate keys, exactly as when each is imported on its own."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest
from export_builders import QIANNIU_NAME, qianniu_rows, sycm_shop_rows, write_html_xls, write_xlsx

from shopkpi.data.imports import import_warnings, importer, validation
from shopkpi.data.imports.import_warnings import AccountOwner
from shopkpi.data.imports.importer import checked_import, import_files
from shopkpi.data.problems import DataWarning, ImportRefused
from shopkpi.data.warehouse.catalogue import Warehouse

DAY = dt.date(2026, 10, 1)


def shop_file(folder: Path, shop: str, days: list[tuple[dt.date, int]]) -> Path:
    """A 生意参谋 report of `shop` (named in its banner, not in its rows): (day, visitors) per row."""
    rows = sycm_shop_rows(shop, [(day, uv, 2 * uv, 1, "10.00") for day, uv in days])
    return write_html_xls(folder / f"生意参谋-{shop}.xls", rows)


def qianniu_file(folder: Path, month: str, agents: list[tuple[str, int, int, str]]) -> Path:
    """A 千牛 workbook whose dates come from its name (…_20261101_20261130_全部.xlsx)."""
    name = QIANNIU_NAME.replace("20261001_20261031", month)
    folder.mkdir(parents=True, exist_ok=True)
    return write_xlsx(folder / f"{name}.xlsx", qianniu_rows(agents))


def rows_of(home: Path, sql: str) -> list[tuple[object, ...]]:
    return Warehouse(home).connect().execute(sql).fetchall()


def test_one_call_gives_each_file_what_importing_it_alone_gives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shops = [f"店{n}" for n in range(5)]
    files = [
        shop_file(tmp_path, shop, [(DAY, 100 + n), (DAY + dt.timedelta(1), 200 + n)])
        for n, shop in enumerate(shops)
    ]
    one_by_one = validation.validate
    alone_calls: list[str] = []

    def validate(raw: validation.RawFile, *args: object, **kwargs: object) -> object:
        alone_calls.append(raw.source)
        return one_by_one(raw, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(validation, "validate", validate)
    together = import_files(tmp_path / "together", "shop_daily", files)
    assert alone_calls == []  # the five files were checked by one statement
    alone = [import_files(tmp_path / f"alone{n}", "shop_daily", [f])[0] for n, f in enumerate(files)]

    assert [(o.file, o.status, o.rows) for o in together] == [(o.file, o.status, o.rows) for o in alone]
    assert len({o.batch for o in together}) == 5  # one batch per file
    query = "SELECT b.file_name, shop, date, uv, pv, _row FROM shop_daily JOIN batches b ON b.id = _batch ORDER BY 1, 3"
    expected = [row for n in range(5) for row in rows_of(tmp_path / f"alone{n}", query)]
    assert rows_of(tmp_path / "together", query) == sorted(expected, key=lambda r: (r[0], r[2]))
    # the shop comes from each file's banner; the header is on row 5, the data from row 6
    assert rows_of(tmp_path / "together", query)[:2] == [
        ("生意参谋-店0.xls", "店0", DAY, 100, 200, 6),
        ("生意参谋-店0.xls", "店0", DAY + dt.timedelta(1), 200, 400, 7),
    ]
    summed = "SELECT shop, sum(uv) FROM shop_daily GROUP BY shop ORDER BY shop"
    assert rows_of(tmp_path / "together", summed) == [(f"店{n}", 300 + 2 * n) for n in range(5)]


def test_a_group_check_that_fails_leaves_each_file_checked_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = [shop_file(tmp_path, f"店{n}", [(DAY, 100 + n)]) for n in range(3)]
    grouped = validation._group_checks

    def half_then_fail(dataset, con, table, labelled, raws, problems):  # type: ignore[no-untyped-def]
        for listed, raw in zip(problems, raws, strict=True):
            listed.add(raw.source, 6, "uv", "a problem the failed check must not leave behind")
        raise duckdb.Error("the group's check could not run")

    monkeypatch.setattr(validation, "_group_checks", half_then_fail)
    together = import_files(tmp_path / "home", "shop_daily", files)
    assert [(o.status, o.rows) for o in together] == [("imported", 1)] * 3
    monkeypatch.setattr(validation, "_group_checks", grouped)
    summed = "SELECT shop, sum(uv) FROM shop_daily GROUP BY shop ORDER BY shop"
    assert rows_of(tmp_path / "home", summed) == [("店0", 100), ("店1", 101), ("店2", 102)]


def test_dates_from_each_file_name(tmp_path: Path) -> None:
    october = qianniu_file(tmp_path / "10", "20261001_20261031", [("小美", 100, 38, "1,000.00")])
    november = qianniu_file(tmp_path / "11", "20261101_20261130", [("小美", 50, 10, "500.00")])
    [a, b] = import_files(tmp_path / "home", "cs_daily", [october, november])

    assert (a.rows, b.rows, a.skipped_rows, b.skipped_rows) == (1, 1, 6, 6)
    assert rows_of(
        tmp_path / "home", "SELECT agent, date_from, date, inquiries FROM cs_daily ORDER BY date"
    ) == [
        ("小美", DAY, dt.date(2026, 10, 31), 100),
        ("小美", dt.date(2026, 11, 1), dt.date(2026, 11, 30), 50),
    ]


def test_a_problem_names_its_file_row_and_column_and_nothing_is_written(tmp_path: Path) -> None:
    good = shop_file(tmp_path, "店A", [(DAY, 1)])
    bad_rows = sycm_shop_rows("店B", [(DAY, 1, 2, 1, "10.00"), (DAY + dt.timedelta(1), 1, 2, 1, "ten")])
    bad = write_html_xls(tmp_path / "生意参谋-店B.xls", bad_rows)
    repeated = shop_file(tmp_path, "店C", [(DAY, 1), (DAY, 2)])
    also_good = shop_file(tmp_path, "店D", [(DAY, 1)])  # the same day as 店A's: another shop, no duplicate

    with pytest.raises(ImportRefused) as refused:
        import_files(tmp_path / "home", "shop_daily", [good, bad, repeated, also_good])

    assert [(p.file, p.row, p.column, p.reason) for p in refused.value.problems] == [
        ("生意参谋-店B.xls", 7, "支付金额", "not a number: ten"),
        (
            "生意参谋-店C.xls",
            7,
            None,
            "duplicate key shop=店C, date=2026-10-01, item=(empty) (first on row 6)",
        ),
    ]
    assert not (tmp_path / "home" / "warehouse").exists() or not any(
        (tmp_path / "home" / "warehouse").rglob("*.parquet")
    )


def test_files_of_many_rows_are_checked_in_groups(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(validation, "GROUP_ROWS", 4)  # two files of two rows each, then one
    files = [shop_file(tmp_path, f"店{n}", [(DAY, n), (DAY + dt.timedelta(1), n)]) for n in range(3)]
    outcomes = import_files(tmp_path / "home", "shop_daily", files)
    assert [o.rows for o in outcomes] == [2, 2, 2]
    assert rows_of(tmp_path / "home", "SELECT shop, sum(uv) FROM shop_daily GROUP BY shop ORDER BY shop") == [
        ("店0", 0),
        ("店1", 2),
        ("店2", 4),
    ]


def catalogue_of(home: Path) -> list[tuple[object, ...]]:
    """Each batch as the catalogue records it, its id and replacer named by file (ids hold a time)."""
    return rows_of(
        home,
        "SELECT b.file_name, b.row_count, b.scope_from, b.scope_to, b.state, r.file_name, "
        "list(a.account ORDER BY a.account) FROM batches b LEFT JOIN batches r ON r.id = b.replaced_by "
        "JOIN batch_accounts a ON a.batch = b.id "
        "GROUP BY b.seq, b.file_name, b.row_count, b.scope_from, b.scope_to, b.state, r.file_name ORDER BY b.seq",
    )


def test_a_call_of_many_files_records_the_batches_one_by_one_calls_record(tmp_path: Path) -> None:
    # 店0's October is imported first; the call then brings 店1, a correction of 店0 (replacing the first
    # batch wholly), 店2, and 店3 for the first of October only; the October batch of 店3 imported
    # earlier is then only partly replaced
    for folder in ("first", "call"):
        (tmp_path / folder).mkdir()
    first = [
        shop_file(tmp_path / "first", "店0", [(DAY, 1), (DAY + dt.timedelta(1), 2)]),
        shop_file(tmp_path / "first", "店3", [(DAY, 3), (DAY + dt.timedelta(1), 4)]),
    ]
    call = [
        shop_file(tmp_path / "call", "店1", [(DAY, 5)]),
        shop_file(tmp_path / "call", "店0", [(DAY, 6), (DAY + dt.timedelta(1), 7)]),
        shop_file(tmp_path / "call", "店2", [(DAY, 8)]),
        shop_file(tmp_path / "call", "店3", [(DAY, 9)]),
    ]
    together, alone = tmp_path / "together", tmp_path / "alone"
    for home in (together, alone):
        import_files(home, "shop_daily", first)
    outcomes = import_files(together, "shop_daily", call)
    alone_outcomes = [import_files(alone, "shop_daily", [f])[0] for f in call]

    assert [(o.file, o.status, o.rows, len(o.replaced), len(o.partly_replaced)) for o in outcomes] == [
        ("生意参谋-店1.xls", "imported", 1, 0, 0),
        ("生意参谋-店0.xls", "imported", 2, 1, 0),
        ("生意参谋-店2.xls", "imported", 1, 0, 0),
        ("生意参谋-店3.xls", "imported", 1, 0, 1),
    ]
    assert [(o.file, o.rows, len(o.replaced), len(o.partly_replaced)) for o in outcomes] == [
        (o.file, o.rows, len(o.replaced), len(o.partly_replaced)) for o in alone_outcomes
    ]
    assert catalogue_of(together) == catalogue_of(alone)
    replaced = [row for row in catalogue_of(together) if row[5] is not None]
    assert [(row[0], row[5]) for row in replaced] == [("生意参谋-店0.xls", "生意参谋-店0.xls")]
    shown = "SELECT shop, date, uv FROM shop_daily ORDER BY ALL"
    assert rows_of(together, shown) == rows_of(alone, shown)
    assert len(rows_of(together, shown)) == 6  # 店0 ×2 (corrected), 店1, 店2, 店3 ×2 (one corrected)


def test_the_files_of_a_call_have_the_warnings_each_has_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 店0's September is in; the call's 店0 October report has a row of 30 September (outside the
    # period, and replacing a day of September's batch), 店1 an empty 支付金额, 店2 no owner
    owners = [AccountOwner("E01", "shop", shop, dt.date(2026, 9, 1), None) for shop in ("店0", "店1")]
    september = tmp_path / "september"
    september.mkdir()
    sept = shop_file(september, "店0", [(DAY - dt.timedelta(2), 1), (DAY - dt.timedelta(1), 2)])
    folder = tmp_path / "call"
    folder.mkdir()
    call = [
        shop_file(folder, "店0", [(DAY - dt.timedelta(1), 3), (DAY, 4)]),
        write_html_xls(folder / "生意参谋-店1.xls", sycm_shop_rows("店1", [(DAY, 5, 10, 1, "-")])),
        shop_file(folder, "店2", [(DAY, 6)]),
    ]

    def warnings_of(home: Path, files: list[Path]) -> list[DataWarning]:
        with checked_import(home, "shop_daily", files, period="2026-10", owners=owners) as checked:
            return list(checked.warnings)

    homes = [tmp_path / f"alone{n}" for n in range(3)] + [tmp_path / "together"]
    for home in homes:
        import_files(home, "shop_daily", [sept])
    alone = [w for home, f in zip(homes, call, strict=False) for w in warnings_of(home, [f])]
    one_file_at_a_time = import_warnings.file_warnings
    calls: list[str] = []

    def file_warnings(*args: object, **kwargs: object) -> object:
        calls.append(str(args[3]))
        return one_file_at_a_time(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(importer, "file_warnings", file_warnings)
    together = warnings_of(homes[-1], call)
    assert calls == []  # the three files' warnings came from their group's statements
    assert [(w.code, w.file, w.row, w.column) for w in together] == [
        ("outside_period", "生意参谋-店0.xls", 6, "统计日期"),
        ("replaces_other_period", "生意参谋-店0.xls", None, None),
        ("empty_money", "生意参谋-店1.xls", 6, "支付金额"),
        ("unowned_account", "生意参谋-店2.xls", 6, "shop (from banner)"),
    ]
    strip = [
        (w.code, w.file, w.row, w.column, {k: v for k, v in w.params.items() if k != "batch"})
        for w in together
    ]
    assert strip == [
        (w.code, w.file, w.row, w.column, {k: v for k, v in w.params.items() if k != "batch"}) for w in alone
    ]
