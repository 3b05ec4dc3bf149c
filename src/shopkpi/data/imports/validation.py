"""Second stage of an import: parse and check every cell in DuckDB, in one pass over the staged
rows (or the CSV itself, read directly) into a temporary table, then check the rows against each
other (duplicate keys, rates against counts; who owns an account when is the organisation
service's to check). Every problem is collected with its row and column; a file with
any problem is refused whole.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

from shopkpi.data.datasets import BEHAVIORS, CREDIT_JUDGES, ORDER_STATUSES, RATERS, Column, Dataset
from shopkpi.data.imports.csv_direct import DirectReadFailed
from shopkpi.data.imports.file_rows import ProgressCallback
from shopkpi.data.imports.import_warnings import ROW_HASH
from shopkpi.data.imports.profile_match import HeaderFit
from shopkpi.data.imports.profiles import Profile
from shopkpi.data.imports.staging import RawFile, check_column, stage_raw
from shopkpi.data.imports.value_sql import (
    Steps,
    clean_sql,
    ident,
    parsed_sql,
    period_sql,
    problem_sql,
    quote,
    special_sql,
    typed_sql,
)
from shopkpi.data.problems import ProblemList
from shopkpi.data.warehouse import scope

ENUMERATED: Mapping[tuple[str, str], tuple[str, ...]] = {
    ("orders", "status"): ORDER_STATUSES,
    ("traffic_events", "behavior"): BEHAVIORS,
    ("ratings", "rater"): RATERS,
    ("order_credits", "status"): ORDER_STATUSES,
    ("order_credits", "rule"): CREDIT_JUDGES,
}


MANY_ROWS_BYTES = 32 << 20  # a CSV this large is checked by the statement quickest per row, not to plan


@dataclass(frozen=True)
class TypedFile:
    """A validated file: a temporary view of its typed rows (canonical columns in registry order, plus
    `_row`, the spreadsheet row) in the connection that validated it."""

    view: str  # quoted, ready for a FROM clause
    rows: int
    skipped: int  # summary rows left out (千牛's 汇总值 …)
    accounts: tuple[str | None, ...]
    scope_from: dt.date | None
    scope_to: dt.date | None


def column_labels(dataset: Dataset, fit: HeaderFit) -> dict[str, str]:
    """Each column as problems name it: the header as the file spells it, or where its value came from."""
    labels: dict[str, str] = {}
    for column in dataset.columns:
        if column.name in fit.headers:
            labels[column.name] = fit.headers[column.name]
        elif column.name in fit.filled:
            labels[column.name] = f"{column.name} (from {fit.filled_from[column.name]})"
        else:
            labels[column.name] = column.name
    return labels


class _Columns:
    """The SQL of one file's columns: text (`t_`), parsed value (`v_`) and the special flag (`s_`),
    each named in `steps`, then the typed value and the problem over those names."""

    def __init__(self, dataset: Dataset, raw: RawFile, timezone: str, steps: Steps) -> None:
        self.dataset = dataset
        self.raw = raw
        self.timezone = timezone
        self.steps = steps
        self.labels = column_labels(dataset, raw.fit)
        direct = raw.direct
        self.many_rows = direct is not None and direct.path.stat().st_size > MANY_ROWS_BYTES

    def source(self, column: Column) -> str:
        fit = self.raw.fit
        if column.name in fit.columns:
            return ident(column.name)
        if column.name in fit.filled:
            return quote(fit.filled[column.name])
        return "CAST(NULL AS VARCHAR)"

    def name(self, column: Column) -> None:
        """Name the column's special flag, text and parsed value in `steps`."""
        source = self.source(column)
        special = self.steps(special_sql(source, many_rows=self.many_rows), "s_" + column.name)
        text = clean_sql(source, self.steps, special)
        words = self.raw.fit.profile.values.get(column.name, {})
        if (self.dataset.name, column.name) in ENUMERATED:
            text = f"lower({text})"
        if words:
            text = self.steps(text)
            cases = " ".join(
                f"WHEN {quote(k.lower())} THEN {quote(v) if v else 'NULL'}" for k, v in words.items()
            )
            text = f"(CASE lower({text}) {cases} ELSE {text} END)"
        t = self.steps(text, "t_" + column.name)
        parsed = (
            period_sql(t)
            if column.name == "period"
            else parsed_sql(column.type, t, self.timezone, self.steps)
        )
        self.steps(parsed, "v_" + column.name)

    def problem(self, column: Column) -> str:
        t, v, s = (ident(prefix + column.name) for prefix in ("t_", "v_", "s_"))
        reasons: list[str] = []
        if column.required:
            reasons.append(f"CASE WHEN {t} IS NULL THEN 'required value missing' END")
        if column.name == "period":
            reasons.append(problem_sql("text", t, v, self.steps, s))
            reasons.append(
                f"CASE WHEN {t} IS NOT NULL AND {v} IS NULL THEN 'not a period (write 2026-10): ' || {t} END"
            )
        else:
            reasons.append(problem_sql(column.type, t, v, self.steps, s))
        allowed = ENUMERATED.get((self.dataset.name, column.name))
        if allowed:
            listed = ", ".join(allowed)
            values = ", ".join(quote(a) for a in allowed)
            reasons.append(
                f"CASE WHEN {t} IS NOT NULL AND {t} NOT IN ({values}) "
                f"THEN 'unknown value ' || left({t}, 40) || ' (expected {listed})' END"
            )
        if self.dataset.name == "ratings" and column.name == "rating":
            number = self.steps(parsed_sql("decimal", t, self.timezone, self.steps))
            reasons.append(
                f"CASE WHEN {number} NOT BETWEEN 0 AND 100 THEN 'rating outside 0–100: ' || {t} END"
            )
        return "coalesce(" + ", ".join(reasons) + ")"


