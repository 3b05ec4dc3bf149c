"""A workbook's structure checked before a reader loads it: what would need absurd memory is refused.

python-calamine allocates a sheet's whole extent at once (32 bytes a cell) and reads the shared
strings whole: a 1.6 KB XLSX whose cells reach XFD1048576 asks for 512 GiB, and a small zip can
unpack to gigabytes. So, before loading (and inside the reading process's limits, see
`file_sandbox`):

- XLSX (a zip): at most `MAX_PARTS` parts; a part larger than `RATIO_FROM` unpacks to at most
  `MAX_RATIO` times its packed size, and all parts together to at most `MAX_UNPACKED` bytes. Every
  part is unpacked once to verify those sizes (a zip can state false ones), chunk by chunk, and
  every worksheet's `<dimension ref>` and the `r="…"` of its `<row>` and `<c>` elements are scanned
  on the way (and the `<row>` elements counted, for rows without `r`): a sheet reaching beyond
  XFD1048576 (Excel's last cell), or whose extent from A1 holds more than `max_cells` cells, is
  refused. The scan takes a quarter to a third of the time python-calamine takes to load the sheet.
- XLS (an OLE2 compound file): the header's sector size and table counts must fit the file.

A refusal is an `UnreadableFile` whose reason starts "file too large or malformed:" and says what
to do (save it again as a new XLSX, or split it).
"""

from __future__ import annotations

import functools
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
# The r="…" of a <row> (digits) or a <c> (letters and digits). Excel, WPS, openpyxl and xlsxwriter
# write ` r="…"` with capitals: then a chunk's last <row> gives its rows, and the chunk is searched
# only for a reference beyond the corner found so far (one pass in an ordinary sheet); any other
# spelling (other spacing or quotes, small letters), and a chunk with many references beyond, have
# every reference read
_LAST_ROW = b'<row r="'
_BROKEN_OTHERWISE = re.compile(rb"[\t\n\r]r\s*=")  # searched only where a tab or line break is
_EVERY_COLUMN = re.compile(rb"\sr\s*=\s*[\"']([A-Za-z]{1,4})")
_EVERY_ROW = re.compile(rb"\sr\s*=\s*[\"'][A-Za-z]{0,4}(\d{1,10})")
_SEARCHES = 64  # references beyond the corner in one chunk before every reference is read instead

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


WORKBOOK_PART_MAX = 1 << 20  # the workbook part names the sheets: a few KB


def sheet_names(path: Path) -> tuple[str, ...] | None:
    """The sheet names of an XLSX from its workbook part alone (read up to WORKBOOK_PART_MAX bytes),
    without loading it; None when it is no workbook this can read."""
    from xml.etree import ElementTree

    try:
        with zipfile.ZipFile(path) as archive, archive.open("xl/workbook.xml") as part:
            xml = part.read(WORKBOOK_PART_MAX + 1)
        if len(xml) > WORKBOOK_PART_MAX:
            return None
        root = ElementTree.fromstring(xml)
    except (OSError, KeyError, ValueError, zipfile.BadZipFile, ElementTree.ParseError, zlib.error):
        return None
    return tuple(
        element.get("name", "")
        for element in root.iter()
        if element.tag.rsplit("}", 1)[-1] == "sheet" and element.get("name") is not None
    )


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
            rows, columns = _corner(data, rows, columns)
            elements += chunk.count(b"<row")  # rows without r="…" count too
            _check_extent(part.filename, max(rows, elements), columns, max_cells)
            tail = data[-_OVERLAP:]


def _corner(data: bytes, rows: int, columns: int) -> tuple[int, int]:
    """The last row and column any reference in `data` reaches, or `rows` and `columns` if larger."""
    if (b"\t" in data or b"\n" in data or b"\r" in data) and _BROKEN_OTHERWISE.search(data):
        return _every_reference(data, rows, columns)
    last = data.rfind(_LAST_ROW)
    if last >= 0:
        digits = re.match(rb"\d{1,10}", data[last + len(_LAST_ROW) : last + len(_LAST_ROW) + 10])
        rows = max(rows, int(digits[0])) if digits else rows
    position = 0
    for _ in range(_SEARCHES):
        found = _beyond(rows, columns).search(data, position)
        if found is None:
            return rows, columns
        if found[1]:
            columns, rows = max(columns, column_number(found[1])), max(rows, int(found[2]))
        elif found[3]:
            rows = max(rows, int(found[3]))
        else:  # spelled otherwise
            break
        position = found.end()
    return _every_reference(data, rows, columns)


def _every_reference(data: bytes, rows: int, columns: int) -> tuple[int, int]:
    columns = max(columns, *map(column_number, set(_EVERY_COLUMN.findall(data))), 0)
    rows = max(rows, *map(int, _EVERY_ROW.findall(data)), 0)
    return rows, columns


@functools.lru_cache(maxsize=256)
def _beyond(rows: int, columns: int) -> re.Pattern[bytes]:
    """An r="…" spelled otherwise (other spacing or quotes, small letters), or in the usual spelling
    one whose column is after `columns` or whose row has more digits than `rows` (a row after it
    with as many digits is left to the memory limit: searching for those too doubles the scan's time)."""
    otherwise = rb"\s|=\s|='|=\"[a-z]"
    later = rb'="(?:(%s)(\d{1,10})|[A-Z]*+(\d{%d,10}))' % (_later_column(columns), len(str(rows)) + 1)
    return re.compile(rb" r(?:%s|%s)" % (otherwise, later))


def _later_column(column: int) -> bytes:
    """A pattern of the column letters after `column`: more letters, or as many and later."""
    letters = column_letters(column).encode()
    options = [b"[A-Z]{%d,4}" % (len(letters) + 1)] if len(letters) < 4 else []
    for i, letter in enumerate(letters):
        if letter < ord("Z"):
            options.append(letters[:i] + b"[%c-Z][A-Z]{%d}" % (letter + 1, len(letters) - i - 1))
    return b"|".join(options) or b"(?!)"


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
