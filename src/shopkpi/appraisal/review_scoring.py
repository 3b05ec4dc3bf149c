"""Scoring a review: its values, ratings and history through the scorecard engine into the review's
result fields (result, score, grade, pay, missing).

Values, in order, later ones winning:

1. what is stored on the review (values read earlier, or stored there by other means);
2. from the shop-data layer, through the one adapter `metric_values` (swappable; each value with
   its provenance), while values are not frozen: the metric values of the cycle's period, and the
   period's imported targets and inputs;
3. the employee's `base_salary`, while values are not frozen;
4. HR's overrides, each with its reason and author (the last one of a name wins).

Values are recomputable until HR has reviewed the review (`submit_hr` sets `values_frozen_at`);
afterwards only HR's overrides change them. Pay for a partial month (hired or left during the
period) is pro-rated by calendar days worked, unless the template's pay formula reads
`days_worked` itself (then the template says how).
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

from django.conf import settings
from django.utils import timezone

from shopkpi.appraisal.models import Employee, Override, Review
from shopkpi.scorecard import EmployeeInput, ItemResult, PeriodResult, ScoreResult, Template, score
from shopkpi.scorecard.numbers import format_decimal, plain, round_half_up

SALARY_SOURCE = "员工档案：基本工资 (employee.base_salary)"
WORK_DAYS = ("days_worked", "days_in_period")


class Metric(NamedTuple):
    """One metric value of one employee in one period, and where it came from."""

    value: Decimal | None
    source: str


def metric_values(
    period: str, employee_codes: Sequence[str], names: Iterable[str] | None = None
) -> dict[str, dict[str, Metric]]:
    """Values from the shop-data layer by employee code and name, each with its provenance.

    The answer is remembered until the warehouse changes (an import rewrites its catalogue), so
    the saves of a review before HR's check do not recompute the same metrics each time.
    """
    from shopkpi.data.warehouse import Warehouse

    catalogue = Warehouse(Path(settings.HOME)).catalogue
    stamp = (catalogue.stat().st_mtime_ns, catalogue.stat().st_size) if catalogue.exists() else None
    found = _metric_values_cached(
        str(settings.HOME),
        stamp,
        period,
        tuple(employee_codes),
        None if names is None else tuple(sorted(names)),
    )
    return {code: dict(values) for code, values in found.items()}


@lru_cache(maxsize=256)
def _metric_values_cached(
    home: str,
    stamp: tuple[int, int] | None,
    period: str,
    employee_codes: tuple[str, ...],
    names: tuple[str, ...] | None,
) -> dict[str, dict[str, Metric]]:
    return _read_metric_values(period, employee_codes, names)


def _read_metric_values(
    period: str, employee_codes: Sequence[str], names: Iterable[str] | None = None
) -> dict[str, dict[str, Metric]]:
    """Read from the warehouse: see metric_values.

    The one place the appraisal reads shop data, over the warehouse under the home directory:
    the metrics of the period (`shopkpi.data.compute_metrics`), then the imported `targets` and
    `inputs` of the period (an input of the same name wins, as in `shopkpi run`). With no
    warehouse yet (nothing imported) it returns nothing and the values stored on each review stand.
    `names` narrows to the names a template reads.
    """
    home = Path(settings.HOME)
    from shopkpi.data.warehouse import Warehouse

    warehouse = Warehouse(home)
    if not warehouse.catalogue.exists() or not employee_codes:
        return {}
    from shopkpi.data.entered_values import entered_values
    from shopkpi.data.metric_catalogue import load_catalogue
    from shopkpi.data.metric_computation import compute_metrics

    catalogue = load_catalogue(home)
    wanted = None if names is None else set(names)
    metric_names = None if wanted is None else sorted(n for n in wanted if n in catalogue.metrics)
    found: dict[str, dict[str, Metric]] = {code: {} for code in employee_codes}
    connection = warehouse.connect()
    try:
        if metric_names is None or metric_names:
            results = compute_metrics(
                connection, period, catalogue, names=metric_names, employees=employee_codes
            )
            for code, metrics in results.employees.items():
                for name, metric in metrics.values.items():
                    sources = "; ".join(
                        f"{s.source} {s.period}{' (团队)' if s.team else ''}: {s.rows} 行, "
                        f"批次 {', '.join(s.batches) or '—'}"
                        for s in metric.provenance
                    )
                    found.setdefault(code, {})[name] = Metric(
                        metric.value, f"店铺数据 {sources or '(无数据行)'}"
                    )
        codes = set(employee_codes)
        labels = {"targets": "目标", "inputs": "手工录入"}
        for row in entered_values(connection, period):
            if row.employee in codes and (wanted is None or row.name in wanted):
                found[row.employee][row.name] = Metric(
                    row.value, f"{labels[row.dataset]} {row.dataset} {period}, 批次 {row.batch}"
                )
    finally:
        connection.close()
    return {code: values for code, values in found.items() if values}


def recompute(review: Review, *, metrics: Mapping[str, Metric] | None = None, save: bool = True) -> Review:
    """Values → engine → the review's result, score, grade, pay and missing. `metrics` (this employee's,
    from `metric_values`) saves a second look-up when a caller has fetched a whole cycle's at once."""
    template = review.template_version.compiled()
    employee = review.employee
    values: dict[str, Any] = dict(review.values)
    provenance: dict[str, Any] = dict(review.provenance)
    if review.values_frozen_at is None:
        if metrics is None:
            metrics = metric_values(review.cycle.period, [employee.code], template.variables).get(
                employee.code, {}
            )
        for name, metric in metrics.items():
            if name in template.variables:
                values[name] = None if metric.value is None else _text(metric.value)
                provenance[name] = metric.source
        if employee.base_salary is not None:
            values["base_salary"] = _text(employee.base_salary)
            provenance["base_salary"] = SALARY_SOURCE
    worked, days = days_worked(employee, review.cycle.period)
    effective: dict[str, Decimal | None] = {name: _number(text) for name, text in values.items()}
    effective.setdefault("days_worked", Decimal(worked))
    effective.setdefault("days_in_period", Decimal(days))
    overrides = latest_overrides(review)
    for name, override in overrides.items():
        effective[name] = override.value
    ratings = {r.item_key: r.value for r in review.ratings.filter(rater="supervisor")}
    self_ratings = {r.item_key: r.value for r in review.ratings.filter(rater="self")}
    outcome = score(
        template,
        EmployeeInput(employee.code, review.cycle.period, effective, ratings, self_ratings),
        history(review),
    )
    pay, proration = _prorated(template, outcome.pay, worked, days)
    review.values = values
    review.provenance = provenance
    review.result = _result_json(template, outcome, overrides, effective, pay, proration)
    review.score = outcome.score
    review.grade = outcome.grade or ""
    review.pay = pay
    review.missing = list(outcome.missing)
    if save:
        review.save(update_fields=["values", "provenance", "result", "score", "grade", "pay", "missing"])
    return review


