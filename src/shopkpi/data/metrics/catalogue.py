"""The metric catalogue: the shipped definitions plus the user's `<home>/metrics/*.yaml`, checked.

Loading checks everything before anything runs and reports every problem at once (file, metric,
reason): the YAML shape, unknown datasets, account kinds and metrics, the SQL of every aggregate,
filter and query (`sql_guard`), derived expressions, cycles, and nested `prev()`. Shipped
definitions are fixed: a user file may add metrics but not redefine one of them.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from types import MappingProxyType

from pydantic import TypeAdapter, ValidationError
from sqlglot import exp

from shopkpi.data.datasets import DATASETS
from shopkpi.data.engines.functions import refusals
from shopkpi.data.engines.registry import configured_url, engine_kind
from shopkpi.data.metrics.calendars import (
    Calendar,
    CalendarError,
    Span,
    excluded_condition,
    load_calendars,
    spans,
)
from shopkpi.data.metrics.credit_rules import NO_RULES, CreditRuleError, CreditRules, load_credit_rules
from shopkpi.data.metrics.credit_sql import CHATS, reception_filter
from shopkpi.data.metrics.definitions import (
    DEFAULT_DERIVED_DECIMALS,
    AggregateMetric,
    AggregateSource,
    DerivedMetric,
    MetricDefinition,
    QueryMetric,
    name_problem,
)
from shopkpi.data.metrics.derived_expressions import (
    DerivedExpression,
    DerivedExpressionError,
    compile_derived,
)
from shopkpi.data.metrics.row_overrides import RowOverride
from shopkpi.data.metrics.shifts import NO_SHIFTS, ShiftCalendar, ShiftError, load_shifts
from shopkpi.data.metrics.sql_guard import (
    SqlRefused,
    checked_aggregate,
    checked_condition,
    checked_select,
    not_a_number,
    parsed_expression,
    parsed_query,
    table_names,
)

SHIPPED = "shopkpi/data/metrics/catalogue.yaml"
SHIPPED_JSON = "metrics/catalogue.json"
"""The shipped catalogue as JSON, generated from the YAML (`shipped_json_text`), read because it loads
ten times faster than YAML; a test keeps the two the same."""
QUERY_COLUMNS = ("account", "date", "value")
DEFINITION: TypeAdapter[MetricDefinition] = TypeAdapter(MetricDefinition)


@dataclass(frozen=True)
class MetricProblem:
    file: str
    metric: str
    reason: str

    def __str__(self) -> str:
        where = f"{self.file}: {self.metric}" if self.metric else self.file
        return f"{where}: {self.reason}"


class MetricCatalogueError(ValueError):
    def __init__(self, problems: Sequence[MetricProblem]) -> None:
        self.problems = tuple(problems)
        super().__init__("metric definitions refused:\n" + "\n".join(f"  {p}" for p in self.problems))


@dataclass(frozen=True)
class ResolvedSource:
    """An aggregate source with its SQL checked and its attribution settled."""

    dataset: str
    kind: str
    account_column: str
    expression: exp.Expr
    filter: exp.Expr | None
    excluded: tuple[Span, ...] = ()
    """The exclusion calendars' entries that apply (`calendars`); `filter` leaves their rows out."""
    overrides: tuple[RowOverride, ...] = ()
    """HR's decisions on single rows (`row_overrides`), applied after every other rule."""


@dataclass(frozen=True)
class Metric:
    name: str
    definition: MetricDefinition
    origin: str
    sources: tuple[ResolvedSource, ...] = ()
    query: exp.Query | None = None
    query_datasets: tuple[str, ...] = ()
    derived: DerivedExpression | None = None

    @property
    def kind(self) -> str:
        return self.definition.type

    @property
    def is_base(self) -> bool:
        return self.derived is None

    @property
    def scope(self) -> str:
        definition = self.definition
        return "employee" if isinstance(definition, DerivedMetric) else definition.scope

    @property
    def decimals(self) -> int | None:
        if self.definition.decimals is not None or self.is_base:
            return self.definition.decimals
        return DEFAULT_DERIVED_DECIMALS


