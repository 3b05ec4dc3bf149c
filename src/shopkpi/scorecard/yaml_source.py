"""Reading template YAML with line numbers, refusing duplicate keys (a band written twice)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError

PathPart = str | int


class YamlSyntaxError(ValueError):
    def __init__(self, message: str, line: int | None, column: int | None = None) -> None:
        super().__init__(message)
        self.line = line
        self.column = column


def read_yaml(text: str) -> Any:
    """The document as nested mappings and lists that remember their lines."""
    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = False
    try:
        return yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        column = mark.column + 1 if mark is not None else None
        reason = " ".join(part for part in (exc.context, exc.problem) if part)
        raise YamlSyntaxError(f"the YAML cannot be read: {reason}", line, column) from None
    except YAMLError as exc:
        raise YamlSyntaxError(f"the YAML cannot be read: {exc}", None) from None


def line_of(document: Any, path: Sequence[PathPart]) -> int | None:
    """The 1-based line where `path` (keys and indexes) is written, or of its nearest parent."""
    node = document
    line: int | None = None
    for part in path:
        lc = getattr(node, "lc", None)
        try:
            if isinstance(part, int) and isinstance(node, list):
                if lc is not None:
                    line = lc.item(part)[0] + 1
                node = node[part]
            elif isinstance(node, dict) and part in node:
                if lc is not None:
                    line = lc.key(part)[0] + 1
                node = node[part]
            else:
                break
        except (KeyError, IndexError, TypeError):
            break
    return line


def yaml_path(path: Sequence[PathPart]) -> str:
    """("items", 2, "bands") -> "items[2].bands"."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text or "(document)"
