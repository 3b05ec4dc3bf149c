"""A period as people name it: 2026年10月, 2026年第3季度, 2026年度 (and in English 2026/10, 2026 Q3, 2026)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from shopkpi.scorecard import Period, PeriodError


def period_label(text: str) -> str:
    """The period's name for titles and pages; a text that is no period is shown as it is."""
    try:
        period = Period.parse(text)
    except PeriodError:
        return text
    if period.kind == "month":
        return _("%(year)s年%(month)s月") % {"year": period.year, "month": period.start.month}
    if period.kind == "quarter":
        return _("%(year)s年第%(quarter)s季度") % {
            "year": period.year,
            "quarter": (period.start.month + 2) // 3,
        }
    return _("%(year)s年度") % {"year": period.year}
