"""The HR guides (docs/en/hr.md, docs/zh/hr.md) name every column of the pay sheet as its header reads,
and the consequence rules' keys are the template guide's."""

from __future__ import annotations

from pathlib import Path

from django.utils import translation

from shopkpi.appraisal.pay import paysheet
from shopkpi.appraisal.pay_grades import workbook as pay_adjustments

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_every_pay_sheet_column_is_documented_in_both_languages() -> None:
    with translation.override("zh-hans"):
        headers = paysheet.columns()
    assert "合计（绩效工资或整月工资＋奖惩）" in headers
    for language in ("en", "zh"):
        text = (DOCS / language / "hr.md").read_text(encoding="utf-8")
        # a header with its meaning is documented as written; the four plain ones may share a row
        missing = [h for h in headers if h not in text]
        assert not missing, f"docs/{language}/hr.md does not name the pay sheet columns {missing}"


def test_the_hr_guides_link_the_template_guides_sections() -> None:
    assert "templates.md#consequence-rules" in (DOCS / "en" / "hr.md").read_text(encoding="utf-8")
    assert "templates.md#后果规则-rules" in (DOCS / "zh" / "hr.md").read_text(encoding="utf-8")
    assert "## Action items" in (DOCS / "en" / "hr.md").read_text(encoding="utf-8")
    assert "## 行动项" in (DOCS / "zh" / "hr.md").read_text(encoding="utf-8")


def test_every_column_of_the_year_end_adjustment_workbook_is_documented_in_both_languages() -> None:
    with translation.override("zh-hans"):
        headers = [str(column.title) for column in pay_adjustments.columns()]
    assert "新金额（元）" in headers
    for language in ("en", "zh"):
        text = (DOCS / language / "hr.md").read_text(encoding="utf-8")
        missing = [h for h in headers if f"| `{h}` |" not in text]
        assert not missing, (
            f"docs/{language}/hr.md does not explain the adjustment workbook columns {missing}"
        )
