"""Shift calendars: who is on shift on a shared 子账号 (customer-service sub-account), by the hour.

Files are `<home>/shifts/*.xlsx`, one row per weekly shift or per exception, the header on the first row:

    子账号 account   班次 shift   开始 start   结束 end   星期 weekdays   日期 date   工号 employee   生效日期 valid_from   失效日期 valid_to
    店铺:客服1        早班         09:30        16:30      一,三,五                     E101
    店铺:客服1        晚班         16:30        24:00      二,四,六                     E101
    店铺:客服1        晚班         16:30        24:00                      2026-10-07   E102        (an exception: that day only)

A weekly row names its weekdays (一 … 日 or 1 … 7, Monday 1; several separated by commas) and the person
on that shift those days, from valid_from to valid_to (both included; open when empty). An exception row
names one date instead and replaces the weekly person of that shift on that day; with no 工号 nobody is
on that shift that day. A shift keeps its hours (start included, end not; 24:00 is midnight; a shift
does not cross midnight), and the shifts of one account do not overlap.

A row with a time (a chat, an order, an event) of a shared account is credited to the person on shift at
that time: attribution reads it as the account's shift (`店铺:客服1 · 早班`), which the person owns
for that day (`owner_rows`). A row outside every scheduled shift, and every row of a daily report (a
千牛 daily total has no hours to split), stays with the account's owner from `accounts`; the rows
behind a value say so (`rows.Credit.unsplit`).
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from shopkpi.data.imports.file_sandbox import limits_from_environment
from shopkpi.data.imports.workbook_checks import check_xlsx
from shopkpi.data.metrics import attribution as attr
from shopkpi.data.problems import UnreadableFile

FOLDER = "shifts"
KIND = "agent"
COLUMNS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "account": ("子账号", "account"),
        "shift": ("班次", "shift"),
        "start": ("开始", "start"),
        "end": ("结束", "end"),
        "weekdays": ("星期", "weekdays"),
        "date": ("日期", "date"),
        "employee": ("工号", "employee"),
        "valid_from": ("生效日期", "valid_from"),
        "valid_to": ("失效日期", "valid_to"),
    }
)
REQUIRED = ("account", "shift", "start", "end")
_DAYS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "日": 7, "天": 7}
_TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::00)?$")
SEPARATOR = " · "
MAX_ROWS = 20_000  # rows of one uploaded schedule (a shift a row: far more than a shop's accounts need)


@dataclass(frozen=True)
class Shift:
    """One shift of a shared account: its hours in minutes of the day (start included, end not)."""

    account: str
    name: str
    start: int
    end: int

    @property
    def hours(self) -> str:
        return f"{_clock(self.start)}-{_clock(self.end)}"

    @property
    def slot(self) -> str:
        """The account as attribution reads it for a row in this shift."""
        return f"{self.account}{SEPARATOR}{self.name}"


@dataclass(frozen=True)
class Duty:
    """A person on a shift: weekly (`weekdays`) from valid_from to valid_to, or on one `date`."""

    shift: Shift
    employee: str | None
    weekdays: frozenset[int] = frozenset()
    date: dt.date | None = None
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None


@dataclass(frozen=True)
class ShiftCalendar:
    shifts: Mapping[str, Shift]
    """slot → shift."""
    duties: tuple[Duty, ...]

    def __bool__(self) -> bool:
        return bool(self.duties)

    @property
    def accounts(self) -> frozenset[str]:
        return frozenset(s.account for s in self.shifts.values())

    def on_duty(self, shift: Shift, day: dt.date) -> str | None:
        """Who is on `shift` on `day`: the day's exception, else the weekly person."""
        for duty in self.duties:
            if duty.shift == shift and duty.date == day:
                return duty.employee
        for duty in self.duties:
            if (
                duty.shift == shift
                and duty.date is None
                and day.isoweekday() in duty.weekdays
                and (duty.valid_from is None or duty.valid_from <= day)
                and (duty.valid_to is None or day <= duty.valid_to)
            ):
                return duty.employee
        return None

    def schedule(self, first: dt.date, last: dt.date) -> list[tuple[Shift, dt.date, str]]:
        """(shift, day, person) for every day from `first` to `last` someone is on a shift."""
        found = []
        day = first
        while day <= last:
            for shift in self.shifts.values():
                person = self.on_duty(shift, day)
                if person is not None:
                    found.append((shift, day, person))
            day += dt.timedelta(days=1)
        return found


