"""Hostile spreadsheets made by hand (imported as `hostile_files` by the data, command and page tests).

Each is small on disk and absurd inside: a sheet that claims or reaches XFD1048576 (python-calamine
would allocate 512 GiB for it and abort the process), a sheet XML or shared strings that unpack a
thousand times, broken zips and XML, an XLS header that claims more than the file holds.
"""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOCUMENT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
_SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
_STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
_BOOK_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
HEADER = '<row r="1"><c r="A1" t="inlineStr"><is><t>shop</t></is></c><c r="B1" t="inlineStr"><is><t>date</t></is></c></row>'


def sheet_xml(rows: str, dimension: str | None = None) -> str:
    """A worksheet whose <sheetData> is `rows` (row elements), with a <dimension ref> when given."""
    claimed = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}">{claimed}'
        f"<sheetData>{rows}</sheetData></worksheet>"
    )


def write_workbook(path: Path, sheet: str | bytes, shared_strings: str | bytes | None = None) -> Path:
    """An XLSX with one sheet (and shared strings when given), its parts deflated as Excel does."""
    strings_type = f'<Override PartName="/xl/sharedStrings.xml" ContentType="{_STRINGS_TYPE}"/>'
    strings_rel = f'<Relationship Id="rId2" Type="{_DOCUMENT}/sharedStrings" Target="sharedStrings.xml"/>'
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr(
            "[Content_Types].xml",
            f'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="{_TYPES}">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{_BOOK_TYPE}"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_SHEET_TYPE}"/>'
            f"{strings_type if shared_strings is not None else ''}</Types>",
        )
        archive.writestr(
            "_rels/.rels",
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_RELS}">'
            f'<Relationship Id="rId1" Type="{_DOCUMENT}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>",
        )
        archive.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{_DOCUMENT}">'
            '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_RELS}">'
            f'<Relationship Id="rId1" Type="{_DOCUMENT}/worksheet" Target="worksheets/sheet1.xml"/>'
            f"{strings_rel if shared_strings is not None else ''}</Relationships>",
        )
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
        if shared_strings is not None:
            archive.writestr("xl/sharedStrings.xml", shared_strings)
    return path


def dimension_bomb(path: Path) -> Path:
    """The issue's file: a sheet of two cells whose cells reach XFD1048576, and which says so."""
    far = '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    return write_workbook(path, sheet_xml(HEADER + far, dimension="A1:XFD1048576"))


def claimed_dimension(path: Path) -> Path:
    """Only the <dimension> claims A1:XFD1048576; the cells are two."""
    return write_workbook(path, sheet_xml(HEADER, dimension="A1:XFD1048576"))


def far_cell(path: Path, reference: str) -> Path:
    """A header and one cell at `reference` (e.g. XFD1, A1048577), no <dimension>."""
    far = f'<row r="2"><c r="{reference}" t="inlineStr"><is><t>x</t></is></c></row>'
    return write_workbook(path, sheet_xml(HEADER + far))


def zip_bomb(path: Path, megabytes: int = 300) -> Path:
    """A sheet XML of `megabytes` MB of one repeated row: it packs to about a thousandth of that."""
    row = b'<row><c t="inlineStr"><is><t>S1</t></is></c><c><v>1</v></c></row>'
    body = row * ((megabytes << 20) // len(row))
    head = f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}"><sheetData>'.encode()
    return write_workbook(path, head + HEADER.encode() + body + b"</sheetData></worksheet>")


def shared_strings_bomb(path: Path, megabytes: int = 300) -> Path:
    """A small sheet whose shared strings are one string of `megabytes` MB of the same letter."""
    text = b"A" * (megabytes << 20)
    strings = (
        f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}" count="1" uniqueCount="1"><si><t>'.encode()
        + text
        + b"</t></si></sst>"
    )
    return write_workbook(path, sheet_xml(HEADER + '<row r="2"><c r="A2" t="s"><v>0</v></c></row>'), strings)


def xls_header(path: Path, fat_sectors: int, sector_shift: int = 9) -> Path:
    """An OLE2 compound file header (what an XLS starts with) claiming `fat_sectors` FAT sectors."""
    header = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        b"\0" * 16,
        0x3E,
        3,
        0xFFFE,
        sector_shift,
        6,
        b"\0" * 6,
        0,
        fat_sectors,
        1,
        0,
        4096,
        0xFFFFFFFE,
        0,
        0xFFFFFFFE,
        0,
    )
    path.write_bytes(header + b"\xff" * (512 - len(header)) + b"\0" * 4096)
    return path
