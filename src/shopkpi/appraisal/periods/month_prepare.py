"""What to prepare for a month: per employee, the targets, the entered inputs and the supervisor's
ratings their template needs, as a list (the HR page) and as a workbook with Chinese headers
(`shopkpi prepare`), which imports back as it is filled in.

The month is the one `month_close.close_month` closes (the cycle's reviews, or with no cycle the
people and templates opening one would take). A template needs:

- a **target** for each variable of a proportional item's target (`计划销售额`), or a variable named as
  one (…目标…, …计划…: `gmv / 目标销售额`);
- an **input** for every other variable it reads that is neither a metric of the catalogue nor given by
  the employee record (`base_salary`, `days_worked`, `days_in_period`);
- a **rating** of each item rated by the supervisor, named by the item's Chinese name (`执行力`).

The workbook has one sheet per dataset (目标, 手工录入, 评分), a row per need with what the month
holds already filled in, and columns 姓名, 岗位, 说明 that are there to read. Importing it back
(`run_import` recognises it: `import_prepared`) takes the rows whose value is filled in, sheet by
sheet, into `targets`, `inputs` and `ratings`: every sheet is checked before any is written, and a
problem names the workbook, its sheet, row and column.
"""

from __future__ import annotations

import csv
import dataclasses
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from shopkpi.appraisal.models import Cycle, Rating, Review, TemplateVersion
from shopkpi.appraisal.periods.month_close import MonthCards, RatingProblem, close_month
from shopkpi.appraisal.periods.prepared_sheets import SHEETS
from shopkpi.data.problems import ImportProblem, ImportRefused
from shopkpi.scorecard import Template
from shopkpi.scorecard.explanation import names_a_target
from shopkpi.scorecard.numbers import format_decimal, plain
from shopkpi.scorecard.template import ProportionalRule, RatedRule

GIVEN = frozenset({"base_salary", "days_worked", "days_in_period"})  # from the employee record
DATASETS = ("targets", "inputs", "ratings")
# each sheet's columns; the dataset's own (its Chinese labels) and three to read: 姓名, 岗位, 说明
COLUMNS = {
    "targets": ("工号", "姓名", "岗位", "考核期间", "目标名称", "目标值", "说明"),
    "inputs": ("工号", "姓名", "岗位", "考核期间", "项目名称", "数值", "说明"),
    "ratings": ("工号", "姓名", "岗位", "考核期间", "考核项目", "评分", "评分人", "说明"),
}
IMPORTED = {
    "targets": ("工号", "考核期间", "目标名称", "目标值"),
    "inputs": ("工号", "考核期间", "项目名称", "数值"),
    "ratings": ("工号", "考核期间", "考核项目", "评分", "评分人"),
}
VALUE = {"targets": "目标值", "inputs": "数值", "ratings": "评分"}
SUPERVISOR = "上级"


@dataclass(frozen=True)
class Need:
    """One value a person's month needs: a target, an input or a supervisor's rating."""

    dataset: str  # targets | inputs | ratings
    code: str
    name: str
    position: str
    period: str
    key: str  # the variable (targets, inputs) or the item's Chinese name (ratings)
    value: str  # what the month holds now, as text; "" when nothing yet
    hint: str  # which items read it, or the rating's scale

    @property
    def filled(self) -> bool:
        return self.value != ""


def prepare_month(home: Path, period: str) -> tuple[list[Need], MonthCards]:
    """The month's needs (see the module docstring) and the month itself (its imported ratings that
    fit no item are among its problems)."""
    from shopkpi.data.metrics.catalogue import load_catalogue

    closed = close_month(home, period)
    return month_needs(closed, frozenset(load_catalogue(home).metrics)), closed


def month_needs(closed: MonthCards, metrics: frozenset[str]) -> list[Need]:
    """Every need of every person of the month, in 工号 order, targets, inputs, then ratings."""
    shapes: dict[int, _Shape] = {}
    needs: list[Need] = []
    for card in closed.cards:
        employee = card.employee
        person = (employee.code, employee.name, employee.position.name, closed.period)
        shape = shapes.get(id(card.template)) or shapes.setdefault(
            id(card.template), _shape(card.template, metrics)
        )
        needs += _needs(person, shape, card.month.values, card.month.supervisor_ratings)
    return needs


