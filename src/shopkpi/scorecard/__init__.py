"""The scorecard engine: templates, intervals, expressions, scoring, pay and consequence rules.

Pure: no Django, no DuckDB, no files other than the template loader's.

Its names are imported on first use (PEP 562): a command that needs only `Period` does not load the
template loader, its YAML reader and pydantic models.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from shopkpi.scorecard.aggregation import Aggregated, PeriodResult, aggregate_values
    from shopkpi.scorecard.engine import (
        EmployeeInput,
        ItemResult,
        RatingError,
        ScoreResult,
        explain_item,
        rating_value,
        rule_actions,
        score,
        score_all,
    )
    from shopkpi.scorecard.explanation import Explanation, Input, Reason
    from shopkpi.scorecard.expressions import EvaluationError, ExpressionError, compile_expression
    from shopkpi.scorecard.loader import (
        builtin_template_dir,
        builtin_template_paths,
        load_template_file,
        load_template_text,
    )
    from shopkpi.scorecard.periods import Period, PeriodError, PeriodKind
    from shopkpi.scorecard.problems import Problem, TemplateError
    from shopkpi.scorecard.template import Template

_WHERE = {
    "Aggregated": "shopkpi.scorecard.aggregation",
    "PeriodResult": "shopkpi.scorecard.aggregation",
    "aggregate_values": "shopkpi.scorecard.aggregation",
    "EmployeeInput": "shopkpi.scorecard.engine",
    "ItemResult": "shopkpi.scorecard.engine",
    "RatingError": "shopkpi.scorecard.engine",
    "ScoreResult": "shopkpi.scorecard.engine",
    "explain_item": "shopkpi.scorecard.engine",
    "rating_value": "shopkpi.scorecard.engine",
    "rule_actions": "shopkpi.scorecard.engine",
    "score": "shopkpi.scorecard.engine",
    "score_all": "shopkpi.scorecard.engine",
    "Explanation": "shopkpi.scorecard.explanation",
    "Input": "shopkpi.scorecard.explanation",
    "Reason": "shopkpi.scorecard.explanation",
    "EvaluationError": "shopkpi.scorecard.expressions",
    "ExpressionError": "shopkpi.scorecard.expressions",
    "compile_expression": "shopkpi.scorecard.expressions",
    "builtin_template_dir": "shopkpi.scorecard.loader",
    "builtin_template_paths": "shopkpi.scorecard.loader",
    "load_template_file": "shopkpi.scorecard.loader",
    "load_template_text": "shopkpi.scorecard.loader",
    "Period": "shopkpi.scorecard.periods",
    "PeriodError": "shopkpi.scorecard.periods",
    "PeriodKind": "shopkpi.scorecard.periods",
    "Problem": "shopkpi.scorecard.problems",
    "TemplateError": "shopkpi.scorecard.problems",
    "Template": "shopkpi.scorecard.template",
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = [
    "Aggregated",
    "EmployeeInput",
    "EvaluationError",
    "Explanation",
    "ExpressionError",
    "Input",
    "ItemResult",
    "Period",
    "PeriodError",
    "PeriodKind",
    "PeriodResult",
    "Problem",
    "RatingError",
    "Reason",
    "ScoreResult",
    "Template",
    "TemplateError",
    "aggregate_values",
    "builtin_template_dir",
    "builtin_template_paths",
    "compile_expression",
    "explain_item",
    "load_template_file",
    "load_template_text",
    "rating_value",
    "rule_actions",
    "score",
    "score_all",
]
