"""Crediting beyond account ownership, as the SQL both the metric step (`compiler`, `block_sql`) and the
rows behind a value (`row_sql`) place: the shops' order credit rules (`credit_rules`, `credit_sql`) and
the shift calendars of shared agent accounts (`shifts`).

- `order_credits` is read as `_order_credits` when credit rules exist: the orders the rules decide
  and the imported 订单归属 rows of the others.
- A dataset with a time, attributed by agent, reads a row of a shared account as the account's shift
  slot at the row's time (`account`), and `_owners` has the person on each slot day by day
  (`owner_rows`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from shopkpi.data.datasets import Dataset
from shopkpi.data.metrics import attribution as attr
from shopkpi.data.metrics import credit_sql, shifts
from shopkpi.data.metrics.credit_rules import NO_RULES, CreditRules
from shopkpi.data.metrics.shifts import NO_SHIFTS, ShiftCalendar


@dataclass(frozen=True)
class Crediting:
    """The credit rules and shifts in force for rows dated `first` to `last`."""

    credit: CreditRules = NO_RULES
    shifts: ShiftCalendar = NO_SHIFTS
    first: dt.date = dt.date(1900, 1, 1)
    last: dt.date = dt.date(1900, 1, 1)

    def owner_rows(self) -> list[str]:
        """SELECTs of `_owners` rows to add: the people on shift slots."""
        return shifts.owner_rows(self.shifts, self.first, self.last) if self.shifts else []

    def ctes(self, datasets: Iterable[str], *, with_row: bool = False) -> list[str]:
        """The CTEs the datasets read need (after `_owners`)."""
        if credit_sql.DATASET in datasets and self.credit:
            return credit_sql.credit_ctes(self.credit, self.first, self.last, with_row=with_row)
        return []

    def table(self, dataset: Dataset) -> str:
        """What a read of `dataset` reads: its table, or the CTE computing it."""
        if dataset.name == credit_sql.DATASET and self.credit:
            return credit_sql.TABLE
        return attr.quoted(dataset.name)

    def by_shift(self, dataset: Dataset, kind: str) -> bool:
        """Whether rows of `dataset` attributed by `kind` are credited by the hour of shifts."""
        return (
            bool(self.shifts)
            and kind == shifts.KIND
            and dataset.date_column is not None
            and dataset.column(dataset.date_column).type == "timestamp"
        )

    def account(self, dataset: Dataset, kind: str, column: str, alias: str) -> str:
        """The row's account as attribution reads it (a shift slot of a shared account by the hour)."""
        account = f"{alias}.{attr.quoted(column)}"
        if not self.by_shift(dataset, kind):
            return account
        assert dataset.date_column is not None
        moment = f"{alias}.{attr.quoted(dataset.date_column)}"
        return shifts.account_sql(self.shifts, account, moment, self.first, self.last)

    def kept(self, dataset: Dataset, column: str, account: str) -> str:
        """` AND <the row has an account>` (`account`: the SQL attribution reads, after HR's
        re-credits) where a blank account is no one's by design (静默)."""
        if dataset.blank_account and column == dataset.account_column:
            return f" AND {account} IS NOT NULL"
        return ""


PLAIN = Crediting()
"""No credit rules and no shifts: rows are credited by account ownership alone."""
