"""A DuckDB connection shaped like `Warehouse.connect()`, filled with rows written in a test, and the
organisation snapshot the application would hand to the metric step.

Every warehouse dataset is a table named as the dataset, with its canonical columns typed as the
registry says plus `_batch` and `_row` (the row of its file); columns a row does not give are NULL. The organisation's rows
(`employees`, `accounts`) become an `OrganisationSnapshot` (`organisation_of`), as the application's
organisation service gives it. Metric tests build small data with these and compare against hand
arithmetic or plain DuckDB queries.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import duckdb

from shopkpi.data.datasets import DATASETS
from shopkpi.data.metrics.org_snapshot import OrganisationSnapshot


def connection_with(rows: Mapping[str, Sequence[Mapping[str, Any]]]) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(":memory:")
    for dataset in DATASETS.values():
        if dataset.organisation:
            continue
        columns = [*(c.name for c in dataset.columns), "_batch", "_row"]
        types = [*(c.duckdb_type for c in dataset.columns), "VARCHAR", "BIGINT"]
        definition = ", ".join(f'"{name}" {type_}' for name, type_ in zip(columns, types, strict=True))
        con.execute(f'CREATE TABLE "{dataset.name}" ({definition})')
        given = rows.get(dataset.name, ())
        for row in given:
            unknown = set(row) - set(columns)
            assert not unknown, f"{dataset.name} has no columns {unknown}"
        if given:
            values = [
                [row.get(c, f"{dataset.name}-1" if c == "_batch" else None) for c in columns] for row in given
            ]
            marks = ", ".join("?" for _ in columns)
            con.executemany(f'INSERT INTO "{dataset.name}" VALUES ({marks})', values)
    return con


def employees(*ids: str, supervisor: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """`employees` rows for `ids` (department and position filled in), with optional supervisors."""
    return [
        {
            "employee": e,
            "name": e,
            "department": "ops",
            "position": "operator",
            "supervisor": (supervisor or {}).get(e),
        }
        for e in ids
    ]


def owns(
    employee: str, kind: str, account: str, valid_from: str | None = None, valid_to: str | None = None
) -> dict[str, Any]:
    return {
        "employee": employee,
        "kind": kind,
        "account": account,
        "valid_from": valid_from,
        "valid_to": valid_to,
    }


def organisation_of(rows: Mapping[str, Sequence[Mapping[str, Any]]]) -> OrganisationSnapshot:
    """The snapshot of the `employees` and `accounts` rows among `rows`."""
    return OrganisationSnapshot.of(rows.get("employees", ()), rows.get("accounts", ()))