@dataclass(frozen=True)
class MetricCatalogue:
    metrics: Mapping[str, Metric]
    order: tuple[str, ...]
    """Every metric, each after the metrics it reads."""
    credit: CreditRules = NO_RULES
    """The shops' order credit rules (`credit_rules`): `order_credits` is read with them (`credit_sql`)."""
    shifts: ShiftCalendar = NO_SHIFTS
    """Who is on shift on shared agent accounts (`shifts`): rows with a time are credited by the hour."""

    @property
    def public(self) -> tuple[str, ...]:
        return tuple(n for n in self.metrics if not self.metrics[n].definition.internal)

    def exclusions(self, name: str) -> tuple[Span, ...]:
        """The exclusion calendar entries that leave rows out of `name` or the base metrics it reads."""
        current, previous = self.needed([name])
        return tuple(
            dict.fromkeys(
                x for n in (*current, *previous) for s in self.metrics[n].sources for x in s.excluded
            )
        )

    def needed(self, names: Iterable[str]) -> tuple[frozenset[str], frozenset[str]]:
        """The metrics to compute for `names`: (for the period, for the previous period)."""
        current: set[str] = set()
        previous: set[str] = set()
        _close(self.metrics, names, current, previous, in_prev=False)
        return frozenset(current), frozenset(previous)


def dataset_schema() -> dict[str, dict[str, str]]:
    """Every registered dataset's columns (and `_batch`) with their DuckDB types, for the SQL guard."""
    return {
        d.name: {**{c.name: c.duckdb_type for c in d.columns}, "_batch": "VARCHAR"} for d in DATASETS.values()
    }


def load_catalogue(home: Path | None = None, *, engine: str | None = None) -> MetricCatalogue:
    """The shipped catalogue plus `home/metrics/*.yaml`; MetricCatalogueError lists every problem.

    User metrics are checked for the metric engine `engine` (`duckdb`, `postgresql`, `spark`,
    `clickhouse`; by default the one `SHOPKPI_METRICS_ENGINE` names): a function it cannot run as
    DuckDB does is refused (`engines.functions`)."""
    if engine is None:
        engine = engine_kind(configured_url())
    texts = [(SHIPPED, resources.files("shopkpi.data").joinpath(SHIPPED_JSON).read_text("utf-8"))]
    if home is not None and (home / "metrics").is_dir():
        for path in sorted((home / "metrics").iterdir()):
            if path.suffix in (".yaml", ".yml") and path.is_file():
                texts.append((str(path), path.read_text("utf-8")))
    catalogue = catalogue_from_texts(texts, engine=engine)
    try:
        calendars = load_calendars(home)
    except CalendarError as error:
        raise MetricCatalogueError([MetricProblem("calendars", "", p) for p in error.problems]) from None
    try:
        credit = load_credit_rules(home)
    except CreditRuleError as error:
        raise MetricCatalogueError([MetricProblem("credit_rules", "", p) for p in error.problems]) from None
    try:
        shifts = load_shifts(home)
    except ShiftError as error:
        raise MetricCatalogueError([MetricProblem("shifts", "", p) for p in error.problems]) from None
    return dataclasses.replace(with_credit_rules(with_calendars(catalogue, calendars), credit), shifts=shifts)


def with_credit_rules(catalogue: MetricCatalogue, rules: CreditRules) -> MetricCatalogue:
    """The catalogue reading `order_credits` with the shops' credit rules, and the chats of the rules'
    reception filters (接待过滤) left out of every metric over `cs_chats`, through its filter."""
    if not rules:
        return catalogue
    filtered = reception_filter(rules, CHATS)
    metrics = dict(catalogue.metrics)
    if filtered is not None:
        for name, metric in catalogue.metrics.items():
            if any(s.dataset == CHATS for s in metric.sources):
                sources = tuple(_keeping(s, filtered) if s.dataset == CHATS else s for s in metric.sources)
                metrics[name] = dataclasses.replace(metric, sources=sources)
    return dataclasses.replace(catalogue, metrics=MappingProxyType(metrics), credit=rules)


