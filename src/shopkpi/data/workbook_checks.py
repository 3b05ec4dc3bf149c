"""A workbook's structure checked before a reader loads it: what would need absurd memory is refused.

python-calamine allocates a sheet's whole extent at once (32 bytes a cell) and reads the shared
strings whole: a 1.6 KB XLSX whose cells reach XFD1048576 asks for 512 GiB, and a small zip can
unpack to gigabytes. So, before loading (and inside the reading process's limits, see
`file_sandbox`):

- XLSX (a zip): at most `MAX_PARTS` parts; a part larger than `RATIO_FROM` unpacks to at most
  `MAX_RATIO` times its packed size, and all parts together to at most `MAX_UNPACKED` bytes. Every
  part is unpacked once to verify those sizes (a zip can state false ones), chunk by chunk, and
  every worksheet's `<dimension ref>` and the `r="…"` of each `<row>` and `<c>` are scanned on the
  way (and the `<row>` elements counted, for rows without `r`): a sheet reaching beyond XFD1048576
  (Excel's last cell), or whose extent from A1 holds more than `max_cells` cells, is refused.
- XLS (an OLE2 compound file): the header's sector size and table counts must fit the file.

A refusal is an `UnreadableFile` whose reason starts "file too large or malformed:" and says what
to do (save it again as a new XLSX, or split it).
"""

from __future__ import annotations

import re
import struct
import zipfile
import zlib
from pathlib import Path

from shopkpi.data.problems import UnreadableFile

MAX_PARTS = 10_000
MAX_RATIO = 100  # real sheets pack 10-30 times; zip bombs a thousand times and more
RATIO_FROM = 1 << 20
MAX_UNPACKED = 4 << 30
EXCEL_ROWS = 1_048_576
EXCEL_COLUMNS = 16_384  # XFD

_CHUNK = 1 << 22
_OVERLAP = 32  # longer than any reference the scans match, so none is lost between two chunks
_SHEET = re.compile(r"(^|/)worksheets/[^/]+\.xml$", re.IGNORECASE)
_DIMENSION = re.compile(
    rb"<(?:[\w.-]+:)?dimension\s[^>]{0,200}?ref=[\"']([A-Za-z]{0,4})(\d{0,10})(?::([A-Za-z]{1,4})(\d{1,10}))?"
)
# the r attribute of a <row> (digits) or a <c> (letters and digits); Excel, WPS, openpyxl and
# xlsxwriter all write ` r="…"`, other spacing or quotes take the general (slower) patterns
_FAST = (re.compile(rb' r="([A-Za-z]{1,4})'), re.compile(rb' r="[A-Za-z]{0,4}(\d{1,10})'))
_GENERAL = (
    re.compile(rb"\sr\s*=\s*[\"']([A-Za-z]{1,4})"),
    re.compile(rb"\sr\s*=\s*[\"'][A-Za-z]{0,4}(\d{1,10})"),
)
_ROW_TAGS = (b"<row ", b"<row>", b":row ", b":row>")
_UNUSUAL = (b"\tr", b"\nr", b"\rr", b" r ", b" r='")

_OLE_HEADER = struct.Struct("<8s16sHHHHH6sIIIIIIIII")


def column_number(letters: bytes) -> int:
    """A=1, Z=26, AA=27, XFD=16384."""
    number = 0
    for letter in letters.upper():
        number = number * 26 + letter - 64
    return number


def column_letters(number: int) -> str:
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def check_xlsx(path: Path, max_cells: int) -> None:
    """Refuse an XLSX whose parts or sheets are absurd (UnreadableFile); return when it may be loaded."""
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
            if len(parts) > MAX_PARTS:
                raise UnreadableFile(
                    f"file too large or malformed: the workbook has {len(parts):,} parts (at most "
                    f"{MAX_PARTS:,}); "
                    "save it as a new XLSX in Excel, or split it into smaller files"
                )
            _check_sizes(parts)
            for part in parts:
                _unpack(archive, part, max_cells)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, zlib.error, EOFError) as error:
        raise UnreadableFile(
            f"file too large or malformed: the workbook is damaged ({str(error)[:200]}); "
            "save it as a new XLSX in Excel, or split it into smaller files"
        ) from None


