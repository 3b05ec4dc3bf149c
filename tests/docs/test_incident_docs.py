"""The HR guides (docs/en/hr.md, docs/zh/hr.md) explain incidents: every column of the incident workbook
has a row in its table (the Chinese header, with its English header named), the evidence types and limit,
the audit events and the appeal's claims are the code's, in both languages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.utils import translation

from shopkpi.appraisal.incidents import appeals, evidence, files

DOCS = Path(__file__).resolve().parents[2] / "docs"


def guide(language: str) -> str:
    return (DOCS / language / "hr.md").read_text(encoding="utf-8")


def section(language: str) -> str:
    text = guide(language)
    start = text.index("## 奖惩记录" if language == "zh" else "## Incidents (奖惩记录)")
    end = text.index("\n## ", start + 3)
    return text[start:end]


@pytest.mark.parametrize("language", ["en", "zh"])
def test_every_workbook_column_is_a_row_of_the_table(language: str) -> None:
    text = section(language)
    rows = {m[1].strip(): m[2] for m in re.finditer(r"^\| ([^|]+?) \|(.*)$", text, re.M)}
    for names in files.COLUMNS.values():
        assert names[0] in rows, f"docs/{language}/hr.md: no row for the column {names[0]}"
        for other in names[1:]:
            assert f"`{other}`" in rows[names[0]], f"docs/{language}/hr.md: {names[0]} does not name {other}"
    assert f"{files.MAX_ROWS:,}" in text or str(files.MAX_ROWS) in text


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_evidence_rules_audit_events_and_claims_are_the_codes(language: str) -> None:
    text = section(language)
    assert f"{evidence.MAX_BYTES // (1024 * 1024)} MB" in text
    assert f"{evidence.MAX_FILES}" in text and "`evidence/`" in text
    for kind in ("PNG", "JPEG", "WebP", "PDF"):
        assert kind in text
    for event in ("incident.record", "incident.change", "incident.remove"):
        assert f"`{event}`" in text
    with translation.override("zh-hans" if language == "zh" else "en"):
        for label in [*appeals.INCIDENT.claims.values()]:
            assert str(label) in text, f"docs/{language}/hr.md does not name the claim {label}"


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_api_and_its_fields_are_named(language: str) -> None:
    from shopkpi.web.api.incidents import IncidentIn, IncidentOut

    text = section(language)
    assert "`GET /api/incidents" in text and "`POST /api/incidents`" in text
    for name in [*IncidentOut.model_fields, *IncidentIn.model_fields]:
        assert f"`{name}`" in text, f"docs/{language}/hr.md does not name the API field {name}"
