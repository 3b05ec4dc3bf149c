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
    found: list[DataWarning] = []
    if period is not None:
        found += _outside_period(con, dataset, source, file, labels, period)
    found += _empty_cells(con, dataset, source, file, labels, from_file)
    if dataset.account_kind is not None and _has_owners(con):
        found += _unowned(con, dataset, source, file, labels)
    if not dataset.key:
        found += _repeated_rows(con, dataset, source, file)
    if dataset.date_column is not None or "period" in dataset.column_names:
        found += _replaces_other_period(con, dataset, source, file, period)
    return found


def _has_owners(con: duckdb.DuckDBPyConnection) -> bool:
    found = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", [OWNERS_TABLE]
    ).fetchone()
    return bool(found and found[0])


def _outside_period(
    con: duckdb.DuckDBPyConnection,
    dataset: Dataset,
    source: str,
    file: str,
    labels: Mapping[str, str],
    period: str,
) -> list[DataWarning]:
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
    warnings = []
    for column, outside, shown in found:
        rows, row, value = con.execute(
            f"SELECT count(*), min(_row), arg_min({shown}, _row) FROM {source} WHERE {outside}"
        ).fetchone() or (0, None, None)
        if rows:
            warnings.append(
                DataWarning(
                    "outside_period",
                    file,
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
    file: str,
    labels: Mapping[str, str],
    from_file: Sequence[str],
) -> list[DataWarning]:
    columns = [
        c
        for c in dataset.columns
        if c.type in ("decimal", "integer")
        and c.name in from_file
        and not c.required
        and (dataset.name, c.name) not in EMPTY_IS_NORMAL
    ]
    if not columns:
        return []
    parts = ", ".join(
        f"count(*) FILTER (WHERE {_ident(c.name)} IS NULL), min(_row) FILTER (WHERE {_ident(c.name)} IS NULL)"
        for c in columns
    )
    counts = con.execute(f"SELECT {parts} FROM {source}").fetchone() or ()
    warnings = []
    for i, column in enumerate(columns):
        rows, row = counts[2 * i], counts[2 * i + 1]
        if rows:
            code = "empty_money" if column.type == "decimal" else "empty_count"
            warnings.append(DataWarning(code, file, int(row), labels[column.name], {"rows": int(rows)}))
    return warnings


def _unowned(
    con: duckdb.DuckDBPyConnection, dataset: Dataset, source: str, file: str, labels: Mapping[str, str]
) -> list[DataWarning]:
    assert dataset.account_kind is not None and dataset.account_column is not None
    account = f'CAST(r."{dataset.account_column}" AS VARCHAR)'
    day = scope.day_sql(dataset, "r")
    blank = f"{account} IS NOT NULL AND " if dataset.blank_account else ""  # 静默: no one's by design
    unowned = (
        f"SELECT r._row, {account} AS account FROM {source} r WHERE {blank}NOT EXISTS (SELECT 1 FROM {OWNERS_TABLE} o "
        f"WHERE o.kind = {quote(dataset.account_kind)} AND o.account = {account} AND {day} BETWEEN o.f AND o.t)"
    )
    rows, row = con.execute(f"SELECT count(*), min(_row) FROM ({unowned})").fetchone() or (0, None)
    if not rows:
        return []
    accounts = [
        "" if a is None else str(a)
        for (a,) in con.execute(
            f"SELECT account FROM ({unowned}) GROUP BY account ORDER BY min(_row) LIMIT {SHOWN_ACCOUNTS + 1}"
        ).fetchall()
    ]
    params = {
        "kind": dataset.account_kind,
        "rows": int(rows),
        "accounts": accounts[:SHOWN_ACCOUNTS] + (["…"] if len(accounts) > SHOWN_ACCOUNTS else []),
    }
    return [DataWarning("unowned_account", file, int(row), labels[dataset.account_column], params)]


ROW_HASH = "_row_hash"


def _repeated_rows(
    con: duckdb.DuckDBPyConnection, dataset: Dataset, source: str, file: str
) -> list[DataWarning]:
    columns = ", ".join(_ident(c) for c in dataset.column_names)
    # only rows whose hash another row shares can repeat it: grouping by every column is for those
    shared = f"(SELECT {ROW_HASH} FROM {source} GROUP BY {ROW_HASH} HAVING count(*) > 1)"
    found = con.execute(
        f"SELECT sum(n - 1), arg_min(last, first), min(first) FROM "
        f"(SELECT count(*) AS n, min(_row) AS first, max(_row) AS last FROM {source} "
        f"WHERE {ROW_HASH} IN {shared} GROUP BY {columns} HAVING n > 1)"
    ).fetchone()
    if found is None or not found[0]:
        return []
    repeats, row, first = found
    return [DataWarning("duplicate_rows", file, int(row), None, {"rows": int(repeats), "first": int(first)})]


def _replaces_other_period(
    con: duckdb.DuckDBPyConnection, dataset: Dataset, source: str, file: str, period: str | None
) -> list[DataWarning]:
    day_new = scope.day_sql(dataset)
    if period is None:  # grouped by the month's first day, named once: strftime on every row is slow
        main = con.execute(
            f"SELECT strftime(m, '%Y-%m') FROM (SELECT date_trunc('month', {day_new}) AS m, count(*) AS n "
            f"FROM {source} GROUP BY m) ORDER BY n DESC, m LIMIT 1"
        ).fetchone()
        if main is None or main[0] is None:
            return []
        period = str(main[0])
    bounds = con.execute(
        f"SELECT min({scope.first_day_sql(dataset)}), max({scope.last_day_sql(dataset)}) FROM {source}"
    ).fetchone()
    if bounds is None or bounds[0] is None:
        return []
    first, last = bounds
    day = scope.day_sql(dataset, "v")
    month = f"strftime({day}, '%Y-%m')"
    replaced = con.execute(
        f"SELECT v._batch, b.file_name, count(*), list(DISTINCT {month} ORDER BY {month}) "
        f"FROM {dataset.name} v JOIN batches b ON b.id = v._batch "
        f"WHERE {day} BETWEEN DATE '{first}' AND DATE '{last}' AND {month} <> {quote(period)} "
        f"AND EXISTS (SELECT 1 FROM (SELECT DISTINCT {scope.account_sql(dataset)} AS a FROM {source}) n "
        f"WHERE n.a IS NOT DISTINCT FROM {scope.account_sql(dataset, 'v')}) "
        f"GROUP BY v._batch, b.file_name, b.seq ORDER BY b.seq"
    ).fetchall()
    return [
        DataWarning(
            "replaces_other_period",
            file,
            None,
            None,
            {
                "batch": batch,
                "batch_file": name,
                "rows": int(rows),
                "periods": list(months),
                "period": period,
            },
        )
        for batch, name, rows, months in replaced
    ]
