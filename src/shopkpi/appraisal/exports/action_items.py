"""HR's action items (行动项: 警告, 劝退, 年终特别奖 …) as their page lists them in a state and as an Excel
sheet, built from plain data so that the request and `shopkpi worker` (`export_jobs`, past `IN_REQUEST`
lines; the state chosen in the job's params) write the same cells."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shopkpi.appraisal.exports.list_workbook import Column, ListSheet, wall_clock
from shopkpi.appraisal.exports.lists import titled, words
from shopkpi.appraisal.models import ActionItem

# the states the page and the export list, by their names (`all`: every item)
STATES = (
    ("open", gettext_lazy("待处理")),
    ("closed", gettext_lazy("已处理")),
    ("withdrawn", gettext_lazy("已撤回")),
    ("all", gettext_lazy("全部")),
)


def listed_items(shown: str) -> QuerySet[ActionItem]:
    """The action items in the state `shown` (open, closed, withdrawn or all), newest month first."""
    items = ActionItem.objects.select_related(
        "employee__department", "cycle", "review", "closed_by"
    ).order_by("-cycle__period", "employee__code", "id")
    return items.filter(status=shown) if shown in ("open", "closed", "withdrawn") else items


def lines(shown: str) -> int:
    return listed_items(shown).count()


def sheet(shown: str) -> ListSheet:
    """The action items in the state `shown`, each with who handled or withdrew it, when, and why."""
    states = dict(STATES)
    rows = [
        [
            item.cycle.period,
            item.employee.code,
            item.employee.name,
            item.employee.department.name,
            item.action,
            str(states.get(item.status, item.status)),
            wall_clock(item.created_at),
            item.closed_by.get_username() if item.closed_by else "",
            wall_clock(item.closed_at or item.withdrawn_at),
            item.withdrawn_reason if item.status == "withdrawn" else item.note,
        ]
        for item in listed_items(shown)
    ]
    return ListSheet(
        name="actions",
        title=titled(_("行动项")),
        note=words([(_("状态"), "" if shown == "all" else str(states.get(shown, "")))]),
        columns=(
            Column(_("期间"), width=9),
            Column(_("工号"), width=10),
            Column(_("姓名"), width=10),
            Column(_("部门")),
            Column(_("事项"), width=12),
            Column(_("状态"), width=9),
            Column(_("提出时间"), "datetime"),
            Column(_("处理人"), width=10),
            Column(_("处理或撤回时间"), "datetime"),
            Column(_("处理说明或撤回原因"), width=40),
        ),
        rows=rows,
        filters={"status": shown},
    )