def _row_rules(dataset: Dataset) -> list[str]:
    """Problems of a whole row (SQL over the v_ columns); label 'row'."""
    rules: list[str] = []
    if dataset.name == "accounts":
        rules.append(
            'CASE WHEN "v_valid_from" > "v_valid_to" THEN '
            "'valid_from ' || CAST(\"v_valid_from\" AS VARCHAR) || ' is after valid_to ' || "
            'CAST("v_valid_to" AS VARCHAR) END'
        )
    if dataset.name == "cs_daily":
        rules.append(
            'CASE WHEN "v_date_from" > "v_date" THEN \'date_from \' || CAST("v_date_from" AS VARCHAR)'
            " || ' is after date ' || CAST(\"v_date\" AS VARCHAR) END"
        )
    return rules


def _rate_checks(raw: RawFile, timezone: str, steps: Steps) -> list[tuple[str, str, str]]:
    """(check column, header, problem SQL over parsed columns) for the profile's rate checks."""
    found = []
    for i, (check, _, header) in enumerate(raw.fit.checks):
        t = steps(clean_sql(ident(check_column(i)), steps), "t_" + check_column(i))
        rate = steps(parsed_sql("rate", t, timezone, steps))
        num, den = ident("v_" + check.numerator), ident("v_" + check.denominator)
        num_label = raw.fit.headers.get(check.numerator, check.numerator)
        den_label = raw.fit.headers.get(check.denominator, check.denominator)
        decimals = (
            f"length(regexp_extract({t}, '\\.(\\d+)', 1)) + CASE WHEN suffix({t}, '%') THEN 2 ELSE 0 END"
        )
        tolerance = f"pow(10, -({decimals})) + 1e-9"
        shown = f"CAST(CAST({num} AS HUGEINT) AS VARCHAR) || '/' || CAST(CAST({den} AS HUGEINT) AS VARCHAR)"
        sql = (
            f"coalesce({problem_sql('rate', t, rate, steps)}, CASE"
            f" WHEN {t} IS NULL OR {num} IS NULL OR {den} IS NULL THEN NULL"
            f" WHEN {den} = 0 AND {rate} <> 0 THEN {t} || {quote(f' but {den_label} is 0')}"
            f" WHEN {den} <> 0 AND abs(CAST({rate} AS DOUBLE) - CAST({num} AS DOUBLE) / CAST({den} AS DOUBLE))"
            f" > {tolerance} THEN {t} || {quote(f' does not match {num_label}/{den_label} = ')} || {shown}"
            f" || ' = ' || printf('%.2f%%', 100.0 * {num} / {den}) END)"
        )
        found.append((check_column(i), header, sql))
    return found


