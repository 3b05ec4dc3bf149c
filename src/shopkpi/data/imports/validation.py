"""Second stage of an import: parse and check every cell in DuckDB, in one pass over the staged
rows (or the CSV itself, read directly) into a temporary table, then check the rows against each
other (duplicate keys, rates against counts; who owns an account when is the organisation
service's to check). Every problem is collected with its row and column; a file with
any problem is refused whole. Staged files whose statement differs only in their rows and the values
their names fill in are parsed and checked together, by one statement (`validate_staged`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import duckdb

from shopkpi.data.datasets import BEHAVIORS, CREDIT_JUDGES, ORDER_STATUSES, RATERS, Column, Dataset
from shopkpi.data.imports import csv_direct
from shopkpi.data.imports.csv_direct import DirectReadFailed
from shopkpi.data.imports.file_rows import ProgressCallback
from shopkpi.data.imports.import_warnings import ROW_HASH
from shopkpi.data.imports.plain_cells import NOT_PLAIN, file_rows_sql, plain_cells_sql
from shopkpi.data.imports.profile_match import HeaderFit
from shopkpi.data.imports.profiles import Profile
from shopkpi.data.imports.staging import RawFile, check_column, direct_raw, stage_raw_many
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
class Together:
    """Where a file validated with others (`validate_staged`) has its rows with theirs."""

    table: str  # the group's table (quoted): every file's typed rows, with `_file`
    files: tuple[str, ...]  # the group's files' names, by `_file`
    index: int  # this file's `_file`


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
    together: Together | None = None  # validated with other files: their rows (for the warnings)


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

    def __init__(
        self, dataset: Dataset, raw: RawFile, timezone: str, steps: Steps, fills: Mapping[str, str] | None
    ) -> None:
        self.dataset = dataset
        self.raw = raw
        self.timezone = timezone
        self.steps = steps
        self.fills = fills  # a filled column's value as a column of the rows (files validated together)
        self.labels = column_labels(dataset, raw.fit)
        direct = raw.direct
        self.many_rows = direct is not None and direct.path.stat().st_size > MANY_ROWS_BYTES

    def source(self, column: Column) -> str:
        fit = self.raw.fit
        if column.name in fit.columns:
            return ident(column.name)
        if column.name in fit.filled:
            return self.fills[column.name] if self.fills is not None else quote(fit.filled[column.name])
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


def _own_checks(dataset: Dataset) -> tuple[str, ...]:
    """The columns `_Columns` checks beyond their type: a period, a rating."""
    return ("period", "rating") if dataset.name == "ratings" else ("period",)


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


@dataclass(frozen=True)
class FileToRead:
    """One file of `read_and_validate_many`."""

    path: Path
    folder: Path  # its staging folder: the raw Parquet goes there
    name: str  # its typed view in the connection
    problems: ProblemList  # where its problems go
    on_progress: ProgressCallback | None = None
    simple_lines: bool | None = None  # what `csv_direct.scan_file` found, when it has looked already


Read = tuple[RawFile, TypedFile | None] | None


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
    one = FileToRead(path, folder, name, problems, on_progress)
    for _, read in read_and_validate_many([one], profiles, forced, preset, dataset, con, timezone=timezone):
        return read
    return None  # pragma: no cover - every file is answered


def read_and_validate_many(
    files: Sequence[FileToRead],
    profiles: Sequence[Profile],
    forced: str | None,
    preset: Mapping[str, str],
    dataset: Dataset,
    con: duckdb.DuckDBPyConnection,
    *,
    timezone: str,
) -> Iterator[tuple[int, Read]]:
    """`read_and_validate` for many files, each answered as (its index, what `read_and_validate`
    gives), not in their order: the plain UTF-8 CSVs first (each read directly), then the others,
    staged by one reading process and validated together (`validate_staged`). A file's view lives
    until the next answer is asked for; the rows it reads may be dropped then."""
    attempts = [ProblemList(cap=f.problems.cap) for f in files]

    def answer(i: int, read: Read) -> tuple[int, Read]:
        files[i].problems.extend(attempts[i].items)
        files[i].problems.truncated = files[i].problems.truncated or attempts[i].truncated
        return i, read

    to_stage: list[int] = []
    for i, f in enumerate(files):
        raw = direct_raw(
            f.path,
            profiles,
            forced,
            preset,
            f.folder / "raw.parquet",
            attempts[i],
            f.on_progress,
            simple_lines=f.simple_lines,
        )
        if raw is None:
            to_stage.append(i)
            continue
        try:
            typed = validate(raw, dataset, con, f.name, attempts[i], timezone=timezone)
        except DirectReadFailed:  # a row DuckDB will not take as it is: the ordinary way says which
            attempts[i] = ProblemList(cap=f.problems.cap)
            to_stage.append(i)
            continue
        except duckdb.Error as error:
            _unreadable(attempts[i], f.path.name, error)
            typed = None
        yield answer(i, (raw, typed))
    staged = stage_raw_many(
        [
            (files[i].path, files[i].folder / "raw.parquet", attempts[i], files[i].on_progress)
            for i in to_stage
        ],
        profiles,
        forced,
        preset,
    )
    ready: list[tuple[int, RawFile]] = []
    for i, raw in zip(to_stage, staged, strict=True):
        if raw is None:
            yield answer(i, None)
        elif raw.rows == 0:
            attempts[i].add(files[i].path.name, None, None, "the file has no data rows")
            yield answer(i, (raw, None))
        else:
            ready.append((i, raw))
    for k, typed in validate_staged(
        [raw for _, raw in ready],
        dataset,
        con,
        [files[i].name for i, _ in ready],
        [attempts[i] for i, _ in ready],
        timezone=timezone,
    ):
        i, raw = ready[k]
        yield answer(i, (raw, typed))


def _unreadable(problems: ProblemList, file: str, error: duckdb.Error) -> None:
    problems.add(file, None, None, f"cannot be read as a table: {str(error).splitlines()[0][:200]}")


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
    cells = ident(name + "_cells")
    view = ident(name)
    if _plain_cells(raw, dataset, con, cells):  # every cell plain: typed as it is, no problem in it
        first = (raw.fit.header_row or 0) + 1
        con.execute(f"CREATE OR REPLACE TEMP VIEW {view} AS SELECT rowid + {first} AS _row, * FROM {cells}")
        if con.execute(f"SELECT count(*) FROM {view}").fetchone() == (0,):
            problems.add(file, None, None, "the file has no data rows")
        if not problems.full:
            _duplicates(dataset, con, view, file, problems)
        if problems:
            drop(con, name)
            return None
        return _summary(dataset, con, view, 0)
    kept = "_blank, _summary" if raw.direct is not None else "_row"
    select, labelled = _cells_sql(raw, dataset, timezone, raw.relation(), kept)
    try:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {cells} AS {select}")
    except duckdb.Error:
        con.execute(f"DROP TABLE IF EXISTS {cells}")
        if raw.direct is not None:
            raise DirectReadFailed(file) from None
        raise
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
    found = con.execute(
        f"SELECT _row, col, reason FROM ({_problems_sql(view, labelled)}) ORDER BY _row, col "
        f"LIMIT {problems.cap + 1}"
    )
    for row, col, reason in found.fetchall():
        problems.add(file, row, col, reason)
    if not problems.full:
        _duplicates(dataset, con, view, file, problems)
    if problems:
        drop(con, name)
        return None
    skipped = raw.skipped
    if raw.direct is not None:
        counted = con.execute(f"SELECT count(*) FROM {cells} WHERE _summary").fetchone()
        skipped = int(counted[0]) if counted else 0
    return _summary(dataset, con, view, skipped)


def _plain_cells(raw: RawFile, dataset: Dataset, con: duckdb.DuckDBPyConnection, cells: str) -> bool:
    """Type a CSV read directly into the table `cells` by `plain_cells` when every cell is plain: True
    when it did, False when the file is not of that kind or has a cell that is not (then the full
    statement reads it). `DirectReadFailed` when DuckDB cannot read the file the direct way."""
    select = _plain_select(raw, dataset)
    if select is None:
        return False
    try:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {cells} AS {select}")
    except duckdb.Error as error:
        con.execute(f"DROP TABLE IF EXISTS {cells}")
        if NOT_PLAIN in str(error):
            return False
        raise DirectReadFailed(raw.source) from None
    return True


def _plain_select(raw: RawFile, dataset: Dataset) -> str | None:
    """`plain_cells`' statement for a CSV read directly, or None where it does not apply."""
    direct = raw.direct
    if direct is None or _row_rules(dataset):
        return None
    return plain_cells_sql(
        dataset,
        raw.fit,
        file_rows_sql(raw.fit, csv_direct.read_sql(direct, raw.fit)),
        allowed={c: v for (d, c), v in ENUMERATED.items() if d == dataset.name},
        checked=_own_checks(dataset),
        row_hash=None if dataset.key else ROW_HASH,
        many_rows=direct.path.stat().st_size > MANY_ROWS_BYTES,
    )