def cycle_needs(cycle: Cycle, metrics: frozenset[str]) -> tuple[list[Need], list[RatingProblem]]:
    """`month_needs` of an open cycle as its reviews hold the month (computed on opening, on HR's
    recompute and after an import: `month_close.refresh_cycle`), with the imported ratings that last
    computation could not use; read in four queries whatever the head count, nothing scored."""
    reviews = list(
        Review.objects.filter(cycle=cycle)
        .order_by("employee__code")
        .values_list(
            "pk",
            "employee__code",
            "employee__name",
            "employee__position__name",
            "template_version_id",
            "values",
        )
    )
    used = {version for *_, version, _values in reviews}
    shapes = {v.pk: _shape(v.compiled(), metrics) for v in TemplateVersion.objects.filter(pk__in=used)}
    rated: dict[int, dict[str, Decimal]] = {}
    for review, key, value in Rating.objects.filter(review__cycle=cycle, rater="supervisor").values_list(
        "review_id", "item_key", "value"
    ):
        rated.setdefault(review, {})[key] = value
    needs: list[Need] = []
    for review, code, name, position, version, values in reviews:
        person = (code, name, position, cycle.period)
        needs += _needs(person, shapes[version], values or {}, rated.get(review, {}))
    last = cycle.computations.order_by("-computed_at", "-pk").first()
    return needs, [RatingProblem(**problem) for problem in (last.problems if last else [])]


@dataclass(frozen=True)
class _Shape:
    """What a template needs, whoever it scores: its targets and inputs (variable -> the items that
    read it) and its supervisor-rated items (key, name, rule, scale)."""

    targets: dict[str, str]
    inputs: dict[str, str]
    rated: tuple[tuple[str, str, RatedRule, str], ...]


def _shape(template: Template, metrics: frozenset[str]) -> _Shape:
    targets, inputs = _variables(template, metrics)
    rated = tuple(
        (item.key, item.name, item.rule, _scale(item.rule))
        for item in template.items
        if isinstance(item.rule, RatedRule) and item.rule.rated_by == "supervisor"
    )
    return _Shape(targets, inputs, rated)


def _needs(
    person: tuple[str, str, str, str],
    shape: _Shape,
    values: Mapping[str, Any],
    supervisor_ratings: Mapping[str, Decimal],
) -> list[Need]:
    """One person's needs: the targets and inputs of their template (filled from `values`), then the
    supervisor's ratings of its items."""
    needs = []
    for dataset, names in (("targets", shape.targets), ("inputs", shape.inputs)):
        for variable, items in names.items():
            value = values.get(variable)
            needs.append(Need(dataset, *person, variable, "" if value is None else str(value), items))
    for key, name, rule, scale in shape.rated:
        needs.append(Need("ratings", *person, name, _rating_text(rule, supervisor_ratings.get(key)), scale))
    return needs


def target_variables(template: Template, metrics: frozenset[str]) -> dict[str, str]:
    """The targets `template` needs: variable -> the items that read it."""
    return _variables(template, metrics)[0]


def _variables(template: Template, metrics: frozenset[str]) -> tuple[dict[str, str], dict[str, str]]:
    """(target variable -> the items that read it, input variable -> the items that read it)."""
    targets: dict[str, list[str]] = {}
    inputs: dict[str, list[str]] = {}
    for item in template.items:
        target_names = item.rule.target.variables if isinstance(item.rule, ProportionalRule) else frozenset()
        for variable in sorted(target_names):
            targets.setdefault(variable, []).append(item.name)
        for variable in sorted(item.value.variables if item.value is not None else ()):
            inputs.setdefault(variable, []).append(item.name)
    for expression, label in ((template.pay, "绩效工资"), (template.pay_base, "绩效工资基数")):
        for variable in sorted(expression.variables if expression is not None else ()):
            inputs.setdefault(variable, []).append(label)
    for variable in list(inputs):
        if names_a_target(variable):  # 目标销售额 read as a ratio is a target too
            targets.setdefault(variable, inputs.pop(variable))
    skip = metrics | GIVEN | {"score", "grade"}
    return (
        {v: "、".join(items) for v, items in targets.items() if v not in skip},
        {v: "、".join(items) for v, items in inputs.items() if v not in skip and v not in targets},
    )


def _rating_text(rule: RatedRule, rating: Decimal | None) -> str:
    if rating is None:
        return ""
    levels = [name for name, value in rule.levels.items() if value == rating]
    return levels[0] if len(levels) == 1 else format_decimal(plain(rating))


