"""The CTEs of one block of the compiled metric statement (see `metric_compiler`).

A block is one dataset read with one account kind (or one query metric) for one period. It becomes:

    _q<i>  the query metric's own SELECT (query blocks only)
    _p<i>  rows grouped by (owner pair, u) when the block's distinct counts count u; an owner pair
           (`_owner_pairs`) is a number per (employee, kind, account), a cheaper key than its texts
    _v<i>  the block's values per employee, or per (employee, account) when a value is not a plain
           sum over accounts or comes from `_p` (the accounts' values are then added in _w<i>);
           owned rows only
    _s<i>  per (employee, account, batch): rows, and rows covering a range across a hand-over (ranged),
           from the rows grouped by (account, day, batch) first: a few groups, cheap to attribute
    _e<i>  per employee: the above (batches as arrays; the accounts only for the rows no one owned,
           the only ones that name them), columns prefixed b<i>_
    _t<i>  per manager: the employees' values added over everyone reporting to them, and the
           batches of their rows, prefixed t<i>_

The shape is portable: plain GROUP BY with positions, FILTER, array_agg, no `GROUP BY ALL`, no
`* EXCLUDE`, no nested lists, no recursion (`_reports` is a table the organisation registers);
`engines.dialect_sql` writes it in each engine's dialect.

A dataset block whose source has a roll-up view (`rollups`) reads it for `_s<i>` (rows are
`sum(_n)`), and for `_p`/`_v` too when every value can be computed from it (`rollup_reading`);
otherwise the values read the dataset's rows.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from sqlglot import exp

from shopkpi.data.datasets import DATASETS, Dataset
from shopkpi.data.metrics import attribution as attr
from shopkpi.data.metrics.aggregation_plan import plan
from shopkpi.data.metrics.crediting import PLAIN, Crediting
from shopkpi.data.metrics.row_overrides import RowOverride, account_sql
from shopkpi.data.metrics.sql_guard import DIALECT
from shopkpi.data.warehouse.rollup_reading import rewritten
from shopkpi.data.warehouse.rollups import COUNT_COLUMN
from shopkpi.scorecard.periods import Period

ROW_ALIAS = "d"
ACCOUNT_COLUMNS = ("rows", "batches", "accounts")
CROSSING_COLUMNS = ("crossing_rows", "crossing_accounts")
"""A ranged block's (`BlockSource.ranged`) besides ACCOUNT_COLUMNS: rows covering a hand-over."""
OWNER_PAIRS = "_owner_pairs"
PAIRS = "_pairs"


def pairs_ctes() -> list[str]:
    """`_owner_pairs`: `_owners` with `_o_pair`, a number per (employee, kind, account); `_pairs`: each
    pair's employee and account. After `attribution.owners_cte()`."""
    return [
        f"{OWNER_PAIRS} AS (SELECT *, dense_rank() OVER (ORDER BY _o_employee, _o_kind, _o_account) AS _o_pair "
        f"FROM {attr.OWNERS})",
        f"{PAIRS} AS (SELECT DISTINCT _o_pair, _o_employee, _o_account FROM {OWNER_PAIRS})",
    ]


@dataclass(frozen=True)
class BlockSource:
    """What a block reads: a dataset (by an account kind and column) or a query metric's CTE."""

    index: int
    offset: int
    kind: str
    dataset: str | None
    account_column: str | None = None
    query_sql: str | None = None
    query_has_batch: bool = False
    rollup: str | None = None
    """The roll-up view the block may read instead of the dataset's rows, if any."""
    overrides: tuple[RowOverride, ...] = ()
    """HR's decisions on single rows of the dataset (`row_overrides`): a re-credited row is read
    under its new owner's account (never from a roll-up)."""
    crediting: Crediting = PLAIN
    """The credit rules and shifts the rows are read with (`crediting`); overrides come after them."""

    @property
    def ranged(self) -> bool:
        """Rows of the dataset may cover a date range (`date_from`), which can cross a hand-over."""
        return self.dataset is not None and attr.RANGE_START_COLUMN in DATASETS[self.dataset].column_names

    def account_columns(self) -> tuple[str, ...]:
        """The columns `_e<i>` gives besides the values (each prefixed `b<i>_`)."""
        return ACCOUNT_COLUMNS + CROSSING_COLUMNS if self.ranged else ACCOUNT_COLUMNS

    def account_sql(self) -> str:
        """The account a row is attributed by: its account column (a shared account's shift slot at
        the row's time, `crediting`), or a re-credited row's account."""
        assert self.dataset is not None and self.account_column is not None
        column = self.crediting.account(DATASETS[self.dataset], self.kind, self.account_column, ROW_ALIAS)
        return account_sql(column, self.overrides, ROW_ALIAS, DIALECT)


