"""The template authors' guides (docs/en/templates.md, docs/zh/templates.md) cannot drift from the code.

- Every property name of the template JSON Schema (top level and every `$defs` entry) is documented,
  in backticks, in both languages.
- Every YAML block that looks like a complete template (has `id:` and `items:`) loads without problems.
- Every command sample marked `<!-- output: ARGS -->` is what `shopkpi ARGS` prints, run in a directory
  holding the blocks marked `<!-- file: NAME -->` of the same guide.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from shopkpi.cli.main import cli
from shopkpi.scorecard import TemplateError, load_template_text
from shopkpi.scorecard.model import TemplateDoc

DOCS = Path(__file__).resolve().parents[2] / "docs"
GUIDES = [DOCS / "en" / "templates.md", DOCS / "zh" / "templates.md"]

# a fenced block, optionally preceded by a marker comment on the line just above it
_BLOCK_RE = re.compile(
    r"(?:^<!-- (?P<kind>file|output): (?P<arg>.+?) -->\n)?^```(?P<lang>[\w-]*)\n(?P<body>.*?)^```[ \t]*$",
    re.MULTILINE | re.DOTALL,
)
_CODE_SPAN_RE = re.compile(r"`([^`\n]+)`")
_COMPLETE_RE = (re.compile(r"^id:", re.MULTILINE), re.compile(r"^items:", re.MULTILINE))


@dataclass(frozen=True)
class Block:
    guide: Path
    line: int  # 1-based line of the opening fence
    lang: str
    body: str
    kind: str | None  # "file", "output" or None
    arg: str | None  # the file name, or the command's arguments

    def __str__(self) -> str:
        return f"{self.guide.relative_to(DOCS)}:{self.line}"


def blocks(guide: Path) -> list[Block]:
    if not guide.is_file():
        return []  # reported by test_the_guides_exist
    text = guide.read_text(encoding="utf-8")
    found = []
    for match in _BLOCK_RE.finditer(text):
        fence = match.start("lang") - 3
        found.append(
            Block(
                guide,
                text.count("\n", 0, fence) + 1,
                match["lang"],
                match["body"],
                match["kind"],
                match["arg"],
            )
        )
    return found


def test_the_guides_exist() -> None:
    missing = [str(guide.relative_to(DOCS)) for guide in GUIDES if not guide.is_file()]
    assert not missing, f"missing template guides: {missing}"


def schema_property_names() -> set[str]:
    """Property names of the generated schema: the top level and every definition under `$defs`."""
    schema = TemplateDoc.model_json_schema()
    names: set[str] = set()

    def walk(node: Any) -> Iterator[dict[str, Any]]:
        if isinstance(node, dict):
            if isinstance(node.get("properties"), dict):
                yield node["properties"]
            for value in node.values():
                yield from walk(value)
        elif isinstance(node, list):
            for value in node:
                yield from walk(value)

    for properties in walk(schema):
        names.update(properties)
    return names


def documented_names(text: str) -> set[str]:
    """What a guide documents: `name` in backticks, or a dotted path ending in it (`bonus.max`)."""
    names = set()
    for span in _CODE_SPAN_RE.findall(text):
        span = span.strip()
        names.add(span)
        if re.fullmatch(r"[A-Za-z_][\w.]*", span):
            names.update(span.split("."))
    return names


def test_the_schema_walk_finds_every_model() -> None:
    names = schema_property_names()
    # one from each model: template, grade, item, proportional, bonus, penalty, pay, rule
    assert {"self_weight", "when", "rated_by", "target", "over", "per", "amount", "consecutive"} <= names


@pytest.mark.parametrize("guide", GUIDES, ids=lambda p: p.parent.name)
def test_every_schema_property_is_documented(guide: Path) -> None:
    documented = documented_names(guide.read_text(encoding="utf-8"))
    undocumented = sorted(schema_property_names() - documented)
    assert not undocumented, (
        f"{guide.relative_to(DOCS)} does not document (in backticks) the template keys {undocumented}"
    )


def _complete_templates(guide: Path) -> list[Block]:
    return [
        block
        for block in blocks(guide)
        if block.lang in ("yaml", "yml") and all(pattern.search(block.body) for pattern in _COMPLETE_RE)
    ]


@pytest.mark.parametrize("guide", GUIDES, ids=lambda p: p.parent.name)
def test_every_complete_template_example_loads(guide: Path) -> None:
    examples = _complete_templates(guide)
    assert len(examples) >= 2, f"{guide.relative_to(DOCS)}: expected the complete example templates"
    problems = []
    for block in examples:
        try:
            # blank lines in front, so the problems name lines of the guide itself
            load_template_text("\n" * block.line + block.body, str(block.guide.relative_to(DOCS)))
        except TemplateError as exc:
            problems.extend(exc.lines())
    assert not problems, "template examples in the docs do not load:\n" + "\n".join(problems)


def test_the_guides_show_the_same_examples() -> None:
    """The Chinese and English guides score the same templates and files."""
    en, zh = ({b.arg: b.body for b in blocks(g) if b.kind == "file"} for g in GUIDES)
    assert en == zh
    assert [b.body for b in _complete_templates(GUIDES[0])] == [
        b.body for b in _complete_templates(GUIDES[1])
    ]


def _cases() -> list[tuple[Block, dict[str, str]]]:
    cases: list[tuple[Block, dict[str, str]]] = []
    for guide in GUIDES:
        guide_blocks = blocks(guide)
        files = {b.arg: b.body for b in guide_blocks if b.kind == "file" and b.arg}
        cases.extend((b, files) for b in guide_blocks if b.kind == "output")
    return cases


@pytest.mark.parametrize("case", _cases(), ids=lambda c: str(c[0]))
def test_command_samples_are_what_the_command_prints(
    case: tuple[Block, dict[str, str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    block, files = case
    for name, body in files.items():
        (tmp_path / name).write_text(body, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert block.arg is not None
    result = CliRunner().invoke(cli, ["--home", str(tmp_path / "home"), *block.arg.split()])
    assert result.exit_code == 0, f"{block}: shopkpi {block.arg} failed:\n{result.output}"
    if block.lang == "json":
        # the guide may show some of the objects; each one shown is exactly the one printed
        printed = {entry["employee"]: entry for entry in json.loads(result.stdout)}
        shown = json.loads(block.body)
        assert shown, f"{block}: the sample shows no result"
        for entry in shown:
            assert entry == printed.get(entry["employee"]), f"{block}: {entry['employee']} differs"
    else:
        assert _lines(block.body) == _lines(result.stdout), f"{block}: the sample is not what is printed"


def _lines(text: str) -> list[str]:
    return [line.rstrip() for line in text.strip("\n").splitlines()]


def test_every_command_sample_was_found() -> None:
    assert len(_cases()) >= 8  # check, score json/csv/table, in two languages
