"""The data rows behind a review's value (数据明细): /reviews/<id>/rows/<metric>/ (a page of 50 rows)
and /reviews/<id>/rows/<metric>/xlsx/ (all of them as a workbook, written to the audit log).

Thin: the policy and the rows come from `shopkpi.appraisal.reviews.review_rows`; here each row is put in the
page's words (the dataset's column names, ¥ and dates, the owner's name, why a row is not counted).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from shopkpi.appraisal.importing.import_jobs import home
from shopkpi.appraisal.models import Employee
from shopkpi.appraisal.organisation.kinds import KINDS
from shopkpi.appraisal.reviews.review_rows import RowsPage, UnknownMetric, rows_page, rows_workbook
from shopkpi.appraisal.wording.variable_names import variable
from shopkpi.data.datasets import DATASETS
from shopkpi.data.metrics.rows import ENTERED_RULE, OVERRIDE_RULE, OWNER_RULE, SHIFT_RULE
from shopkpi.web.number_format import number, quantity
from shopkpi.web.pages.common.errors import domain_errors
from shopkpi.web.pages.review import row_appeal

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TEMPLATE = "shopkpi/review/rows.html"
# 业绩判定 (shopkpi.data.metrics.credit_rules)
JUDGES = {
    "order": gettext_lazy("下单判定"),
    "payment": gettext_lazy("付款判定"),
    "order_first": gettext_lazy("下单优先判定"),
}
# why a row takes no part in the value (shopkpi.data.metrics.row_sql.EXCLUDED)
EXCLUDED = {
    "filter": gettext_lazy("不计入：不符合指标的条件（如非计入订单）"),
    "condition": gettext_lazy("不计入：不符合该数的计数条件"),
    "no_value": gettext_lazy("不计入：该列没有数值"),
    "repeat": gettext_lazy("不重复计：同一账号已计过该用户"),
    "not_picked": gettext_lazy("不计入：取的是另一行（如期末最后一天）"),
    "replaced": gettext_lazy("不计入：已由手工录入的同名数值取代"),
}


@login_required
@require_GET
@domain_errors
def review_rows(request: HttpRequest, review_id: int, metric: str) -> HttpResponse:
    return show(request, review_id, metric)


def show(request: HttpRequest, review_id: int, metric: str, *, error: str = "") -> HttpResponse:
    """The page (after a refused appeal: with the reason at its form and what was typed)."""
    try:
        page = int(request.GET.get("page", "1"))
    except ValueError:
        page = 1
    try:
        found = rows_page(request.user, review_id, metric, home(), page=page)
    except UnknownMetric:
        raise Http404("no such metric") from None
    context = _context(found)
    review = found.review
    context["appeal"] = {
        "allowed": row_appeal.allowed(request.user, review),
        "error": error,
        "posted": request.POST if request.method == "POST" else {},
    }
    response = render(request, TEMPLATE, context)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
@domain_errors
def review_rows_xlsx(request: HttpRequest, review_id: int, metric: str) -> HttpResponse:
    headers = [
        _("指标"),
        _("期间"),
        _("员工"),
        _("数据集"),
        _("日期"),
        _("计入数值"),
        _("不计入原因"),
        _("文件"),
        _("工作表"),
        _("行号"),
        _("导入批次"),
        _("计给（规则）"),
    ]
    try:
        review, body = rows_workbook(request.user, review_id, metric, home(), headers)
    except UnknownMetric:
        raise Http404("no such metric") from None
    response = HttpResponse(body, content_type=XLSX)
    name = f"{review.employee.code}-{review.cycle.period}-{metric}-数据明细.xlsx"
    response["Content-Disposition"] = content_disposition_header(True, name) or ""
    response["Cache-Control"] = "no-store"
    return response


def _context(found: RowsPage) -> dict[str, Any]:
    from shopkpi.data.metrics.catalogue import load_catalogue

    units: dict[str, str] = {n: m.definition.unit for n, m in load_catalogue(home()).metrics.items()}
    codes = {r.credited_by.employee for r in found.rows}
    names = dict(Employee.objects.filter(code__in=codes).values_list("code", "name"))
    review = found.review
    return {
        "review": review,
        "employee": review.employee,
        "metric": found.metric,
        "label": variable(found.metric),
        "value": quantity(found.value, units[found.metric]),
        "recorded": None
        if found.recorded is None
        else quantity(Decimal(found.recorded), units[found.metric]),
        "differs": found.recorded is not None
        and found.value is not None
        and Decimal(found.recorded) != found.value,
        "additive": found.additive,
        "derived": found.derived,
        "formula": _formula(found, units),
        "rows": [_row(r, units, names, review.cycle.period) for r in found.rows],
        "count": found.count,
        "page": found.page,
        "pages": found.pages,
    }


def _row(row: Any, units: dict[str, str], names: dict[str, str], period: str) -> dict[str, Any]:
    dataset = DATASETS.get(row.dataset)
    values = [
        (
            dataset.column(name).label_zh if dataset else name,
            _shown(JUDGES.get(value, value) if name == "rule" else value),
        )
        for name, value in row.values.items()  # an order's 判定方式 in words
    ]
    source = row.source
    return {
        "key": f"{source.batch}|{source.row}",
        # a row of this period credited by attribution (not entered, not decided by HR already)
        "appealable": row.counted is not None
        and source.row is not None
        and row.period == period
        and row.credited_by.rule in (OWNER_RULE, SHIFT_RULE),
        "metric": variable(row.metric),
        "period": row.period,
        "day": row.day,
        "dataset": dataset.label_zh if dataset else row.dataset,
        "values": values,
        "file": source.file or source.batch or "—",
        "sheet": source.sheet,
        "line": source.row,
        "credit": _credit(row.credited_by, names),
        "part": None if row.counted is None else quantity(row.counted, units.get(row.metric)),
        "excluded": _excluded(row),
    }


def _formula(found: RowsPage, units: dict[str, str]) -> str:
    """A derived metric's expression in words: `buyers / uv` is 支付买家数 8,944 人 ÷ 访客数 226,850 人;
    `prev(orders)` is the previous period's."""
    if found.derived is None:
        return ""
    values = {(b.name, b.period != found.review.cycle.period): b for b in found.bases}

    def named(match: re.Match[str]) -> str:
        previous, name = match.group(1) is not None, match.group(2)
        base = values.get((name, previous))
        shown = variable(name) + (str(_("（上期）")) if previous else "")
        return shown if base is None else f"{shown} {quantity(base.value, units[name])}"

    text = re.sub(r"(prev\()?\b([a-z][a-z0-9_]*)\b\)?", named, found.derived)
    return text.replace("/", "÷").replace("*", "×")