def _keeping(source: ResolvedSource, left_out: exp.Expr) -> ResolvedSource:
    keep = exp.Not(this=exp.Paren(this=left_out.copy()))
    condition = keep if source.filter is None else exp.and_(exp.Paren(this=source.filter.copy()), keep)
    return dataclasses.replace(source, filter=condition)


def with_calendars(catalogue: MetricCatalogue, calendars: Mapping[str, Calendar]) -> MetricCatalogue:
    """The catalogue with each exclusion calendar's days and hours left out of the base metrics it
    names (`metrics:`) and of those that name it (`exclude:`)."""
    named: dict[str, list[str]] = {}
    problems: list[MetricProblem] = []
    for name, calendar in calendars.items():
        for metric_name in calendar.metrics:
            named.setdefault(metric_name, []).append(name)
    for metric in catalogue.metrics.values():
        definition = metric.definition
        if isinstance(definition, AggregateMetric) and definition.exclude:
            named.setdefault(metric.name, []).extend(
                c for c in definition.exclude if c not in named.get(metric.name, [])
            )
    metrics = dict(catalogue.metrics)
    for metric_name, names in named.items():
        found = metrics.get(metric_name)
        if found is None or not found.sources:
            problems.append(
                MetricProblem(
                    "calendars",
                    metric_name,
                    "a calendar applies to base metrics of the catalogue (aggregates)",
                )
            )
            continue
        unknown = [n for n in names if n not in calendars]
        if unknown:
            problems.append(
                MetricProblem(found.origin, metric_name, f"no exclusion calendar {', '.join(unknown)}")
            )
            continue
        sources = tuple(_excluding(s, [(n, calendars[n]) for n in names]) for s in found.sources)
        unused = [n for n in names if not any(x.calendar == n for s in sources for x in s.excluded)]
        if unused:
            datasets = ", ".join(s.dataset for s in found.sources)
            problems.append(
                MetricProblem(
                    "calendars",
                    metric_name,
                    f"calendar {', '.join(unused)}: hours need rows with a time; {datasets} has dates only",
                )
            )
            continue
        metrics[metric_name] = dataclasses.replace(found, sources=sources)
    if problems:
        raise MetricCatalogueError(problems)
    if not named:
        return catalogue
    return dataclasses.replace(catalogue, metrics=MappingProxyType(metrics))


def _excluding(source: ResolvedSource, calendars: Sequence[tuple[str, Calendar]]) -> ResolvedSource:
    found = tuple(s for name, calendar in calendars for s in spans(name, calendar, source.dataset))
    excluded = excluded_condition(found)
    if excluded is None:
        return source
    return dataclasses.replace(_keeping(source, excluded), excluded=source.excluded + found)


def shipped_json_text() -> str:
    """The JSON of the shipped catalogue as committed (`python -m shopkpi.data.metrics.catalogue` prints it)."""
    from ruamel.yaml import YAML  # only here and for user files: JSON is read at run time

    data = YAML(typ="safe", pure=True).load(
        resources.files("shopkpi.data").joinpath("metrics/catalogue.yaml").read_text("utf-8")
    )
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def catalogue_from_texts(
    texts: Sequence[tuple[str, str]], *, check_shipped: bool = False, engine: str = "duckdb"
) -> MetricCatalogue:
    """A catalogue from (file name, YAML text) pairs, the first being the shipped one.

    The SQL of every user definition is checked (`sql_guard`). The shipped definitions (named
    SHIPPED) are part of the program: the test suite checks them (`check_shipped=True`) and at run
    time they are only parsed. Either way the compiler checks each fragment's structure again on its
    parsed tree (`metric_compiler`). The same texts give the same catalogue, built once per process (a catalogue is not
    changed after it is built, so it is shared)."""
    return _checked_catalogue(tuple(texts), check_shipped, engine)