def recompute_all(reviews: Sequence[Review]) -> None:
    """Recompute many reviews of one period, reading the shop data once."""
    by_period: dict[str, list[Review]] = {}
    for review in reviews:
        by_period.setdefault(review.cycle.period, []).append(review)
    for period, group in by_period.items():
        live = [r for r in group if r.values_frozen_at is None]
        names: set[str] = set()
        for review in live:
            names |= review.template_version.compiled().variables
        fetched = metric_values(period, [r.employee.code for r in live], sorted(names)) if live else {}
        for review in group:
            recompute(review, metrics=fetched.get(review.employee.code, {}))


def history(review: Review) -> list[PeriodResult]:
    """The employee's earlier published results (for consecutive-period consequence rules)."""
    earlier = (
        Review.objects.filter(
            employee_id=review.employee_id,
            cycle__period__lt=review.cycle.period,
            published_at__isnull=False,
            score__isnull=False,
        )
        .select_related("cycle")
        .order_by("cycle__period")
    )
    return [PeriodResult(r.cycle.period, r.score, r.grade or None) for r in earlier if r.score is not None]


def latest_overrides(review: Review) -> dict[str, Override]:
    """HR's overrides by variable name, the last one of each name winning."""
    found: dict[str, Override] = {}
    for override in review.overrides.select_related("created_by").order_by("created_at", "id"):
        found[override.name] = override
    return found