def _check_sizes(parts: list[zipfile.ZipInfo]) -> None:
    total = 0
    for part in parts:
        total += part.file_size
        if part.file_size > RATIO_FROM and part.file_size > MAX_RATIO * max(part.compress_size, 1):
            ratio = part.file_size // max(part.compress_size, 1)
            raise UnreadableFile(
                f"file too large or malformed: part {part.filename} unpacks to {ratio:,} times its "
                f"packed size (at most {MAX_RATIO}); "
                "save it as a new XLSX in Excel, or split it into smaller files"
            )
    if total > MAX_UNPACKED:
        raise UnreadableFile(
            f"file too large or malformed: the workbook unpacks to {total >> 20:,} MB (at most "
            f"{MAX_UNPACKED >> 20:,} MB); "
            "save it as a new XLSX in Excel, or split it into smaller files"
        )


def _unpack(archive: zipfile.ZipFile, part: zipfile.ZipInfo, max_cells: int) -> None:
    """Read the part through (zipfile stops at its stated size and checks its CRC); scan a sheet."""
    sheet = _SHEET.search(part.filename) is not None
    rows = columns = elements = 0
    tail = b""
    with archive.open(part) as stream:
        while chunk := stream.read(_CHUNK):
            if not sheet:
                continue
            data = tail + chunk
            if not tail and (dimension := _DIMENSION.search(data, 0, 1 << 16)) is not None:
                for col, row in ((dimension[1], dimension[2]), (dimension[3], dimension[4])):
                    columns = max(columns, column_number(col or b""))
                    rows = max(rows, int(row or 0))
            column_pattern, row_pattern = _GENERAL if any(m in data for m in _UNUSUAL) else _FAST
            columns = max(columns, *map(column_number, set(column_pattern.findall(data))), 0)
            rows = max(rows, *map(int, row_pattern.findall(data)), 0)
            elements += sum(chunk.count(tag) for tag in _ROW_TAGS)  # rows without r="…" count too
            _check_extent(part.filename, max(rows, elements), columns, max_cells)
            tail = data[-_OVERLAP:]


def _check_extent(sheet: str, rows: int, columns: int, max_cells: int) -> None:
    corner = f"{column_letters(columns)}{rows}"
    if rows > EXCEL_ROWS or columns > EXCEL_COLUMNS:
        raise UnreadableFile(
            f"file too large or malformed: sheet {sheet} reaches cell {corner}, beyond XFD1048576 "
            f"(the last cell of an Excel sheet); "
            "save it as a new XLSX in Excel, or split it into smaller files"
        )
    if rows * columns > max_cells:
        raise UnreadableFile(
            f"file too large or malformed: sheet {sheet} reaches cell {corner} ({rows:,} rows × "
            f"{columns:,} columns), more than the {max_cells:,} cells an import reads; "
            "save it as a new XLSX in Excel, or split it into smaller files"
        )


def check_xls(path: Path) -> None:
    """Refuse an XLS whose compound-file header cannot describe a file of this size."""
    size = path.stat().st_size
    with path.open("rb") as f:
        head = f.read(_OLE_HEADER.size)
    if len(head) < _OLE_HEADER.size:
        raise UnreadableFile(
            "file too large or malformed: the XLS file is cut short; "
            "save it as a new XLSX in Excel, or split it into smaller files"
        )
    fields = _OLE_HEADER.unpack(head)
    shift = fields[5]
    if shift not in (9, 12):
        raise UnreadableFile(
            f"file too large or malformed: the XLS file's header is damaged (sector size 2^{shift}); "
            "save it as a new XLSX in Excel, or split it into smaller files"
        )
    sectors = size >> shift
    directory, fat, minifat, difat = fields[8], fields[9], fields[14], fields[16]
    for claimed in (directory, fat, minifat, difat):
        if claimed > sectors + 1:
            raise UnreadableFile(
                f"file too large or malformed: the XLS file's header claims {claimed:,} sectors in a "
                f"file of {sectors:,}; "
                "save it as a new XLSX in Excel, or split it into smaller files"
            )
