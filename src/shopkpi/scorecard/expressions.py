"""The template expression language, parsed with Lark and compiled once into a Python function.

The grammar admits only what the spec allows: decimal numbers with suffixes, quoted strings,
variables (identifiers in any script), `+ - * /`, comparisons, `and`/`or`/`not`,
`a if cond else b`, and the functions min, max, abs, round and lookup. There is no syntax
for attribute access, indexing, calls of other names, lambdas, comprehensions or powers, so
none can be written; the compiled code is generated from the parse tree, never from the text.
"""

from __future__ import annotations

import decimal
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from typing import Any

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from shopkpi.scorecard.intervals import Interval, IntervalError, find_gaps, find_overlaps, parse_interval
from shopkpi.scorecard.numbers import literal_value, round_half_up

MAX_LENGTH = 2000  # characters of one expression
MAX_DEPTH = 40  # nesting of the parse tree

FUNCTIONS = ("min", "max", "abs", "round", "lookup")

_GRAMMAR = r"""
?start: ternary
?ternary: or_expr "if" or_expr "else" ternary -> conditional
        | or_expr
?or_expr: or_expr "or" and_expr -> or_
        | and_expr
?and_expr: and_expr "and" not_expr -> and_
         | not_expr
?not_expr: "not" not_expr -> not_
         | comparison
?comparison: sum COMPARE sum -> compare
           | sum
?sum: sum ADD product -> binary
    | product
?product: product MUL unary -> binary
        | unary
?unary: ADD unary -> unary
      | atom
?atom: NUMBER -> number
     | STRING -> string
     | NAME "(" [arguments] ")" -> call
     | NAME -> variable
     | "(" ternary ")"
arguments: argument ("," argument)* ","?
?argument: ternary
         | table
table: "{" [entry ("," entry)* ","?] "}"
entry: STRING ":" ternary
COMPARE: "<=" | ">=" | "==" | "!=" | "<" | ">"
ADD: "+" | "-"
MUL: "*" | "/"
NUMBER: /(?:\d+(?:\.\d*)?|\.\d+)[%万wWkK]?/
STRING: /'[^'\\\n]*'|"[^"\\\n]*"/
NAME: /[^\W\d]\w*/
%ignore /[ \t\r\n]+/
"""


class ExpressionError(ValueError):
    """An expression that is not of the language; the message says what and where."""


class EvaluationError(Exception):
    """A value that cannot be computed: an absent variable, a division by zero, a value outside a lookup.

    The message is for developers (English); `code` and `params` say the same as data, for the fronts
    to word in the reader's language (codes: no_value, division_by_zero, undefined, too_large,
    mixed_types, not_a_number, outside_lookup, needs_number)."""

    def __init__(self, message: str, code: str = "other", **params: str) -> None:
        super().__init__(message)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class LookupTable:
    intervals: tuple[Interval, ...]

    def index(self, value: object) -> int:
        if not isinstance(value, Decimal):
            raise EvaluationError(f"lookup needs a number, got {value!r}", "needs_number", value=str(value))
        for position, interval in enumerate(self.intervals):
            if value in interval:
                return position
        raise EvaluationError(
            f"{value} lies in no interval of the lookup table", "outside_lookup", value=str(value)
        )


@dataclass(frozen=True)
class Expression:
    """A compiled expression: call `evaluate` with the variables of one employee and period."""

    source: str
    variables: frozenset[str]
    lookups: tuple[tuple[str, LookupTable], ...] = field(repr=False)  # (first argument's source, table)
    function: Callable[[Mapping[str, object]], object] = field(repr=False, compare=False)

    def evaluate(self, variables: Mapping[str, object]) -> object:
        try:
            return self.function(variables)
        except KeyError as exc:
            raise EvaluationError(
                f"variable {exc.args[0]!r} has no value", "no_value", name=str(exc.args[0])
            ) from None
        except decimal.DivisionByZero:
            raise EvaluationError(
                f"division by zero in {self.source!r}", "division_by_zero", source=self.source
            ) from None
        except decimal.InvalidOperation:
            raise EvaluationError(
                f"{self.source!r} has no defined value (0 / 0 or similar)", "undefined", source=self.source
            ) from None
        except decimal.Overflow:
            raise EvaluationError(
                f"{self.source!r} is too large to compute", "too_large", source=self.source
            ) from None
        except TypeError as exc:
            raise EvaluationError(
                f"{self.source!r} mixes text and numbers ({exc})", "mixed_types", source=self.source
            ) from None

    def number(self, variables: Mapping[str, object]) -> Decimal:
        result = self.evaluate(variables)
        if isinstance(result, bool) or not isinstance(result, Decimal):
            raise EvaluationError(
                f"{self.source!r} gives {result!r}, not a number", "not_a_number", source=self.source
            )
        return result

    def truth(self, variables: Mapping[str, object]) -> bool:
        return bool(self.evaluate(variables))