def effective_value(review: Review, name: str) -> str | None:
    """The value a variable has now (an override if any, else the stored value), as text."""
    overrides = latest_overrides(review)
    if name in overrides:
        return _text(overrides[name].value)
    stored = review.values.get(name)
    return None if stored is None else str(stored)


def days_worked(employee: Employee, period: str) -> tuple[int, int]:
    """(calendar days employed in the month, days in the month)."""
    year, month = (int(part) for part in period.split("-"))
    first = dt.date(year, month, 1)
    last = (dt.date(year + 1, 1, 1) if month == 12 else dt.date(year, month + 1, 1)) - dt.timedelta(days=1)
    start = max(first, employee.hired_on) if employee.hired_on else first
    end = min(last, employee.left_on) if employee.left_on else last
    total = (last - first).days + 1
    return max(0, (end - start).days + 1), total


def _prorated(
    template: Template, pay: Decimal | None, worked: int, days: int
) -> tuple[Decimal | None, dict[str, str] | None]:
    if pay is None or worked >= days or template.pay is None or "days_worked" in template.pay.variables:
        return pay, None
    with decimal.localcontext() as context:
        context.prec = 28
        prorated = round_half_up(pay * worked / days, 2)
    return prorated, {
        "full": f"{pay:.2f}",
        "days_worked": str(worked),
        "days_in_period": str(days),
        "explanation": f"按出勤天数折算：{pay:.2f} × {worked} / {days} = {prorated:.2f}",
    }


def _result_json(
    template: Template,
    outcome: ScoreResult,
    overrides: Mapping[str, Override],
    effective: Mapping[str, Decimal | None],
    pay: Decimal | None,
    proration: dict[str, str] | None,
) -> dict[str, Any]:
    known = template.variables
    return {
        "status": outcome.status,
        "score": _text(outcome.score),
        "grade": outcome.grade,
        "pay": _text(pay),
        "pay_kind": outcome.pay_kind,  # performance | wage | None (the template has no pay)
        "pay_base": _text(outcome.pay_base),
        "engine_pay": _text(outcome.pay),
        "proration": proration,
        "supervisor_total": _text(outcome.supervisor_total),
        "self_total": _text(outcome.self_total),
        "items": [_item_json(item, overrides) for item in outcome.items],
        "actions": list(outcome.actions),
        "missing": dict(outcome.reasons),
        "missing_values": sorted(name for name in known if effective.get(name) is None),
        "overrides": [_override_json(o) for o in overrides.values()],
    }


def _item_json(item: ItemResult, overrides: Mapping[str, Override]) -> dict[str, Any]:
    names: set[str] = set()
    if item.item.value is not None:
        names |= item.item.value.variables
    target = getattr(item.item.rule, "target", None)
    if target is not None:
        names |= target.variables
    marks = [_override_json(overrides[name]) for name in sorted(names) if name in overrides]
    explanation = item.explanation
    for mark in marks:
        explanation += (
            f"；人事修正 {mark['name']}: {mark['previous'] or '无'} → {mark['value']}"
            f"（原因：{mark['reason']}；修正人：{mark['by']}，{mark['at'][:16]}）"
        )
    return {
        "key": item.key,
        "name": item.name,
        "value": _text(item.value),
        "rating": _text(item.rating),
        "points": _text(item.points),
        "self_rating": _text(item.self_rating),
        "self_points": _text(item.self_points),
        "band": None if item.band is None else item.band.interval.text,
        "missing": item.missing,
        "explanation": explanation,
        "overrides": marks,
    }


def _override_json(override: Override) -> dict[str, str]:
    return {
        "name": override.name,
        "value": _text(override.value) or "",
        "previous": override.previous,
        "reason": override.reason,
        "by": override.created_by.get_username(),
        "at": timezone.localtime(override.created_at).strftime("%Y-%m-%d %H:%M:%S"),
    }


def _number(text: object) -> Decimal | None:
    if text is None or text == "":
        return None
    return Decimal(str(text))


def _text(value: Decimal | None) -> str | None:
    return None if value is None else format_decimal(plain(value))
