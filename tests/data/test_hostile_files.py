"""Hostile files cannot take the importing process down (issue 11): each is refused cleanly, an
ImportRefused naming the file with a reason that says what to do (文件过大/格式异常 on the pages), the
warehouse is left as it was, and the importing process's own memory stays where it was: the file is
read in a limited process of its own (shopkpi.data.imports.file_sandbox)."""

from __future__ import annotations

import codecs
import hashlib
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from export_builders import write_csv, write_xlsx
from hostile_files import (
    HEADER,
    MAIN,
    claimed_dimension,
    dimension_bomb,
    far_cell,
    shared_strings_bomb,
    sheet_xml,
    write_workbook,
    xls_header,
    zip_bomb,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shopkpi.data.imports.file_sandbox import limits_from_environment
from shopkpi.data.imports.importer import import_files
from shopkpi.data.imports.problem_text_zh import reason_zh
from shopkpi.data.imports.workbook_checks import column_letters, sheet_names
from shopkpi.data.problems import ImportRefused

TOO_LARGE = "file too large or malformed: "
SAVE_AGAIN = "; save it as a new XLSX in Excel, or split it into smaller files"
MAX_CELLS = limits_from_environment().max_cells  # 3072 MB × 10,000 cells/MB = 30,720,000 by default
MEMORY_MB = 150  # what the importing process may grow by while it refuses them all


def _truncated(path: Path) -> Path:
    data = write_xlsx(path, [["shop", "date", "uv"], ["S1", "2026-10-01", "1"]]).read_bytes()
    path.write_bytes(data[: len(data) * 2 // 3])
    return path


def _lying_sizes(path: Path) -> Path:
    """A sheet whose zip entry states 100 bytes unpacked; its data unpacks to 60 KB."""
    write_workbook(path, sheet_xml(HEADER + '<row r="2"><c r="A2"><v>1</v></c></row>' * 2000))
    data = bytearray(path.read_bytes())
    name = data.index(b"xl/worksheets/sheet1.xml", data.index(b"PK\x01\x02"))  # in the central directory
    entry = name - 46  # the central directory entry's fixed part comes before the name
    data[entry + 24 : entry + 28] = (100).to_bytes(4, "little")  # its uncompressed size
    path.write_bytes(bytes(data))
    return path


# (file name, how it is made, what the reason says)
HOSTILE: list[tuple[str, Callable[[Path], Path], str]] = [
    (
        "dimension-bomb.xlsx",
        dimension_bomb,
        "sheet xl/worksheets/sheet1.xml reaches cell XFD1048576 (1,048,576 rows × 16,384 columns), "
        f"more than the {MAX_CELLS:,} cells an import reads",
    ),
    (
        "claimed-dimension.xlsx",
        claimed_dimension,
        "sheet xl/worksheets/sheet1.xml reaches cell XFD1048576 (1,048,576 rows × 16,384 columns)",
    ),
    (
        "beyond-excel.xlsx",
        lambda p: far_cell(p, "B1048577"),
        "sheet xl/worksheets/sheet1.xml reaches cell B1048577, beyond XFD1048576 (the last cell of an Excel sheet)",
    ),
    (
        "wide.xlsx",
        lambda p: far_cell(p, "XFD30000"),
        "sheet xl/worksheets/sheet1.xml reaches cell XFD30000 (30,000 rows × 16,384 columns)",
    ),
    ("zip-bomb.xlsx", zip_bomb, "part xl/worksheets/sheet1.xml unpacks to "),
    ("shared-strings.xlsx", shared_strings_bomb, "part xl/sharedStrings.xml unpacks to "),
    ("truncated.xlsx", _truncated, "the workbook is damaged ("),
    ("lying.xlsx", _lying_sizes, "the workbook is damaged ("),
    (
        "fat.xls",
        lambda p: xls_header(p, fat_sectors=1 << 30),
        "the XLS file's header claims 1,073,741,824 sectors",
    ),
    (
        "sector.xls",
        lambda p: xls_header(p, fat_sectors=1, sector_shift=30),
        "the XLS file's header is damaged",
    ),
]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("hostile")
    return {name: make(folder / name) for name, make, _ in HOSTILE}


def snapshot(home: Path) -> dict[str, str]:
    return {
        p.relative_to(home).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(home.rglob("*"))
        if p.is_file()
    }


def refusal(home: Path, path: Path, dataset: str = "shop_daily") -> str:
    """The one reason `path` is refused for; nothing of the home changed."""
    before = snapshot(home) if home.exists() else {}
    with pytest.raises(ImportRefused) as refused:
        import_files(home, dataset, [path])
    [problem] = refused.value.problems
    assert problem.file == path.name and problem.row is None
    assert (snapshot(home) if home.exists() else {}) == before
    return problem.reason


@pytest.mark.parametrize(("name", "expected"), [(name, expected) for name, _, expected in HOSTILE])
def test_each_hostile_file_is_refused_with_what_to_do(
    hostile: dict[str, Path], tmp_path: Path, name: str, expected: str
) -> None:
    reason = refusal(tmp_path / "home", hostile[name])
    assert reason.startswith(TOO_LARGE + expected) and reason.endswith(SAVE_AGAIN), reason
    chinese = reason_zh(reason)
    assert chinese.startswith("文件过大/格式异常：")
    assert chinese.endswith("请用 Excel 打开后另存为新的 xlsx 文件，或拆分成几个较小的文件分别导入")


def _peak_reset() -> int:
    """Reset this process's peak resident memory (VmHWM) to its current size; that size in kB."""
    Path("/proc/self/clear_refs").write_text("5")
    return _status("VmHWM")


def _status(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise AssertionError(field)


def test_refusing_them_all_leaves_the_importing_process_memory_where_it_was(
    hostile: dict[str, Path], tmp_path: Path
) -> None:
    # in this process, python-calamine would abort on the dimension bomb and load 300 MB for each bomb
    refusal(tmp_path / "home", hostile["truncated.xlsx"])  # the reading server started, modules loaded
    start = _peak_reset()
    for name in hostile:
        refusal(tmp_path / "home", hostile[name])
    assert _status("VmHWM") - start < MEMORY_MB << 10


def test_a_sheet_without_row_numbers_counts_its_rows(tmp_path: Path) -> None:
    # 1,100,000 rows without r="…" (calamine numbers them one after the other), each a different number
    rows = "".join(f"<row><c><v>{n}</v></c></row>" for n in range(1_100_000))
    path = write_workbook(tmp_path / "rows.xlsx", sheet_xml(rows))
    assert "beyond XFD1048576" in refusal(tmp_path / "home", path)


# ---- fuzzing: random extents, spellings of the reference, encodings -----------------------------

FUZZ = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FUZZ
@given(
    row=st.one_of(st.integers(2, 3_000), st.integers(2, 2_000_000)),
    column=st.one_of(st.integers(1, 300), st.integers(1, 20_000)),
    spacing=st.sampled_from([" ", "\n", "\t", "  "]),
    quote=st.sampled_from(['"', "'"]),
    in_row_2=st.booleans(),
    claimed=st.booleans(),
)
def test_a_cell_anywhere_is_read_or_refused_never_a_crash(
    tmp_path: Path, row: int, column: int, spacing: str, quote: str, in_row_2: bool, claimed: bool
) -> None:
    # the cell's own reference places it (python-calamine reads it), whatever row element holds it
    reference = f"{column_letters(column)}{row}"
    holder = 2 if in_row_2 else row
    cell = f"<row{spacing}r={quote}{holder}{quote}><c{spacing}r={quote}{reference}{quote}><v>1</v></c></row>"
    sheet = sheet_xml(HEADER + cell, dimension=f"A1:{reference}" if claimed else None)
    path = write_workbook(tmp_path / f"cell-{reference}.xlsx", sheet)
    home = tmp_path / f"home-{reference}-{holder}"
    absurd = row > 1_048_576 or column > 16_384 or row * column > MAX_CELLS
    try:
        import_files(home, "shop_daily", [path])
    except ImportRefused as refused:
        [problem, *_] = refused.problems
        assert problem.file == path.name and problem.reason
        assert problem.reason.startswith(TOO_LARGE) == absurd, (reference, problem.reason)
        return
    assert not absurd, reference


@FUZZ
@given(
    utf8=st.lists(st.text(alphabet="店铺日期访客ÄΩ𝄞abc", min_size=1, max_size=6), min_size=1, max_size=5),
    gbk=st.lists(st.text(alphabet="店铺日期访客abc", min_size=1, max_size=6), min_size=1, max_size=5),
    bom=st.booleans(),
)
def test_utf8_and_gbk_in_one_file_is_read_or_refused_cleanly(
    tmp_path: Path, utf8: list[str], gbk: list[str], bom: bool
) -> None:
    text = (codecs.BOM_UTF8 if bom else b"") + b"shop,date,uv\n"
    text += "".join(f"{s},2026-10-01,1\n" for s in utf8).encode("utf-8")
    text += "".join(f"{s},2026-10-02,1\n" for s in gbk).encode("gbk")
    path = tmp_path / "mixed.csv"
    path.write_bytes(text)
    try:
        import_files(tmp_path / "home-mixed", "shop_daily", [path])
    except ImportRefused as refused:
        assert all(p.file == "mixed.csv" and p.reason for p in refused.problems)


@FUZZ
@given(
    garbage=st.binary(min_size=1, max_size=4096),
    start=st.sampled_from([b"\xd0\xcf\x11\xe0", b"PK\x03\x04", b""]),
)
def test_garbage_after_a_spreadsheet_signature_is_refused(
    tmp_path: Path, garbage: bytes, start: bytes
) -> None:
    path = tmp_path / "garbage.xls"
    path.write_bytes(start + garbage)
    try:
        import_files(tmp_path / "home-garbage", "shop_daily", [path])
    except ImportRefused as refused:
        assert all(p.file == "garbage.xls" and p.reason for p in refused.problems)


VALID_SHEET = sheet_xml(
    '<row r="1"><c r="A1" t="inlineStr"><is><t>shop</t></is></c><c r="B1" t="inlineStr"><is><t>date</t></is></c>'
    '<c r="C1" t="inlineStr"><is><t>uv</t></is></c></row>'
    '<row r="2"><c r="A2" t="inlineStr"><is><t>S1</t></is></c><c r="B2" t="inlineStr"><is><t>2026-10-01</t></is></c>'
    '<c r="C2"><v>5</v></c></row>'
).encode()


@FUZZ
@given(cut=st.integers(0, len(VALID_SHEET)), junk=st.binary(max_size=24))
def test_malformed_sheet_xml_is_read_or_refused_cleanly(tmp_path: Path, cut: int, junk: bytes) -> None:
    path = write_workbook(
        tmp_path / "malformed.xlsx", VALID_SHEET[:cut] + junk + VALID_SHEET[cut:][: len(junk)]
    )
    try:
        import_files(tmp_path / f"home-{cut}-{junk.hex()}", "shop_daily", [path])
    except ImportRefused as refused:
        assert all(p.file == "malformed.xlsx" and p.reason for p in refused.problems)


def test_sheet_names_come_from_the_workbook_part_alone(tmp_path: Path) -> None:
    book = write_workbook(tmp_path / "book.xlsx", sheet_xml(HEADER))
    assert sheet_names(book) == ("Sheet1",)
    assert sheet_names(write_csv(tmp_path / "not.xlsx", [["a"], ["1"]])) is None  # no zip
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "aaaaaaaaaa">'
        + "".join(
            f'<!ENTITY {b} "{("&" + a + ";") * 10}">' for a, b in zip("abcdefgh", "bcdefghi", strict=True)
        )
        + f']><workbook xmlns="{MAIN}"><sheets><sheet name="&i;"/></sheets></workbook>'
    )
    for part in (laughs, "<workbook", f'<workbook xmlns="{MAIN}">' + " " * (2 << 20) + "</workbook>"):
        with zipfile.ZipFile(tmp_path / "odd.xlsx", "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("xl/workbook.xml", part)
        assert sheet_names(tmp_path / "odd.xlsx") is None