@cache
def _parser() -> Lark:
    return Lark(_GRAMMAR, parser="lalr", lexer="contextual", propagate_positions=False)


def compile_expression(
    source: str, *, score_range: tuple[Decimal, Decimal | None] | None = None
) -> Expression:
    """Parse and compile `source`; raise ExpressionError naming the reason.

    `score_range` is the range of `score` (0 to the cap); a lookup over `score` must cover it,
    any other lookup the whole number line.
    """
    if not isinstance(source, str):
        raise ExpressionError(f"an expression must be text, not {source!r}")
    text = source.strip()
    if not text:
        raise ExpressionError("the expression is empty")
    if len(text) > MAX_LENGTH:
        raise ExpressionError(
            f"the expression is {len(text)} characters long; at most {MAX_LENGTH} are allowed"
        )
    tree = _parse(text)
    _check_depth(tree)
    builder = _CodeBuilder(text, score_range)
    code = builder.emit(tree)
    namespace: dict[str, Any] = {"__builtins__": {}, **builder.namespace}
    function = eval(compile(f"lambda _v: {code}", "<expression>", "eval"), namespace)
    return Expression(text, frozenset(builder.variables), tuple(builder.lookups), function)


def _parse(text: str) -> Tree[Token]:
    try:
        return _parser().parse(text)
    except UnexpectedCharacters as exc:
        char = text[exc.pos_in_stream or 0]
        raise ExpressionError(
            f"unexpected {char!r} at column {exc.column} of {text!r}{_hint(char)}"
        ) from None
    except UnexpectedToken as exc:
        if exc.token.type == "$END":
            raise ExpressionError(f"{text!r} ends too early") from None
        raise ExpressionError(
            f"unexpected {str(exc.token)!r} at column {exc.column} of {text!r}{_hint(str(exc.token))}"
        ) from None
    except UnexpectedEOF:
        raise ExpressionError(f"{text!r} ends too early") from None
    except UnexpectedInput as exc:  # pragma: no cover - the three above are all Lark raises
        raise ExpressionError(f"{text!r} is not an expression: {exc}") from None


_HINTS = {
    ".": "attribute access is not allowed",
    "[": "indexing and lists are not allowed",
    "*": "powers are not allowed",
    ":": "only a lookup table may use ':'",
    "=": "assignment is not allowed; compare with ==",
    "lambda": "functions cannot be defined",
    "for": "loops and comprehensions are not allowed",
}


def _hint(token: str) -> str:
    hint = _HINTS.get(token)
    return f" ({hint})" if hint else ""


def _check_depth(tree: Tree[Token]) -> None:
    stack: list[tuple[Tree[Token] | Token, int]] = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ExpressionError(f"the expression is nested more than {MAX_DEPTH} levels deep")
        if isinstance(node, Tree):
            stack.extend((child, depth + 1) for child in node.children if child is not None)


def _min(*args: Any) -> Any:
    return min(args)


def _max(*args: Any) -> Any:
    return max(args)


def _round(value: Any, places: int) -> Decimal:
    if not isinstance(value, Decimal) or isinstance(value, bool):
        raise EvaluationError(f"round needs a number, got {value!r}", "needs_number", value=str(value))
    return round_half_up(value, places)