Labelled = tuple[tuple[str, str | None], ...]  # (problem column, the label problems give its column)


def _cells_sql(
    raw: RawFile,
    dataset: Dataset,
    timezone: str,
    relation: str,
    kept: str,
    fills: Mapping[str, str] | None = None,
) -> tuple[str, Labelled]:
    """The statement that parses and checks every cell of `relation` (`raw`'s rows): the `kept`
    columns, the typed columns and a problem column per checked column; and the problem columns
    with their labels. `fills`: a filled column's value is that column of `relation`, not a literal."""
    steps = Steps()
    cols = _Columns(dataset, raw, timezone, steps, fills)
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
    select = f"SELECT {kept}, {typed}, {problem_cols}{check_cols}{rule_cols} FROM {steps.from_sql(relation)}"
    labelled: list[tuple[str, str | None]] = [(f"p_{c.name}", cols.labels[c.name]) for c in present]
    labelled += [(f"p_{column}", header) for column, header, _ in checks]
    labelled += [(f"p__row{i}", None) for i in range(len(rules))]
    return select, tuple(labelled)


def _problems_sql(rows: str, labelled: Labelled, kept: str = "_row") -> str:
    """Every problem of `rows` (a validated table or view) as (`kept`…, col, reason)."""
    return " UNION ALL ".join(
        f"SELECT {kept}, {quote(label) if label else 'NULL'} AS col, {ident(p)} AS reason "
        f"FROM {rows} WHERE {ident(p)} IS NOT NULL"
        for p, label in labelled
    )