NO_SHIFTS = ShiftCalendar(MappingProxyType({}), ())


class ShiftError(ValueError):
    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = tuple(problems)


def load_shifts(home: Path | None) -> ShiftCalendar:
    """`<home>/shifts/*.xlsx`; ShiftError lists every problem (file, row, column: what to do)."""
    folder = None if home is None else home / FOLDER
    if folder is None or not folder.is_dir():
        return NO_SHIFTS
    problems: list[str] = []
    rows: list[tuple[str, int, dict[str, object]]] = []
    for path in shift_files(folder):
        rows += sheet_rows(path, problems)
    calendar = shift_calendar(rows, problems)
    if problems:
        raise ShiftError(problems)
    return calendar


def shift_files(folder: Path) -> list[Path]:
    """The schedules of `folder` by name (`*.xlsx`, not Excel's `~$` lock files nor hidden files)."""
    if not folder.is_dir():
        return []
    return [
        p
        for p in sorted(folder.iterdir())
        if p.suffix.lower() == ".xlsx" and p.is_file() and not p.name.startswith(("~$", "."))
    ]


def row_dates(values: Mapping[str, object]) -> tuple[dt.date | None, dt.date | None] | None:
    """The first and last day a sheet row puts someone on shift (None: open-ended), or None when its
    dates cannot be read (`shift_calendar` says why)."""
    try:
        day = _date(values.get("date"), "date")
        if day is not None:
            return day, day
        return _date(values.get("valid_from"), "valid_from"), _date(values.get("valid_to"), "valid_to")
    except ValueError:
        return None


def sheet_rows(path: Path, problems: list[str]) -> list[tuple[str, int, dict[str, object]]]:
    """(file, row, values by column) of a kept schedule's first sheet, read here (openpyxl): the file
    was checked in a reading process of its own when it was uploaded (`checked_rows`). A header
    without the required columns, or a file that is not a workbook or too large to read (one placed
    by hand), adds its problem naming the file."""
    from openpyxl import load_workbook

    try:
        # a bomb placed by hand is refused before it is loaded
        check_xlsx(path, limits_from_environment().max_cells)
        book = load_workbook(path, read_only=True, data_only=True)
    except UnreadableFile as error:
        problems.append(f"{path.name}: {error}")
        return []
    except Exception as error:  # openpyxl raises many kinds for a file that is not a workbook
        problems.append(f"{path.name}: not an XLSX workbook ({error})")
        return []
    try:
        lines = enumerate(book.worksheets[0].iter_rows(values_only=True), start=1)
        return _header_rows(path.name, lines, problems)
    except Exception as error:  # a damaged sheet found while reading its rows
        problems.append(f"{path.name}: not an XLSX workbook ({type(error).__name__}: {str(error)[:200]})")
        return []
    finally:
        book.close()


def checked_rows(path: Path, name: str, problems: list[str]) -> list[tuple[str, int, dict[str, object]]]:
    """(file `name`, row, values by column) of an uploaded schedule at `path`, read in a reading
    process of its own with the import's limits (`file_rows.head_rows`), so that no file can take
    this process down; a file that is not an XLSX workbook, or too large or malformed to read, or of
    more than `MAX_ROWS` rows, adds its problem."""
    from shopkpi.data.imports.file_rows import head_rows  # python-calamine: only for an upload

    with path.open("rb") as f:
        if f.read(4) != b"PK\x03\x04":
            problems.append(f"{name}: not an XLSX workbook (it is another kind of file)")
            return []
    try:
        lines = head_rows(path, MAX_ROWS + 2)
    except UnreadableFile as error:
        problems.append(f"{name}: {error}")
        return []
    if len(lines) > MAX_ROWS + 1:
        problems.append(f"{name}: more than {MAX_ROWS} rows; split the schedule into several files")
        return []
    return _header_rows(name, iter(lines), problems)


