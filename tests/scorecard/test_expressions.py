"""The expression language (spec: "Expressions") and its sandbox.

Allowed: numbers with suffixes, quoted strings, variables (identifiers in any script),
`+ - * /`, parentheses, comparisons, `and`/`or`/`not`, `a if cond else b`, and the
functions min, max, abs, round(x, n) (half-up) and lookup(x, {interval: result}).
Nothing else is reachable; anything else is rejected at load time with the expression
and the reason, as an ExpressionError (a TemplateError inside a template), never as a
RecursionError or any other exception.
"""

from __future__ import annotations

import textwrap
import time
from decimal import Decimal

import pytest

from shopkpi.scorecard import (
    EvaluationError,
    ExpressionError,
    TemplateError,
    compile_expression,
    load_template_text,
)

D = Decimal

DEPTH = 10_000

ESCAPES = {
    "import": "__import__('os')",
    "import_system": "__import__('os').system('true')",
    "class_of_tuple": "().__class__",
    "class_of_variable": "x.__class__",
    "attribute": "x.real",
    "subclasses": "().__class__.__bases__[0].__subclasses__()",
    "subscript": "x[0]",
    "subscript_string": "'abc'[0]",
    "list": "[1, 2]",
    "lambda": "lambda: 1",
    "lambda_call": "(lambda x: x)(1)",
    "list_comprehension": "[x for x in y]",
    "generator": "sum(x for x in y)",
    "set_comprehension": "{x for x in y}",
    "f_string": "f'{x}'",
    "f_string_double": 'f"{x.__class__}"',
    "walrus": "(y := 1)",
    "power": "9 ** 9 ** 9",
    "power_single": "2 ** 10",
    "unknown_function": "frobnicate(1)",
    "open": "open('x')",
    "eval": "eval('1')",
    "exec": "exec('1')",
    "getattr": "getattr(x, 'y')",
    "globals": "globals()",
    "assignment": "x = 1",
    "semicolon": "1; 2",
    "modulo": "7 % 2",
    "floor_division": "7 // 2",
    "bit_shift": "1 << 100000",
    "keyword_argument": "round(x, n=2)",
    "star_argument": "max(*x)",
    "dunder_variable": "__builtins__",
    "nested_parentheses": "(" * DEPTH + "1" + ")" * DEPTH,
    "nested_not": "not " * DEPTH + "x",
    "nested_minus": "- " * DEPTH + "1",
    "nested_minus_compact": "-" * DEPTH + "1",
    "nested_plus_chain": "1" + " + 1" * DEPTH,
    "nested_min": "min(" * DEPTH + "1" + ", 1)" * DEPTH,
}


@pytest.mark.parametrize("source", list(ESCAPES.values()), ids=list(ESCAPES))
def test_escapes_are_rejected_with_an_expression_error(source: str) -> None:
    started = time.perf_counter()
    with pytest.raises(ExpressionError) as caught:
        compile_expression(source)
    assert str(caught.value).strip(), "the error must say why"
    assert time.perf_counter() - started < 2, "rejecting must not compute anything"


def template_with_value(source: str) -> str:
    quoted = source.replace("'", "''")
    return textwrap.dedent(
        f"""
        id: sandbox
        name: 沙箱
        items:
          - key: attack
            name: 攻击
            weight: 100
            value: '{quoted}'
            bands: {{">= 0": 100, "< 0": 0}}
        """
    )


@pytest.mark.parametrize("source", list(ESCAPES.values()), ids=list(ESCAPES))
def test_escapes_are_rejected_at_load_time_naming_template_and_item(source: str) -> None:
    with pytest.raises(TemplateError) as caught:
        load_template_text(template_with_value(source))
    message = str(caught.value)
    assert "sandbox" in message
    assert "attack" in message


@pytest.mark.parametrize(
    ("source", "word"),
    [
        ("open('x')", "open"),
        ("eval('1')", "eval"),
        ("getattr(x, 'y')", "getattr"),
        ("frobnicate(1)", "frobnicate"),
        ("__import__('os')", "__import__"),
    ],
)
def test_an_unknown_function_is_named_in_the_error(source: str, word: str) -> None:
    with pytest.raises(ExpressionError) as caught:
        compile_expression(source)
    assert word in str(caught.value)