def block_ctes(source: BlockSource, values: Sequence[tuple[exp.Expr, str]], window: Period) -> Iterator[str]:
    """The CTEs up to `_e<i>`; `values` are (aggregate over the rows, column name) pairs."""
    i = source.index
    if source.dataset is not None:
        yield from _dataset_values(source, values, window)
        yield _dataset_accounts(source, window)
    else:
        yield f"_q{i} AS ({source.query_sql})"
        yield _query_values(source, values, window)
        yield _query_accounts(source, window)
    names = [column for _, column in values]
    per_employee = "".join(f", v.{c} AS b{i}_{c}" for c in names)
    # the accounts only where they are reported (rows no one owned, rows across a hand-over), each
    # account once per batch: the computation counts each once (no DISTINCT, which costs DuckDB a
    # grouping and a join of its own)
    crossing = (
        ", sum(_crossing) AS _crossing_rows, array_agg(_account) FILTER (WHERE _crossing > 0) AS _crossing_accounts"
        if source.ranged
        else ""
    )
    accounts = (
        f"SELECT _employee, sum(_rows) AS _rows, {batches_sql('_b')} AS _batches, "
        f"array_agg(_account) FILTER (WHERE _employee IS NULL) AS _accounts{crossing} FROM _s{i} GROUP BY 1"
    )
    fixed = ", ".join(f"s._{c} AS b{i}_{c}" for c in source.account_columns())
    yield (
        f"_e{i} AS (SELECT s._employee AS _employee, {source.offset} AS _offset, {fixed}{per_employee} "
        f"FROM ({accounts}) AS s LEFT JOIN _w{i} AS v ON v._employee = s._employee)"
    )


def batches_sql(column: str) -> str:
    """The distinct batches of `column` (NULL left out) as an array: provenance."""
    return f"array_agg(DISTINCT {column}) FILTER (WHERE {column} IS NOT NULL)"


def team_cte(index: int, columns: Sequence[str]) -> str:
    """`_t<i>`: for each manager, the values of `_e<i>` added over everyone reporting to them, and the
    batches of their rows (from `_s<i>`)."""
    values = "".join(f", sum(e.b{index}_{c}) AS t{index}_{c}" for c in columns)
    chosen = "".join(f", v.t{index}_{c}" for c in ("rows", *columns))
    added = (
        f"SELECT r._manager AS _employee, e._offset AS _offset, sum(e.b{index}_rows) AS t{index}_rows{values} "
        f"FROM _e{index} AS e JOIN {attr.REPORTS} AS r ON r._member = e._employee GROUP BY 1, 2"
    )
    batches = (
        f"SELECT r._manager AS _employee, {batches_sql('s._b')} AS _batches "
        f"FROM _s{index} AS s JOIN {attr.REPORTS} AS r ON r._member = s._employee GROUP BY 1"
    )
    return (
        f"_t{index} AS (SELECT v._employee AS _employee, v._offset AS _offset{chosen}, b._batches AS t{index}_batches "
        f"FROM ({added}) AS v LEFT JOIN ({batches}) AS b ON b._employee = v._employee)"
    )


def _dataset_values(
    source: BlockSource, values: Sequence[tuple[exp.Expr, str]], window: Period
) -> Iterator[str]:
    assert source.dataset is not None and source.account_column is not None
    dataset = DATASETS[source.dataset]
    i = source.index
    credit = source.crediting
    account = source.account_sql()
    trees: Sequence[exp.Expr] = [tree for tree, _ in values]
    over_rollup = None if source.rollup is None else rewritten(dataset, trees, ROW_ALIAS)
    if over_rollup is not None and source.rollup is not None:
        trees = over_rollup
        table, in_window = source.rollup, _days_in(dataset, window)
    else:
        table, in_window = (
            credit.table(dataset),
            attr.in_dates(dataset, ROW_ALIAS, window.start, window.end),
        )
    in_window += credit.kept(dataset, source.account_column, account)
    day = attr.row_date(dataset, ROW_ALIAS)
    steps = plan(trees)
    computed = "".join(f", {sql} AS {column}" for sql, (_, column) in zip(steps.finals, values, strict=True))
    if steps.mode == "distinct":
        by_account = True
        partials = "".join(f", {sql} AS {name}" for sql, name in steps.partials)
        kept = "".join(f", a.{column}" for _, column in values)
        owned = attr.owner_join(source.kind, account, day, keep_unowned=False, owners=OWNER_PAIRS)
        yield (
            f"_p{i} AS (SELECT o._o_pair AS _pair, {steps.distinct_column} AS _u{partials} "
            f"FROM {table} AS {ROW_ALIAS} {owned} WHERE {in_window} GROUP BY 1, 2)"
        )
        yield (
            f"_v{i} AS (SELECT k._o_employee AS _employee, k._o_account AS _account{kept} "
            f"FROM (SELECT _pair{computed} FROM _p{i} GROUP BY 1) AS a JOIN {PAIRS} AS k ON k._o_pair = a._pair)"
        )
    else:
        by_account = not steps.additive
        owned = attr.owner_join(source.kind, account, day, keep_unowned=False)
        selected = "o._o_employee AS _employee" + (f", {account} AS _account" if by_account else "")
        yield (
            f"_v{i} AS (SELECT {selected}{computed} FROM {table} AS {ROW_ALIAS} {owned} WHERE {in_window} "
            f"GROUP BY {'1, 2' if by_account else '1'})"
        )
    names = [column for _, column in values]
    if by_account:
        added = "".join(f", sum({c}) AS {c}" for c in names)
        yield f"_w{i} AS (SELECT _employee{added} FROM _v{i} GROUP BY 1)"
    else:
        yield f"_w{i} AS (SELECT * FROM _v{i})"


