"""An import's problems and warnings in the reader's language: the import page and the organisation
upload show them, the audit log words an import's accepted warnings the same way (on its page and in its
export, which `shopkpi worker` may write)."""

from __future__ import annotations

from typing import Any

from django.utils import translation

from shopkpi.data.imports.problem_text_zh import column_zh, file_zh, reason_zh, warning_text_zh
from shopkpi.data.problems import DataWarning


def shown_problems(problems: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The problems as the page shows them: in Chinese on the Chinese page (the importer's reasons are
    English, rendered by `problem_text_zh`), as the importer wrote them on the English page."""
    if not translation.get_language().startswith("zh"):
        return problems
    return [
        {
            **p,
            "file": file_zh(p["file"]),
            "column": column_zh(p["column"]) if p["column"] else p["column"],
            "reason": reason_zh(p["reason"]),
        }
        for p in problems
    ]


def shown_warnings(warnings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The warnings as the page shows them: place and text in the page's language."""
    chinese = translation.get_language().startswith("zh")
    shown = []
    for fields in warnings:
        warning = DataWarning(**fields)
        shown.append(
            {
                "file": file_zh(warning.file) if chinese else warning.file,
                "row": warning.row,
                "column": column_zh(warning.column) if chinese and warning.column else warning.column,
                "text": warning_text_zh(warning) if chinese else warning.message(),
            }
        )
    return shown