def test_a_template_s_expression_error_quotes_the_expression() -> None:
    with pytest.raises(TemplateError) as caught:
        load_template_text(template_with_value("getattr(x, 'y')"))
    assert "getattr(x, 'y')" in str(caught.value)


def test_the_pay_expression_and_rules_are_sandboxed_too() -> None:
    text = textwrap.dedent(
        """
        id: sandbox
        name: 沙箱
        items:
          - {key: a, name: A, weight: 100, rated_by: supervisor}
        pay:
          amount: "().__class__"
        rules:
          - {when: "__import__('os')", consecutive: 2, action: 辞退}
        """
    )
    with pytest.raises(TemplateError) as caught:
        load_template_text(text)
    message = str(caught.value)
    assert "pay" in message
    assert "__import__" in message


# --- what the language does allow -------------------------------------------------------------


def evaluate(source: str, **variables: object) -> object:
    return compile_expression(source).evaluate(variables)


def test_chinese_identifiers_are_variables() -> None:
    # 48000 / 60000 = 0.8
    expression = compile_expression("实际销售额 / 计划销售额")
    assert expression.variables == frozenset({"实际销售额", "计划销售额"})
    assert expression.evaluate({"实际销售额": D(48000), "计划销售额": D(60000)}) == D("0.8")


def test_identifiers_in_other_scripts() -> None:
    # 2 + 3 = 5
    assert evaluate("café + ñandú", café=D(2), ñandú=D(3)) == D(5)


def test_a_chinese_expression_works_inside_a_template() -> None:
    template = load_template_text(template_with_value("实际销售额 / 计划销售额"))
    assert template.item("attack").value is not None
    assert template.variables == frozenset({"实际销售额", "计划销售额"})


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("1 + 2 * 3", D(7)),  # 1 + 6
        ("(1 + 2) * 3", D(9)),
        ("10 - 4 - 3", D(3)),  # left to right: (10 − 4) − 3
        ("12 / 4 / 3", D(1)),  # (12 / 4) / 3
        ("-3 + 5", D(2)),
        ("- (2 - 5)", D(3)),
        ("min(3, 1, 2)", D(1)),
        ("max(3, 1, 2)", D(3)),
        ("abs(-4.5)", D("4.5")),
        ("round(2.345, 2)", D("2.35")),  # half-up, not half-even (2.34)
        ("round(2.5, 0)", D(3)),  # half-up, not half-even (2)
        ("round(0.125, 2)", D("0.13")),
        ("round(-2.5, 0)", D(-3)),  # 四舍五入 away from zero on a tie
        ("1 if 2 > 1 else 0", D(1)),
        ("1 if 2 < 1 else 0", D(0)),
        ("1 if 1 > 2 else 2 if 2 > 1 else 3", D(2)),
        ("1 < 2 and 2 < 3", True),
        ("1 > 2 or 2 > 3", False),
        ("not 1 > 2", True),
        ("2 >= 2", True),
        ("2 <= 1", False),
        ("2 == 2.0", True),
        ("2 != 2", False),
        ("'优秀' == '优秀'", True),
    ],
)
def test_the_language(source: str, expected: object) -> None:
    assert evaluate(source) == expected


def test_grade_is_a_string_variable() -> None:
    assert evaluate("grade == '优秀'", grade="优秀") is True
    assert evaluate('grade == "优秀"', grade="良好") is False


LOOKUP = 'lookup(score, {"< 65": 0.5, "[65, 80)": 1.0, "[80, 95)": 1.2, ">= 95": 1.5})'


@pytest.mark.parametrize(
    ("score", "coefficient"),
    [
        ("0", "0.5"),
        ("64.9", "0.5"),
        ("65", "1.0"),
        ("79.9", "1.0"),
        ("80", "1.2"),
        ("95", "1.5"),
        ("120", "1.5"),
    ],
)
def test_lookup_takes_the_result_of_the_interval_that_holds_the_value(score: str, coefficient: str) -> None:
    assert evaluate(LOOKUP, score=D(score)) == D(coefficient)


