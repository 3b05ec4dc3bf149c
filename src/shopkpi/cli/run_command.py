"""`shopkpi run --period 2026-10`: the month's batch close without the web application."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path
from typing import Any

import click
from rich.progress import BarColumn, Progress, TaskID, TextColumn

from shopkpi.appraisal import export_cells
from shopkpi.cli.home import current
from shopkpi.cli.score_output import result_json
from shopkpi.data.batch_close import CloseError, CloseResult, close_period
from shopkpi.data.metric_catalogue import MetricCatalogueError
from shopkpi.data.periods import PeriodError
from shopkpi.scorecard.numbers import format_decimal

SUMMARY_COLUMNS = [
    "工号 employee",
    "姓名 name",
    "部门 department",
    "岗位 position",
    "模板 template",
    "状态 status",
    "得分 score",
    "等级 grade",
    "绩效工资 pay",
    "后果 actions",
    "缺失 missing",
]


@click.command("run")
@click.option("--period", required=True, help="The period closed: 2026-10.")
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
    """Close a period: metrics -> every employee's template -> scores, pay and actions (月度结算)."""
    if output_format == "xlsx" and output is None:
        raise click.BadParameter("xlsx needs --output FILE.xlsx", param_hint="--output")
    home = current(ctx).home
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        transient=True,
        console=None,
    ) as bar:
        tasks: dict[str, TaskID] = {}

        def progress(step: str, done: int, total: int) -> None:
            if step not in tasks:
                tasks[step] = bar.add_task(step, total=total)
            bar.update(tasks[step], completed=done, total=total)

        try:
            closed = close_period(home, period, progress=progress)
        except (CloseError, MetricCatalogueError) as exc:
            for line in str(exc).splitlines():
                click.echo(line, err=True)
            sys.exit(1)
        except PeriodError as exc:
            raise click.BadParameter(str(exc), param_hint="--period") from None
    if output_format == "xlsx":
        assert output is not None
        write_xlsx(closed, output)
    else:
        text = render_json(closed) if output_format == "json" else render_csv(closed)
        if output is None:
            click.echo(text, nl=False)
        else:
            output.write_text(text, encoding="utf-8")
    incomplete = sum(1 for c in closed.employees if c.result.status != "ok")
    click.echo(
        f"closed {closed.period}: {len(closed.employees)} employees, {incomplete} incomplete", err=True
    )


def _row(c: Any) -> list[Any]:
    result = c.result
    return [
        c.person.employee,
        c.person.name,
        c.person.department,
        c.person.position,
        c.template.id,
        result.status,
        None if result.score is None else format_decimal(result.score),
        result.grade,
        None if result.pay is None else format_decimal(result.pay),
        ";".join(result.actions),
        ";".join(result.missing),
    ]


def render_json(closed: CloseResult) -> str:
    records = []
    for c in closed.employees:
        record = result_json(c.result)
        record.update(
            {
                "period": closed.period,
                "name": c.person.name,
                "department": c.person.department,
                "position": c.person.position,
                "template": c.template.id,
            }
        )
        records.append(record)
    return json.dumps(records, ensure_ascii=False, indent=2) + "\n"


def render_csv(closed: CloseResult) -> str:
    buffer = io.StringIO()
    writer = export_cells.csv_writer(buffer, lineterminator="\n")
    writer.writerow([column.split(" ")[1] for column in SUMMARY_COLUMNS])
    for c in closed.employees:
        writer.writerow(["" if v is None else v for v in _row(c)])
    return buffer.getvalue()


def write_xlsx(closed: CloseResult, path: Path) -> None:
    """One summary sheet, then one sheet per template with each item's points."""
    book = export_cells.xlsxwriter_workbook(path)
    bold = book.add_format({"bold": True})
    money = book.add_format({"num_format": "#,##0.00"})
    sheet = book.add_worksheet(f"{closed.period} 汇总")
    sheet.write_row(0, 0, [column.split(" ")[0] for column in SUMMARY_COLUMNS], bold)
    for row, c in enumerate(closed.employees, start=1):
        values = _row(c)
        for column, value in enumerate(values):
            if column in (6, 8) and value is not None:
                sheet.write_number(row, column, float(value), money if column == 8 else None)
            else:
                sheet.write(row, column, value)
    by_template: dict[str, list[Any]] = {}
    for c in closed.employees:
        by_template.setdefault(c.template.id, []).append(c)
    for template_id, group in by_template.items():
        template = group[0].template
        detail = book.add_worksheet(template_id[:31])
        detail.write_row(
            0, 0, ["工号", "姓名", *(item.name for item in template.items), "得分", "等级"], bold
        )
        for row, c in enumerate(group, start=1):
            detail.write(row, 0, c.person.employee)
            detail.write(row, 1, c.person.name)
            for column, item in enumerate(c.result.items, start=2):
                if item.points is not None:
                    detail.write_number(row, column, float(item.points))
            offset = 2 + len(template.items)
            if c.result.score is not None:
                detail.write_number(row, offset, float(c.result.score))
            detail.write(row, offset + 1, c.result.grade)
    book.close()
