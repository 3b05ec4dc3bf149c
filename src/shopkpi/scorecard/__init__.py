"""The scorecard engine: templates, intervals, expressions, scoring, pay and consequence rules.

Pure: no Django, no DuckDB, no files other than the template loader's.
"""

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
