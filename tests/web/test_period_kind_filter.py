"""The review page's title names the kind of the period (月度, 季度, 年度 考核) through `period_kind`."""

from __future__ import annotations

import pytest
from django.template import engines
from django.utils import translation


@pytest.mark.parametrize(
    ("period", "title"),
    [
        ("2026-10", "艾运营 的 2026-10 月度考核"),
        ("2026-Q3", "艾运营 的 2026-Q3 季度考核"),
        ("2026", "艾运营 的 2026 年度考核"),
    ],
)
def test_the_title_names_the_kind_of_period(period: str, title: str) -> None:
    template = engines["django"].from_string(
        "{% load i18n shopkpi_labels %}{% with kind=period|period_kind %}"
        '{% if kind == "quarter" %}{% blocktranslate %}{{ name }} 的 {{ period }} 季度考核{% endblocktranslate %}'
        '{% elif kind == "year" %}{% blocktranslate %}{{ name }} 的 {{ period }} 年度考核{% endblocktranslate %}'
        "{% else %}{% blocktranslate %}{{ name }} 的 {{ period }} 月度考核{% endblocktranslate %}{% endif %}"
        "{% endwith %}"
    )
    with translation.override("zh-hans"):
        assert template.render({"name": "艾运营", "period": period}) == title
    with translation.override("en"):
        english = template.render({"name": "艾运营", "period": period})
    kind = {"2026-10": "appraisal", "2026-Q3": "quarterly appraisal", "2026": "annual appraisal"}[period]
    assert english == f"艾运营, {kind} for {period}"


def test_a_text_that_is_no_period_has_no_kind() -> None:
    template = engines["django"].from_string("{% load shopkpi_labels %}[{{ text|period_kind }}]")
    assert template.render({"text": "2026-13"}) == "[]"
