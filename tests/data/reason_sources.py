"""Every reason an import problem can carry, read from the data layer's source code.

Two kinds of places write a reason:

- Python: `problems.add(file, row, column, REASON)`, `ImportProblem(file, row, column, REASON)`,
  `UnreadableFile(REASON, row)`, `ProfileError(file, path, REASON)`, and in profiles.py the
  `ValueError`s of a profile's validators (pydantic reports them as "Value error, …");
- SQL run by DuckDB: `CASE … THEN 'reason ' || value … END` in the statements validation.py and
  value_sql.py build, where a reason is a `||` chain of string literals and values.

Each is returned as a sample: the text with every value (an f-string hole, a SQL column) written `X`.
Python's parser does the reading, so reasons split over several source lines are whole here.
"""

from __future__ import annotations

import ast
import itertools
import math
import re
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "src" / "shopkpi" / "data"
HOLE = "X"
_MAX_ALTERNATIVES = 16
_SITES = {  # callee -> index of the reason argument
    "add": 3,
    "ImportProblem": 3,
    "UnreadableFile": 0,
    "ProfileError": 2,
}
_PROFILE_CHECKS = {"ValueError": 0, "append": 0}  # profiles.py only: validators' messages


@dataclass(frozen=True)
class Found:
    sample: str
    where: str  # file:line


@dataclass(frozen=True)
class Passed:
    """A reason passed on from elsewhere (a variable), not written at this place."""

    expression: str
    where: str


def data_modules() -> list[Path]:
    return [p for p in sorted(DATA.rglob("*.py")) if p.name != "problem_text_zh.py"]


def python_reasons() -> tuple[list[Found], list[Passed]]:
    found: list[Found] = []
    passed: list[Passed] = []
    for path in data_modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = _string_names(tree)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            callee = _callee(node)
            index = _SITES.get(callee)
            prefix = ""
            if index is None and path.name == "profiles.py" and callee in _PROFILE_CHECKS:
                index, prefix = _PROFILE_CHECKS[callee], "Value error, "
            if index is None or len(node.args) <= index:
                continue
            argument = node.args[index]
            where = f"{path.name}:{node.lineno}"
            samples = _render_python(argument, names)
            if samples is None:
                if not isinstance(argument, ast.Call):  # a ProfileError inside errors.append: its own site
                    passed.append(Passed(ast.unparse(argument), where))
                continue
            found.extend(Found(prefix + s, where) for s in samples)
    return found, passed


def sql_reasons() -> list[Found]:
    found: list[Found] = []
    for path in data_modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = _string_names(tree)
        # an f-string's literal parts are read with the f-string, not alone
        parts = {id(p) for n in ast.walk(tree) if isinstance(n, ast.JoinedStr) for p in n.values}
        for node in ast.walk(tree):
            if id(node) in parts:
                continue
            if not (
                isinstance(node, ast.JoinedStr)
                or (isinstance(node, ast.Constant) and isinstance(node.value, str))
            ):
                continue
            for text in _render_sql(node, names):
                for reason in _then_reasons(text):
                    found.append(Found(reason, f"{path.name}:{node.lineno}"))
    return found


# ---- reading Python ------------------------------------------------------------------------------


def _callee(node: ast.Call) -> str:
    if isinstance(node.func, ast.Name):
        return node.func.id
    if isinstance(node.func, ast.Attribute):
        return node.func.attr
    return ""


