"""The check step of an import: what is suspicious in a valid file, as `DataWarning`s.

A warning is not an error: the file is valid, but a person should look before it counts. Each is
computed in DuckDB over the validated file (its typed rows with `_row`) and the warehouse as it is
now (an in-memory connection from `Warehouse.connect`, with its dataset views):

- `outside_period`: rows whose date (or `period`) lies outside the period the import names;
- `empty_money`, `empty_count`: empty cells in a money or count column the file has (columns where
  empty is normal, such as an order's 退款金额 or 评价分, are left out);
- `unowned_account`: rows whose account (shop, agent, campaign …) nobody owns on the row's date, by
  the ownership `owners` given (the organisation's snapshot; without one this warning is not given);
- `duplicate_rows`: rows that repeat another row exactly, in a dataset without a key (a keyed dataset
  refuses a repeated key as an error);
- `replaces_other_period`: current rows of an earlier batch, dated in another period than this
  file's (the named period, else the month most of its rows lie in), that this file would replace:
  an October report with one row of 15 September takes over that day of September's batch.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence

import duckdb

from shopkpi.data.datasets import Dataset
from shopkpi.data.imports.value_sql import quote
from shopkpi.data.metrics.org_snapshot import OwnershipRow
from shopkpi.data.problems import DataWarning
from shopkpi.data.warehouse import scope
from shopkpi.scorecard.periods import Period

OWNERS_TABLE = "_import_owners"
SHOWN_ACCOUNTS = 10
# money and count columns where an empty cell is normal (no refund, no review yet, not yet checked)
EMPTY_IS_NORMAL = {
    ("employees", "base_salary"),
    ("orders", "freight"),
    ("orders", "refund_amount"),
    ("orders", "returned"),
    ("orders", "review_score"),
    ("tasks", "passed"),
    ("tasks", "errors"),
}


AccountOwner = OwnershipRow
"""One ownership window of the organisation's snapshot (`org_snapshot.OwnershipRow`)."""


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def period_bounds(period: str) -> tuple[dt.date, dt.date]:
    span = Period.parse(period)
    return span.start, span.end


def load_owners(con: duckdb.DuckDBPyConnection, owners: Iterable[AccountOwner] | None) -> None:
    """Make `_import_owners` (kind, account, f, t) in `con` from the organisation's snapshot; without
    one (None: ownership unknown) there is no table and no `unowned_account` warning."""
    con.execute(f"DROP TABLE IF EXISTS {OWNERS_TABLE}")
    if owners is None:
        return
    con.execute(f"CREATE TEMP TABLE {OWNERS_TABLE} (kind VARCHAR, account VARCHAR, f DATE, t DATE)")
    rows = [
        (o.kind, o.account, o.valid_from or dt.date(1, 1, 1), o.valid_to or dt.date(9999, 12, 31))
        for o in owners
    ]
    if rows:  # one statement for them all (row by row, 1,800 owners took a third of a second)
        kinds, accounts, starts, ends = (list(column) for column in zip(*rows, strict=True))
        con.execute(
            f"INSERT INTO {OWNERS_TABLE} SELECT unnest($1::VARCHAR[]), unnest($2::VARCHAR[]), "
            "unnest($3::DATE[]), unnest($4::DATE[])",
            [kinds, accounts, starts, ends],
        )


def file_warnings(
    con: duckdb.DuckDBPyConnection,
    dataset: Dataset,
    source: str,
    file: str,
    labels: Mapping[str, str],
    from_file: Sequence[str],
    period: str | None,
) -> list[DataWarning]:
    """The warnings of one validated file, whose typed rows (with `_row`, and for a dataset without a
    key `ROW_HASH`, the hash of the row's values) are the FROM item `source`.
    `con` has the warehouse's views and `_import_owners` (`load_owners`); `labels` names each column as
    the file does; `from_file` are the columns the file itself has (not filled from its name or a
    setting)."""
    one = f"(SELECT 0 AS {FILE}, * FROM {source})"
    return group_warnings(con, dataset, one, [file], labels, from_file, period)[0]


FILE = "_file"  # a file's index among the files validated together (`validation.validate_staged`)


def group_warnings(
    con: duckdb.DuckDBPyConnection,
    dataset: Dataset,
    source: str,
    files: Sequence[str],
    labels: Mapping[str, str],
    from_file: Sequence[str],
    period: str | None,
) -> list[list[DataWarning]]:
    """`file_warnings` of each of `files`, validated together: their typed rows are the FROM item
    `source`, each with `_file`, its index in `files` (the files have the same columns and labels).
    A few statements for all the files, not a few for each."""
    found: list[list[DataWarning]] = [[] for _ in files]
    checks = []
    if period is not None:
        checks.append(_outside_period(con, dataset, source, files, labels, period))
    checks.append(_empty_cells(con, dataset, source, files, labels, from_file))
    if dataset.account_kind is not None and _has_owners(con):
        checks.append(_unowned(con, dataset, source, files, labels))
    if not dataset.key:
        checks.append(_repeated_rows(con, dataset, source, files))
    if dataset.date_column is not None or "period" in dataset.column_names:
        checks.append(_replaces_other_period(con, dataset, source, files, period))
    for check in checks:  # each file's warnings in the order of the checks
        for k, warnings in check.items():
            found[k] += warnings
    return found


