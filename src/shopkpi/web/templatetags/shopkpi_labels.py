"""Template filters naming the domain's identifiers, from the tables of `shopkpi.appraisal.wording.labels`:
`{{ review.status|review_state }}`, `{{ t.action|action_label }}`, `{{ e.action|audit_event }}` …"""

from __future__ import annotations

from django import template

from shopkpi.appraisal.wording import labels
from shopkpi.scorecard import Period, PeriodError
from shopkpi.web.pages.common import explanations

register = template.Library()

register.filter("review_state", labels.review_state)
register.filter("cycle_state", labels.cycle_state)
register.filter("action_label", labels.action)
register.filter("audit_event", labels.audit_event)
register.filter("object_type", labels.object_type)
register.filter("audit_field", labels.audit_field)
register.filter("variable_label", labels.variable)
register.filter("missing_reason", explanations.reason)
register.filter("explanation", explanations.words)
register.filter("band_words", explanations.band_words)


@register.filter
def period_kind(text: object) -> str:
    """month, quarter or year, of a period as written (2026-10, 2026-Q3, 2026); '' for another text."""
    try:
        return Period.parse(str(text)).kind
    except PeriodError:
        return ""


@register.filter
def missing_items(items: object) -> str:
    """The names of the items without points ('、'-joined), from a review's result items (dicts) or
    the presenter's items (objects)."""
    names = []
    for item in items or []:  # type: ignore[attr-defined]
        missing = item.get("missing") if isinstance(item, dict) else getattr(item, "missing", None)
        if missing:
            names.append(str(item.get("name") if isinstance(item, dict) else item.name))
    return "、".join(names)