def _header_rows(
    file: str, lines: Iterator[tuple[int, Sequence[object]]], problems: list[str]
) -> list[tuple[str, int, dict[str, object]]]:
    _, header = next(lines, (1, ()))
    names = {}
    for i, cell in enumerate(header or ()):
        text = "" if cell is None else str(cell).strip()
        for column, aliases in COLUMNS.items():
            if text in aliases:
                names[i] = column
    missing = [COLUMNS[c][0] for c in REQUIRED if c not in names.values()]
    if missing:
        problems.append(f"{file}: row 1: no column {', '.join(missing)} (the header row names the columns)")
        return []
    found = []
    for number, line in lines:
        values = {names[i]: v for i, v in enumerate(line) if i in names and v not in (None, "")}
        if values:
            found.append((file, number, values))
    return found


def shift_calendar(
    rows: Iterable[tuple[str, int, Mapping[str, object]]], problems: list[str]
) -> ShiftCalendar:
    """The calendar of the sheets' rows ((file, row, values by column)); each mistake adds a problem."""
    shifts: dict[str, Shift] = {}
    duties: list[Duty] = []
    for file, number, values in rows:
        where = f"{file}: row {number}"
        missing = [COLUMNS[c][0] for c in REQUIRED if c not in values]
        if missing:
            problems.append(f"{where}: {', '.join(missing)} is empty; give it")
            continue
        try:
            start, end = _minutes(values["start"], "start"), _minutes(values["end"], "end")
            shift = Shift(str(values["account"]).strip(), str(values["shift"]).strip(), start, end)
            if end <= start:
                raise ValueError(
                    f"{COLUMNS['end'][0]} {_clock(end)} is not after {COLUMNS['start'][0]} {_clock(start)}; a shift ends by 24:00"
                )
            known = shifts.setdefault(shift.slot, shift)
            if known != shift:
                raise ValueError(
                    f"{shift.name} of {shift.account} is {known.hours} in an earlier row; one shift keeps its hours"
                )
            duties.append(_duty(shift, values))
        except ValueError as error:
            problems.append(f"{where}: {error}")
    problems += _overlapping(shifts.values()) + _doubled(duties)
    return ShiftCalendar(MappingProxyType(shifts), tuple(duties))


def _duty(shift: Shift, values: Mapping[str, object]) -> Duty:
    employee = None if values.get("employee") is None else str(values["employee"]).strip()
    day = _date(values.get("date"), "date")
    weekdays = _weekdays(values.get("weekdays"))
    if (day is None) == (not weekdays):
        raise ValueError(
            f"give either {COLUMNS['weekdays'][0]} (a weekly shift) or {COLUMNS['date'][0]} (an exception), one of them"
        )
    if day is None and employee is None:
        raise ValueError(f"{COLUMNS['employee'][0]} is empty; a weekly shift names the person on it")
    start, end = _date(values.get("valid_from"), "valid_from"), _date(values.get("valid_to"), "valid_to")
    if start is not None and end is not None and end < start:
        raise ValueError(f"{COLUMNS['valid_to'][0]} is before {COLUMNS['valid_from'][0]}")
    return Duty(shift, employee, weekdays, day, start, end)


def _overlapping(shifts: Iterable[Shift]) -> list[str]:
    problems = []
    ordered = sorted(shifts, key=lambda s: (s.account, s.start))
    for first, second in itertools.pairwise(ordered):
        if first.account == second.account and second.start < first.end:
            problems.append(
                f"shifts {first.name} ({first.hours}) and {second.name} ({second.hours}) of {first.account} overlap"
            )
    return problems


def _doubled(duties: Sequence[Duty]) -> list[str]:
    """Two weekly rows of one shift on the same weekday in overlapping validity, or two exceptions of one day."""
    problems = []
    for i, a in enumerate(duties):
        for b in duties[i + 1 :]:
            if a.shift != b.shift:
                continue
            if a.date is not None and a.date == b.date:
                problems.append(f"{a.shift.slot} has two exceptions on {a.date}")
            elif a.date is None and b.date is None and a.weekdays & b.weekdays and _overlap(a, b):
                problems.append(
                    f"{a.shift.slot} has two people on the same weekday from {max(a.valid_from or dt.date.min, b.valid_from or dt.date.min)}"
                )
    return problems