def test_lookup_results_may_be_expressions() -> None:
    # x = 5 lies in "< 10" → x × 2 = 10; x = 20 lies in ">= 10" → x + 1 = 21
    source = 'lookup(x, {"< 10": x * 2, ">= 10": x + 1})'
    assert evaluate(source, x=D(5)) == D(10)
    assert evaluate(source, x=D(20)) == D(21)


def test_a_lookup_table_with_an_overlap_is_rejected() -> None:
    with pytest.raises(ExpressionError) as caught:
        compile_expression('lookup(x, {"<= 10": 1, "[10, 20]": 2, "> 20": 3})')
    assert "overlap" in str(caught.value)


def test_a_lookup_table_with_a_gap_is_rejected() -> None:
    # nothing holds (10, 20)
    with pytest.raises(ExpressionError) as caught:
        compile_expression('lookup(x, {"<= 10": 1, ">= 20": 2})')
    assert "(10, 20)" in str(caught.value)


def test_a_lookup_key_that_is_not_an_interval_is_rejected() -> None:
    with pytest.raises(ExpressionError):
        compile_expression('lookup(x, {"about 10": 1})')


@pytest.mark.parametrize("source", ["", "   ", "1 +", "(1", "1)", "min()", "round(1, 2, 3)", "abs(1, 2)"])
def test_malformed_expressions_are_rejected(source: str) -> None:
    with pytest.raises(ExpressionError):
        compile_expression(source)


# --- values that cannot be computed ---------------------------------------------------------


def test_an_absent_variable_cannot_be_computed() -> None:
    with pytest.raises(EvaluationError):
        evaluate("实际销售额 / 计划销售额", 实际销售额=D(1))


def test_a_division_by_zero_cannot_be_computed() -> None:
    with pytest.raises(EvaluationError):
        evaluate("实际销售额 / 计划销售额", 实际销售额=D(1), 计划销售额=D(0))
    # a constant divisor of 0 is refused when the expression is compiled (`shopkpi check`), before any use
    for text in ("0 / 0", "base_salary / 0", "x / 0%", "x / (2 - 2)", "x / min(0, 1)", "x / (1 / 0)"):
        with pytest.raises(ExpressionError, match="divides by a constant that is 0"):
            compile_expression(text)
    assert compile_expression("x / (2 - 1)").variables == {"x"}


def test_an_unused_branch_needs_no_value() -> None:
    # score 70 < 80, so base_salary is never read
    assert evaluate("0 if score < 80 else base_salary * 20%", score=D(70)) == D(0)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("(" * 600 + "1" + ")" * 600, D(1)),
        ("not " * 300 + "x", True),  # an even number of nots: not not x = x (x = 1 > 0 is truthy)
        ("- " * 600 + "1", D(1)),  # an even number of minus signs
        ("-" * 601 + "1", D(-1)),  # an odd number
        ("1" + " + 1" * 300, D(301)),
    ],
    ids=["parentheses", "not", "minus", "minus_compact", "plus_chain"],
)
def test_deep_but_short_expressions_compile_correctly_or_fail_cleanly(source: str, expected: object) -> None:
    # The spec does not fix a depth limit; what it forbids is any failure but an ExpressionError.
    try:
        expression = compile_expression(source)
    except ExpressionError:
        return
    result = expression.evaluate({"x": D(1)})
    assert (bool(result) if isinstance(expected, bool) else result) == expected


def test_names_that_begin_with_a_keyword_or_a_suffix_letter_are_variables() -> None:
    # or·ders, not·es, and·roid, if·fy, else·where, lookup·s; w·ages, k·pi, k2, W1 are not numbers
    names = ["orders", "notes", "android", "iffy", "elsewhere", "lookups", "wages", "kpi", "k2", "W1", "万元"]
    expression = compile_expression(" + ".join(names))
    assert expression.variables == frozenset(names)
    # 1 + 2 + … + 11 = 66
    assert expression.evaluate({name: D(n) for n, name in enumerate(names, start=1)}) == D(66)
