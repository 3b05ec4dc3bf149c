"""The fast way to stage a large UTF-8 CSV: pyarrow's streaming CSV reader instead of Python's csv
module, with the same result as `staging` (same `_row` numbers, blank and summary rows left out).

It applies only where row numbers are certain: UTF-8 text without blank lines or NUL bytes, and
no line breaks inside the banner/header rows. Any row pyarrow cannot take as it is (a row wider
or narrower than the header) makes it give up, and the caller stages the file the ordinary way,
which reports such rows precisely.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]
import pyarrow.csv as pacsv  # type: ignore[import-untyped]
import pyarrow.parquet as pq  # type: ignore[import-untyped]

from shopkpi.data.imports.file_rows import ProgressCallback, Row, counting_stream
from shopkpi.data.imports.profile_match import HeaderFit

_BLOCK = 1 << 22
_SCAN = 1 << 24
_NOT_SIMPLE = (b"\n\n", b"\n\r\n", b"\r\r", b"\x00")


def applies(path: Path, encoding: str | None, head: Sequence[Row], header_row: int) -> bool:
    """True when the fast path gives exactly the rows the ordinary path would."""
    if encoding not in ("utf-8", "utf-8-sig"):
        return False
    for number, cells in head:
        if number <= header_row and any(c and ("\n" in c or "\r" in c) for c in cells):
            return False
    tail = b""
    with path.open("rb") as f:
        while chunk := f.read(_SCAN):
            window = tail + chunk
            if any(marker in window for marker in _NOT_SIMPLE):
                return False
            tail = chunk[-2:]
    return True


def stage(
    path: Path,
    delimiter: str,
    fit: HeaderFit,
    sources: Sequence[tuple[str, int]],
    out: Path,
    on_progress: ProgressCallback | None,
) -> tuple[int, int] | None:
    """Write the raw Parquet like `staging._write`; (rows written, rows skipped), or None to give up."""
    header_row = fit.header_row or 0
    names = [f"c{i}" for i in range(fit.width)]
    read = pacsv.ReadOptions(skip_rows=header_row, column_names=names, block_size=_BLOCK, use_threads=False)
    parse = pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True)
    convert = pacsv.ConvertOptions(
        column_types={n: pa.string() for n in names},
        strings_can_be_null=False,
        quoted_strings_can_be_null=False,
    )
    schema = pa.schema([("_row", pa.int64())] + [(column, pa.string()) for column, _ in sources])
    skip_rules = [(fit.columns[r.column], r) for r in fit.profile.skip_rows if r.column in fit.columns]
    written = skipped = 0
    next_row = header_row + 1
    try:
        with (
            counting_stream(path, on_progress) as stream,
            pq.ParquetWriter(out, schema, compression="zstd") as writer,
        ):
            reader = pacsv.open_csv(stream, read_options=read, parse_options=parse, convert_options=convert)
            for batch in reader:
                numbers = pa.array(range(next_row, next_row + batch.num_rows), pa.int64())
                next_row += batch.num_rows
                keep = pc.invert(_all_empty(batch))
                for index, rule in skip_rules:
                    text = pc.utf8_trim_whitespace(batch.column(index))
                    summary = pc.is_in(text, value_set=pa.array(list(rule.values), pa.string()))
                    for prefix in rule.prefixes:
                        summary = pc.or_(summary, pc.starts_with(text, prefix))
                    summary = pc.and_(keep, summary)
                    skipped += pc.sum(pc.cast(summary, pa.int64())).as_py() or 0
                    keep = pc.and_(keep, pc.invert(summary))
                arrays = [numbers] + [batch.column(index) for _, index in sources]
                table = pa.Table.from_arrays(arrays, schema=schema).filter(keep)
                written += table.num_rows
                writer.write_table(table)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    finally:
        pa.default_memory_pool().release_unused()  # hand the batches' memory back before DuckDB runs
    return written, skipped


def _all_empty(batch: pa.RecordBatch) -> pa.Array:
    empty = None
    for column in batch.columns:
        this = pc.equal(pc.utf8_length(column), 0)
        empty = this if empty is None else pc.and_(empty, this)
    return empty if empty is not None else pa.array([True] * batch.num_rows)
