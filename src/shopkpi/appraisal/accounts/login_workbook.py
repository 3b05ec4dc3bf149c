"""The workbook of handed-out logins (工号, 姓名, 用户名, 初始密码): the only place a one-time password is written."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from io import BytesIO
from pathlib import Path

from django.db import transaction
from openpyxl import Workbook
from openpyxl.styles import Font

from shopkpi.appraisal.accounts.logins import HandedOut
from shopkpi.appraisal.exports import export_cells

COLUMNS = ("工号", "姓名", "用户名", "初始密码")
WIDTHS = (14, 14, 18, 22)


class OutputExists(Exception):
    """The workbook would overwrite a file."""


def workbook(logins: Sequence[HandedOut]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "登录账号"
    sheet.append(COLUMNS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for login in logins:
        sheet.append((login.code, login.name, login.username, login.password))
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.number_format = "@"  # text: a 工号 like 0012 or a password of digits stays as written
    for letter, width in zip("ABCD", WIDTHS, strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    out = BytesIO()
    export_cells.save_workbook(book, out)  # a name like -李四 is quoted; passwords are letters and digits
    return out.getvalue()


def save_new(path: Path, hand_out: Callable[[], list[HandedOut]]) -> list[HandedOut]:
    """Run `hand_out` and write its logins to a new workbook at `path`, all or nothing.

    Refused (OutputExists, nothing changed) when `path` exists. When the workbook cannot be written,
    the logins are not created; when nothing is handed out, no file is written."""
    if path.exists():
        raise OutputExists(str(path))
    written = False
    try:
        with transaction.atomic():
            logins = hand_out()
            if logins:
                content = workbook(logins)
                try:
                    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                except FileExistsError:
                    raise OutputExists(str(path)) from None
                written = True
                with os.fdopen(fd, "wb") as handle:
                    handle.write(content)
                    handle.flush()
                    os.fsync(handle.fileno())
    except BaseException:
        if written:
            path.unlink(missing_ok=True)
        raise
    return logins