def _excluded(row: Any) -> str | None:
    if row.excluded == "override" and row.override is not None:
        return _("不计入：人事在申诉中裁定（%(reason)s）") % {"reason": row.override.reason}
    if row.calendar is not None:
        return _("不计入：%(calendar)s（%(reason)s）") % {
            "calendar": row.calendar.label_zh,
            "reason": row.calendar.reason,
        }
    return None if row.excluded is None else str(EXCLUDED.get(row.excluded, row.excluded))


def _credit(credit: Any, names: dict[str, str]) -> str:
    """The rule that gave the row to the employee, in words."""
    if credit.rule == OVERRIDE_RULE:
        return _("人事在申诉中裁定计给 %(owner)s（原属%(kind)s %(account)s）") % {
            "owner": names.get(credit.employee, credit.employee),
            "kind": KINDS.get(credit.kind, credit.kind),
            "account": credit.account,
        }
    if credit.rule == ENTERED_RULE:
        return _("录入时填写的工号 %(code)s（%(owner)s）") % {
            "code": credit.employee,
            "owner": names.get(credit.employee, ""),
        }
    who = {
        "kind": KINDS.get(credit.kind, credit.kind),
        "account": credit.account,
        "owner": names.get(credit.employee, credit.employee),
        "start": credit.valid_from.isoformat() if credit.valid_from else "…",
        "end": credit.valid_to.isoformat() if credit.valid_to else "…",
    }
    if credit.shift is not None:
        text = _("%(kind)s %(account)s 的%(shift)s（%(hours)s）当班 %(owner)s（%(start)s）") % {
            **who,
            "shift": credit.shift,
            "hours": credit.shift_hours,
        }
    else:
        text = _("%(kind)s %(account)s 的负责人 %(owner)s（%(start)s 至 %(end)s）") % who
    return "；".join([text, *_credit_rule(credit)])


def _credit_rule(credit: Any) -> list[str]:
    """How an order was credited to its agent (the shop's credit rule), 静默, or a shared account's row
    no shift takes."""
    found = []
    if credit.silent:
        found.append(_("静默订单：询单有效时长内无客服接待，不归属任何客服"))
    if credit.credit_rule in JUDGES and credit.window_days is not None:
        found.append(
            _("业绩判定：%(rule)s，询单有效时长 %(days)s 天")
            % {"rule": JUDGES[credit.credit_rule], "days": credit.window_days}
        )
    if credit.chat_at is not None:
        found.append(_("判定询单：%(time)s") % {"time": _shown(credit.chat_at)})
    if credit.unsplit:
        found.append(_("共用子账号：此行无法按班次拆分，归账号负责人"))
    return found


def _shown(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return number(value)
    return str(value)