GROUP_ROWS = 200_000  # staged rows validated by one statement at most
_GROUP_ROWS = "__shopkpi_group_rows__"  # where the rows go in a statement built for a group
_FILL = "_fill_"  # a filled column's value, one per file of a group


def validate_staged(
    raws: Sequence[RawFile],
    dataset: Dataset,
    con: duckdb.DuckDBPyConnection,
    names: Sequence[str],
    problems: Sequence[ProblemList],
    *,
    timezone: str,
) -> Iterator[tuple[int, TypedFile | None]]:
    """`validate` for staged files, each answered as (its index, its TypedFile or None). Files whose
    statement is the same but for their rows and the values their names fill in (a month's 千牛
    workbooks, one per shop) are parsed and checked by one statement: DuckDB takes far longer to
    plan the statement of a small file than to run it. Each file keeps its own view `names[i]`,
    problems (file, row, column), duplicate keys and summary. A file's view lives until the next
    answer is asked for; the rows of a group are dropped after its last file."""
    shapes: dict[tuple[str, Labelled], list[int]] = {}
    planned: dict[tuple[object, ...], tuple[str, Labelled]] = {}  # the statement of each header fit
    for i, raw in enumerate(raws):
        key = _fit_key(raw)
        shape = planned.get(key)
        if shape is None:
            fills = {column: ident(_FILL + column) for column in raw.fit.filled}
            shape = planned[key] = _cells_sql(raw, dataset, timezone, _GROUP_ROWS, "_row, _file", fills)
        shapes.setdefault(shape, []).append(i)
    for (select, labelled), members in shapes.items():
        for group in _groups(members, raws):
            if len(group) == 1:
                (i,) = group
                yield i, _validate_one(raws[i], dataset, con, names[i], problems[i], timezone)
                continue
            table = ident(names[group[0]] + "_group")
            marks = [(problems[i], len(problems[i].items), problems[i].truncated) for i in group]
            try:
                con.execute(
                    f"CREATE OR REPLACE TEMP TABLE {table} AS {select.replace(_GROUP_ROWS, _rows(raws, group))}"
                )
                found = _group_checks(
                    dataset, con, table, labelled, [raws[i] for i in group], [problems[i] for i in group]
                )
            except (
                duckdb.Error
            ):  # the group's statement or a check failed: each file on its own, from scratch
                for listed, count, truncated in marks:  # (it says which cannot be read)
                    del listed.items[count:]
                    listed.truncated = truncated
                con.execute(f"DROP TABLE IF EXISTS {table}")
                for i in group:
                    yield i, _validate_one(raws[i], dataset, con, names[i], problems[i], timezone)
                continue
            files = tuple(raws[i].source for i in group)
            try:
                for k, i in enumerate(group):
                    view = ident(names[i])
                    if problems[i] or k not in found:
                        yield i, None
                        continue
                    con.execute(
                        f"CREATE OR REPLACE TEMP VIEW {view} AS SELECT * EXCLUDE (_file) FROM {table} WHERE _file = {k}"
                    )
                    yield i, replace(found[k], view=view, together=Together(table, files, k))
            finally:
                con.execute(f"DROP TABLE IF EXISTS {table}")


