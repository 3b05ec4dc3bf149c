"""An appeal's points (申诉要点) as the pages show them: what each names in shop words, the claim,
the employee's note, HR's decision and reason, and the decisions HR can choose from.

A kind's `ref` is worded here for the kinds the pages know (`row`: the metric, the day, the row's
key values, its file row and whom it was credited to when the appeal was filed; `incident`: its day, kind
and count, and the count claimed); another kind shows its label until it says more (add a branch to `_what`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.translation import gettext as _

from shopkpi.appraisal.models import AppealPoint, Employee
from shopkpi.appraisal.reviews.appeal_points import REFUSED, kinds
from shopkpi.appraisal.wording.variable_names import variable
from shopkpi.data.datasets import DATASETS


def point_rows(points: Iterable[AppealPoint]) -> list[dict[str, Any]]:
    found = list(points)
    owners = {str(p.ref.get("owner")) for p in found if p.kind == "row" and p.ref.get("owner")}
    names = dict(Employee.objects.filter(code__in=owners).values_list("code", "name"))
    registry = kinds()
    rows = []
    for point in found:
        kind = registry.get(point.kind)
        decisions: dict[str, str] = {} if kind is None else {k: str(v) for k, v in kind.decisions.items()}
        decisions[REFUSED] = _("不予支持")
        rows.append(
            {
                "id": point.pk,
                "appeal": point.appeal_id,
                "kind": str(kind.label) if kind else point.kind,
                "what": _what(point, names),
                "claim": str(kind.claims.get(point.claim, point.claim)) if kind else point.claim,
                "note": point.note,
                "decision": decisions.get(point.decision, "") if point.decision else "",
                "reason": point.reason,
                "open": not point.decision,
                "choices": list(decisions.items()),
            }
        )
    return rows


def _what(point: AppealPoint, names: Mapping[str, str]) -> str:
    ref = point.ref
    if point.kind == "incident":  # 2026-09-03 · 工作记录未完成次数 1 · 申诉应记 0.5
        recorded = (
            f"{ref.get('occurred_on', '')} · {variable(str(ref.get('kind', '')))} {ref.get('amount', '')}"
        )
        if ref.get("claimed") is None:
            return recorded
        return f"{recorded} · " + _("申诉应记 %(claimed)s") % {"claimed": ref["claimed"]}
    if point.kind == "spot_check":  # 第 2 周 · 顾客小雨05 · 样本得分 88.75
        return _("第 %(week)s 周 · %(key)s · 样本得分 %(score)s") % {
            "week": ref.get("week", ""),
            "key": ref.get("key", ""),
            "score": ref.get("score", ""),
        }
    if point.kind != "row":
        return ""
    dataset = DATASETS.get(str(ref.get("dataset")))
    key = "，".join(
        f"{dataset.column(c).label_zh if dataset else c} {v}" for c, v in (ref.get("key") or {}).items() if v
    )
    owner = ref.get("owner")
    parts = [
        f"{variable(str(ref.get('metric', '')))} · {ref.get('day', '')}",
        key,
        _("%(dataset)s 第 %(row)s 行")
        % {"dataset": dataset.label_zh if dataset else ref.get("dataset"), "row": ref.get("row")},
        _("申诉时计给 %(owner)s") % {"owner": names.get(str(owner), str(owner))}
        if owner
        else _("申诉时未计给任何人"),
    ]
    return " · ".join(p for p in parts if p)


def decision_rows(review: Any) -> list[dict[str, Any]]:
    """The row decisions of the review's appeals as HR's review page shows them: the row (its key
    values or content, file row at the decision), the decision, and whether it still finds its row
    in the current data (未找到这行: not applied, HR can drop it)."""
    from shopkpi.appraisal.reviews.row_appeals import review_decisions

    rows = []
    for found in review_decisions(review):
        override = found.override
        dataset = DATASETS.get(override.dataset)
        values = (override.reference or {}).get("values") or {}
        order = list(dataset.column_names) if dataset else []  # a stored JSON object keeps no order
        named = "，".join(
            f"{dataset.column(c).label_zh if dataset and c in order else c} {values[c]}"
            for c in sorted(values, key=lambda c: order.index(c) if c in order else len(order))
            if values[c] is not None
        )
        decision = (
            _("改计给 %(name)s") % {"name": override.credit_to.name}
            if override.credit_to is not None
            else _("不计入")
        )
        rows.append(
            {
                "id": override.pk,
                "what": " · ".join(
                    p
                    for p in [
                        named,
                        _("%(dataset)s 批次 %(batch)s 第 %(row)s 行")
                        % {
                            "dataset": dataset.label_zh if dataset else override.dataset,
                            "batch": override.batch,
                            "row": override.row,
                        },
                    ]
                    if p
                ),
                "decision": decision,
                "reason": override.reason,
                "found": found.found,
                "several": found.matches if found.matches > 1 else 0,
            }
        )
    return rows