def _overlap(a: Duty, b: Duty) -> bool:
    return (a.valid_from or dt.date.min) <= (b.valid_to or dt.date.max) and (b.valid_from or dt.date.min) <= (
        a.valid_to or dt.date.max
    )


def _minutes(value: object, column: str) -> int:
    if isinstance(value, dt.datetime):
        value = value.time()
    if isinstance(value, dt.time):
        return value.hour * 60 + value.minute
    match = _TIME.match(str(value).strip())
    if match is None or int(match[1]) > 24 or int(match[2]) > 59 or (int(match[1]) == 24 and int(match[2])):
        raise ValueError(f"{COLUMNS[column][0]} {value!r} is not a time like 09:30 (00:00 to 24:00)")
    return int(match[1]) * 60 + int(match[2])


def _date(value: object, column: str) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip().replace("/", "-")
    try:
        if text.endswith((" 00:00:00", "T00:00:00")):  # a date cell as the import's reader writes it
            text = text[:-9]
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{COLUMNS[column][0]} {value!r} is not a date like 2026-10-07") from None


def _weekdays(value: object) -> frozenset[int]:
    if value is None:
        return frozenset()
    found = set()
    for part in re.split(r"[,，、\s]+", str(value).strip()):
        part = part.removeprefix("星期").removeprefix("周")
        if not part:
            continue
        day = _DAYS.get(part) or (int(part) if part.isdigit() and 1 <= int(part) <= 7 else None)
        if day is None:
            raise ValueError(
                f"{COLUMNS['weekdays'][0]} {value!r}: {part!r} is not a weekday (一 … 日 or 1 … 7)"
            )
        found.add(day)
    return frozenset(found)


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


# ---- SQL ---------------------------------------------------------------------------------------------


def owner_rows(calendar: ShiftCalendar, first: dt.date, last: dt.date) -> list[str]:
    """`_owners` rows (SELECTs to add with UNION ALL): the person on each shift slot, day by day (runs
    of days with the same person in one window)."""
    runs: dict[tuple[str, str], list[list[dt.date]]] = {}
    for shift, day, person in calendar.schedule(first, last):
        found = runs.setdefault((shift.slot, person), [])
        if found and found[-1][1] + dt.timedelta(days=1) == day:
            found[-1][1] = day
        else:
            found.append([day, day])
    return [
        f"SELECT {attr.literal(person)} AS _o_employee, {attr.literal(KIND)} AS _o_kind, {attr.literal(slot)} AS _o_account, "
        f"{attr.date_literal(start)} AS _o_from, {attr.date_literal(end)} AS _o_to"
        for (slot, person), spans in runs.items()
        for start, end in spans
    ]


def account_sql(calendar: ShiftCalendar, account: str, moment: str, first: dt.date, last: dt.date) -> str:
    """The row's account as attribution reads it: its shift slot when the row's time (`moment`, a
    timestamp) falls in a shift someone is on that day, else the account itself."""
    scheduled: dict[str, list[dt.date]] = {}
    for shift, day, _ in calendar.schedule(first, last):
        scheduled.setdefault(shift.slot, []).append(day)
    if not scheduled:
        return account
    minute = f"(EXTRACT(HOUR FROM {moment}) * 60 + EXTRACT(MINUTE FROM {moment}))"
    cases = []
    for slot, days in scheduled.items():
        shift = calendar.shifts[slot]
        listed = ", ".join(attr.date_literal(d) for d in days)
        cases.append(
            f"WHEN {account} = {attr.literal(shift.account)} AND {minute} >= {shift.start} AND {minute} < {shift.end} "
            f"AND CAST({moment} AS DATE) IN ({listed}) THEN {attr.literal(slot)}"
        )
    return f"CASE {' '.join(cases)} ELSE {account} END"
