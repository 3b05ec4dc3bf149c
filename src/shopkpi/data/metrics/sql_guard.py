"""The check every piece of metric SQL passes before it runs.

Metric definitions are user data (YAML in `<home>/metrics/`), so their SQL is parsed with sqlglot
and refused unless it is ONE SELECT that reads only registered datasets (and its own CTEs) and
calls only functions from an allow-list of plain scalar and aggregate functions. That rules out
DuckDB table functions (`read_csv`, `read_parquet`, `glob`, `query`, ...), reading a file named as a
table (`FROM 'x.csv'`), other catalogues (`other.main.t`), scalar functions that reach outside
(`read_text`, `getenv`, `current_setting`, ...), DDL, COPY, ATTACH, INSTALL, PRAGMA, SET and several
statements separated by `;`. Unknown tables and columns are refused too. A refusal names the
metric and every reason found, in one pass.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence

import sqlglot
from sqlglot import exp
from sqlglot.dialects.dialect import Dialect
from sqlglot.errors import OptimizeError, ParseError, TokenError
from sqlglot.tokenizer_core import TokenType

DIALECT = "duckdb"

Schema = Mapping[str, Mapping[str, str]]
"""Table name → column name → DuckDB type."""


def _classes(names: str) -> tuple[type[exp.Expr], ...]:
    """The sqlglot expression classes named (space-separated) that this sqlglot version has."""
    return tuple(getattr(exp, name) for name in names.split() if hasattr(exp, name))


_ALLOWED_FUNCTIONS = _classes(
    # aggregates
    "Sum Count CountIf Avg Min Max ArgMax ArgMin AnyValue First Last Median PercentileCont "
    "PercentileDisc Quantile Stddev StddevPop StddevSamp Variance VariancePop LogicalOr "
    "LogicalAnd ArrayAgg GroupConcat ApproxDistinct "
    # logic, conditionals and casts
    "And Or Xor Exists Case If Coalesce Nullif Greatest Least Cast TryCast "
    # arithmetic
    "Abs Round Floor Ceil Sqrt Pow Ln Log Exp Sign "
    # dates and times
    "Extract TimestampTrunc DateTrunc DateDiff DateAdd DateSub TimestampDiff TimestampAdd "
    "TimestampSub Year Quarter Month Week Day DayOfWeek DayOfMonth DayOfYear Hour Minute Second "
    "CurrentDate CurrentTimestamp TimeToStr StrToTime StrToDate TsOrDsToDate Date LastDay "
    "TimeToUnix UnixToTime "
    # text
    "Lower Upper Length Substring Trim Concat ConcatWs StrPosition Left Right RegexpLike "
    "RegexpExtract Replace StartsWith EndsWith Contains "
    # lists (provenance)
    "ArrayDistinct Flatten Grouping "
    # window helpers
    "RowNumber Rank DenseRank Lag Lead"
)

_ALLOWED_ANONYMOUS = frozenset(
    [
        "list",
        "list_distinct",
        "flatten",
        "count_star",
        "bool_or",
        "bool_and",
        "strlen",
    ]
)

_STATEMENT_KINDS = _classes(
    "Command Create Drop Insert Update Delete Merge Copy Attach Detach Install Pragma Set Use "
    "Describe Summarize Alter Transaction Commit Rollback Export LoadData Grant Cache Uncache Refresh Analyze"
)

for _name in ("sqlglot", "sqlglot.parser"):
    logging.getLogger(_name).setLevel(logging.ERROR)

# sqlglot loads a dialect's modules when it is first used; load DuckDB's with this module, as an import
Dialect.get_or_raise(DIALECT)


class SqlRefused(ValueError):
    """A piece of metric SQL that may not run; `reasons` lists every problem found."""

    def __init__(self, subject: str, reasons: Sequence[str]) -> None:
        self.subject = subject
        self.reasons = tuple(reasons)
        super().__init__(f"{subject}: SQL refused: " + "; ".join(self.reasons))


def checked_select(sql: str, *, subject: str, schema: Schema) -> exp.Query:
    """`sql` parsed, checked and with every column qualified; SqlRefused otherwise."""
    return _checked(_one_statement(sql, subject), subject, schema)


def _checked(statement: exp.Expr, subject: str, schema: Schema) -> exp.Query:
    reasons = list(dict.fromkeys(_structure_problems(statement, schema)))
    if reasons:
        raise SqlRefused(subject, reasons)
    from sqlglot.optimizer.qualify import qualify  # loaded for user definitions only

    try:
        qualified = qualify(
            statement,
            schema=_lowered(schema),  # type: ignore[arg-type]
            dialect=DIALECT,
            validate_qualify_columns=True,
            quote_identifiers=True,
        )
    except OptimizeError as error:
        raise SqlRefused(subject, [f"unknown or ambiguous column: {error}"]) from None
    assert isinstance(qualified, exp.Query)
    return qualified


def parsed_expression(sql: str) -> exp.Expr:
    """A trusted expression (the shipped catalogue's, checked by the test suite), only parsed."""
    return sqlglot.parse_one(sql, read=DIALECT)


def parsed_query(sql: str) -> exp.Query:
    """A trusted query, only parsed."""
    query = sqlglot.parse_one(sql, read=DIALECT)
    assert isinstance(query, exp.Query)
    return query


def checked_structure(sql: str, *, subject: str, schema: Schema) -> exp.Query:
    """`sql` parsed and checked like `checked_select`, without resolving columns (for compiled SQL)."""
    statement = _one_statement(sql, subject)
    reasons = list(dict.fromkeys(_structure_problems(statement, schema)))
    if reasons:
        raise SqlRefused(subject, reasons)
    assert isinstance(statement, exp.Query)
    return statement


def checked_tree(tree: exp.Expr, *, subject: str, schema: Schema) -> None:
    """The structural checks of `checked_structure` on an already parsed query or fragment (no parsing):
    only registered datasets (and the query's CTEs), allowed functions, no other statement."""
    reasons = list(dict.fromkeys(_structure_problems(tree, schema)))
    if reasons:
        raise SqlRefused(subject, reasons)


def checked_aggregate(expression: str, *, subject: str, dataset: str, schema: Schema) -> exp.Expr:
    """An aggregate expression over one dataset's columns (`sum(uv)`, `count(distinct user) filter (...)`)."""
    select = _single_projection(f"SELECT {expression} AS value FROM {dataset}", subject, dataset, schema)
    value = select.expressions[0]
    assert isinstance(value, exp.Alias)
    reasons = _no_nested_queries(value.this)
    if not any(isinstance(node, exp.AggFunc) for node in value.this.walk()):
        reasons.append(f"{expression!r} is not an aggregate expression (use sum(...), count(...), ...)")
    for column in value.this.find_all(exp.Column):
        if column.find_ancestor(exp.AggFunc, exp.Filter) is None:
            reasons.append(f"column {column.name!r} is used outside an aggregate function")
    if any(isinstance(node, exp.Window) for node in value.this.walk()):
        reasons.append("window functions are not allowed in an aggregate expression")
    reasons.extend(not_a_number(select, "value", schema))
    if reasons:
        raise SqlRefused(subject, reasons)
    return _unqualified(value.this)


def not_a_number(query: exp.Query, column: str, schema: Schema) -> list[str]:
    """A reason if the type of `column` of a checked query is known and not a number."""
    from sqlglot.optimizer.annotate_types import annotate_types

    typed = annotate_types(query.copy(), schema=_lowered(schema), dialect=DIALECT)  # type: ignore[arg-type]
    for select in typed.selects:
        kind = select.type
        if select.alias_or_name != column or kind is None:
            continue
        if not kind.is_type(exp.DataType.Type.UNKNOWN, *exp.DataType.NUMERIC_TYPES):
            return [f"{column} must be a number, not {kind.sql(dialect=DIALECT)}"]
    return []


def checked_condition(condition: str, *, subject: str, dataset: str, schema: Schema) -> exp.Expr:
    """A row filter over one dataset's columns (`status in ('paid', 'shipped')`)."""
    select = _single_projection(
        f"SELECT 1 AS value FROM {dataset} WHERE {condition}", subject, dataset, schema
    )
    where = select.args.get("where")
    if not isinstance(where, exp.Where):
        raise SqlRefused(subject, [f"filter {condition!r} is not a condition"])
    reasons = _no_nested_queries(where.this)
    if any(isinstance(node, (exp.AggFunc, exp.Window)) for node in where.this.walk()):
        reasons.append(f"filter {condition!r} may not use aggregate or window functions")
    if reasons:
        raise SqlRefused(subject, reasons)
    return _unqualified(where.this)


def table_names(query: exp.Expr) -> tuple[str, ...]:
    """The datasets a checked query reads (CTE names left out)."""
    ctes = {cte.alias_or_name.lower() for cte in query.find_all(exp.CTE)}
    names = {table.name.lower() for table in query.find_all(exp.Table)}
    return tuple(sorted(names - ctes))


def _single_projection(sql: str, subject: str, dataset: str, schema: Schema) -> exp.Select:
    if _has_semicolon(sql):
        raise SqlRefused(subject, ["must be one expression: ';' separates statements"])
    if dataset not in schema:
        raise SqlRefused(subject, [f"unknown dataset {dataset!r}"])
    parsed = _one_statement(sql, subject)
    if any(isinstance(node, exp.Select) for node in parsed.walk() if node is not parsed):
        raise SqlRefused(subject, ["subqueries are not allowed here (use a query metric)"])
    select = _checked(parsed, subject, {dataset: schema[dataset]})
    if not isinstance(select, exp.Select) or len(select.expressions) != 1:
        raise SqlRefused(subject, ["must be a single expression (no ',' or ';')"])
    if select.args.get("joins") or select.args.get("group") or select.args.get("with_"):
        raise SqlRefused(subject, ["must be a single expression over the dataset's columns"])
    return select


def _has_semicolon(sql: str) -> bool:
    try:
        tokens = sqlglot.tokenize(sql, read=DIALECT)
    except TokenError:
        return False
    return any(token.token_type == TokenType.SEMICOLON for token in tokens)


def _one_statement(sql: str, subject: str) -> exp.Expr:
    try:
        statements = [s for s in sqlglot.parse(sql, read=DIALECT) if s is not None]
    except (ParseError, TokenError) as error:
        first = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise SqlRefused(subject, [f"does not parse: {first}"]) from None
    if len(statements) != 1:
        raise SqlRefused(subject, [f"must be one statement, found {len(statements)}"])
    statement = statements[0]
    if not isinstance(statement, exp.Query):
        kind = statement.key.upper() if not isinstance(statement, exp.Command) else statement.name.upper()
        raise SqlRefused(subject, [f"only SELECT is allowed, not {kind}"])
    return statement


def _structure_problems(statement: exp.Expr, schema: Schema) -> Iterable[str]:
    known = {name.lower() for name in schema}
    ctes = {cte.alias_or_name.lower() for cte in statement.find_all(exp.CTE)}
    for node in statement.walk():
        if isinstance(node, _STATEMENT_KINDS):
            yield f"only SELECT is allowed, not {node.key.upper()}"
        elif isinstance(node, exp.Table):
            yield from _table_problems(node, known | ctes)
        elif (
            isinstance(node, exp.Func)
            and not isinstance(node.parent, exp.Table)
            and not _function_allowed(node)
        ):
            yield f"function {_function_name(node)}() is not allowed"


def _table_problems(table: exp.Table, allowed: set[str]) -> Iterable[str]:
    source = table.this
    if isinstance(source, exp.Func):
        yield f"table function {_function_name(source)}() is not allowed (file and network access)"
        return
    if table.args.get("db") or table.args.get("catalog"):
        yield f"table {table.sql(dialect=DIALECT)} is outside the registered datasets"
        return
    if not isinstance(source, exp.Identifier):
        yield f"{table.sql(dialect=DIALECT)} is not a dataset"
        return
    name = source.name
    if name.lower() not in allowed:
        if "." in name or "/" in name or "\\" in name:
            yield f"reading the file {name!r} is not allowed"
        else:
            yield f"unknown table {name!r} (datasets: {', '.join(sorted(allowed))})"


def _function_allowed(node: exp.Func) -> bool:
    if isinstance(node, exp.Anonymous):
        return node.name.lower() in _ALLOWED_ANONYMOUS
    return isinstance(node, _ALLOWED_FUNCTIONS)


def _function_name(node: exp.Expr) -> str:
    if isinstance(node, exp.Anonymous):
        return node.name
    if isinstance(node, exp.Func):
        return node.sql_name().lower()
    return node.key


def _no_nested_queries(node: exp.Expr) -> list[str]:
    if any(isinstance(n, (exp.Select, exp.Subquery)) for n in node.walk()):
        return ["subqueries are not allowed here (use a query metric)"]
    return []


def _unqualified(node: exp.Expr) -> exp.Expr:
    """A copy without the table qualifiers `qualify` added, ready to be placed over another alias."""

    def strip(n: exp.Expr) -> exp.Expr:
        if isinstance(n, exp.Column) and n.args.get("table"):
            n = n.copy()
            n.set("table", None)
        return n

    return node.copy().transform(strip)


def _lowered(schema: Schema) -> dict[str, dict[str, str]]:
    return {table.lower(): {c.lower(): t for c, t in columns.items()} for table, columns in schema.items()}