def read_and_validate(
    path: Path,
    profiles: Sequence[Profile],
    forced: str | None,
    preset: Mapping[str, str],
    folder: Path,
    dataset: Dataset,
    con: duckdb.DuckDBPyConnection,
    name: str,
    problems: ProblemList,
    *,
    timezone: str,
    on_progress: ProgressCallback | None = None,
) -> tuple[RawFile, TypedFile | None] | None:
    """Read `path` (a plain UTF-8 CSV directly, anything else staged in `folder` by the reading
    process) and validate it into the view `name` of `con`: (the raw file, its TypedFile or None
    when a row is invalid), or None when the file cannot be read; `problems` say why."""
    attempt = ProblemList(cap=problems.cap)
    raw = stage_raw(path, profiles, forced, preset, folder / "raw.parquet", attempt, on_progress, direct=True)
    typed: TypedFile | None = None
    if raw is not None and raw.direct is not None:
        try:
            typed = validate(raw, dataset, con, name, attempt, timezone=timezone)
        except DirectReadFailed:  # a row DuckDB will not take as it is: the ordinary way says which
            attempt = ProblemList(cap=problems.cap)
            raw = stage_raw(path, profiles, forced, preset, folder / "raw.parquet", attempt, on_progress)
    if raw is not None and raw.direct is None:
        if raw.rows == 0:
            attempt.add(path.name, None, None, "the file has no data rows")
        else:
            typed = validate(raw, dataset, con, name, attempt, timezone=timezone)
    problems.extend(attempt.items)
    problems.truncated = problems.truncated or attempt.truncated
    return None if raw is None else (raw, typed)


def validate(
    raw: RawFile,
    dataset: Dataset,
    con: duckdb.DuckDBPyConnection,
    name: str,
    problems: ProblemList,
    *,
    timezone: str,
) -> TypedFile | None:
    """Parse `raw` into the temporary view `name` of `con` (typed columns in registry order and
    `_row`, over the table `<name>_cells`): every cell is parsed once; None (with `problems` filled,
    nothing left in `con`) if any row is invalid. `drop(con, name)` removes it once written.

    `DirectReadFailed` when DuckDB cannot read a CSV the direct way: stage it the ordinary way."""
    file = raw.source
    steps = Steps()
    cols = _Columns(dataset, raw, timezone, steps)
    present = [c for c in dataset.columns if c.name in raw.fit.columns or c.name in raw.fit.filled]
    absent = [c for c in dataset.columns if c not in present]
    for c in present:
        cols.name(c)
    for c in absent:
        steps(f"CAST(NULL AS {c.duckdb_type})", "v_" + c.name)
    checks = _rate_checks(raw, timezone, steps)
    rules = _row_rules(dataset)
    typed = ", ".join(
        f"{typed_sql(c.type, ident('v_' + c.name))} AS {ident(c.name)}" for c in dataset.columns
    )
    if not dataset.key:  # the hash of each row's values, for the repeated rows warning (import_warnings)
        values = ", ".join(typed_sql(c.type, ident("v_" + c.name)) for c in dataset.columns)
        typed += f", hash({values}) AS {ROW_HASH}"
    problem_cols = ", ".join(f"{cols.problem(c)} AS {ident('p_' + c.name)}" for c in present)
    check_cols = "".join(f", {sql} AS {ident('p_' + column)}" for column, _, sql in checks)
    rule_cols = "".join(f", {sql} AS {ident(f'p__row{i}')}" for i, sql in enumerate(rules))
    kept = "_blank, _summary" if raw.direct is not None else "_row"
    cells = ident(name + "_cells")
    try:
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {cells} AS "
            f"SELECT {kept}, {typed}, {problem_cols}{check_cols}{rule_cols} FROM {steps.from_sql(raw.relation())}"
        )
    except duckdb.Error:
        con.execute(f"DROP TABLE IF EXISTS {cells}")
        if raw.direct is not None:
            raise DirectReadFailed(file) from None
        raise
    view = ident(name)
    if raw.direct is not None:  # rows in file order: the row after the header is its number + 1
        first = (raw.fit.header_row or 0) + 1
        con.execute(
            f"CREATE OR REPLACE TEMP VIEW {view} AS SELECT rowid + {first} AS _row, * EXCLUDE (_blank, _summary) "
            f"FROM {cells} WHERE NOT (_blank OR _summary)"
        )
    else:
        con.execute(f"CREATE OR REPLACE TEMP VIEW {view} AS SELECT * FROM {cells}")
    if raw.direct is not None and con.execute(f"SELECT count(*) FROM {view}").fetchone() == (0,):
        problems.add(file, None, None, "the file has no data rows")
    labelled: list[tuple[str, str | None]] = [(f"p_{c.name}", cols.labels[c.name]) for c in present]
    labelled += [(f"p_{column}", header) for column, header, _ in checks]
    labelled += [(f"p__row{i}", None) for i in range(len(rules))]
    union = " UNION ALL ".join(
        f"SELECT _row, {quote(label) if label else 'NULL'} AS col, {ident(p)} AS reason "
        f"FROM {view} WHERE {ident(p)} IS NOT NULL"
        for p, label in labelled
    )
    found = con.execute(
        f"SELECT _row, col, reason FROM ({union}) ORDER BY _row, col LIMIT {problems.cap + 1}"
    )
    for row, col, reason in found.fetchall():
        problems.add(file, row, col, reason)
    if not problems.full:
        _duplicates(dataset, con, view, file, problems)
    if problems:
        drop(con, name)
        return None
    return _summary(dataset, con, raw, name)


