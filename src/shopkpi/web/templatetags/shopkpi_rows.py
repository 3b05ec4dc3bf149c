"""Links to the data rows behind a review's values (数据明细): `{% item_rows review item %}`, one per
metric a review page's item reads (`shopkpi/review/_item_rows.html`), and `{% value_rows review name %}`
beside one value of HR's review page (`shopkpi/review/_value_rows.html`)."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()
_METRICS = "shopkpi_rows_metrics"


@register.inclusion_tag("shopkpi/review/_item_rows.html", takes_context=True)
def item_rows(context: template.Context, review: Any, item: Any) -> dict[str, Any]:
    metrics = _metrics(context)
    links = [(s.name, s.label) for s in getattr(item, "sources", []) if s.name in metrics]
    return {"review": review, "links": links}


@register.inclusion_tag("shopkpi/review/_value_rows.html", takes_context=True)
def value_rows(context: template.Context, review: Any, name: str) -> dict[str, Any]:
    return {"review": review, "name": name if name in _metrics(context) else None}


def _metrics(context: template.Context) -> frozenset[str]:
    """The catalogue's metric names, read once per page."""
    metrics = context.render_context.get(_METRICS)
    if metrics is None:
        from shopkpi.appraisal.importing.import_jobs import home
        from shopkpi.data.metrics.catalogue import load_catalogue

        metrics = frozenset(load_catalogue(home()).metrics)
        context.render_context[_METRICS] = metrics
    return metrics