@functools.lru_cache(maxsize=8)
def _checked_catalogue(
    texts: tuple[tuple[str, str], ...], check_shipped: bool, engine: str
) -> MetricCatalogue:
    problems: list[MetricProblem] = []
    definitions: dict[str, tuple[MetricDefinition, str]] = {}
    for origin, text in texts:
        for name, definition in _parse_file(origin, text, problems).items():
            if name in definitions:
                first = definitions[name][1]
                reason = (
                    "is a fixed shipped metric and cannot be redefined"
                    if first == SHIPPED
                    else (f"is already defined in {first}")
                )
                problems.append(MetricProblem(origin, name, reason))
                continue
            definitions[name] = (definition, origin)
    schema = dataset_schema()
    metrics = {
        name: _resolve(name, d, origin, schema, problems, trusted=origin == SHIPPED and not check_shipped)
        for name, (d, origin) in definitions.items()
    }
    for name, metric in metrics.items():
        if metric.origin != SHIPPED:
            reasons = refusals(_trees(metric), engine)
            if reasons:
                problems.append(
                    MetricProblem(metric.origin, name, str(SqlRefused(f"metric {name}", reasons)))
                )
    order = _order(metrics, problems)
    if problems:
        raise MetricCatalogueError(problems)
    return MetricCatalogue(metrics=MappingProxyType(metrics), order=order)


def _trees(metric: Metric) -> list[exp.Expr]:
    """The metric's SQL, parsed: its query, or its sources' expressions and filters."""
    trees: list[exp.Expr] = [] if metric.query is None else [metric.query]
    for source in metric.sources:
        trees.append(source.expression)
        if source.filter is not None:
            trees.append(source.filter)
    return trees


def _parse_file(origin: str, text: str, problems: list[MetricProblem]) -> dict[str, MetricDefinition]:
    """The file's valid definitions; each invalid one adds its problems (the others still load)."""
    try:
        data = json.loads(text) if text.startswith("{") else _yaml(text)
    except ValueError as error:
        problems.append(MetricProblem(origin, "", f"not valid YAML: {error}"))
        return {}
    if data is None:
        return {}
    if not isinstance(data, dict) or set(data) != {"metrics"} or not isinstance(data["metrics"], dict):
        problems.append(
            MetricProblem(origin, "", "must be a mapping with one key, metrics: {name: definition}")
        )
        return {}
    definitions: dict[str, MetricDefinition] = {}
    for name, body in data["metrics"].items():
        name = str(name)
        reason = name_problem(name)
        if reason is not None:
            problems.append(MetricProblem(origin, name, reason))
            continue
        try:
            definitions[name] = DEFINITION.validate_python(body)
        except ValidationError as error:
            for item in error.errors():
                location = ".".join(str(part) for part in ("metrics", name, *item["loc"]))
                problems.append(MetricProblem(origin, name, f"{location}: {item['msg']}"))
    return definitions


def _yaml(text: str) -> object:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    try:
        return YAML(typ="safe", pure=True).load(text)
    except YAMLError as error:
        raise ValueError(str(error)) from None


def _resolve(
    name: str,
    definition: MetricDefinition,
    origin: str,
    schema: dict[str, dict[str, str]],
    problems: list[MetricProblem],
    *,
    trusted: bool,
) -> Metric:
    try:
        if isinstance(definition, AggregateMetric):
            sources = tuple(
                _resolve_source(f"metric {name}", s, schema, trusted=trusted) for s in definition.all_sources
            )
            return Metric(name=name, definition=definition, origin=origin, sources=sources)
        if isinstance(definition, QueryMetric):
            if trusted:
                query = parsed_query(definition.sql)
            else:
                query = checked_select(definition.sql, subject=f"metric {name}", schema=schema)
            missing = [c for c in QUERY_COLUMNS if c not in query.named_selects]
            if missing:
                raise SqlRefused(
                    f"metric {name}", [f"the query must return {', '.join(missing)} (as aliases)"]
                )
            reasons = [] if trusted else not_a_number(query, "value", schema)
            if reasons:
                raise SqlRefused(f"metric {name}", reasons)
            datasets = table_names(query)
            return Metric(
                name=name, definition=definition, origin=origin, query=query, query_datasets=datasets
            )
        return Metric(
            name=name, definition=definition, origin=origin, derived=compile_derived(definition.expression)
        )
    except (SqlRefused, DerivedExpressionError, _SourceProblem) as error:
        problems.append(MetricProblem(origin, name, str(error)))
        return Metric(name=name, definition=definition, origin=origin)


