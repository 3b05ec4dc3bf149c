"""The synthetic-data sections of docs/en/data.md (`## Synthetic data`) and docs/zh/data.md
(`## 模拟数据`) cannot drift: every option of `shopkpi synth` and every kind of file it writes
(dataset and profile) is documented in both."""

from __future__ import annotations

from pathlib import Path

import click
import pytest

from shopkpi.cli.synth_command import synth_command
from shopkpi.synth import generate

DOCS = Path(__file__).resolve().parents[2] / "docs"
SECTIONS = {"en": "## Synthetic data", "zh": "## 模拟数据"}


def section(language: str) -> str:
    text = (DOCS / language / "data.md").read_text(encoding="utf-8")
    heading = SECTIONS[language]
    start = text.index(f"\n{heading}\n")
    end = text.find("\n## ", start + len(heading) + 2)
    return text[start : end if end != -1 else len(text)]


@pytest.mark.parametrize("language", sorted(SECTIONS))
def test_every_option_is_documented(language: str) -> None:
    options = [o for p in synth_command.params if isinstance(p, click.Option) for o in p.opts]
    rows = [line for line in section(language).splitlines() if line.startswith("| `--")]
    documented = {line.split("`")[1] for line in rows}
    assert documented == set(options)


@pytest.mark.parametrize("language", sorted(SECTIONS))
def test_every_file_kind_is_documented(language: str, tmp_path: Path) -> None:
    manifest = generate(tmp_path, 12, 1, 1, events_per_day=10)
    rows = [line for line in section(language).splitlines() if line.startswith("| `")]
    for entry in manifest.files:
        assert any(f"`{entry.dataset}`" in row and f"`{entry.profile}`" in row for row in rows), (
            entry.dataset,
            entry.profile,
        )
