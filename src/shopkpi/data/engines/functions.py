"""Which functions a user metric may call on each metric engine: the SQL guard's allow-list less the
functions that fail there or give another answer, after `engine_sql`'s rules.

Each list was found by running every allowed function form on the engine and comparing with DuckDB
(tests/conformance/function_forms.py runs them again: a function kept here must give DuckDB's value,
one left out must fail or differ). Non-deterministic or approximate functions (`any_value`,
`first`, `last`, `approx_count_distinct`) are left out of every engine but DuckDB: the same rows may
give another value. A user metric calling a function its engine lacks is refused when the catalogue
loads, with the metric's name (`refusals`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from sqlglot import exp

ENGINE_NAMES: Mapping[str, str] = {
    "duckdb": "DuckDB",
    "postgresql": "PostgreSQL",
    "spark": "Spark SQL",
    "clickhouse": "ClickHouse",
}

_EVERYWHERE_BUT_DUCKDB = ("AnyValue", "First", "Last", "ApproxDistinct")

MAY_DIFFER = frozenset((*_EVERYWHERE_BUT_DUCKDB, "Median", "Quantile"))
"""Left out for being approximate or not deterministic on an engine (ClickHouse's median samples):
the same rows may give the same value there, or not."""

_LEFT_OUT: Mapping[str, frozenset[str]] = {
    "duckdb": frozenset(),
    # regexp_extract: no such function (substring(x FROM re) differs in its groups); ends_with and
    # contains: none either (sqlglot writes them as they are)
    "postgresql": frozenset((*_EVERYWHERE_BUT_DUCKDB, "RegexpExtract", "EndsWith", "Contains")),
    "clickhouse": frozenset(
        (
            *_EVERYWHERE_BUT_DUCKDB,
            # approximate (reservoir sampling) or missing
            "Median", "PercentileCont", "PercentileDisc", "Quantile",
            # NaN instead of NULL for a single row
            "Stddev", "StddevSamp", "Variance",
            # another week numbering; day_of_week, str_to_time, time_to_unix missing
            "Week", "DayOfWeek", "StrToTime", "StrToDate", "TimeToUnix", "UnixToTime",
        )
    ),
    # percentile_cont/percentile_disc: an aggregate of one argument there (WITHIN GROUP)
    "spark": frozenset((*_EVERYWHERE_BUT_DUCKDB, "PercentileCont", "PercentileDisc")),
}  # fmt: skip


def left_out(engine: str) -> frozenset[str]:
    """The sqlglot function classes (by name) a user metric may not call on `engine`."""
    return _LEFT_OUT[engine]


def refusals(trees: Iterable[exp.Expr], engine: str) -> list[str]:
    """A reason per function of `trees` that `engine` cannot run as DuckDB does."""
    names = _LEFT_OUT[engine]
    found: dict[str, None] = {}
    for tree in trees:
        for node in tree.find_all(exp.Func):
            if type(node).__name__ in names:
                found[node.sql_name().lower()] = None
    return [
        f"function {name}() is not available on the metric engine {ENGINE_NAMES[engine]} "
        "(it fails there or gives another answer)"
        for name in found
    ]