def _fit_key(raw: RawFile) -> tuple[object, ...]:
    """What the statement of a staged file (`_cells_sql` for a group, its fills as columns) depends on:
    its profile, which columns it has and which are filled, how each is labelled, its rate checks.
    Files with the same key have the same statement; it is planned once (a call's 800 files, 8 ms each)."""
    fit = raw.fit
    return (
        id(fit.profile),
        tuple(fit.columns),
        tuple(fit.filled),
        tuple(fit.headers.items()),
        tuple(fit.filled_from.items()),
        tuple((id(check), header) for check, _, header in fit.checks),
        raw.direct is None,
    )


def _validate_one(
    raw: RawFile,
    dataset: Dataset,
    con: duckdb.DuckDBPyConnection,
    name: str,
    problems: ProblemList,
    timezone: str,
) -> TypedFile | None:
    try:
        return validate(raw, dataset, con, name, problems, timezone=timezone)
    except duckdb.Error as error:
        _unreadable(problems, raw.source, error)
        return None


def _groups(members: Sequence[int], raws: Sequence[RawFile]) -> Iterator[list[int]]:
    """`members` in runs of at most GROUP_ROWS staged rows (a larger file on its own)."""
    group: list[int] = []
    rows = 0
    for i in members:
        if group and rows + raws[i].rows > GROUP_ROWS:
            yield group
            group, rows = [], 0
        group.append(i)
        rows += raws[i].rows
    if group:
        yield group


def _rows(raws: Sequence[RawFile], group: Sequence[int]) -> str:
    """The staged rows of `group` as one FROM item: `_file` (the index in `group`) and each filled
    column's value for that file."""
    paths = ", ".join(quote(str(raws[i].parquet)) for i in group)
    fills = "".join(
        f", [{', '.join(quote(raws[i].fit.filled[column]) for i in group)}][CAST(file_index AS BIGINT) + 1] AS {ident(_FILL + column)}"
        for column in raws[group[0]].fit.filled
    )
    return f"(SELECT *, CAST(file_index AS BIGINT) AS _file{fills} FROM read_parquet([{paths}], union_by_name = true))"


