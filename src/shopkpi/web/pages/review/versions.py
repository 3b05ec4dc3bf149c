"""The versions of a review's result as its page shows them (结果版本): each new version with what
changed from the one before, item by item, in shop words (`result_versions.changes`)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from shopkpi.appraisal.models import Review
from shopkpi.appraisal.reviews.result_versions import changes
from shopkpi.appraisal.wording import labels
from shopkpi.appraisal.wording.variable_names import variable
from shopkpi.web.number_format import number, quantity, score, yuan
from shopkpi.web.pages.review.explained import value_text


def version_rows(review: Review) -> list[dict[str, Any]]:
    items = {item.key: item for item in review.template_version.compiled().items}
    rows = []
    for change in changes(review):
        found = change.difference
        lines = []
        if "score" in found:
            lines.append(_("总分 %(before)s → %(after)s") % _pair(found["score"], score))
        if "grade" in found:
            lines.append(_("等级 %(before)s → %(after)s") % _pair(found["grade"], str))
        if "pay" in found:
            lines.append(_("绩效工资 %(before)s → %(after)s") % _pair(found["pay"], yuan))
        for item in found.get("items", []):
            known = items.get(item["key"])
            shown = (lambda v, k=known: value_text(k, v)) if known is not None else number
            lines.append(
                _("%(item)s：数值 %(before)s → %(after)s，得分 %(points_before)s → %(points_after)s")
                % {
                    "item": item["name"],
                    **_pair(item["value"], shown),
                    "points_before": _shown(item["points"][0], score),
                    "points_after": _shown(item["points"][1], score),
                }
            )
        for name, pair in found.get("values", {}).items():
            unit = labels.metric_unit(name)
            lines.append(
                _("%(name)s %(before)s → %(after)s")
                % {"name": variable(name), **_pair(pair, lambda v, u=unit: quantity(v, u))}
            )
        rows.append({"version": change.version, "reason": change.reason, "at": change.at, "lines": lines})
    return rows


def _pair(pair: list[Any], shown: Any) -> dict[str, str]:
    return {"before": _shown(pair[0], shown), "after": _shown(pair[1], shown)}


def _shown(value: Any, shown: Any) -> str:
    return "—" if value in (None, "") else str(shown(value))
