"""Every command and option of `shopkpi` and every column of the workbooks it writes is documented.

Commands: a row of the README's command table (`shopkpi users issue …`). Options: the README or the
docs of both languages name them. Workbook columns: a row `| `列` |` of the column tables in the
admin docs of both languages (add a workbook's columns to WORKBOOKS when it is written)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import click

from shopkpi.appraisal.accounts import login_workbook
from shopkpi.appraisal.periods import month_prepare
from shopkpi.cli.main import cli

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
LANGUAGES = ("en", "zh")
WORKBOOKS: dict[str, tuple[str, tuple[str, ...]]] = {
    # name: (the docs file that explains it, its columns)
    "handed-out logins": ("admin.md", login_workbook.COLUMNS),
    "what to prepare for a month": (
        "admin.md",
        tuple(dict.fromkeys(c for columns in month_prepare.COLUMNS.values() for c in columns)),
    ),
}


def _commands(command: click.Command, path: tuple[str, ...] = ()) -> Iterator[tuple[str, click.Command]]:
    if isinstance(command, click.Group):
        for name, sub in sorted(command.commands.items()):
            if not sub.hidden:
                yield from _commands(sub, (*path, name))
    else:
        yield "shopkpi " + " ".join(path), command


def _docs(language: str) -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "docs" / language).glob("*.md")))


def _table_rows() -> list[str]:
    return [line for line in README.splitlines() if line.startswith("| `shopkpi ")]


def test_the_walk_finds_the_commands() -> None:
    names = [name for name, _ in _commands(cli)]
    assert {"shopkpi init", "shopkpi users issue", "shopkpi audit verify", "shopkpi serve"} <= set(names)


def test_every_command_has_a_row_in_the_readme() -> None:
    rows = _table_rows()
    missing = [name for name, _ in _commands(cli) if not any(row.startswith(f"| `{name}") for row in rows)]
    assert not missing, f"README.md's command table has no row for {missing}"


def test_every_option_is_documented() -> None:
    docs = {language: _docs(language) for language in LANGUAGES}
    missing = []
    for name, command in _commands(cli):
        for param in command.params:
            if not isinstance(param, click.Option) or param.hidden:
                continue
            for option in (o for o in param.opts if o.startswith("--")):
                if option not in README and not all(option in text for text in docs.values()):
                    missing.append(f"{name} {option}")
    assert not missing, f"undocumented options (README.md, or docs/en and docs/zh): {missing}"


def test_every_workbook_column_is_documented_in_both_languages() -> None:
    for workbook, (page, columns) in WORKBOOKS.items():
        for language in LANGUAGES:
            text = (ROOT / "docs" / language / page).read_text(encoding="utf-8")
            missing = [c for c in columns if f"| `{c}` |" not in text]
            assert not missing, f"docs/{language}/{page} does not explain the {workbook} columns {missing}"


def test_every_make_target_is_documented() -> None:
    """Each target of the Makefile's .PHONY line is named in the README (`make bench-month`, or as
    `bench-month` where `make bench` lists its parts) or in the docs of both languages."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    phony = next(line for line in makefile.splitlines() if line.startswith(".PHONY:"))
    docs = {language: _docs(language) for language in LANGUAGES}
    missing = [
        target
        for target in phony.split(":", 1)[1].split()
        if f"make {target}" not in README
        and f"`{target}`" not in README
        and not all(f"make {target}" in text for text in docs.values())
    ]
    assert not missing, f"make targets named neither in README.md nor in docs/en and docs/zh: {missing}"