def _group_checks(
    dataset: Dataset,
    con: duckdb.DuckDBPyConnection,
    table: str,
    labelled: Labelled,
    raws: Sequence[RawFile],
    problems: Sequence[ProblemList],
) -> dict[int, TypedFile]:
    """The problems of every file of a group validated into `table` (its rows tagged `_file`), each
    file's capped as `validate` caps them; the summary of each file (by its index in the group)."""
    cap = max(p.cap for p in problems)
    found = con.execute(
        f"SELECT _file, _row, col, reason FROM ({_problems_sql(table, labelled, '_file, _row')}) "
        f"QUALIFY row_number() OVER (PARTITION BY _file ORDER BY _row, col) <= {cap + 1} ORDER BY _file, _row, col"
    )
    for k, row, col, reason in found.fetchall():
        problems[k].add(raws[k].source, row, col, reason)
    if dataset.key:
        keys = ", ".join(ident(k) for k in dataset.key)
        required = " AND ".join(f"{ident(k)} IS NOT NULL" for k in dataset.key if dataset.column(k).required)
        where = f"WHERE {required}" if required else ""
        found = con.execute(
            f"SELECT _file, {_key_shown(dataset)} AS k, list(_row ORDER BY _row) AS r FROM {table} {where} "
            f"GROUP BY _file, {keys} HAVING count(*) > 1 ORDER BY _file, min(_row)"
        )
        for k, key, rows in found.fetchall():
            if not problems[k].full:
                for row in rows[1:]:
                    problems[k].add(
                        raws[k].source, row, None, f"duplicate key {key} (first on row {rows[0]})"
                    )
    summaries = con.execute(
        f"SELECT _file, count(*), min({scope.first_day_sql(dataset)}), max({scope.last_day_sql(dataset)}) "
        f"FROM {table} GROUP BY _file"
    ).fetchall()
    accounts: dict[int, list[str | None]] = {}
    for k, account in con.execute(
        f"SELECT DISTINCT _file, {scope.account_sql(dataset)} FROM {table}"
    ).fetchall():
        accounts.setdefault(k, []).append(account)
    return {
        k: TypedFile("", int(rows), raws[k].skipped, tuple(accounts.get(k, ())), first, last)
        for k, rows, first, last in summaries
    }


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
    found = con.execute(
        f"SELECT {_key_shown(dataset)} AS k, list(_row ORDER BY _row) AS r FROM {view} {where} "
        f"GROUP BY {keys} HAVING count(*) > 1 ORDER BY min(_row) LIMIT {problems.cap + 1}"
    )
    for key, rows in found.fetchall():
        for row in rows[1:]:
            problems.add(file, row, None, f"duplicate key {key} (first on row {rows[0]})")


def _key_shown(dataset: Dataset) -> str:
    """A row's key as text: `shop=A, date=2026-10-01`."""
    return " || ', ' || ".join(
        f"'{k}=' || coalesce(CAST({ident(k)} AS VARCHAR), '(empty)')" for k in dataset.key
    )


def _summary(dataset: Dataset, con: duckdb.DuckDBPyConnection, view: str, skipped: int) -> TypedFile:
    rows, first, last = con.execute(
        f"SELECT count(*), min({scope.first_day_sql(dataset)}), max({scope.last_day_sql(dataset)}) FROM {view}"
    ).fetchone() or (0, None, None)
    accounts = tuple(
        a for (a,) in con.execute(f"SELECT DISTINCT {scope.account_sql(dataset)} FROM {view}").fetchall()
    )
    return TypedFile(view, int(rows), skipped, accounts, first, last)
