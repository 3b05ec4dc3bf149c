"""The rows behind a value as a table: the JSON records, CSV and XLSX that `shopkpi metrics --rows`
and the rows page write, one record per source row (`shopkpi.data.metrics.rows`).

A record has the row's metric, period, employee, dataset and day; `part` (its part in the value, a
decimal string) or `excluded` (why it takes none; `calendar` names the exclusion calendar's entry); `source` (file, sheet, row, batch); `credited_by`
(the rule that gave the row to the employee: the owner of the account and the window they owned
it, or the person on shift; an order's credit rule or 静默); and `values`, the columns the metric reads. CSV and XLSX put the values in columns of their own
after the fixed ones (`COLUMNS`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.styles import Font

from shopkpi.appraisal.exports import export_cells
from shopkpi.data.metrics.calendars import Span
from shopkpi.data.metrics.rows import Credit, MetricRow

COLUMNS = (
    "metric",
    "period",
    "employee",
    "dataset",
    "date",
    "part",
    "excluded",
    "file",
    "sheet",
    "row",
    "batch",
    "credited_by",
)


def plain(value: Any) -> Any:
    """A value as JSON carries it: decimals as strings, dates in ISO form."""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def credit_text(credit: Credit) -> str:
    """`owner shop S1 → E1 (…–2026-10-15)`: the rule, the account, its owner and the window; a shift
    (`shift agent A · 早班 09:30-16:30 → E1 (…)`), the credit rule of an order (`; order 1d, chat
    2026-10-10 09:00:00`, `; silent`) and a shared account's row no shift takes (`; not split by shift`)."""
    start = credit.valid_from.isoformat() if credit.valid_from else "…"
    end = credit.valid_to.isoformat() if credit.valid_to else "…"
    account = (
        credit.account if credit.shift is None else f"{credit.account} · {credit.shift} {credit.shift_hours}"
    )
    text = f"{credit.rule} {credit.kind} {account} → {credit.employee} ({start}–{end})"
    if credit.silent:
        text += "; silent"
    if credit.credit_rule is not None or credit.window_days is not None:
        days = "" if credit.window_days is None else f" {credit.window_days}d"
        chat = "" if credit.chat_at is None else f", chat {plain(credit.chat_at)}"
        text += f"; {credit.credit_rule or 'platform'}{days}{chat}"
    if credit.unsplit:
        text += "; shared account, not split by shift"
    return text


def record(row: MetricRow) -> dict[str, Any]:
    credit = row.credited_by
    return {
        "metric": row.metric,
        "period": row.period,
        "employee": row.employee,
        "dataset": row.dataset,
        "date": row.day.isoformat(),
        "part": plain(row.counted),
        "excluded": row.excluded,
        "source": {
            "file": row.source.file,
            "sheet": row.source.sheet,
            "row": row.source.row,
            "batch": row.source.batch,
        },
        "credited_by": {
            "rule": credit.rule,
            "employee": credit.employee,
            "kind": credit.kind,
            "account": credit.account,
            "valid_from": plain(credit.valid_from),
            "valid_to": plain(credit.valid_to),
            "credit_rule": credit.credit_rule,
            "window_days": credit.window_days,
            "chat_at": plain(credit.chat_at),
            "silent": credit.silent,
            "shift": credit.shift,
            "shift_hours": credit.shift_hours,
            "unsplit": credit.unsplit,
        },
        "values": {name: plain(value) for name, value in row.values.items()},
        "calendar": None if row.calendar is None else calendar_record(row.calendar),
        "override": None
        if row.override is None
        else {"credit_to": row.override.credit_to, "reason": row.override.reason},
    }


def calendar_record(span: Span) -> dict[str, Any]:
    """The exclusion calendar entry that leaves a row out."""
    return {
        "calendar": span.calendar,
        "label": span.label_zh,
        "reason": span.reason,
        "from": plain(span.start),
        "to": plain(span.end),
        "hours": span.hours,
    }


def value_columns(rows: Sequence[MetricRow]) -> list[str]:
    """The values' columns of `rows`, in the order they first appear."""
    return list(dict.fromkeys(name for row in rows for name in row.values))


def cells(row: MetricRow, values: Sequence[str]) -> list[Any]:
    """One row of the CSV and XLSX: the fixed columns, then the values in `values`' order."""
    source = row.source
    fixed = [
        row.metric,
        row.period,
        row.employee,
        row.dataset,
        row.day,
        row.counted,
        row.excluded,
        source.file,
        source.sheet,
        source.row,
        source.batch,
        credit_text(row.credited_by),
    ]
    return fixed + [row.values.get(name) for name in values]


def write_csv(rows: Sequence[MetricRow], stream: IO[str]) -> None:
    values = value_columns(rows)
    writer = export_cells.csv_writer(stream, lineterminator="\n")
    writer.writerow([*COLUMNS, *values])
    writer.writerows([plain(c) if c is not None else "" for c in cells(row, values)] for row in rows)


def write_xlsx(
    rows: Sequence[MetricRow], destination: IO[bytes], *, headers: Iterable[str] | None = None
) -> None:
    """The rows as a workbook (one sheet `rows`); `headers` replaces the column names (a page's own
    language), in the same order."""
    values = value_columns(rows)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "rows"
    sheet.append(list(headers) if headers is not None else [*COLUMNS, *values])
    for each in sheet[1]:
        each.font = Font(bold=True)
    for row in rows:
        sheet.append(cells(row, values))  # decimals and dates stay numbers and dates
    sheet.freeze_panes = "A2"
    export_cells.save_workbook(book, destination)
