"""The month's batch close without the web application (`shopkpi run`).

metrics of the period -> each employee's template (by position) -> scores, pay and actions, with
ratings, targets and inputs taken from the imported `ratings`, `targets` and `inputs` datasets.
Every problem of the inputs (an unmapped position, a bad template, a rating that is no rating) is
collected and reported at once, and then nobody is scored.

Which template scores which position is said in `<home>/positions.yaml`
(`客服: s001-customer-service`); a value is a template id, looked up first among the company's
own templates in `<home>/templates/*.yaml`, then among the built-in ones. Each close writes
`<home>/results/<period>.json`, which later closes read as history for the consequence rules.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from shopkpi.data.entered_values import entered_values
from shopkpi.data.metric_catalogue import load_catalogue
from shopkpi.data.metric_computation import MetricResults, compute_metrics
from shopkpi.data.periods import Period
from shopkpi.data.warehouse import Warehouse
from shopkpi.scorecard import (
    EmployeeInput,
    PeriodResult,
    RatingError,
    ScoreResult,
    Template,
    TemplateError,
    builtin_template_dir,
    load_template_file,
    rating_value,
    score_all,
)
from shopkpi.scorecard.numbers import NumberError, parse_number


@dataclass(frozen=True)
class CloseProblem:
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


class CloseError(ValueError):
    def __init__(self, problems: list[CloseProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(map(str, problems)))


@dataclass(frozen=True)
class Person:
    employee: str
    name: str
    department: str
    position: str


@dataclass(frozen=True)
class ClosedEmployee:
    person: Person
    template: Template
    result: ScoreResult


@dataclass(frozen=True)
class CloseResult:
    period: str
    employees: tuple[ClosedEmployee, ...]
    metrics: MetricResults = field(repr=False)


Progress = Callable[[str, int, int], None]  # (step, done, total)


def position_templates(home: Path) -> dict[str, Template]:
    """Position name -> template, from `<home>/positions.yaml`."""
    path = home / "positions.yaml"
    if not path.is_file():
        raise CloseError(
            [
                CloseProblem(
                    str(path),
                    "is missing; it says which template scores each position (客服: s001-customer-service)",
                )
            ]
        )
    try:
        mapping = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    except (YAMLError, UnicodeDecodeError) as exc:
        raise CloseError([CloseProblem(str(path), f"cannot be read: {exc}")]) from None
    if not isinstance(mapping, dict):
        raise CloseError([CloseProblem(str(path), "must map each position name to a template id")])
    problems: list[CloseProblem] = []
    templates: dict[str, Template] = {}
    loaded: dict[str, Template] = {}
    for position, template_id in mapping.items():
        where = f"{path.name}: {position}"
        if not isinstance(template_id, str):
            problems.append(CloseProblem(where, f"{template_id!r} is not a template id"))
            continue
        if template_id not in loaded:
            candidates = [
                home / "templates" / f"{template_id}.yaml",
                builtin_template_dir() / f"{template_id}.yaml",
            ]
            found = next((c for c in candidates if c.is_file()), None)
            if found is None:
                problems.append(
                    CloseProblem(
                        where, f"no template {template_id!r} in {home / 'templates'} or the built-in ones"
                    )
                )
                continue
            try:
                loaded[template_id] = load_template_file(found)
            except TemplateError as exc:
                problems.extend(CloseProblem(where, line) for line in exc.lines())
                continue
        templates[str(position)] = loaded[template_id]
    if problems:
        raise CloseError(problems)
    return templates


def close_period(home: Path, period_text: str, *, progress: Progress | None = None) -> CloseResult:
    period = Period.parse(period_text)
    templates = position_templates(home)
    catalogue = load_catalogue(home)
    warehouse = Warehouse(home)
    if not warehouse.catalogue.exists():
        raise CloseError(
            [CloseProblem(str(warehouse.root), "nothing has been imported yet (shopkpi import employees …)")]
        )
    connection = warehouse.connect(read_only=True)
    try:
        _step(progress, "metrics", 0, 1)
        metrics = compute_metrics(connection, period, catalogue)
        _step(progress, "metrics", 1, 1)
        people = _people(connection, period)
        entered = _entered_values(connection, period)
        ratings = _ratings(connection, period)
    finally:
        connection.close()
    history = _history(home, period)
    problems: list[CloseProblem] = []
    inputs_by_template: dict[str, list[tuple[Person, EmployeeInput]]] = {}
    for person, base_salary in people:
        template = templates.get(person.position)
        if template is None:
            problems.append(
                CloseProblem(
                    f"employee {person.employee}",
                    f"position {person.position!r} has no template in positions.yaml",
                )
            )
            continue
        values: dict[str, object] = {}
        employee_metrics = metrics.employees.get(person.employee)
        if employee_metrics is not None:
            values.update(employee_metrics.plain())
        values.update(entered.get(person.employee, {}))
        if base_salary is not None:
            values["base_salary"] = base_salary
        supervisor, own = _employee_ratings(template, person, ratings.get(person.employee, []), problems)
        employee_input = EmployeeInput(person.employee, period.text, values, supervisor, own)
        inputs_by_template.setdefault(template.id, []).append((person, employee_input))
    if problems:
        raise CloseError(problems)
    closed: list[ClosedEmployee] = []
    total = sum(len(group) for group in inputs_by_template.values())
    for group in inputs_by_template.values():
        template = templates[group[0][0].position]
        results = score_all(template, [employee_input for _, employee_input in group], history)
        closed.extend(
            ClosedEmployee(person, template, result)
            for (person, _), result in zip(group, results, strict=True)
        )
        _step(progress, "scoring", len(closed), total)
    closed.sort(key=lambda c: c.person.employee)
    _write_history(home, period.text, closed)
    return CloseResult(period.text, tuple(closed), metrics)


def _step(progress: Progress | None, step: str, done: int, total: int) -> None:
    if progress is not None:
        progress(step, done, total)


def _people(connection: duckdb.DuckDBPyConnection, period: Period) -> list[tuple[Person, Decimal | None]]:
    rows = connection.execute(
        """SELECT employee, name, department, position, base_salary FROM employees
           WHERE (hired_on IS NULL OR hired_on <= ?) AND (left_on IS NULL OR left_on >= ?)
           ORDER BY employee""",
        [period.end, period.start],
    ).fetchall()
    return [(Person(str(e), str(n), str(d), str(p)), s) for e, n, d, p, s in rows]


def _entered_values(connection: duckdb.DuckDBPyConnection, period: Period) -> dict[str, dict[str, Decimal]]:
    """Targets, then inputs (an input of the same name wins), by employee and name."""
    values: dict[str, dict[str, Decimal]] = {}
    for row in entered_values(connection, period.text):
        if row.value is not None:
            values.setdefault(row.employee, {})[row.name] = row.value
    return values


def _ratings(connection: duckdb.DuckDBPyConnection, period: Period) -> dict[str, list[tuple[str, str, str]]]:
    found: dict[str, list[tuple[str, str, str]]] = {}
    for employee, item, rating, rater in connection.execute(
        "SELECT employee, item, rating, rater FROM ratings WHERE period = ? ORDER BY employee, item",
        [period.text],
    ).fetchall():
        found.setdefault(str(employee), []).append((str(item), str(rating), str(rater)))
    return found


def _employee_ratings(
    template: Template, person: Person, rows: list[tuple[str, str, str]], problems: list[CloseProblem]
) -> tuple[dict[str, Decimal], dict[str, Decimal]]:
    supervisor: dict[str, Decimal] = {}
    own: dict[str, Decimal] = {}
    rated = {item.key: item for item in template.items if item.is_rated}
    for key, rating, rater in rows:
        where = f"ratings: employee {person.employee}, item {key!r}"
        item = rated.get(key)
        if item is None:
            problems.append(CloseProblem(where, f"{template.id} has no rated item {key!r}"))
            continue
        try:
            value = rating_value(item, rating)
        except RatingError as exc:
            problems.append(CloseProblem(where, str(exc)))
            continue
        if rater == "self":
            own[key] = value
        else:
            supervisor[key] = value
    return supervisor, own


def _history(home: Path, period: Period) -> dict[str, list[PeriodResult]]:
    history: dict[str, list[PeriodResult]] = {}
    results_dir = home / "results"
    for path in sorted(results_dir.glob("*.json")) if results_dir.is_dir() else []:
        if path.stem >= period.text:
            continue
        for row in json.loads(path.read_text(encoding="utf-8")):
            if row.get("score") is None:
                continue
            try:
                value = parse_number(str(row["score"]))
            except NumberError:
                raise CloseError(
                    [
                        CloseProblem(
                            str(path), f"score {row['score']!r} of {row.get('employee')} is not a number"
                        )
                    ]
                ) from None
            history.setdefault(str(row["employee"]), []).append(
                PeriodResult(path.stem, value, row.get("grade"))
            )
    return history


def _write_history(home: Path, period: str, closed: list[ClosedEmployee]) -> None:
    results_dir = home / "results"
    results_dir.mkdir(parents=True, exist_ok=True)
    rows: list[dict[str, Any]] = [
        {
            "employee": c.person.employee,
            "template": c.template.id,
            "status": c.result.status,
            "score": None if c.result.score is None else format(c.result.score, "f"),
            "grade": c.result.grade,
        }
        for c in closed
    ]
    target = results_dir / f"{period}.json"
    temporary = target.with_suffix(".json.tmp")
    temporary.write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")
    temporary.replace(target)
