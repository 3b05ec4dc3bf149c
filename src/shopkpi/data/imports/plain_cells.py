"""The quick statement for a large clean file: each cell taken as it is, the full parse only if needed.

Nearly every cell of a platform's clickstream or order export is plain: text without a space at
either end, not blank, not formula-like, a timestamp as `2026-10-01 09:30:00`. For such a cell the
full parse of `value_sql` (clean, then parse, then every check) gives the cell itself (text) or its
`strptime` (a timestamp), and no problem; working all that out for a million rows costs about as
much as reading them. So a CSV read directly whose columns are all text or timestamps, with no
summary rows, rate checks, filled columns or row rules, is first read by `plain_cells_sql`: the
cells as they are, the timestamps by that one format, and a test per row that every cell is plain
in the sense above. At the first row that is not, the statement stops (`NOT_PLAIN`) and the caller
runs the full statement instead, which names every problem exactly as it always has (file, row,
column, reason); a file that is not clean costs one started read more, not a different answer.

What "plain" means here is never looser than the full parse: a text cell is plain when
`value_sql.special_sql` says it is not special (then `clean_sql` keeps it whole and `problem_sql`
finds nothing), an enumerated cell when it is one of the allowed values exactly (no profile word
maps it), a timestamp when the common format reads it (the full parse tries that format first on
the cleaned text, and the format itself skips the ASCII spaces that cleaning removes).
tests/data/test_plain_cells.py checks, cell by cell, that every value this statement accepts is the
full statement's value and that the full statement finds no problem in its rows.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from shopkpi.data.datasets import Column, Dataset
from shopkpi.data.imports.profile_match import HeaderFit
from shopkpi.data.imports.value_sql import common_timestamp_sql, ident, quote, special_sql, typed_sql

NOT_PLAIN = "shopkpi: a cell needs the full parse"  # the error that stops the statement


def plain_cells_sql(
    dataset: Dataset,
    fit: HeaderFit,
    rows: str,
    *,
    allowed: Mapping[str, tuple[str, ...]],
    checked: Collection[str],
    row_hash: str | None,
    many_rows: bool,
) -> str | None:
    """The statement that types `rows` (a FROM item: each column of the file as text, named by its
    canonical name, in file order) when every cell is plain, and stops with NOT_PLAIN at a row that
    is not; None where the file's columns are not all of the kinds it reads. Its columns: the
    dataset's typed columns in registry order, and, named `row_hash`, the hash of each row's values.

    `allowed` are the enumerated columns' values; `checked`, columns with checks of their own (a
    period, a rating): a file with one of those is left to the full statement. `many_rows`: the
    text test quickest per row, slower to plan (`value_sql.special_sql`)."""
    if fit.profile.skip_rows or fit.checks or fit.filled:
        return None
    present = [c for c in dataset.columns if c.name in fit.columns]
    inner: list[str] = []  # the values, one level below the test that reads them
    tests: list[str] = []
    for column in present:
        words = fit.profile.values.get(column.name, {})
        found = _plain(column, words, allowed.get(column.name), checked, many_rows)
        if found is None:
            return None
        value, test = found
        if column.type == "timestamp" and not column.required:  # the cell, to tell empty from unread
            inner.append(f"{ident(column.name)} AS {ident('_raw_' + column.name)}")
        inner.append(f"{value} AS {ident(column.name)}")
        tests.append(test)
    if not present:
        return None
    typed = [ident(c.name) if c in present else f"CAST(NULL AS {c.duckdb_type})" for c in dataset.columns]
    first = present[0]
    guard = f"CASE WHEN {' AND '.join(tests)} THEN {ident(first.name)} ELSE error({quote(NOT_PLAIN)}) END"
    selected = [
        f"{guard if c is first else value} AS {ident(c.name)}"
        for c, value in zip(dataset.columns, typed, strict=True)
    ]
    if row_hash is not None:  # as the full statement hashes them: each value in its registry type
        values = ", ".join(typed_sql(c.type, v) for c, v in zip(dataset.columns, typed, strict=True))
        selected.append(f"hash({values}) AS {ident(row_hash)}")
    return f"SELECT {', '.join(selected)} FROM (SELECT {', '.join(inner)} FROM {rows}) AS _plain"


def _plain(
    column: Column,
    words: Mapping[str, str],
    allowed: tuple[str, ...] | None,
    checked: Collection[str],
    many_rows: bool,
) -> tuple[str, str] | None:
    """(the column's value, the test that its cell is plain) as SQL over the file's column, or None."""
    cell = ident(column.name)
    if column.name in checked:
        return None
    empty = "true" if not column.required else "false"  # an empty cell: fine only where it may be
    if column.type == "text" and allowed is not None:
        mapped = {k.lower(): v for k, v in words.items()}  # (a word mapped to itself changes nothing)
        kept = [a for a in allowed if mapped.get(a, a) == a and a == a.lower() and a.strip() == a and a]
        if not kept:
            return None
        return cell, f"coalesce({cell} IN ({', '.join(quote(a) for a in kept)}), {empty})"
    if words:
        return None
    if column.type == "text":
        return cell, f"coalesce(NOT {special_sql(cell, many_rows=many_rows)}, {empty})"
    if column.type == "timestamp":
        raw = ident("_raw_" + column.name)
        test = f"{cell} IS NOT NULL" if column.required else f"({cell} IS NOT NULL OR {raw} IS NULL)"
        return common_timestamp_sql(cell), test
    return None


def file_rows_sql(fit: HeaderFit, read: str) -> str:
    """`read` (DuckDB's read of the data rows, columns c0, c1 …) as the FROM item `plain_cells_sql`
    reads: each recognised column by its canonical name."""
    selected = ", ".join(f"c{index} AS {ident(name)}" for name, index in fit.columns.items())
    return f"(SELECT {selected} FROM {read})"
