"""What a batch speaks for: its accounts and its dates.

A corrected file replaces the rows of earlier batches of the same dataset whose account is one
of the new batch's accounts and whose date lies in the new batch's date range (first to last
date of the file). For datasets keyed by period the range is the periods' days; for `accounts`
the "account" is kind + account (a new file redefines who owns the accounts it names);
for `employees` it is the employee, with no dates.
"""

from __future__ import annotations

from shopkpi.data.datasets import Dataset


def _col(alias: str, name: str) -> str:
    return f'{alias}."{name}"' if alias else f'"{name}"'


def account_sql(dataset: Dataset, alias: str = "") -> str:
    """The row's account for replacement (VARCHAR; may be NULL)."""
    if dataset.name == "accounts":
        return f"({_col(alias, 'kind')} || ':' || {_col(alias, 'account')})"
    column = dataset.replaces_by or dataset.account_column
    if column is None:  # pragma: no cover - every other dataset has one
        return "NULL"
    return f"CAST({_col(alias, column)} AS VARCHAR)"


def day_sql(dataset: Dataset, alias: str = "") -> str:
    """The row's day for replacement: its date (the day of a timestamp), a period's first day."""
    if dataset.date_column is not None:
        return f"CAST({_col(alias, dataset.date_column)} AS DATE)"
    if "period" in dataset.column_names:
        return f"CAST({_col(alias, 'period')} || '-01' AS DATE)"
    return "CAST(NULL AS DATE)"


def first_day_sql(dataset: Dataset, alias: str = "") -> str:
    """The first day a row covers (a 千牛 row covers date_from .. date)."""
    if "date_from" in dataset.column_names:
        return f"coalesce({_col(alias, 'date_from')}, {day_sql(dataset, alias)})"
    return day_sql(dataset, alias)


def last_day_sql(dataset: Dataset, alias: str = "") -> str:
    if dataset.date_column is None and "period" in dataset.column_names:
        return f"last_day({day_sql(dataset, alias)})"
    return day_sql(dataset, alias)
