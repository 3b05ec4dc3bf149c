"""Canonical rows of the small datasets, as the synthetic company's truth.

The export writers turn these into the platforms' own files; the warehouse loader writes them
straight into the warehouse. A `CanonicalTable` holds typed Python values (str, int, Decimal,
date, datetime, None) under the canonical column names of one dataset.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Context, Decimal, Inexact

import pyarrow as pa  # type: ignore[import-untyped]

from shopkpi.data.datasets import DATASETS, NUMBER_DECIMALS, ColumnType

Value = str | int | Decimal | dt.date | dt.datetime | None

_ARROW: dict[ColumnType, pa.DataType] = {
    "text": pa.string(),
    "date": pa.date32(),
    "timestamp": pa.timestamp("us"),
    "integer": pa.int64(),
    "decimal": pa.decimal128(18, 2),
    "number": pa.decimal128(38, NUMBER_DECIMALS),
    "rate": pa.decimal128(12, 6),
    "seconds": pa.decimal128(14, 3),
}
_SCALE: dict[ColumnType, Decimal] = {
    "decimal": Decimal("0.01"),
    "number": Decimal(1).scaleb(-NUMBER_DECIMALS),
    "rate": Decimal("0.000001"),
    "seconds": Decimal("0.001"),
}


@dataclass(frozen=True)
class CanonicalTable:
    dataset: str
    columns: tuple[str, ...]
    rows: Sequence[tuple[Value, ...]]

    def __post_init__(self) -> None:
        known = DATASETS[self.dataset].column_names
        unknown = [c for c in self.columns if c not in known]
        if unknown:
            raise ValueError(f"{self.dataset} has no column(s) {unknown}")

    def column(self, name: str) -> list[Value]:
        i = self.columns.index(name)
        return [row[i] for row in self.rows]

    def arrow(self) -> pa.Table:
        """Every canonical column of the dataset (absent ones null), typed as the warehouse stores them."""
        dataset = DATASETS[self.dataset]
        arrays = []
        for column in dataset.columns:
            values: list[Value]
            if column.name in self.columns:
                values = self.column(column.name)
                scale = _SCALE.get(column.type)
                if scale is not None:
                    values = [None if v is None else _exactly(Decimal(v), scale) for v in values]  # type: ignore[arg-type]
            else:
                values = [None] * len(self.rows)
            arrays.append(pa.array(values, _ARROW[column.type]))
        return pa.Table.from_arrays(arrays, names=list(dataset.column_names))


def _exactly(value: Decimal, scale: Decimal) -> Decimal:
    """`value` at the storage scale; a generated value with more decimals is a bug, never rounded."""
    return value.quantize(scale, context=Context(prec=38, traps=[Inexact]))


def arrow_type(column_type: ColumnType) -> pa.DataType:
    return _ARROW[column_type]


def as_int(value: Value) -> int:
    if not isinstance(value, int):
        raise TypeError(f"expected a whole number, got {value!r}")
    return value


def as_decimal(value: Value) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise TypeError(f"expected a number, got {value!r}")
    return Decimal(value)


def as_float(value: Value) -> float:
    return float(as_decimal(value))
