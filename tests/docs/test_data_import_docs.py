"""The datasets and import-profile sections of docs/en/data.md (`## Datasets`, `## Import profiles`)
and docs/zh/data.md (`## 数据集`, `## 导入模板`) cannot drift from the code:

- every dataset has a heading with its Chinese name and a row per column (Chinese label, type, required);
- every shipped profile (and `canonical`) is in the profiles table with its Chinese name and dataset,
  and every shipped profile's headers are listed;
- every profile key is explained, and every `<!-- profile-file -->` example is a valid profile.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from shopkpi.data.datasets import DATASETS
from shopkpi.data.imports.profiles import Profile, parse_profile, shipped_profiles
from shopkpi.data.problems import WARNING_CODES

DOCS = Path(__file__).resolve().parents[2] / "docs"
HEADINGS = {"en": ("## Datasets", "## Import profiles"), "zh": ("## 数据集", "## 导入模板")}
REQUIRED = {"en": "yes", "zh": "是"}
_PROFILE_FILE = re.compile(r"^<!-- profile-file -->\n```yaml\n(?P<body>.*?)^```", re.MULTILINE | re.DOTALL)


def section(language: str, heading: str) -> str:
    text = (DOCS / language / "data.md").read_text(encoding="utf-8")
    start = text.index(f"\n{heading}\n")
    end = text.find("\n## ", start + len(heading) + 2)
    return text[start : end if end != -1 else len(text)]


def dataset_blocks(text: str) -> dict[str, tuple[str, str]]:
    """dataset name -> (Chinese name in the heading, the block's text)."""
    parts = re.split(r"^### `(\w+)` (.+)$", text, flags=re.MULTILINE)
    return {parts[i]: (parts[i + 1].strip(), parts[i + 2]) for i in range(1, len(parts) - 2, 3)}


@pytest.mark.parametrize("language", sorted(HEADINGS))
def test_every_dataset_and_column_is_documented(language: str) -> None:
    blocks = dataset_blocks(section(language, HEADINGS[language][0]))
    assert set(blocks) == set(DATASETS)
    for name, ds in DATASETS.items():
        label, block = blocks[name]
        assert label == ds.label_zh, name
        rows = {
            m[1]: (m[2], m[3], m[4])
            for m in re.finditer(r"^\| `(\w+)` \| (.+?) \| (\w+) \| (\S*) \|$", block, re.M)
        }
        assert list(rows) == list(ds.column_names), name
        for column in ds.columns:
            required = REQUIRED[language] if column.required else ""
            assert rows[column.name] == (column.label_zh, column.type, required), (name, column.name)


@pytest.mark.parametrize("language", sorted(HEADINGS))
def test_every_profile_is_documented(language: str) -> None:
    text = section(language, HEADINGS[language][1])
    table = {m[1]: (m[2], m[3]) for m in re.finditer(r"^\| `([a-z0-9_-]+)` \| (.+?) \| (.+?) \|", text, re.M)}
    profiles = {p.name: p for p in shipped_profiles()}
    for name, profile in profiles.items():
        assert table.get(name) == (profile.label_zh, profile.dataset), name
        details = re.search(
            rf"^#### `{re.escape(name)}` {re.escape(profile.label_zh)}$(.*?)(?=^#|\Z)", text, re.M | re.S
        )
        assert details, f"no #### section for {name}"
        for column, aliases in profile.columns.items():
            assert f"| {' / '.join(aliases)} | `{column}` |" in details[1], (name, column)
    assert table["canonical"][0] == "标准格式"
    documented_profiles = {n for n in table if n not in Profile.model_fields}
    assert documented_profiles == set(profiles) | {"canonical"}


@pytest.mark.parametrize("language", sorted(HEADINGS))
def test_every_profile_key_is_explained_and_the_example_loads(language: str) -> None:
    text = section(language, HEADINGS[language][1])
    keys = set(re.findall(r"^\| `(\w+)` \| ", text, re.M))
    assert set(Profile.model_fields) <= keys
    examples = [m["body"] for m in _PROFILE_FILE.finditer(text)]
    assert examples
    for body in examples:
        assert parse_profile(body, f"docs/{language}/data.md").dataset == "sns_posts"


def _import_options() -> list[str]:
    from shopkpi.cli.import_command import import_command

    return [o for param in import_command.params for o in param.opts if o.startswith("--")]


def test_every_import_option_is_in_the_readme_and_both_guides() -> None:
    readme = (DOCS.parent / "README.md").read_text(encoding="utf-8")
    rows = "\n".join(line for line in readme.splitlines() if line.startswith("| `shopkpi import"))
    options = _import_options()
    assert {"--dry-run", "--accept-warnings", "--withdraw", "--reason"} <= set(options)
    for option in options:
        written = re.compile(rf"[\[ ]{re.escape(option)}[ \]]")  # `[--user NAME]`, `--withdraw BATCH`
        assert written.search(rows), option
        for language in HEADINGS:
            synopsis = section(language, HEADINGS[language][1]).split("```")[1]
            assert written.search(synopsis), (language, option)
    for language, heading in (("en", "### Withdrawing a batch"), ("zh", "### 撤回批次")):
        text = section(language, HEADINGS[language][1])
        assert f"\n{heading}\n" in text and "--withdraw" in text and "data.withdraw" in text


def test_every_warning_kind_is_in_the_readme_and_both_guides() -> None:
    readme = (DOCS.parent / "README.md").read_text(encoding="utf-8")
    row = next(line for line in readme.splitlines() if line.startswith("| `shopkpi import"))
    for language, heading in (("en", "### Warnings"), ("zh", "### 提醒")):
        text = section(language, HEADINGS[language][1])
        table = text[text.index(f"\n{heading}\n") + len(heading) + 2 :].split("\n### ")[0]
        documented = re.findall(r"^\| `(\w+)` \| ", table, re.M)
        assert documented == list(WARNING_CODES), language
    for code in WARNING_CODES:
        assert f"`{code}`" in row, code
