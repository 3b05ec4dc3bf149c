"""`shopkpi score` output: JSON (the spec's contract), CSV and a rich table."""

from __future__ import annotations

import io
import json
from decimal import Decimal
from typing import Any

from rich.console import Console
from rich.table import Table

from shopkpi.appraisal.exports import export_cells
from shopkpi.scorecard import ScoreResult, Template
from shopkpi.scorecard.numbers import format_decimal, plain
from shopkpi.web.pages.common import explanations


def _number(value: Decimal | None, *, keep_places: bool = False) -> str | None:
    if value is None:
        return None
    return format_decimal(value if keep_places else plain(value))


def result_json(result: ScoreResult) -> dict[str, Any]:
    return {
        "employee": result.employee,
        "status": result.status,
        "score": _number(result.score, keep_places=True),
        "grade": result.grade,
        "pay": _number(result.pay, keep_places=True),
        "items": [
            {
                "key": item.key,
                "name": item.name,
                "value": _number(item.value, keep_places=True),
                "rating": _number(item.rating),
                "points": _number(item.points),
                "self_rating": _number(item.self_rating),
                "explanation": explanations.words(item.explanation),
            }
            for item in result.items
        ],
        "actions": list(result.actions),
        "missing": list(result.missing),
    }


NO_PAY = "本岗位不计绩效工资"
WAGE = "整月工资"


def _pay_text(result: ScoreResult) -> str:
    """The pay as the table shows it: a template without pay says so; a whole wage is labelled."""
    if result.pay_kind is None:
        return NO_PAY
    amount = _number(result.pay, keep_places=True) or "—"
    return f"{amount}（{WAGE}）" if result.pay_kind == "wage" and result.pay is not None else amount


def render_json(results: list[ScoreResult]) -> str:
    return json.dumps([result_json(r) for r in results], ensure_ascii=False, indent=2)


def render_csv(template: Template, results: list[ScoreResult]) -> str:
    buffer = io.StringIO()
    writer = export_cells.csv_writer(buffer, lineterminator="\n")
    keys = [item.key for item in template.items]
    writer.writerow(
        ["employee", "status", "score", "grade", "pay", *(f"points.{k}" for k in keys), "actions", "missing"]
    )
    for result in results:
        points = {item.key: _number(item.points) for item in result.items}
        writer.writerow(
            [
                result.employee,
                result.status,
                _number(result.score, keep_places=True) or "",
                result.grade or "",
                _number(result.pay, keep_places=True) or "",
                *(points.get(k) or "" for k in keys),
                ";".join(result.actions),
                ";".join(result.missing),
            ]
        )
    return buffer.getvalue()


def print_table(template: Template, results: list[ScoreResult], console: Console) -> None:
    table = Table(title=f"{template.name}（{template.id}）", show_lines=False)
    table.add_column("员工 employee")
    table.add_column("状态 status")
    for item in template.items:
        table.add_column(item.name, justify="right")
    for label in ("得分 score", "等级 grade", "绩效工资 pay"):
        table.add_column(label, justify="right")
    table.add_column("后果 actions")
    table.add_column("缺失 missing")
    for result in results:
        points = {item.key: _number(item.points) for item in result.items}
        table.add_row(
            result.employee,
            "完成 ok" if result.status == "ok" else "不完整 incomplete",
            *(points.get(item.key) or "—" for item in template.items),
            _number(result.score, keep_places=True) or "—",
            result.grade or "—",
            _pay_text(result),
            "、".join(result.actions),
            "、".join(result.missing),
        )
    console.print(table)
