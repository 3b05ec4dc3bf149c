"""`shopkpi run --period 2026-10`: the month's close, through the same application service as the web
cycle (`shopkpi.appraisal.periods.month_close`), printed as JSON, CSV or a workbook."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from shopkpi.appraisal.exports import export_cells
from shopkpi.cli.django_home import prepare_home
from shopkpi.cli.home import current
from shopkpi.cli.score_output import result_json
from shopkpi.data.metrics.catalogue import MetricCatalogueError
from shopkpi.data.metrics.computation import MetricValueError
from shopkpi.scorecard.numbers import format_decimal

if TYPE_CHECKING:
    from shopkpi.appraisal.periods.month_close import Card, MonthCards

SUMMARY_COLUMNS = [
    "工号 employee",
    "姓名 name",
    "部门 department",
    "岗位 position",
    "模板 template",
    "状态 status",
    "得分 score",
    "等级 grade",
    "绩效工资 pay",  # performance pay only (pay.kind performance)
    "整月工资 wage",  # a whole wage by the template's design (pay.kind wage), apart
    "后果 actions",
    "缺失 missing",
]


@click.command("run")
@click.option(
    "--period", required=True, help="The period closed: a month 2026-10, a quarter 2026-Q3 or a year 2026."
)
@click.option(
    "--format", "output_format", type=click.Choice(["json", "csv", "xlsx"]), default="json", show_default=True
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write here instead of standard output (required for xlsx).",
)
@click.pass_context
def run_command(ctx: click.Context, period: str, output_format: str, output: Path | None) -> None:
    """Close a month: every employee's score, grade, pay and actions, as the web cycle computes them
    (月度结算). With a cycle for the month, its reviews as they stand; without one, the month as
    opening it now would compute it. Read-only: nothing is saved."""
    if output_format == "xlsx" and output is None:
        raise click.BadParameter("xlsx needs --output FILE.xlsx", param_hint="--output")
    home = prepare_home(current(ctx).home)
    from shopkpi.appraisal.periods.month_close import close_month  # needs Django set up
    from shopkpi.appraisal.reviews.review_steps import WorkflowError

    try:
        closed = close_month(home, period)
    except WorkflowError as exc:
        click.echo(f"{exc.code}: {exc}", err=True)
        sys.exit(1)
    except (MetricCatalogueError, MetricValueError) as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    if closed.problems:
        for problem in closed.problems:
            click.echo(problem.text(), err=True)
        click.echo(f"{len(closed.problems)} imported ratings cannot be used; nothing was closed", err=True)
        sys.exit(1)
    if output_format == "xlsx":
        assert output is not None
        write_xlsx(closed, output)
    else:
        text = render_json(closed) if output_format == "json" else render_csv(closed)
        if output is None:
            click.echo(text, nl=False)
        else:
            output.write_text(text, encoding="utf-8")
    incomplete = sum(1 for c in closed.cards if c.scored.outcome.status != "ok")
    how = "its cycle" if closed.source == "cycle" else "no cycle open: computed as opening it would"
    click.echo(
        f"closed {closed.period} ({how}): {len(closed.cards)} employees, {incomplete} incomplete", err=True
    )


NO_PAY = "本岗位不计绩效工资"
MONEY_COLUMNS = (8, 9)


def _pay_cells(card: Card, *, no_pay: str | None) -> tuple[str | None, str | None]:
    """The 绩效工资 and 整月工资 cells: the pay in the column of its kind; a template without pay
    says `no_pay` in the 绩效工资 column."""
    from shopkpi.appraisal.pay import pay_totals  # needs Django set up

    amount = None if card.scored.pay is None else format_decimal(card.scored.pay)
    performance, wage = pay_totals.cells(card.scored.outcome.pay_kind, amount, no_pay)
    return performance, wage


def _row(card: Card, *, no_pay: str | None = None) -> list[Any]:
    outcome = card.scored.outcome
    employee = card.employee
    return [
        employee.code,
        employee.name,
        employee.department.name,
        employee.position.name,
        str(card.candidate.version),
        outcome.status,
        None if outcome.score is None else format_decimal(outcome.score),
        outcome.grade,
        *_pay_cells(card, no_pay=no_pay),
        ";".join(outcome.actions),
        ";".join(outcome.missing),
    ]


def render_json(closed: MonthCards) -> str:
    records = []
    for card in closed.cards:
        record = result_json(card.scored.outcome)
        record.update(
            {
                "pay": None if card.scored.pay is None else format_decimal(card.scored.pay),
                "pay_kind": card.scored.outcome.pay_kind,  # performance | wage | null: no pay
                "engine_pay": card.scored.result["engine_pay"],
                "proration": card.scored.result["proration"],
                "period": closed.period,
                "name": card.employee.name,
                "department": card.employee.department.name,
                "position": card.employee.position.name,
                "template": card.candidate.version.template_id,
                "template_version": card.candidate.version.version,
                "source": closed.source,
            }
        )
        records.append(record)
    return json.dumps(records, ensure_ascii=False, indent=2) + "\n"


def render_csv(closed: MonthCards) -> str:
    buffer = io.StringIO()
    writer = export_cells.csv_writer(buffer, lineterminator="\n")
    writer.writerow([column.split(" ")[1] for column in SUMMARY_COLUMNS])
    for card in closed.cards:
        writer.writerow(["" if v is None else v for v in _row(card)])
    return buffer.getvalue()


def write_xlsx(closed: MonthCards, path: Path) -> None:
    """One summary sheet, then one sheet per template with each item's points."""
    book = export_cells.xlsxwriter_workbook(path)
    bold = book.add_format({"bold": True})
    money = book.add_format({"num_format": "#,##0.00"})
    sheet = book.add_worksheet(f"{closed.period} 汇总")
    sheet.write_row(0, 0, [column.split(" ")[0] for column in SUMMARY_COLUMNS], bold)
    for row, card in enumerate(closed.cards, start=1):
        values = _row(card, no_pay=NO_PAY)
        for column, value in enumerate(values):
            if column == 6 and value is not None:
                sheet.write_number(row, column, float(value))
            elif column in MONEY_COLUMNS and value not in (None, NO_PAY):
                sheet.write_number(row, column, float(value), money)
            else:
                sheet.write(row, column, value)
    by_version: dict[str, list[Card]] = {}
    for card in closed.cards:
        by_version.setdefault(str(card.candidate.version), []).append(card)
    for label, group in by_version.items():
        template = group[0].template
        detail = book.add_worksheet(label[:31])
        detail.write_row(
            0, 0, ["工号", "姓名", *(item.name for item in template.items), "得分", "等级"], bold
        )
        for row, card in enumerate(group, start=1):
            outcome = card.scored.outcome
            detail.write(row, 0, card.employee.code)
            detail.write(row, 1, card.employee.name)
            for column, item in enumerate(outcome.items, start=2):
                if item.points is not None:
                    detail.write_number(row, column, float(item.points))
            offset = 2 + len(template.items)
            if outcome.score is not None:
                detail.write_number(row, offset, float(outcome.score))
            detail.write(row, offset + 1, outcome.grade)
    book.close()