def drop(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """Remove what `validate` made in `con` for `name`."""
    con.execute(f"DROP VIEW IF EXISTS {ident(name)}")
    con.execute(f"DROP TABLE IF EXISTS {ident(name + '_cells')}")


def _duplicates(
    dataset: Dataset, con: duckdb.DuckDBPyConnection, view: str, file: str, problems: ProblemList
) -> None:
    if not dataset.key:
        return
    keys = ", ".join(ident(k) for k in dataset.key)
    required = " AND ".join(f"{ident(k)} IS NOT NULL" for k in dataset.key if dataset.column(k).required)
    where = f"WHERE {required}" if required else ""
    shown = " || ', ' || ".join(
        f"'{k}=' || coalesce(CAST({ident(k)} AS VARCHAR), '(empty)')" for k in dataset.key
    )
    found = con.execute(
        f"SELECT {shown} AS k, list(_row ORDER BY _row) AS r FROM {view} {where} "
        f"GROUP BY {keys} HAVING count(*) > 1 ORDER BY min(_row) LIMIT {problems.cap + 1}"
    )
    for key, rows in found.fetchall():
        for row in rows[1:]:
            problems.add(file, row, None, f"duplicate key {key} (first on row {rows[0]})")


def _summary(dataset: Dataset, con: duckdb.DuckDBPyConnection, raw: RawFile, name: str) -> TypedFile:
    view = ident(name)
    rows, first, last = con.execute(
        f"SELECT count(*), min({scope.first_day_sql(dataset)}), max({scope.last_day_sql(dataset)}) FROM {view}"
    ).fetchone() or (0, None, None)
    accounts = tuple(
        a for (a,) in con.execute(f"SELECT DISTINCT {scope.account_sql(dataset)} FROM {view}").fetchall()
    )
    skipped = raw.skipped
    if raw.direct is not None:
        found = con.execute(f"SELECT count(*) FROM {ident(name + '_cells')} WHERE _summary").fetchone()
        skipped = int(found[0]) if found else 0
    return TypedFile(view, int(rows), skipped, accounts, first, last)
