"""The direct way to read a UTF-8 CSV: DuckDB's own CSV reader, in this process, straight into the
validation query (`validation`), with no staged copy of the cells in between.

It applies only where it gives exactly the rows the ordinary way (`staging`, in a reading process
of its own) would, row numbers included: UTF-8 text without blank lines, NUL bytes or lone carriage
returns, whose first rows (the header search) lie within the first HEAD_BYTES and hold no line
break inside a cell up to the header. The head is read here with Python's csv module from those
bytes only, so a hostile file costs this process at most HEAD_BYTES; the rest is read by DuckDB under
the connection's memory limit. A row DuckDB cannot take as it is (wider or narrower than the header,
a stray quote, a line over its limit) makes the validation give up on this way (`DirectReadFailed`),
and the file is staged the ordinary way, which reports such rows precisely.

Rows keep their place: DuckDB inserts them in file order (insertion order preserved), so a row's
spreadsheet number is the header's plus its position; blank rows and the profile's summary rows are
flagged (`_blank`, `_summary`), not dropped, and left out where the rows are read.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from shopkpi.data.imports.file_rows import Row, guess_delimiter
from shopkpi.data.imports.profile_match import HeaderFit
from shopkpi.data.imports.value_sql import quote

HEAD_BYTES = 1 << 20
_CHUNK = 1 << 20  # hashed and scanned while in the processor's cache
_NOT_SIMPLE_CR = (b"\n\r\n", b"\r\r")  # blank lines with carriage returns
_NOT_TEXT = (
    b"PK\x03\x04",
    b"\xd0\xcf\x11\xe0",
    codecs.BOM_UTF16_LE,
    codecs.BOM_UTF16_BE,
)  # workbooks, UTF-16
_BLANK_LINE = re.compile(b"\n\n")  # (twice as fast as `in` on rows of a few dozen bytes)
# what counts as space around a summary row's label (Python's str.strip() for the cells of a CSV)
_SPACES = " \t\r\n\u3000\u00a0\x0b\x0c"


class DirectReadFailed(Exception):
    """DuckDB could not read the file as the head promised: stage it the ordinary way instead."""


@dataclass(frozen=True)
class DirectCsv:
    """A CSV DuckDB reads directly: where it is, its delimiter and the rows searched for the header."""

    path: Path
    delimiter: str
    encoding: str
    head: tuple[Row, ...]


def probe(path: Path, search_rows: int) -> DirectCsv | None:
    """The file's head when the direct way may apply (see the module docstring), else None."""
    try:
        with path.open("rb") as f:
            prefix = f.read(HEAD_BYTES + 1)
    except OSError:
        return None
    whole = len(prefix) <= HEAD_BYTES
    if prefix.startswith(_NOT_TEXT):
        return None
    encoding = "utf-8-sig" if prefix.startswith(codecs.BOM_UTF8) else "utf-8"
    try:
        text = codecs.getincrementaldecoder(encoding)(errors="strict").decode(
            prefix[:HEAD_BYTES], final=whole
        )
    except UnicodeDecodeError:
        return None
    shown = text.lstrip("\ufeff \t\r\n")
    if not shown or (shown.startswith("<") and "<table" in shown.lower()):  # (an HTML table)
        return None
    delimiter = guess_delimiter(prefix[:HEAD_BYTES], encoding)
    if not whole:
        text = text[: text.rfind("\n") + 1]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    try:
        records = list(itertools.islice(reader, search_rows + 1))
    except csv.Error:
        return None
    if not whole and len(records) <= search_rows:
        return None  # the head does not lie within HEAD_BYTES
    head = tuple((n, record) for n, record in enumerate(records[:search_rows], start=1))
    if any(cell and "\x00" in cell for _, cells in head for cell in cells):
        return None
    return DirectCsv(path, delimiter, encoding, head)