def _string_names(tree: ast.AST) -> dict[str, list[ast.expr]]:
    """Names assigned a string, an f-string or a dict of strings anywhere in the module (what a
    reason's hole may name: `too_large`, `what[type_]`)."""
    names: dict[str, list[ast.expr]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            value = node.value
            if isinstance(value, ast.JoinedStr | ast.Dict) or (
                isinstance(value, ast.Constant) and isinstance(value.value, str)
            ):
                names.setdefault(node.targets[0].id, []).append(value)
    return names


def _render_python(node: ast.expr, names: dict[str, list[ast.expr]]) -> list[str] | None:
    """The samples of a reason expression, or None when it is not written here (a variable)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.JoinedStr):
        parts = [[p.value] if isinstance(p, ast.Constant) else [HOLE] for p in node.values]
        return ["".join(c) for c in itertools.product(*parts)]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left = _render_python(node.left, names) or [HOLE]
        right = _render_python(node.right, names) or [HOLE]
        return [a + b for a in left for b in right]
    return None


# ---- reading SQL built in Python -----------------------------------------------------------------


def _render_sql(node: ast.expr, names: dict[str, list[ast.expr]], depth: int = 0) -> list[str]:
    """The SQL text of a string expression; holes become `\\0` (a value), `quote(...)` a SQL literal,
    and names assigned a string are inlined (each alternative of a dict subscript gives one text)."""
    if depth > 5:
        return ["\0"]
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.JoinedStr):
        pieces: list[list[str]] = []
        for part in node.values:
            if isinstance(part, ast.Constant):
                pieces.append([str(part.value)])
            elif isinstance(part, ast.FormattedValue):
                pieces.append(_render_hole(part.value, names, depth))
        if math.prod(len(p) for p in pieces) > _MAX_ALTERNATIVES:
            return ["".join(p[0] for p in pieces)]
        return ["".join(c) for c in itertools.product(*pieces)]
    return ["\0"]


def _render_hole(value: ast.expr, names: dict[str, list[ast.expr]], depth: int) -> list[str]:
    if isinstance(value, ast.Call) and _callee(value) == "quote" and value.args:
        inner = _render_sql(value.args[0], names, depth + 1)
        return ["'" + text.replace("\0", HOLE).replace("'", "''") + "'" for text in inner]
    if isinstance(value, ast.Name) and len(names.get(value.id, ())) == 1:
        (assigned,) = names[value.id]
        if not isinstance(assigned, ast.Dict):
            texts = _render_sql(assigned, names, depth + 1)
            return texts if len(texts) <= _MAX_ALTERNATIVES else ["\0"]
        return ["\0"]
    if isinstance(value, ast.Subscript) and isinstance(value.value, ast.Name) and value.value.id in names:
        texts = [
            v.value
            for assigned in names[value.value.id]
            if isinstance(assigned, ast.Dict)
            for v in assigned.values
            if isinstance(v, ast.Constant) and isinstance(v.value, str)
        ]
        return sorted(set(texts)) or ["\0"]
    return ["\0"]


_THEN = re.compile(r"\bTHEN\s+")
_STOP = re.compile(r"(END|WHEN|ELSE)\b")


def _then_reasons(sql: str) -> list[str]:
    """The reasons among the `THEN` results of a SQL text: `||` chains with a worded literal."""
    reasons = []
    for match in _THEN.finditer(sql):
        operands = _operands(sql, match.end())
        literals = [o for o in operands if _is_literal(o)]
        if len(operands) == 1 and not literals:
            continue  # a value (a cast, a number), not a reason
        if not any(re.search(r"[A-Za-z]", _literal_text(o).replace(HOLE, "")) for o in literals):
            continue
        reasons.append("".join(_literal_text(o) if _is_literal(o) else HOLE for o in operands))
    return reasons


def _operands(sql: str, start: int) -> list[str]:
    """The `||` operands of the expression starting at `start`, up to END/WHEN/ELSE or a closing parenthesis."""
    operands: list[str] = []
    depth = 0
    current = ""
    i = start
    while i < len(sql):
        char = sql[i]
        if char == "'":
            end = i + 1
            while end < len(sql):
                if sql[end] == "'" and sql[end + 1 : end + 2] == "'":
                    end += 2
                    continue
                if sql[end] == "'":
                    break
                end += 1
            current += sql[i : end + 1]
            i = end + 1
            continue
        if char == "(":
            depth += 1
        elif char == ")":
            if depth == 0:
                break
            depth -= 1
        elif depth == 0 and sql.startswith("||", i):
            operands.append(current.strip())
            current = ""
            i += 2
            continue
        elif (
            depth == 0 and (i == 0 or not (sql[i - 1].isalnum() or sql[i - 1] == "_")) and _STOP.match(sql, i)
        ):
            break
        current += char
        i += 1
    operands.append(current.strip())
    return [o for o in operands if o]


def _is_literal(operand: str) -> bool:
    return len(operand) >= 2 and operand[0] == "'" and operand[-1] == "'"


def _literal_text(operand: str) -> str:
    return operand[1:-1].replace("''", "'").replace("\0", HOLE)