class _SourceProblem(ValueError):
    pass


def _resolve_source(
    subject: str, source: AggregateSource, schema: dict[str, dict[str, str]], *, trusted: bool
) -> ResolvedSource:
    dataset = DATASETS.get(source.dataset)
    if dataset is None:
        raise _SourceProblem(f"unknown dataset {source.dataset!r} (known: {', '.join(DATASETS)})")
    if dataset.date_column is None:
        raise _SourceProblem(f"dataset {dataset.name} has no date column; metrics read dated datasets")
    kind = source.by or dataset.account_kind
    if kind is None:
        raise _SourceProblem(f"dataset {dataset.name} is not attributed by an account; give `by`")
    column = source.account_column
    if column is None:
        if kind == dataset.account_kind:
            column = dataset.account_column
        elif kind in dataset.column_names:
            column = kind
    if column is None or column not in dataset.column_names:
        raise _SourceProblem(
            f"dataset {dataset.name} has no account column for kind {kind!r}; give account_column"
        )
    if trusted:
        expression = parsed_expression(source.expression)
        condition = None if source.filter is None else parsed_expression(source.filter)
        return ResolvedSource(dataset.name, kind, column, expression, condition)
    expression = checked_aggregate(source.expression, subject=subject, dataset=dataset.name, schema=schema)
    condition = None
    if source.filter is not None:
        condition = checked_condition(source.filter, subject=subject, dataset=dataset.name, schema=schema)
    return ResolvedSource(dataset.name, kind, column, expression, condition)


def _order(metrics: Mapping[str, Metric], problems: list[MetricProblem]) -> tuple[str, ...]:
    order: list[str] = []
    state: dict[str, str] = {}

    def visit(name: str, path: tuple[str, ...]) -> None:
        if state.get(name) == "done":
            return
        if state.get(name) == "visiting":
            cycle = " → ".join((*path[path.index(name) :], name))
            problems.append(
                MetricProblem(metrics[name].origin, name, f"derived metrics form a cycle: {cycle}")
            )
            return
        state[name] = "visiting"
        derived = metrics[name].derived
        for reference in sorted(derived.current | derived.previous) if derived else ():
            if reference not in metrics:
                problems.append(MetricProblem(metrics[name].origin, name, f"unknown metric {reference!r}"))
            elif reference in derived.current:  # type: ignore[union-attr]
                visit(reference, (*path, name))
        state[name] = "done"
        order.append(name)

    for name in metrics:
        visit(name, ())
    for name, metric in metrics.items():
        for reference in sorted(metric.derived.previous) if metric.derived else ():
            if reference in metrics and _reads_prev(metrics, reference, set()):
                problems.append(
                    MetricProblem(
                        metric.origin,
                        name,
                        f"prev({reference}): {reference} itself uses prev(); prev() cannot be nested",
                    )
                )
    return tuple(order)


def _reads_prev(metrics: Mapping[str, Metric], name: str, seen: set[str]) -> bool:
    if name in seen or name not in metrics:
        return False
    seen.add(name)
    derived = metrics[name].derived
    if derived is None:
        return False
    return bool(derived.previous) or any(_reads_prev(metrics, r, seen) for r in derived.current)


def _close(
    metrics: Mapping[str, Metric],
    names: Iterable[str],
    current: set[str],
    previous: set[str],
    *,
    in_prev: bool,
) -> None:
    target = previous if in_prev else current
    for name in names:
        if name in target:
            continue
        if name not in metrics:
            raise KeyError(f"unknown metric {name!r}")
        target.add(name)
        derived = metrics[name].derived
        if derived is not None:
            _close(metrics, derived.current, current, previous, in_prev=in_prev)
            _close(metrics, derived.previous, current, previous, in_prev=True)


if __name__ == "__main__":
    sys.stdout.buffer.write(shipped_json_text().encode("utf-8"))