def applies(direct: DirectCsv, header_row: int, simple_lines: bool | None = None) -> bool:
    """True when DuckDB's rows are exactly the ordinary way's: the file has no blank lines, NUL bytes
    or lone carriage returns (`simple_lines`, when `scan_file` has looked already), and no cell up to
    the header spans lines. (DuckDB refuses bytes that are not UTF-8 itself: then the file is staged
    the ordinary way, which reads GBK.)"""
    for number, cells in direct.head:
        if number <= header_row and any(c and ("\n" in c or "\r" in c) for c in cells):
            return False
    if simple_lines is None:
        try:
            simple_lines = scan_file(direct.path).simple_lines
        except OSError:
            return False
    return simple_lines


@dataclass(frozen=True)
class ScannedFile:
    """What one pass over a file's bytes found."""

    sha256: str
    simple_lines: bool  # no blank lines, NUL bytes or lone carriage returns: DuckDB may read it (`applies`)


def scan_file(path: Path) -> ScannedFile:
    """The file's SHA-256 and whether its lines are simple, in one pass over its bytes (a chunk is
    hashed and scanned while it is in the cache); OSError if it cannot be read. A workbook's bytes
    are only hashed: DuckDB never reads one."""
    digest = hashlib.sha256()
    lines = _Lines()
    with path.open("rb") as f:
        first = True
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
            if first and chunk.startswith(_NOT_TEXT):
                lines.simple = False
            first = False
            if lines.simple:
                lines.feed(chunk)
    return ScannedFile(digest.hexdigest(), lines.simple)


class _Lines:
    """Whether the chunks fed so far have only simple lines (see `applies`)."""

    def __init__(self) -> None:
        self.simple = True
        self._tail = b""

    def feed(self, chunk: bytes) -> None:
        window = self._tail + chunk  # (a blank line may fall across two chunks)
        if b"\x00" in window or _BLANK_LINE.search(window):
            self.simple = False
        elif b"\r" in window and (
            any(marker in window for marker in _NOT_SIMPLE_CR)
            or window.count(b"\r") != window.count(b"\r\n") + window[-1:].count(b"\r")
        ):
            self.simple = False  # a lone carriage return ends a row for Python, not always for DuckDB
        self._tail = chunk[-2:]


def read_sql(direct: DirectCsv, fit: HeaderFit) -> str:
    """DuckDB's read of the data rows, from the row after the header: text columns c0, c1 … in file
    order; a row of another width is refused."""
    columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(fit.width)) + "}"
    return (
        f"read_csv({quote(str(direct.path))}, auto_detect = false, header = false, "
        f"skip = {fit.header_row or 0}, delim = {quote(direct.delimiter)}, quote = '\"', escape = '\"', "
        f"columns = {columns}, strict_mode = true, null_padding = false, encoding = 'utf-8')"
    )


def relation_sql(direct: DirectCsv, fit: HeaderFit, sources: Sequence[tuple[str, int]]) -> str:
    """The data rows as a FROM item: each source column (text), `_blank` for a row of empty cells and
    `_summary` for a profile's summary row (千牛's 汇总值 …), in file order from the row after the
    header; DuckDB refuses a row of another width."""
    width = fit.width
    read = read_sql(direct, fit)
    blank = " AND ".join(f"coalesce(c{i}, '') = ''" for i in range(width)) or "true"
    summaries: list[str] = []
    for rule in fit.profile.skip_rows:
        index = fit.columns.get(rule.column)
        if index is None:
            continue
        text = f"trim(c{index}, {quote(_SPACES)})"
        tests = [f"{text} IN ({', '.join(quote(v) for v in rule.values)})"] if rule.values else []
        tests += [f"starts_with({text}, {quote(p)})" for p in rule.prefixes]
        if tests:
            summaries.append(f"(coalesce(c{index}, '') <> '' AND ({' OR '.join(tests)}))")
    summary = " OR ".join(summaries) or "false"
    selected = "".join(f'c{index} AS "{name}", ' for name, index in sources)
    return f"(SELECT {selected}({blank}) AS _blank, NOT ({blank}) AND ({summary}) AS _summary FROM {read})"
