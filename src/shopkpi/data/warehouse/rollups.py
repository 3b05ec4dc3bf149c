"""Roll-ups: a batch's rows grouped once, at import, so that metrics read far fewer rows.

A dataset that declares `rollup` columns (`traffic_events`: user, behavior) gets, with every
batch `<dataset>/<batch>.parquet`, a companion file `<dataset>.rollup/<batch>.parquet`: the
batch's rows grouped by (account column, the row's day, the declared columns), with

    <account column>   e.g. shop
    <date column>      the row's day (a DATE, the day of `ts`), under the date column's own name
    <declared columns> e.g. user, behavior
    _n                 how many rows the group has
    _batch             the batch

It is derived data: written, fsynced and renamed in the same commit as its batch, removed by
`recover` when no batch names it, and read through the same replacement rules as its batch (the
day column keeps its name, so the warehouse's account/day filter applies to it unchanged).
`Warehouse.connect()` shows the current roll-up rows as the internal view `_rollup_<dataset>`; it
is not a dataset, so metric SQL cannot name it (the SQL guard refuses unknown tables). A batch
without a companion (imported before roll-ups existed) is grouped from its rows when read.
"""

from __future__ import annotations

from shopkpi.data.datasets import Dataset
from shopkpi.data.metrics.attribution import quoted

COUNT_COLUMN = "_n"
FOLDER_SUFFIX = ".rollup"
_VIEW_PREFIX = "_rollup_"


def has_rollup(dataset: Dataset) -> bool:
    return bool(dataset.rollup) and dataset.account_column is not None and dataset.date_column is not None


def view_name(dataset: Dataset) -> str:
    """The internal view of the dataset's current roll-up rows."""
    return _VIEW_PREFIX + dataset.name


def key_columns(dataset: Dataset) -> tuple[str, ...]:
    """The columns a roll-up row is grouped by: account column, day (the date column's name), declared ones."""
    assert dataset.account_column is not None and dataset.date_column is not None
    return tuple(dict.fromkeys((dataset.account_column, dataset.date_column, *dataset.rollup)))


def columns(dataset: Dataset) -> tuple[str, ...]:
    """Every column of a roll-up file, in order."""
    return (*key_columns(dataset), COUNT_COLUMN, "_batch")


def companion(relative: str) -> str:
    """The companion file of a batch file (paths relative to the warehouse root, `/`-separated)."""
    folder, _, name = relative.rpartition("/")
    return f"{folder}{FOLDER_SUFFIX}/{name}"


def grouped_sql(dataset: Dataset, source: str, where: str = "") -> str:
    """The roll-up rows of `source` (a FROM item over the dataset's rows), optionally filtered."""
    assert dataset.date_column is not None
    selected = []
    for name in key_columns(dataset):
        column = quoted(name)
        selected.append(f"CAST({column} AS DATE) AS {column}" if name == dataset.date_column else column)
    condition = f" WHERE {where}" if where else ""
    return (
        f"SELECT {', '.join(selected)}, count(*) AS {COUNT_COLUMN}, _batch FROM {source}{condition} "
        f"GROUP BY {', '.join(str(i) for i in range(1, len(selected) + 1))}, _batch"
    )


def empty_sql(dataset: Dataset) -> str:
    """A roll-up with no rows, typed as the files are."""
    nulls = []
    for name in key_columns(dataset):
        kind = "DATE" if name == dataset.date_column else dataset.column(name).duckdb_type
        nulls.append(f"CAST(NULL AS {kind}) AS {quoted(name)}")
    return f"SELECT {', '.join(nulls)}, CAST(NULL AS BIGINT) AS {COUNT_COLUMN}, CAST(NULL AS VARCHAR) AS _batch WHERE false"