def _scale(rule: RatedRule) -> str:
    if rule.levels:
        return "、".join(f"{name}={format_decimal(plain(value))}" for name, value in rule.levels.items())
    return "0–100"


# ---- the workbook ------------------------------------------------------------------------------


def write_workbook(needs: Sequence[Need], destination: Path | IO[bytes]) -> None:
    """The workbook of `needs`: a sheet per dataset with its Chinese headers, then a note."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from shopkpi.appraisal.exports.export_cells import save_workbook

    book = Workbook()
    book.remove(book.active)
    for dataset in DATASETS:
        sheet = book.create_sheet(SHEETS[dataset])
        sheet.append(list(COLUMNS[dataset]))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for need in needs:
            if need.dataset != dataset:
                continue
            row: list[Any] = [need.code, need.name, need.position, need.period, need.key, need.value]
            if dataset == "ratings":
                row.append(SUPERVISOR)
            sheet.append([*row, need.hint])
        sheet.freeze_panes = "A2"
        for letter, width in zip("ABCDEFGH", (10, 10, 14, 10, 18, 12, 10, 40), strict=False):
            sheet.column_dimensions[letter].width = width
    note = book.create_sheet("说明")
    for line in (
        "在“目标值”“数值”“评分”列填写；空着的行不导入。姓名、岗位、说明三列只供查看。",
        "评分写等级名称（如 良）或 0–100 的数；评分人“上级”。",
        "填好后整本导入（人事控制台的导入页面，或 shopkpi import ratings 文件.xlsx 等）；各表先全部检查，有问题时什么都不导入。",
    ):
        note.append([line])
    save_workbook(book, destination)


@dataclass(frozen=True)
class FilledSheet:
    dataset: str
    csv: Path  # the filled rows, the dataset's columns only
    rows: tuple[int, ...]  # the workbook row of each CSV data row


def filled_sheets(path: Path, datasets: Sequence[str], work: Path) -> list[FilledSheet]:
    """Each sheet's filled rows written to a CSV under `work` (the dataset's Chinese headers)."""
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    problems: list[ImportProblem] = []
    found: list[FilledSheet] = []
    try:
        for dataset in datasets:
            sheet_name = SHEETS[dataset]
            where = f"{path.name}（{sheet_name}）"
            rows = list(book[sheet_name].iter_rows(values_only=True))
            header = [str(c).strip() if c is not None else "" for c in (rows[0] if rows else ())]
            missing = [c for c in IMPORTED[dataset] if c not in header]
            if missing:
                problems.append(ImportProblem(where, 1, None, f"missing column(s): {', '.join(missing)}"))
                continue
            index = {name: header.index(name) for name in IMPORTED[dataset]}
            target = work / f"{path.stem}-{sheet_name}.csv"
            numbers: list[int] = []
            with target.open("w", encoding="utf-8", newline="") as stream:
                writer = csv.writer(stream)
                writer.writerow(IMPORTED[dataset])
                for number, row in enumerate(rows[1:], start=2):
                    cells = [
                        _text(row[index[name]] if index[name] < len(row) else None)
                        for name in IMPORTED[dataset]
                    ]
                    if cells[IMPORTED[dataset].index(VALUE[dataset])] == "":
                        continue  # not filled in
                    writer.writerow(cells)
                    numbers.append(number)
            if numbers:
                found.append(FilledSheet(dataset, target, tuple(numbers)))
    finally:
        book.close()
    if problems:
        raise ImportRefused(problems)
    return found


def in_workbook(problem: Any, workbook: Path, sheet: FilledSheet) -> Any:
    """A problem or warning of a sheet's CSV, named by the workbook, its sheet and its own row."""
    row = problem.row
    if row is not None and 2 <= row < 2 + len(sheet.rows):
        row = sheet.rows[row - 2]
    return dataclasses.replace(problem, file=f"{workbook.name}（{SHEETS[sheet.dataset]}）", row=row)


def work_folder(home: Path) -> Path:
    folder = home / ".import-staging"
    folder.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix="prepared-", dir=folder))


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return format_decimal(Decimal(repr(value)))
    if isinstance(value, int):
        return str(value)
    text = str(value).strip()
    return (
        text[1:] if text.startswith("'") else text
    )  # the quote a safe export put before a formula-like text
