"""The organisation guide for HR (docs/en/organisation.md, docs/zh/organisation.md) cannot drift from the organisation's workbooks and service:

- every column of the roster, accounts and positions workbooks (its Chinese header) has a row in the
  workbook's table, in both languages;
- every account type word HR may write is in the account-type table;
- every refusal code the organisation service gives is explained;
- the import commands and their options are shown.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from shopkpi.appraisal.organisation.kinds import WORD_OF_KIND, WORDS
from shopkpi.data.datasets import DATASETS

ROOT = Path(__file__).resolve().parents[2]
SERVICE = ROOT / "src" / "shopkpi" / "appraisal" / "organisation"
LANGUAGES = ("en", "zh")


def guide(language: str) -> str:
    return (ROOT / "docs" / language / "organisation.md").read_text(encoding="utf-8")


def table_cells(text: str) -> set[str]:
    """The first cell of every Markdown table row."""
    return {m[1].strip() for m in re.finditer(r"^\| ([^|]+?) \|", text, re.M)}


def refusal_codes() -> set[str]:
    """The codes the service refuses with: the first argument of every refuse(...) / Problem(...) call."""
    codes: set[str] = set()
    for path in SERVICE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) in (
                "refuse",
                "Problem",
            ):
                first = node.args[0] if node.args else None
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    codes.add(first.value)
    return codes


def test_the_service_has_the_refusals_the_issue_names() -> None:
    assert {"unknown_supervisor", "supervisor_loop", "two_owners", "leaver_owns_accounts"} <= refusal_codes()
    assert {"unknown_template", "unknown_account_type"} <= refusal_codes()


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_workbook_column_is_documented(language: str) -> None:
    cells = table_cells(guide(language))
    for dataset in ("employees", "accounts", "positions"):
        missing = [c.label_zh for c in DATASETS[dataset].columns if c.label_zh not in cells]
        assert not missing, f"docs/{language}/organisation.md: {dataset} columns {missing}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_account_type_and_word_is_documented(language: str) -> None:
    text = guide(language)
    rows = [line for line in text.splitlines() if line.startswith("| ")]
    for word in WORD_OF_KIND.values():
        assert any(row.startswith(f"| {word} |") for row in rows), word
    types = "\n".join(rows)
    for word in WORDS:
        assert word in types, word


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_refusal_code_is_explained(language: str) -> None:
    cells = table_cells(guide(language))
    missing = sorted(code for code in refusal_codes() if f"`{code}`" not in cells)
    assert not missing, f"docs/{language}/organisation.md does not explain {missing}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_import_commands_are_shown(language: str) -> None:
    text = guide(language)
    for dataset in ("positions", "employees", "accounts"):
        assert f"shopkpi --home DIR import {dataset}" in text.replace("  ", " ")
    assert "--dry-run" in text and "--user" in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_organisation_endpoint_is_named(language: str) -> None:
    from shopkpi.web.api import api

    text = guide(language)
    paths = api.get_openapi_schema()["paths"]
    organisation = [
        p
        for p in paths
        if p.startswith(("/api/employees", "/api/departments", "/api/positions", "/api/accounts"))
    ]
    assert organisation
    missing = [
        p for p in [*organisation, "/api/me/employee"] if p.replace("{account_id}", "{id}") not in text
    ]
    assert not missing, f"docs/{language}/organisation.md does not name {missing}"