Found = dict[int, list[DataWarning]]  # a check's warnings of each file (by its index) that has any


def _has_owners(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether `load_owners` made the table (asked of the table itself: a connection's first look at
    duckdb_tables() costs a sixtieth of a second, a tenth of a small import)."""
    try:
        con.execute(f"SELECT 1 FROM {OWNERS_TABLE} LIMIT 0")
    except duckdb.CatalogException:
        return False
    return True


def _outside_period(
    con: duckdb.DuckDBPyConnection,
    dataset: Dataset,
    source: str,
    files: Sequence[str],
    labels: Mapping[str, str],
    period: str,
) -> Found:
    first, last = period_bounds(period)
    checked: list[tuple[str, str]] = []  # (column, SQL of the value shown)
    if dataset.date_column is not None:
        checked.append((dataset.date_column, f"CAST({_ident(dataset.date_column)} AS DATE)"))
    if "date_from" in dataset.column_names:
        checked.append(("date_from", '"date_from"'))
    found = []
    for column, day in checked:
        outside = f"{day} NOT BETWEEN DATE '{first}' AND DATE '{last}'"
        found.append((column, outside, f"CAST({day} AS VARCHAR)"))
    if "period" in dataset.column_names:
        found.append(("period", f'"period" <> {quote(period)}', '"period"'))
    warnings: Found = {}
    for column, outside, shown in found:
        for k, rows, row, value in con.execute(
            f"SELECT {FILE}, count(*), min(_row), arg_min({shown}, _row) FROM {source} WHERE {outside} "
            f"GROUP BY {FILE} ORDER BY {FILE}"
        ).fetchall():
            warnings.setdefault(k, []).append(
                DataWarning(
                    "outside_period",
                    files[k],
                    int(row),
                    labels[column],
                    {"period": period, "rows": int(rows), "first": str(value)},
                )
            )
    return warnings


def _empty_cells(
    con: duckdb.DuckDBPyConnection,
    dataset: Dataset,
    source: str,
    files: Sequence[str],
    labels: Mapping[str, str],
    from_file: Sequence[str],
) -> Found:
    columns = [
        c
        for c in dataset.columns
        if c.type in ("decimal", "integer")
        and c.name in from_file
        and not c.required
        and (dataset.name, c.name) not in EMPTY_IS_NORMAL
    ]
    if not columns:
        return {}
    parts = ", ".join(
        f"count(*) FILTER (WHERE {_ident(c.name)} IS NULL), min(_row) FILTER (WHERE {_ident(c.name)} IS NULL)"
        for c in columns
    )
    warnings: Found = {}
    for k, *counts in con.execute(
        f"SELECT {FILE}, {parts} FROM {source} GROUP BY {FILE} ORDER BY {FILE}"
    ).fetchall():
        for i, column in enumerate(columns):
            rows, row = counts[2 * i], counts[2 * i + 1]
            if rows:
                code = "empty_money" if column.type == "decimal" else "empty_count"
                warnings.setdefault(k, []).append(
                    DataWarning(code, files[k], int(row), labels[column.name], {"rows": int(rows)})
                )
    return warnings


def _unowned(
    con: duckdb.DuckDBPyConnection,
    dataset: Dataset,
    source: str,
    files: Sequence[str],
    labels: Mapping[str, str],
) -> Found:
    assert dataset.account_kind is not None and dataset.account_column is not None
    account = f'CAST(r."{dataset.account_column}" AS VARCHAR)'
    day = scope.day_sql(dataset, "r")
    blank = f"{account} IS NOT NULL AND " if dataset.blank_account else ""  # 静默: no one's by design
    unowned = (
        f"SELECT r.{FILE}, r._row, {account} AS account FROM {source} r WHERE {blank}NOT EXISTS (SELECT 1 FROM {OWNERS_TABLE} o "
        f"WHERE o.kind = {quote(dataset.account_kind)} AND o.account = {account} AND {day} BETWEEN o.f AND o.t)"
    )
    counted = con.execute(
        f"SELECT {FILE}, count(*), min(_row) FROM ({unowned}) GROUP BY {FILE} ORDER BY {FILE}"
    ).fetchall()
    if not counted:
        return {}
    accounts: dict[int, list[str]] = {}
    for k, a in con.execute(
        f"SELECT {FILE}, account FROM ({unowned}) GROUP BY {FILE}, account "
        f"QUALIFY row_number() OVER (PARTITION BY {FILE} ORDER BY min(_row)) <= {SHOWN_ACCOUNTS + 1} "
        f"ORDER BY {FILE}, min(_row)"
    ).fetchall():
        accounts.setdefault(k, []).append("" if a is None else str(a))
    warnings: Found = {}
    for k, rows, row in counted:
        shown = accounts.get(k, [])
        params = {
            "kind": dataset.account_kind,
            "rows": int(rows),
            "accounts": shown[:SHOWN_ACCOUNTS] + (["…"] if len(shown) > SHOWN_ACCOUNTS else []),
        }
        warnings[k] = [
            DataWarning("unowned_account", files[k], int(row), labels[dataset.account_column], params)
        ]
    return warnings


ROW_HASH = "_row_hash"


def _repeated_rows(
    con: duckdb.DuckDBPyConnection, dataset: Dataset, source: str, files: Sequence[str]
) -> Found:
    columns = ", ".join(_ident(c) for c in dataset.column_names)
    # only rows whose hash another row of the file shares can repeat it: grouping by every column is for those
    shared = f"(SELECT {FILE}, {ROW_HASH} FROM {source} GROUP BY {FILE}, {ROW_HASH} HAVING count(*) > 1)"
    found = con.execute(
        f"SELECT {FILE}, sum(n - 1), arg_min(last, first), min(first) FROM "
        f"(SELECT r.{FILE}, count(*) AS n, min(r._row) AS first, max(r._row) AS last FROM {source} r "
        f"SEMI JOIN {shared} s ON s.{FILE} = r.{FILE} AND s.{ROW_HASH} = r.{ROW_HASH} "
        f"GROUP BY r.{FILE}, {columns} HAVING n > 1) "
        f"GROUP BY {FILE} ORDER BY {FILE}"
    ).fetchall()
    return {
        k: [
            DataWarning(
                "duplicate_rows", files[k], int(row), None, {"rows": int(repeats), "first": int(first)}
            )
        ]
        for k, repeats, row, first in found
        if repeats
    }


def _replaces_other_period(
    con: duckdb.DuckDBPyConnection, dataset: Dataset, source: str, files: Sequence[str], period: str | None
) -> Found:
    day_new = scope.day_sql(dataset)
    if period is None:  # each file's: the month most of its rows lie in
        # grouped by the month's first day, named once: strftime on every row is slow
        periods = {
            k: str(m)
            for k, m in con.execute(
                f"SELECT {FILE}, strftime(m, '%Y-%m') FROM (SELECT {FILE}, date_trunc('month', {day_new}) AS m, "
                f"count(*) AS n FROM {source} GROUP BY {FILE}, m) "
                f"QUALIFY row_number() OVER (PARTITION BY {FILE} ORDER BY n DESC, m) = 1"
            ).fetchall()
            if m is not None
        }
    else:
        periods = dict.fromkeys(range(len(files)), period)
    bounds = {
        k: (first, last)
        for k, first, last in con.execute(
            f"SELECT {FILE}, min({scope.first_day_sql(dataset)}), max({scope.last_day_sql(dataset)}) "
            f"FROM {source} GROUP BY {FILE}"
        ).fetchall()
        if first is not None and k in periods
    }
    if not bounds:
        return {}
    files_sql = " UNION ALL ".join(
        f"SELECT {k} AS k, {quote(periods[k])} AS period, DATE '{first}' AS first, DATE '{last}' AS last"
        for k, (first, last) in sorted(bounds.items())
    )
    day = scope.day_sql(dataset, "v")
    month = f"strftime({day}, '%Y-%m')"
    replaced = con.execute(
        f"WITH f AS ({files_sql}), "
        f"n AS (SELECT DISTINCT {FILE} AS k, {scope.account_sql(dataset)} AS a FROM {source}) "
        f"SELECT f.k, v._batch, b.file_name, count(*), list(DISTINCT {month} ORDER BY {month}) "
        f"FROM {dataset.name} v JOIN batches b ON b.id = v._batch "
        f"JOIN f ON {day} BETWEEN f.first AND f.last AND {month} <> f.period "
        f"WHERE EXISTS (SELECT 1 FROM n WHERE n.k = f.k AND n.a IS NOT DISTINCT FROM {scope.account_sql(dataset, 'v')}) "
        f"GROUP BY f.k, v._batch, b.file_name, b.seq ORDER BY f.k, b.seq"
    ).fetchall()
    warnings: Found = {}
    for k, batch, name, rows, months in replaced:
        warnings.setdefault(k, []).append(
            DataWarning(
                "replaces_other_period",
                files[k],
                None,
                None,
                {
                    "batch": batch,
                    "batch_file": name,
                    "rows": int(rows),
                    "periods": list(months),
                    "period": periods[k],
                },
            )
        )
    return warnings
