"""Import problems in Chinese (shopkpi.data.imports.problem_text_zh): every reason the data layer can write has
a Chinese pattern, and real bad files come out in Chinese with only values, files and columns left as
they were."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from export_builders import qianniu_rows, write_csv
from reason_sources import HOLE, python_reasons, sql_reasons

from shopkpi.data.datasets import DATASETS
from shopkpi.data.imports.importer import checked_import, import_files
from shopkpi.data.imports.problem_text_zh import (
    REASONS,
    WARNINGS,
    column_zh,
    matching_reason,
    problem_zh,
    reason_zh,
    warning_zh,
)
from shopkpi.data.imports.profiles import shipped_profiles
from shopkpi.data.imports.sheet_rows import read_sheets
from shopkpi.data.imports.validation import ENUMERATED
from shopkpi.data.problems import WARNING_CODES, ImportProblem, ImportRefused

_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_]*(?:[-.][A-Za-z0-9_]+)*")
# where a reason is handed on rather than written: each is written at one of the places read above
PASSED_ON = {
    ("importer.py", "e.reason"),  # a ProfileError's reason (profiles.py)
    ("problems.py", "reason"),  # ProblemList.add
    ("problems.py", "p.reason"),  # ProblemList.extend
    ("profiles.py", "e['msg']"),  # pydantic's message: the validators' "Value error, …" (read above)
    ("recognition.py", "e.reason"),  # a ProfileError's reason (profiles.py)
    ("recognition.py", "error.reason"),  # UnreadableFile (file_rows.py)
    ("sheet_rows.py", "e.reason"),  # a ProfileError's reason, as in importer.py
    ("staging.py", "error.reason"),  # UnreadableFile (file_rows.py, workbook_checks.py, file_sandbox.py)
    ("staging.py", "reason"),  # a problem found in the reading process (staging.py itself)
    ("staging.py", "unreadable.reason"),  # the UnreadableFile a reading process gave (file_sandbox.py)
    ("file_sandbox.py", "value[0]"),  # an UnreadableFile raised in the reading process
    ("validation.py", "reason"),  # the SQL CASE reasons (read above)
}


# the only Latin words the Chinese templates write: names of formats, settings and profile-file keys
TEMPLATE_WORDS = {"Asia", "CSV", "Excel", "GB", "GBK", "NUL", "P", "Shanghai", "UTF", "YAML", "banner"}
TEMPLATE_WORDS |= {"canonical", "checks", "columns", "date", "file", "from", "name", "rows", "set", "skip"}
TEMPLATE_WORDS |= {"to", "valid", "value", "xlsx", "MB", "XFD", "XLS", "shopkpi", "import"}


def latin_words(text: str) -> set[str]:
    return set(re.findall(r"[A-Za-z]+", text))


def test_the_chinese_templates_write_no_english_but_names() -> None:
    words = set()
    for entry in REASONS:
        words |= latin_words(re.sub(r"\{\w+\}", " ", entry.chinese))
    assert words == TEMPLATE_WORDS


def english_words(text: str) -> set[str]:
    return set(_WORD.findall(text))


def test_the_sources_are_read_whole() -> None:
    # the reader must see reasons built over several lines, inside quote(), through a name and a dict
    python, _passed = python_reasons()
    samples = {f.sample for f in python} | {f.sample for f in sql_reasons()}
    for expected in (
        "required value missing",
        "not a period (write 2026-10): X",
        "X but X is 0",  # a literal inside quote(f'…')
        "number too large: X",  # through the name too_large
        "not a duration: X",  # through what[type_]
        "valid_from X is after valid_to X",
        "duplicate key X (first on row X)",
        "the file is neither UTF-8 nor GBK/GB18030 text (read as X, invalid bytes after row X)",
        "no import profile fits this file; closest: X",
        "Value error, columns.X: give at least one header",
    ):
        assert expected in samples, expected
    assert len(samples) > 50


def test_every_reason_the_data_layer_writes_has_a_chinese_pattern() -> None:
    python, _passed = python_reasons()
    untranslated = []
    for found in [*python, *sql_reasons()]:
        entry = matching_reason(found.sample)
        if entry is None:
            untranslated.append(f"{found.where}: {found.sample!r}")
            continue
        # nothing of the English is left: only the values (X) and words the Chinese itself names
        left = latin_words(reason_zh(found.sample)) - {HOLE} - TEMPLATE_WORDS
        assert not left, (found.where, found.sample, reason_zh(found.sample))
    assert not untranslated, "reasons without a Chinese pattern in problem_text_zh.REASONS:\n" + "\n".join(
        untranslated
    )


def test_reasons_are_only_handed_on_where_it_is_known() -> None:
    _found, passed = python_reasons()
    assert {(p.where.split(":")[0], p.expression) for p in passed} == PASSED_ON


def test_a_problem_reads_with_its_place() -> None:
    problem = ImportProblem("店铺日报.csv", 12, "成交金额", "not a number: abc")
    assert problem_zh(problem) == "文件 店铺日报.csv，第 12 行，列「成交金额」：不是数字：abc"
    whole = ImportProblem("店铺日报.csv", None, None, "the file has no data rows")
    assert problem_zh(whole) == "文件 店铺日报.csv：文件没有数据行"
    setting = ImportProblem("--period", None, None, "not a period: '2026-13' (write 2026-10)")
    assert problem_zh(setting) == "参数 --period：不是期间：'2026-13'（应写作 2026-10）"
    assert column_zh("shop (from file name)") == "shop（取自文件名）"
    assert column_zh("shop (from banner)") == "shop（取自表头上方的说明行）"


def test_lists_inside_a_reason_are_rendered_too() -> None:
    reason = (
        "no import profile fits this file; closest: canonical (标准格式（订单）) misses buyer (buyer / 买家), "
        "unknown columns: 备注; taobao-orders (淘宝订单) misses buyer (买家会员名)"
    )
    assert reason_zh(reason) == (
        "没有适合这个文件的导入模板；最接近的是：canonical (标准格式（订单）) 缺少 buyer (buyer / 买家), "
        "不认识的列：备注；taobao-orders (淘宝订单) 缺少 buyer (买家会员名)"
    )
    checks = "Value error, columns.gmv: empty header; skip_rows: 'x' is not one of the profile's columns"
    assert reason_zh(checks) == "columns.gmv：表头是空的；skip_rows：'x' 不是这个导入模板的列"


# ---- real bad files through the importer ---------------------------------------------------------


def refused(home: Path, dataset: str, paths: list[Path], **options: object) -> list[ImportProblem]:
    with pytest.raises(ImportRefused) as error:
        if DATASETS[dataset].organisation:  # read (and refused) as the organisation service reads it
            read_sheets(home, dataset, paths, timezone="Asia/Shanghai")
        else:
            import_files(home, dataset, paths, **options)  # type: ignore[arg-type]
    return list(error.value.problems)


def bad_files(tmp_path: Path) -> list[tuple[list[ImportProblem], str]]:
    """(problems of one import, the text of its files) for a set of broken files."""
    home = tmp_path / "home"
    runs: list[tuple[list[ImportProblem], str]] = []

    def run(dataset: str, rows: list[list[object]], name: str, **options: object) -> None:
        path = write_csv(tmp_path / name, rows)  # type: ignore[arg-type]
        runs.append((refused(home, dataset, [path], **options), path.read_text("utf-8")))

    # wrong encoding: neither UTF-8 nor GBK/GB18030
    broken = tmp_path / "员工.csv"
    broken.write_bytes(b"employee,name,department,position\r\nE01," + b"\x80\xff\r\n")
    runs.append((refused(home, "employees", [broken]), "employee,name,department,position E01"))
    # a bad number, an impossible date, a count below zero, a number too large
    run(
        "shop_daily",
        [
            ["shop", "date", "uv", "gmv", "orders"],
            ["S1", "2026-10-01", "100", "很多", "3"],
            ["S1", "2026-10-32", "100", "10", "3"],
            ["S1", "2026-10-02", "-5", "10", "2.5"],
            ["S1", "2026-10-03", "1" + "0" * 30, "10", "3"],
        ],
        "生意参谋.csv",
        period="2026-10",
    )
    # a missing column
    run("orders", [["order_id", "shop", "created_at"], ["1", "A", "2026-10-01"]], "订单.csv")
    # an unknown status word, a formula-like cell, a required value missing
    run(
        "orders",
        [
            ["order_id", "shop", "buyer", "created_at", "status"],
            ["1", "A", "b", "2026-10-01 10:00", "发货中"],
            ["2", "A", "=HYPERLINK(1)", "2026-10-01 10:00", "paid"],
            ["3", "A", "", "2026-10-01 10:00", "paid"],
        ],
        "订单2.csv",
    )
    # a duplicate key and a row longer than its header
    run(
        "employees",
        [
            ["employee", "name", "department", "position"],
            ["E01", "赵一", "运营部", "运营专员"],
            ["E01", "钱二", "运营部", "运营专员", "多出来的"],
        ],
        "员工2.csv",
    )
    # a rating outside 0–100
    run(
        "ratings",
        [
            ["employee", "period", "item", "rating", "rater"],
            ["E01", "2026-09", "attitude", "120", "supervisor"],
        ],
        "评分.csv",
        period="2026-10",
    )
    # accounts: valid_from after valid_to
    run(
        "accounts",
        [
            ["employee", "kind", "account", "valid_from", "valid_to"],
            ["E01", "shop", "S1", "2026-10-05", "2026-10-01"],
        ],
        "账号.csv",
    )
    # the organisation is not warehouse data
    with pytest.raises(ImportRefused) as not_warehouse:
        import_files(home, "employees", [write_csv(tmp_path / "员工3.csv", [["employee"], ["E01"]])])
    runs.append((list(not_warehouse.value.problems), "employee E01 shopkpi import"))
    # 千牛: a conversion rate that does not match its counts
    rows = qianniu_rows([("客服A", 100, 20, "2,000.00")])
    rows[1][5] = "50.00%"
    run("cs_daily", rows, "自制报表-报表查看-客服绩效_20261001_20261031_全部.csv")
    # 直通车: a negative 花费, an amount with a third decimal
    run(
        "campaigns",
        [["计划名称", "日期", "花费", "成交金额"], ["计划A", "2026-10-01", "-3.50", "12.345"]],
        "直通车.csv",
    )
    # a report without its header row
    run("campaigns", [["2026-10-01", "计划A", "1000", "50"]], "直通车2.csv")
    # an empty file
    empty = tmp_path / "空.csv"
    empty.write_bytes(b"")
    runs.append((refused(home, "shop_daily", [empty]), ""))
    return runs


def allowed_words(file_text: str) -> set[str]:
    """What may stay unchanged: the file's own text, column and profile names, dataset values, formats."""
    words = english_words(file_text)
    for dataset in DATASETS.values():
        words |= {dataset.name, *dataset.column_names}
    for profile in shipped_profiles():
        words |= english_words(profile.name) | english_words(
            " ".join(" ".join(a) for a in profile.columns.values())
        )
    for values in ENUMERATED.values():
        words |= set(values)
    return words | {
        "canonical",
        "UTF-8",
        "GBK",
        "GB18030",
        "NUL",
        "CSV",
        "valid_from",
        "valid_to",
        "date_from",
    }


