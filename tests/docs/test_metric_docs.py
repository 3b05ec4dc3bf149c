"""The metrics sections of docs/en/data.md (`## Metrics`) and docs/zh/data.md (`## 指标`) cannot drift.

- Every metric of the shipped catalogue has a table row in both: its name in backticks, its Chinese
  label, and its definition as the catalogue states it (English / Chinese).
- Every YAML block marked `<!-- metric-file -->` loads as a user metric file next to the catalogue.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from shopkpi.data.metrics.catalogue import SHIPPED, catalogue_from_texts, load_catalogue

DOCS = Path(__file__).resolve().parents[2] / "docs"
SECTIONS = {"en": ("data.md", "## Metrics"), "zh": ("data.md", "## 指标")}
_ROW = re.compile(r"^\| `(?P<name>[a-z0-9_]+)` \| (?P<label_zh>[^|]+?) \|(?P<rest>.*)\|$", re.MULTILINE)
_METRIC_FILE = re.compile(r"^<!-- metric-file -->\n```yaml\n(?P<body>.*?)^```", re.MULTILINE | re.DOTALL)


def section(language: str) -> str:
    file_name, heading = SECTIONS[language]
    text = (DOCS / language / file_name).read_text(encoding="utf-8")
    start = text.index(f"\n{heading}\n")
    end = text.find("\n## ", start + len(heading) + 2)
    return text[start : end if end != -1 else len(text)]


@pytest.mark.parametrize("language", sorted(SECTIONS))
def test_every_catalogue_metric_is_documented(language: str) -> None:
    rows = {m["name"]: m for m in _ROW.finditer(section(language))}
    catalogue = load_catalogue()
    missing = [name for name in catalogue.metrics if name not in rows]
    assert not missing, f"docs/{language}/data.md does not document {missing}"
    for name, metric in catalogue.metrics.items():
        definition = metric.definition
        assert rows[name]["label_zh"] == definition.label_zh, name
        cells = [cell.strip() for cell in rows[name]["rest"].split("|")]
        assert cells[-1] == (definition.definition if language == "en" else definition.definition_zh), name
    unknown = set(rows) - set(catalogue.metrics)
    assert not unknown, f"docs/{language}/data.md documents metrics that do not exist: {unknown}"


@pytest.mark.parametrize("language", sorted(SECTIONS))
def test_metric_file_examples_load(language: str) -> None:
    blocks = [m["body"] for m in _METRIC_FILE.finditer(section(language))]
    assert blocks
    shipped = (Path(__file__).resolve().parents[2] / "src" / SHIPPED).read_text(encoding="utf-8")
    for body in blocks:
        catalogue = catalogue_from_texts([(SHIPPED, shipped), ("docs example", body)])
        assert set(catalogue.metrics) > set(load_catalogue().metrics)