def _dataset_accounts(source: BlockSource, window: Period) -> str:
    assert source.dataset is not None and source.account_column is not None
    dataset = DATASETS[source.dataset]
    credit = source.crediting
    account = source.account_sql()
    ranged = attr.RANGE_START_COLUMN in dataset.column_names
    first = f", {ROW_ALIAS}.{attr.quoted(attr.RANGE_START_COLUMN)} AS _first" if ranged else ""
    if source.rollup is not None:  # a roll-up row counts _n rows; never ranged (`rollup_reading.readable`)
        table, rows, in_window = source.rollup, f"sum({ROW_ALIAS}.{COUNT_COLUMN})", _days_in(dataset, window)
    else:
        table, rows = credit.table(dataset), "count(*)"
        in_window = attr.in_dates(dataset, ROW_ALIAS, window.start, window.end)
    in_window += credit.kept(dataset, source.account_column, account)
    days = (
        f"SELECT {account} AS _account, {attr.row_date(dataset, ROW_ALIAS)} AS _day, {ROW_ALIAS}._batch AS _b{first}, "
        f"{rows} AS _n FROM {table} AS {ROW_ALIAS} WHERE {in_window} GROUP BY {'1, 2, 3, 4' if ranged else '1, 2, 3'}"
    )
    return _accounts_cte(source, days, ranged)


def _days_in(dataset: Dataset, window: Period) -> str:
    """Roll-up rows in the window: the roll-up holds the row's day under the date column's name."""
    assert dataset.date_column is not None
    column = f"{ROW_ALIAS}.{attr.quoted(dataset.date_column)}"
    return f"{column} BETWEEN {attr.date_literal(window.start)} AND {attr.date_literal(window.end)}"


def _query_values(source: BlockSource, values: Sequence[tuple[exp.Expr, str]], window: Period) -> str:
    i = source.index
    computed = "".join(f", {tree.sql(dialect=DIALECT)} AS {column}" for tree, column in values)
    return (
        f"_w{i} AS (SELECT o._o_employee AS _employee{computed} FROM _q{i} AS q "
        f"{attr.owner_join(source.kind, _QUERY_ACCOUNT, _QUERY_DAY, keep_unowned=False)} "
        f"WHERE {_in_window(window)} GROUP BY 1)"
    )


def _query_accounts(source: BlockSource, window: Period) -> str:
    batch = 'CAST(q."batch" AS VARCHAR)' if source.query_has_batch else "CAST(NULL AS VARCHAR)"
    days = (
        f"SELECT {_QUERY_ACCOUNT} AS _account, {_QUERY_DAY} AS _day, {batch} AS _b, count(*) AS _n "
        f"FROM _q{source.index} AS q WHERE {_in_window(window)} GROUP BY 1, 2, 3"
    )
    return _accounts_cte(source, days, ranged=False)


_QUERY_ACCOUNT = 'CAST(q."account" AS VARCHAR)'
_QUERY_DAY = 'CAST(q."date" AS DATE)'


def _in_window(window: Period) -> str:
    return f"{_QUERY_DAY} BETWEEN {attr.date_literal(window.start)} AND {attr.date_literal(window.end)}"


def _accounts_cte(source: BlockSource, days: str, ranged: bool) -> str:
    crossing = ", coalesce(sum(x._n) FILTER (WHERE x._first < o._o_from), 0) AS _crossing" if ranged else ""
    return (
        f"_s{source.index} AS (SELECT o._o_employee AS _employee, x._account AS _account, x._b AS _b, "
        f"sum(x._n) AS _rows{crossing} "
        f"FROM ({days}) AS x {attr.owner_join(source.kind, 'x._account', 'x._day')} GROUP BY 1, 2, 3)"
    )
