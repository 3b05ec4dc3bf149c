"""The queries a part of a benchmark runs, counted as they run (`connection.execute_wrapper`).

Django's query log (`connection.queries`, read by `CaptureQueriesContext`) keeps only the last 9,000
queries: once a run has filled it (the imports of a big company do), its length stays the same and
every later part would count 0."""

from __future__ import annotations

from typing import Any


class QueryCount:
    """An execute wrapper counting the queries run through it."""

    def __init__(self) -> None:
        self.n = 0

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.n += 1
        return execute(sql, params, many, context)