class _CodeBuilder:
    """Turns a parse tree into the text of a Python expression over `_v` (the variables)."""

    def __init__(self, source: str, score_range: tuple[Decimal, Decimal | None] | None) -> None:
        self.source = source
        self.score_range = score_range
        self.namespace: dict[str, Any] = {"_min": _min, "_max": _max, "_abs": abs, "_round": _round}
        self.variables: set[str] = set()
        self.lookups: list[tuple[str, LookupTable]] = []

    def _constant(self, value: object) -> str:
        name = f"_k{len(self.namespace)}"
        self.namespace[name] = value
        return name

    def emit(self, node: Tree[Token] | Token) -> str:
        if isinstance(node, Token):  # pragma: no cover - every token sits under a named rule
            raise ExpressionError(f"unexpected {str(node)!r} in {self.source!r}")
        kind = node.data
        children = node.children
        if kind == "number":
            return self._constant(literal_value(str(children[0])))
        if kind == "string":
            return repr(str(children[0])[1:-1])
        if kind == "variable":
            name = str(children[0])
            if name.startswith("_"):
                raise ExpressionError(f"{name!r}: names may not start with '_'")
            self.variables.add(name)
            return f"_v[{name!r}]"
        if kind == "binary":
            left, op, right = children
            if op == "/" and self._always_zero(right):
                raise ExpressionError(
                    f"{self.source!r} divides by a constant that is 0; the result would never have a value"
                )
            return f"({self.emit(left)} {op} {self.emit(right)})"
        if kind == "compare":
            left, op, right = children
            return f"({self.emit(left)} {op} {self.emit(right)})"
        if kind == "unary":
            op, operand = children
            return f"({op}{self.emit(operand)})"
        if kind in ("and_", "or_"):
            left, right = children
            return f"({self.emit(left)} {kind[:-1]} {self.emit(right)})"
        if kind == "not_":
            return f"(not {self.emit(children[0])})"
        if kind == "conditional":
            value, condition, otherwise = children
            return f"({self.emit(value)} if {self.emit(condition)} else {self.emit(otherwise)})"
        if kind == "call":
            return self._call(node)
        if kind == "table":
            raise ExpressionError(
                f"a {{...}} table is only allowed as the second argument of lookup in {self.source!r}"
            )
        raise ExpressionError(f"{kind} is not part of the language")  # pragma: no cover

    def _always_zero(self, node: Tree[Token] | Token) -> bool:
        """True for a divisor without variables whose value is 0 (`0`, `0%`, `(2 - 2)`, `min(0, 1)`)."""
        if not isinstance(node, Tree) or any(sub.data == "variable" for sub in node.iter_subtrees()):
            return False
        constant = _CodeBuilder(self.source, self.score_range)
        code = constant.emit(node)
        namespace: dict[str, Any] = {"__builtins__": {}, **constant.namespace}
        try:
            value = eval(compile(code, "<divisor>", "eval"), namespace)
        except (ArithmeticError, TypeError, EvaluationError):
            return False  # refused or reported when the whole expression is evaluated
        return isinstance(value, Decimal) and value == 0

    def _call(self, node: Tree[Token]) -> str:
        name_token, arguments = node.children
        name = str(name_token)
        args = [a for a in arguments.children if isinstance(a, Tree)] if isinstance(arguments, Tree) else []
        if name not in FUNCTIONS:
            raise ExpressionError(
                f"unknown function {name!r} in {self.source!r}; the functions are {', '.join(FUNCTIONS)}"
            )
        if name == "lookup":
            return self._lookup(args)
        if any(isinstance(a, Tree) and a.data == "table" for a in args):
            raise ExpressionError(f"{name}() takes numbers, not a table, in {self.source!r}")
        if name in ("min", "max"):
            if len(args) < 2:
                raise ExpressionError(f"{name}() needs at least two arguments in {self.source!r}")
            return f"_{name}({', '.join(self.emit(a) for a in args)})"
        if name == "abs":
            if len(args) != 1:
                raise ExpressionError(f"abs() takes one argument in {self.source!r}")
            return f"_abs({self.emit(args[0])})"
        # round(x, n): n is a whole number literal
        if len(args) not in (1, 2):
            raise ExpressionError(f"round() takes a value and a number of decimals in {self.source!r}")
        places = 0
        if len(args) == 2:
            digits = args[1]
            text = str(digits.children[0]) if isinstance(digits, Tree) and digits.data == "number" else ""
            if not text.isdigit() or int(text) > 10:
                raise ExpressionError(
                    f"round()'s second argument must be a whole number 0..10 in {self.source!r}"
                )
            places = int(text)
        return f"_round({self.emit(args[0])}, {places})"

    def _lookup(self, args: list[Tree[Token]]) -> str:
        if len(args) != 2 or not (isinstance(args[1], Tree) and args[1].data == "table"):
            raise ExpressionError(
                f"lookup(x, {{interval: result, ...}}) needs a value and a table in {self.source!r}"
            )
        subject, table = args
        intervals: list[Interval] = []
        results: list[str] = []
        for entry in table.children:
            if not isinstance(entry, Tree):
                continue
            key_token, result = entry.children
            key = str(key_token)[1:-1]
            try:
                intervals.append(parse_interval(key))
            except (IntervalError, ValueError) as exc:
                raise ExpressionError(f"lookup table in {self.source!r}: {exc}") from None
            results.append(self.emit(result))
        if not intervals:
            raise ExpressionError(f"lookup table in {self.source!r} is empty")
        problems = [
            f'"{a.text}" and "{b.text}" overlap on {common.text}' for a, b, common in find_overlaps(intervals)
        ]
        is_score = (
            isinstance(subject, Tree) and subject.data == "variable" and str(subject.children[0]) == "score"
        )
        low, high = self.score_range if (is_score and self.score_range) else (None, None)
        problems += [f"no interval covers {gap.text}" for gap in find_gaps(intervals, low, high)]
        if problems:
            raise ExpressionError(f"lookup table in {self.source!r}: {'; '.join(problems)}")
        lookup = LookupTable(tuple(intervals))
        subject_code = self.emit(subject)
        self.lookups.append((_source_of(subject), lookup))
        table_name = self._constant(lookup)
        choices = ", ".join(f"lambda: {result}" for result in results)
        return f"(({choices},)[{table_name}.index({subject_code})]())"


def _source_of(node: Tree[Token]) -> str:
    if node.data == "variable":
        return str(node.children[0])
    return "value"
