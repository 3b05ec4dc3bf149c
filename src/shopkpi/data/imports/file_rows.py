"""Rows of cells from an export file, streamed: CSV (UTF-8, UTF-8-BOM, UTF-16 with BOM, GBK/GB18030),
XLSX and XLS (python-calamine), and the ".xls" files that are really HTML tables.

The format is taken from the file's bytes, not its name. Every row comes with its spreadsheet row
number (1 = the file's first row) so that problems point where a person looks in Excel. A file
that cannot be read raises `UnreadableFile` with a reason a person can act on; a workbook whose
structure would need absurd memory is refused before it is loaded (`workbook_checks`). Hostile
files are read in a process of their own (`file_sandbox`), not here.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import itertools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import IO, Any

import python_calamine

from shopkpi.data.imports.file_sandbox import Limits, limits_from_environment, read_in_sandbox
from shopkpi.data.imports.workbook_checks import check_xls, check_xlsx
from shopkpi.data.problems import UnreadableFile

Cell = str | None  # an empty cell is None or ""
Row = tuple[int, Sequence[Cell]]
ProgressCallback = Callable[[int], None]  # bytes read so far

_CHUNK = 1 << 20
_SAMPLE = 64 * 1024
DEFAULT_MAX_CELLS = Limits().max_cells  # what the default SHOPKPI_IMPORT_MEMORY_MB allows


@dataclass
class FileRows:
    """The rows of one file. `rows` is a one-shot iterator; `encoding` and `delimiter` are set for
    delimited text."""

    format: str
    rows: Iterator[Row]
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    """A workbook's sheet read (the first visible one)."""


def open_rows(
    path: Path, on_progress: ProgressCallback | None = None, *, max_cells: int = DEFAULT_MAX_CELLS
) -> FileRows:
    """The file's rows; a workbook whose sheet's extent holds more than `max_cells` cells is refused."""
    with path.open("rb") as f:
        head = f.read(_SAMPLE)
    if not head.strip():
        raise UnreadableFile("the file is empty")
    if head.startswith(b"PK\x03\x04"):
        check_xlsx(path, max_cells)
        return _excel_rows(path, "xlsx")
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        check_xls(path)
        return _excel_rows(path, "xls")
    encoding = detect_encoding(path, head)
    text_head = head.decode(encoding, errors="replace").lstrip("\ufeff \t\r\n").lower()
    if text_head.startswith("<") and "<table" in text_head:
        return FileRows(f"html ({encoding})", _html_rows(path, encoding, on_progress))
    delimiter = guess_delimiter(head, encoding)
    return FileRows(
        f"csv ({encoding})", _csv_rows(path, encoding, delimiter, on_progress), encoding, delimiter
    )


def head_rows(path: Path, count: int, *, limits: Limits | None = None) -> list[Row]:
    """The file's first `count` rows, read in a process of its own (`file_sandbox`, like every
    reading of an imported file); UnreadableFile when it cannot be read."""
    limits = limits or limits_from_environment()
    rows = read_in_sandbox(_head_rows_here, path, count, limits.max_cells, limits=limits)
    return [(number, cells) for number, cells in rows]


def _head_rows_here(path: Path, count: int, max_cells: int, on_progress: ProgressCallback) -> list[Row]:
    try:
        opened = open_rows(path, max_cells=max_cells)
    except OSError as error:
        raise UnreadableFile(f"cannot read the file: {error.strerror or error}") from None
    head = list(itertools.islice(opened.rows, count))
    close = getattr(opened.rows, "close", None)
    if close is not None:
        close()
    return head


def detect_encoding(path: Path, head: bytes) -> str:
    """utf-8-sig / utf-16 by their BOM; utf-8 if the whole file decodes as UTF-8; else gb18030
    (which the read then checks strictly)."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in head:
        raise UnreadableFile("not a text file (it contains NUL bytes) and not an Excel file")
    decoder = codecs.getincrementaldecoder("utf-8")(errors="strict")
    try:
        with path.open("rb") as f:
            while chunk := f.read(_CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8"


def _describe(encoding: str) -> str:
    return "GBK/GB18030" if encoding == "gb18030" else encoding.upper()


class _CountingReader(io.RawIOBase):
    def __init__(self, raw: IO[bytes], on_progress: ProgressCallback | None) -> None:
        self._raw = raw
        self._on_progress = on_progress
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self._raw.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        self.count += n
        if self._on_progress is not None:
            self._on_progress(self.count)
        return n

    def close(self) -> None:
        self._raw.close()
        super().close()


def counting_stream(path: Path, on_progress: ProgressCallback | None) -> io.BufferedReader:
    """The file's bytes, reporting how many were read so far to `on_progress`."""
    return io.BufferedReader(_CountingReader(path.open("rb"), on_progress), _CHUNK)


