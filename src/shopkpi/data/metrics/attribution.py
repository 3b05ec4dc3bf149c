"""Attribution: which employee a dataset row belongs to, as SQL the metric compiler places in its query.

A row belongs to the employee who owned its account (shop, agent, campaign, sns account, category,
task assignee) on the row's date, from `accounts`: validity windows include both ends and are
open-ended when empty, so a shop handed over on the 16th gives the first operator the 1st-15th and
the second the 16th-31st. The row's date is `date`, or the day of `created_at` (orders), of `ts`
(traffic_events), of `due_at` (tasks): whatever the dataset registry names as its `date_column`.

A row covering a date range (`date_from` to `date`, a 千牛 export for a whole month) belongs to
whoever owned the account on the range's last day; if the account changed hands inside the range
the row is still attributed that way but reported (`RangeCrossing`). Rows no one owned are kept
out of every employee's values and reported (`UnownedRows`: how many, which accounts).

`scope: team` metrics use the reporting lines of `employees.supervisor`: a manager's team is
everyone who reports to them directly or not (the manager's own accounts are not included; add the
employee metric for that). The organisation snapshot registers them as the table `_reports`
(`OrganisationSnapshot.reporting_lines`: no recursive SQL, which not every engine runs alike).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from shopkpi.data.datasets import Dataset

OWNERS = "_owners"
REPORTS = "_reports"
"""(_manager, _member): every (manager, direct or indirect report) pair, registered with the organisation."""
RANGE_START_COLUMN = "date_from"


@dataclass(frozen=True)
class UnownedRows:
    """Rows of a dataset in the period whose account no one owned on the row's date."""

    dataset: str
    kind: str
    rows: int
    accounts: tuple[str, ...]

    def __str__(self) -> str:
        shown = ", ".join(self.accounts[:10]) + (" …" if len(self.accounts) > 10 else "")
        return f"{self.rows} {self.dataset} rows belong to no one ({self.kind} accounts: {shown or 'blank'})"


@dataclass(frozen=True)
class RangeCrossing:
    """Rows covering a date range during which their account changed hands, attributed to `employee`."""

    dataset: str
    kind: str
    employee: str
    rows: int
    accounts: tuple[str, ...]

    def __str__(self) -> str:
        return (
            f"{self.rows} {self.dataset} rows cover a date range across a hand-over of "
            f"{self.kind} {', '.join(self.accounts)}; attributed to {self.employee}, the owner on the last day"
        )


def quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def date_literal(day: date) -> str:
    return f"DATE '{day.isoformat()}'"


FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2299, 12, 31)
"""An open window's ends: the widest range every engine's date type holds (ClickHouse's Date32)."""


def owners_cte(extra: Sequence[tuple[str, str, str]] = (), more: Sequence[str] = ()) -> str:
    """`_owners`: accounts with closed windows (`_o_from`..`_o_to`, both days included), the `extra`
    (employee, kind, account) owned every day (a re-credited row's account, `row_overrides`), and
    `more` rows of those columns (SELECTs: the people on shift slots day by day, `shifts`)."""
    accounts = (
        f"SELECT employee AS _o_employee, kind AS _o_kind, account AS _o_account, "
        f"coalesce(valid_from, {date_literal(FIRST_DAY)}) AS _o_from, "
        f"coalesce(valid_to, {date_literal(LAST_DAY)}) AS _o_to FROM accounts"
    )
    added = [
        f"SELECT {literal(e)}, {literal(k)}, {literal(a)}, {date_literal(FIRST_DAY)}, {date_literal(LAST_DAY)}"
        for e, k, a in extra
    ]
    return f"{OWNERS} AS ({' UNION ALL '.join([accounts, *added, *more])})"


def row_date(dataset: Dataset, alias: str) -> str:
    """The SQL date of a row of `dataset` (the day of a timestamp)."""
    if dataset.date_column is None:
        raise ValueError(f"dataset {dataset.name} has no date column")
    column = f"{alias}.{quoted(dataset.date_column)}"
    if dataset.column(dataset.date_column).type == "timestamp":
        return f"CAST({column} AS DATE)"
    return column


def in_dates(dataset: Dataset, alias: str, first: date, last: date) -> str:
    """Rows dated `first`..`last`, written on the raw column so Parquet statistics can skip files."""
    if dataset.date_column is None:
        raise ValueError(f"dataset {dataset.name} has no date column")
    column = f"{alias}.{quoted(dataset.date_column)}"
    if dataset.column(dataset.date_column).type == "timestamp":
        after = last + timedelta(days=1)
        return f"{column} >= TIMESTAMP '{first.isoformat()} 00:00:00' AND {column} < TIMESTAMP '{after.isoformat()} 00:00:00'"
    return f"{column} BETWEEN {date_literal(first)} AND {date_literal(last)}"


def owner_join(
    kind: str, account: str, day: str, alias: str = "o", *, keep_unowned: bool = True, owners: str = OWNERS
) -> str:
    """The join of the owner of `account` (SQL) of `kind` on `day` (SQL date): a LEFT JOIN, unowned rows
    keeping a NULL owner, or (`keep_unowned=False`) an inner join that leaves them out. `owners` is
    `_owners` or a CTE with its columns and more."""
    join = "LEFT JOIN" if keep_unowned else "JOIN"
    return (
        f"{join} {owners} AS {alias} ON {alias}._o_kind = {literal(kind)} AND {alias}._o_account = {account} "
        f"AND {day} BETWEEN {alias}._o_from AND {alias}._o_to"
    )
