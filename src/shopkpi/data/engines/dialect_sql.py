"""The compiled metric statement in an engine's SQL dialect.

The compiler writes one portable query shape in DuckDB's dialect (`metric_compiler`); sqlglot writes
it for the engine, after the rules below rewrite what sqlglot renders wrongly or what the engine runs
differently (each found by running it, not by reading sqlglot's output):

- PostgreSQL has no `arg_max`/`arg_min`: the first element of the values ordered by the key, with
  the rows where either is NULL left out, as DuckDB does; `hour(ts)`, `quarter(ts)`, `week(ts)`,
  `dayofweek(ts)` … are `EXTRACT(...)` (sqlglot keeps `HOUR(ts)`, `DAY_OF_WEEK(ts)`, which
  PostgreSQL lacks), `second(ts)` without its fraction; `strlen` is `length`.
- ClickHouse has no `bool_or`/`bool_and`: `max`/`min` of the condition; DuckDB's `log(x)` is base
  10 (ClickHouse's is natural); a DATE is a `Date32` (a `Date` starts in 1970 and silently clamps
  earlier days), a TIMESTAMP a `DateTime64(6, 'UTC')`
  (a wall-clock time, whatever the server's time zone); `strlen` is `length`.
- Spark: `log(x)` is base 10 there too, `week(ts)` is `weekofyear`, `dayofweek(ts)` counts from 0.

Each value column is cast to the type DuckDB gives it (`value_types`), so that every engine prints
the same number: PostgreSQL's numeric keeps each value's own scale (`sum(CASE … ELSE 0 END)` is 0,
not 0.00), its `avg` is exact where DuckDB's is a double, ClickHouse's `round(x, 1)` keeps x's scale.

`tables` maps the names the statement reads (datasets, `employees`, `accounts`, `_reports`) to where
the engine holds them. DuckDB's statement is returned as written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

import duckdb
import sqlglot
from sqlglot import exp

from shopkpi.data.datasets import DATASETS
from shopkpi.data.metrics.attribution import REPORTS
from shopkpi.data.metrics.sql_guard import DIALECT

Rule = Callable[[exp.Expr], exp.Expr]


def engine_sql(
    sql: str, dialect: str, tables: Mapping[str, str] | None = None, types: Mapping[str, str] | None = None
) -> str:
    """`sql` (DuckDB's dialect) for an engine of `dialect`, its tables renamed by `tables`, the result
    columns named in `types` cast to those DuckDB types."""
    if dialect == DIALECT and not tables:
        return sql
    tree = sqlglot.parse_one(sql, read=DIALECT)
    if types:
        _cast(tree, types)
    tree = rewritten(tree, dialect)
    if tables:
        tree = _renamed(tree, tables)
    return tree.sql(dialect=dialect)


def value_types(sql: str, columns: Iterable[str]) -> dict[str, str]:
    """The DuckDB type of each of `columns` in the result of `sql` (over empty tables of every dataset)."""
    connection = duckdb.connect(":memory:")
    try:
        for dataset in DATASETS.values():
            typed = ", ".join(f'"{c.name}" {c.duckdb_type}' for c in (*dataset.columns,))
            connection.execute(f'CREATE TABLE "{dataset.name}" ({typed}, _batch VARCHAR)')
        connection.execute(f'CREATE TABLE "{REPORTS}" (_manager VARCHAR, _member VARCHAR)')
        described = {str(row[0]): str(row[1]) for row in connection.execute(f"DESCRIBE {sql}").fetchall()}
    finally:
        connection.close()
    return {column: _portable_type(described[column]) for column in columns}


def _portable_type(duckdb_type: str) -> str:
    """A DuckDB type every engine has: HUGEINT (a sum of BIGINTs) as DECIMAL(38,0)."""
    return "DECIMAL(38,0)" if duckdb_type in ("HUGEINT", "UHUGEINT", "UBIGINT") else duckdb_type


def _cast(tree: exp.Expr, types: Mapping[str, str]) -> None:
    """The outermost SELECT's columns named in `types` cast to them (keeping their names)."""
    assert isinstance(tree, exp.Select)
    projections = []
    for projection in tree.expressions:
        kind = types.get(projection.alias_or_name)
        if kind is not None:
            cast = exp.Cast(this=projection.copy(), to=exp.DataType.build(kind, dialect=DIALECT))
            projection = exp.alias_(cast, projection.alias_or_name)
        projections.append(projection)
    tree.set("expressions", projections)


def rewritten(tree: exp.Expr, dialect: str) -> exp.Expr:
    """`tree` with the rules of `dialect` applied (the tree is changed)."""
    rules = _RULES.get(dialect, ())
    for rule in rules:
        tree = tree.transform(rule, copy=False)
    return tree


def _renamed(tree: exp.Expr, tables: Mapping[str, str]) -> exp.Expr:
    ctes = {cte.alias_or_name for cte in tree.find_all(exp.CTE)}
    for table in list(tree.find_all(exp.Table)):
        target = tables.get(table.name)
        if target is None or table.name in ctes or table.args.get("db"):
            continue
        replacement = exp.to_table(target)
        replacement.set(
            "alias", table.args.get("alias") or exp.TableAlias(this=exp.to_identifier(table.name))
        )
        table.replace(replacement)
    return tree


def _postgres_arg_max(node: exp.Expr) -> exp.Expr:
    """`arg_max(x, y) [FILTER (WHERE c)]` → `(array_agg(x ORDER BY y DESC) FILTER (WHERE x IS NOT
    NULL AND y IS NOT NULL [AND c]))[1]`; `arg_min` ascending."""
    unit = node
    condition: exp.Expr | None = None
    if isinstance(node, exp.Filter) and isinstance(node.this, exp.ArgMax | exp.ArgMin):
        unit = node.this
        where = node.expression
        condition = where.this if isinstance(where, exp.Where) else None
    if not isinstance(unit, exp.ArgMax | exp.ArgMin) or (
        unit is node and isinstance(node.parent, exp.Filter)
    ):
        return node
    value, key = unit.this, unit.expression
    present = exp.and_(
        exp.Not(this=exp.Is(this=value.copy(), expression=exp.Null())),
        exp.Not(this=exp.Is(this=key.copy(), expression=exp.Null())),
        *([condition.copy()] if condition is not None else []),
    )
    ordered = exp.Order(expressions=[exp.Ordered(this=key.copy(), desc=isinstance(unit, exp.ArgMax))])
    collected = exp.ArrayAgg(this=exp.Order(this=value.copy(), expressions=ordered.expressions))
    filtered = exp.Filter(this=collected, expression=exp.Where(this=present))
    return exp.Bracket(this=exp.Paren(this=filtered), expressions=[exp.Literal.number(1)], offset=1)


_EXTRACTED: dict[type[exp.Expr], str] = {
    exp.Hour: "HOUR",
    exp.Minute: "MINUTE",
    exp.Quarter: "QUARTER",
    exp.Week: "WEEK",  # ISO weeks, as DuckDB's week()
    exp.DayOfWeek: "DOW",  # Sunday 0 .. Saturday 6, as DuckDB's dayofweek()
    exp.DayOfMonth: "DAY",
    exp.DayOfYear: "DOY",
}


def _postgres_extract(node: exp.Expr) -> exp.Expr:
    if isinstance(node, exp.Second):  # EXTRACT(SECOND …) has the fraction; DuckDB's second() has not
        extracted = exp.Extract(this=exp.var("SECOND"), expression=node.this.copy())
        return exp.Floor(this=extracted)
    if isinstance(node, exp.Anonymous) and node.name.lower() == "strlen":
        return exp.Length(this=node.expressions[0].copy())
    part = _EXTRACTED.get(type(node))
    if part is None:
        return node
    return exp.Extract(this=exp.var(part), expression=node.this.copy())


def _log10_strlen(node: exp.Expr) -> exp.Expr:
    """DuckDB's `log(x)` is base 10 (ClickHouse's and Spark's are natural); `strlen` is `length`."""
    if isinstance(node, exp.Log) and node.args.get("expression") is None:
        return exp.Anonymous(this="log10", expressions=[node.this.copy()])
    if isinstance(node, exp.Anonymous) and node.name.lower() == "strlen":
        return exp.Length(this=node.expressions[0].copy())
    return node


def _spark_weeks(node: exp.Expr) -> exp.Expr:
    """`week(ts)`: `weekofyear` (ISO weeks); `dayofweek(ts)`: Spark counts Sunday as 1, DuckDB as 0."""
    if isinstance(node, exp.Week):
        return exp.Anonymous(this="weekofyear", expressions=[node.this.copy()])
    if isinstance(node, exp.DayOfWeek):
        day = exp.Anonymous(this="dayofweek", expressions=[node.this.copy()])
        return exp.Paren(this=exp.Sub(this=day, expression=exp.Literal.number(1)))
    return node


def _clickhouse_logical(node: exp.Expr) -> exp.Expr:
    if isinstance(node, exp.LogicalOr):
        return exp.Max(this=node.this.copy())
    if isinstance(node, exp.LogicalAnd):
        return exp.Min(this=node.this.copy())
    return node


def _clickhouse_types(node: exp.Expr) -> exp.Expr:
    if isinstance(node, exp.DataType):
        if node.is_type(exp.DataType.Type.DATE):
            return exp.DataType.build("Nullable(Date32)", dialect="clickhouse")
        if node.is_type(exp.DataType.Type.TIMESTAMP, exp.DataType.Type.TIMESTAMPNTZ):
            return exp.DataType.build("Nullable(DateTime64(6, 'UTC'))", dialect="clickhouse")
    return node


_RULES: Mapping[str, tuple[Rule, ...]] = {
    "postgres": (_postgres_arg_max, _postgres_extract),
    "clickhouse": (_clickhouse_logical, _log10_strlen, _clickhouse_types),
    "spark": (_log10_strlen, _spark_weeks),
}