def test_bad_files_come_out_in_chinese_with_only_values_left(tmp_path: Path) -> None:
    seen = set()
    for problems, text in bad_files(tmp_path):
        assert problems
        for problem in problems:
            entry = matching_reason(problem.reason)
            assert entry is not None, problem
            seen.add(entry.pattern.pattern)
            rendered = problem_zh(problem)
            assert re.search(r"[\u4e00-\u9fff]", reason_zh(problem.reason)), rendered
            left = english_words(rendered) - allowed_words(
                text + " " + problem.file + " " + (problem.column or "")
            )
            assert not left, (problem, rendered, left)
    # the files above meet this many different kinds of reason
    assert len(seen) >= 18, sorted(seen)


def test_the_reason_of_a_bad_number_reads_as_in_the_issue(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "店铺日报.csv", [["shop", "date", "gmv"], ["S1", "2026-10-01", "abc"]])
    [problem] = refused(tmp_path / "home", "shop_daily", [path])
    assert problem_zh(problem) == "文件 店铺日报.csv，第 2 行，列「gmv」：不是数字：abc"
    assert str(problem) == "店铺日报.csv, row 2, column gmv: not a number: abc"  # the CLI's English stays


def test_warnings_read_in_chinese(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "目标.csv", [["employee", "period", "name", "value"], ["E01", "2026-09", "gmv", "1"]]
    )
    with checked_import(tmp_path / "home", "targets", [path], period="2026-10") as checked:
        [warning] = checked.warnings
    assert (
        warning_zh(warning)
        == "文件 目标.csv，第 2 行，列「period」：1 行不在期间 2026-10 之内（第一行的日期：2026-09）"
    )
    path = write_csv(
        tmp_path / "直通车.csv",
        [["日期", "计划名称", "花费"], ["2026-09-30", "计划A", "1"], ["2026-10-01", "计划B", ""]],
    )
    # the organisation's snapshot: nobody owns 计划A or 计划B
    with checked_import(tmp_path / "home", "campaigns", [path], period="2026-10", owners=[]) as checked:
        assert [warning_zh(w) for w in checked.warnings] == [
            "文件 直通车.csv，第 2 行，列「日期」：1 行不在期间 2026-10 之内（第一行的日期：2026-09-30）",
            "文件 直通车.csv，第 3 行，列「花费」：1 个金额单元格是空的",
            "文件 直通车.csv，第 2 行，列「计划名称」：2 行的账号在当天没有负责人：计划A、计划B",
        ]
    for code, chinese in WARNINGS.items():  # every kind has its Chinese, and it names no English
        assert code in WARNING_CODES
        assert not latin_words(re.sub(r"\{\w+\}", " ", chinese)), code
    assert set(WARNINGS) == set(WARNING_CODES)


def test_the_three_refusals_of_issue_10_read_in_chinese(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "直通车.csv", [["计划名称", "日期", "花费"], ["计划A", "2026-10-01", "-3.50"]]
    )
    [problem] = refused(tmp_path / "home", "campaigns", [path])
    assert problem_zh(problem) == "文件 直通车.csv，第 2 行，列「花费」：金额不能为负：-3.50"
    path = write_csv(
        tmp_path / "直通车.csv", [["计划名称", "日期", "花费"], ["计划A", "2026-10-01", "3.505"]]
    )
    [problem] = refused(tmp_path / "home", "campaigns", [path])
    assert (
        problem_zh(problem)
        == "文件 直通车.csv，第 2 行，列「花费」：小数超过 2 位（这一列最多保存 2 位）：3.505"
    )
    path = write_csv(tmp_path / "直通车.csv", [["2026-10-01", "计划A", "3.50"]])
    [problem] = refused(tmp_path / "home", "campaigns", [path])
    assert (
        problem_zh(problem)
        == "文件 直通车.csv，第 1 行：第 1 行不是表头：文件的第一行应是各列的名称（如 计划名称、日期）"
    )