def _text_stream(path: Path, encoding: str, on_progress: ProgressCallback | None) -> io.TextIOWrapper:
    return io.TextIOWrapper(
        counting_stream(path, on_progress), encoding=encoding, errors="strict", newline=""
    )


def guess_delimiter(head: bytes, encoding: str) -> str:
    """Tab or comma: whichever the first lines hold more of."""
    lines = head.decode(encoding, errors="replace").splitlines()[:30]
    tabs = sum(line.count("\t") for line in lines)
    commas = sum(line.count(",") for line in lines)
    return "\t" if tabs > commas else ","


def _csv_rows(
    path: Path, encoding: str, delimiter: str, on_progress: ProgressCallback | None
) -> Iterator[Row]:
    number = 0
    with _text_stream(path, encoding, on_progress) as text:
        reader = csv.reader(text, delimiter=delimiter, strict=False)
        try:
            for record in reader:
                number += 1
                if any("\x00" in cell for cell in record):
                    raise UnreadableFile("the file contains NUL characters (not a text table)", number + 1)
                yield number, record  # empty cells stay "": blank text is no value downstream
        except UnicodeDecodeError:
            if not number:  # the text is decoded in chunks: rows up to `number` were read, no exact row
                raise UnreadableFile(
                    f"the file is neither UTF-8 nor GBK/GB18030 text (read as {_describe(encoding)})"
                ) from None
            raise UnreadableFile(
                f"the file is neither UTF-8 nor GBK/GB18030 text (read as {_describe(encoding)}, "
                f"invalid bytes after row {number})",
                number + 1,
            ) from None
        except csv.Error as error:
            raise UnreadableFile(f"not a readable CSV table: {error}", number + 1) from None


def excel_cell_text(value: object) -> Cell:
    """Text of a cell as python-calamine returns it (numbers without a spurious `.0`)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e16:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value.total_seconds())
    return str(value)


def _excel_rows(path: Path, kind: str) -> FileRows:
    try:
        workbook = python_calamine.CalamineWorkbook.from_path(str(path))
        sheets = [m for m in workbook.sheets_metadata if str(m.visible).endswith("Visible")]
        sheet = workbook.get_sheet_by_name(sheets[0].name) if sheets else workbook.get_sheet_by_index(0)
        rows = sheet.iter_rows()
    except BaseException as error:  # calamine raises several types (and panics) on broken files
        _reraise_fatal(error)
        raise UnreadableFile(f"not a readable {kind.upper()} workbook: {_short(error)}") from None
    return FileRows(kind, _excel_cells(rows, kind), sheet=str(sheet.name))


def _excel_cells(rows: Iterator[Any], kind: str) -> Iterator[Row]:
    index = 0
    while True:
        try:
            values = next(rows)
        except StopIteration:
            return
        except Exception as error:
            raise UnreadableFile(
                f"not a readable {kind.upper()} workbook: {_short(error)}", index + 1
            ) from None
        index += 1
        yield index, [excel_cell_text(v) for v in values]


def _reraise_fatal(error: BaseException) -> None:
    """python-calamine reports some broken files with a Rust panic (a BaseException); an interrupt
    or exit must still go through."""
    if isinstance(error, KeyboardInterrupt | SystemExit | GeneratorExit | MemoryError):
        raise error


def _short(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return (text[0] if text else type(error).__name__)[:200]


class _TableParser(HTMLParser):
    """Collects the text of every <tr>'s <td>/<th> cells; completed rows wait in `rows`."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[list[Cell]] = []
        self._row: list[Cell] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self._end_row()
            self._row = []
        elif tag in ("td", "th"):
            self._end_cell()
            if self._row is None:
                self._row = []
            self._cell = []
        elif tag == "br" and self._cell is not None:
            self._cell.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th"):
            self._end_cell()
        elif tag == "tr" or tag == "table":
            self._end_row()

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)

    def _end_cell(self) -> None:
        if self._cell is not None and self._row is not None:
            text = " ".join("".join(self._cell).split())
            self._row.append(text or None)
        self._cell = None

    def _end_row(self) -> None:
        self._end_cell()
        if self._row is not None:
            self.rows.append(self._row)
        self._row = None


def _html_rows(path: Path, encoding: str, on_progress: ProgressCallback | None) -> Iterator[Row]:
    parser = _TableParser()
    number = 0
    with _text_stream(path, encoding, on_progress) as text:
        while True:
            try:
                chunk = text.read(_CHUNK)
            except UnicodeDecodeError:
                raise UnreadableFile(
                    f"the file is neither UTF-8 nor GBK/GB18030 text (read as {_describe(encoding)})"
                ) from None
            if not chunk:
                break
            parser.feed(chunk)
            for cells in parser.rows:
                number += 1
                yield number, cells
            parser.rows.clear()
        parser.close()
        parser._end_row()
        for cells in parser.rows:
            number += 1
            yield number, cells
