"""First stage of an import: find the profile and header, then stream the data rows' cell text
into a raw Parquet file (one text column per recognised column, plus `_row`), in chunks; or, for a
plain UTF-8 CSV, nothing at all: DuckDB reads it directly in the validation (`csv_direct`).

Blank rows and a profile's summary rows (千牛's 汇总值, 平均值 ...) are left out here; nothing is
parsed yet (that happens in DuckDB, see `validation`). The reading happens in a process of its own
with memory, time and output limits (`file_sandbox`).
"""

from __future__ import annotations

import gc
import itertools
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from shopkpi.data.datasets import DATASETS
from shopkpi.data.imports import csv_direct
from shopkpi.data.imports.file_rows import ProgressCallback, Row, open_rows
from shopkpi.data.imports.file_sandbox import limits_from_environment, read_many_in_sandbox
from shopkpi.data.imports.profile_match import HeaderFit, choose_profile
from shopkpi.data.imports.profiles import Profile, canonical_profile
from shopkpi.data.imports.value_sql import quote
from shopkpi.data.problems import ProblemList, UnreadableFile

if TYPE_CHECKING:
    import pyarrow.parquet as pq  # type: ignore[import-untyped]

CHUNK_ROWS = 50_000


@dataclass(frozen=True)
class RawFile:
    source: str  # the imported file's name, for problems
    parquet: Path
    fit: HeaderFit
    format: str
    rows: int  # data rows written (-1 for a CSV read directly: counted when it is validated)
    skipped: int  # summary rows left out (likewise)
    sheet: str | None = None  # a workbook's sheet read
    direct: csv_direct.DirectCsv | None = None  # a CSV DuckDB reads directly, not staged

    def relation(self) -> str:
        """The rows as a FROM item: `_row` and the text of each source column, or, read directly,
        the source columns with `_blank` and `_summary` in file order (`csv_direct.relation_sql`)."""
        if self.direct is None:
            return f"read_parquet({quote(str(self.parquet))})"
        return csv_direct.relation_sql(self.direct, self.fit, _sources(self.fit))


def check_column(i: int) -> str:
    return f"check_{i}"


def stage_raw(
    path: Path,
    profiles: Sequence[Profile],
    forced: str | None,
    preset: Mapping[str, str],
    out: Path,
    problems: ProblemList,
    on_progress: ProgressCallback | None = None,
    *,
    direct: bool = False,
) -> RawFile | None:
    """Write `path`'s data rows to `out`; None (with `problems` filled) if the file is refused. With
    `direct`, a plain UTF-8 CSV is not staged: the RawFile names it for DuckDB to read (`csv_direct`).

    The file is read in a process of its own with limits (`file_sandbox`): a hostile file is refused
    there and cannot take this process down. The child sends back the rows it found the header in;
    the header fit is worked out again from them here (the same rows give the same fit)."""
    if direct and (found := direct_raw(path, profiles, forced, preset, out, problems, on_progress)):
        return found
    [raw] = stage_raw_many([(path, out, problems, on_progress)], profiles, forced, preset)
    return raw


def direct_raw(
    path: Path,
    profiles: Sequence[Profile],
    forced: str | None,
    preset: Mapping[str, str],
    out: Path,
    problems: ProblemList,
    on_progress: ProgressCallback | None = None,
    *,
    simple_lines: bool | None = None,
) -> RawFile | None:
    """The RawFile of a plain UTF-8 CSV DuckDB reads directly (`csv_direct`); None for any other file.
    `simple_lines`: what `csv_direct.scan_file` found, when it has looked already."""
    found = _direct(path, profiles, forced, preset, out, problems, simple_lines)
    if found is not None and on_progress is not None:
        on_progress(path.stat().st_size)
    return found


ToStage = tuple[Path, Path, ProblemList, ProgressCallback | None]  # (file, raw Parquet, problems, progress)


def stage_raw_many(
    files: Sequence[ToStage], profiles: Sequence[Profile], forced: str | None, preset: Mapping[str, str]
) -> list[RawFile | None]:
    """`stage_raw` for each file (never directly), all read by as few reading processes as may be
    (`file_sandbox.read_many_in_sandbox`): one for a call's many small files."""
    if not files:
        return []
    limits = limits_from_environment()
    cap = max(problems.cap for _, _, problems, _ in files)

    def staged(
        index: int, answer: dict[str, Any] | None, unreadable: UnreadableFile | None
    ) -> RawFile | None:
        path, out, problems, _ = files[index]
        return _staged_raw(path, out, problems, answer, unreadable, profiles, forced, preset)

    return read_many_in_sandbox(  # each answer made a RawFile as it arrives, never all held at once
        _stage_in_child,
        [
            (path, list(profiles), forced, dict(preset), out, cap, limits.max_cells)
            for path, out, _, _ in files
        ],
        on_progress=[progress for _, _, _, progress in files],
        limits=limits,
        digest=staged,
    )


def _staged_raw(
    path: Path,
    out: Path,
    problems: ProblemList,
    staged: dict[str, Any] | None,
    unreadable: UnreadableFile | None,
    profiles: Sequence[Profile],
    forced: str | None,
    preset: Mapping[str, str],
) -> RawFile | None:
    """The RawFile of what the reading process said of `path`, or None (with `problems` filled)."""
    name = path.name
    if unreadable is not None or staged is None:
        assert unreadable is not None
        problems.add(name, unreadable.row, None, unreadable.reason)
        return None
    for file, row, column, reason in staged["problems"]:
        problems.add(file, row, column, reason)
    problems.truncated = problems.truncated or staged["truncated"]
    if staged["head"] is None:
        return None
    head: list[Row] = [(number, cells) for number, cells in staged["head"]]
    fit = choose_profile(profiles, head, name, preset, forced)
    assert isinstance(fit, HeaderFit), "the reading process found a fit in these rows"
    return RawFile(
        source=name,
        parquet=out,
        fit=fit,
        format=staged["format"],
        rows=staged["rows"],
        skipped=staged["skipped"],
        sheet=staged["sheet"],
    )


def _stage_in_child(
    path: Path,
    profiles: Sequence[Profile],
    forced: str | None,
    preset: Mapping[str, str],
    out: Path,
    cap: int,
    max_cells: int,
    on_progress: ProgressCallback | None = None,
) -> dict[str, Any]:
    """`stage_in_this_process` in the reading process; its outcome as plain data."""
    problems = ProblemList(cap)
    staged = stage_in_this_process(path, profiles, forced, preset, out, problems, on_progress, max_cells)
    answer: dict[str, Any] = {
        "problems": [[p.file, p.row, p.column, p.reason] for p in problems.items],
        "truncated": problems.truncated,
        "head": None,
    }
    if staged is not None:
        head, format, rows, skipped, sheet = staged
        answer.update(head=head, format=format, rows=rows, skipped=skipped, sheet=sheet)
    return answer


def stage_in_this_process(
    path: Path,
    profiles: Sequence[Profile],
    forced: str | None,
    preset: Mapping[str, str],
    out: Path,
    problems: ProblemList,
    on_progress: ProgressCallback | None,
    max_cells: int,
) -> tuple[list[Row], str, int, int, str | None] | None:
    """What the reading process runs (`stage_raw` is the way in; only tests call this directly):
    (the rows searched for the header, format, rows written, rows skipped), or None if refused."""
    name = path.name
    try:
        opened = open_rows(path, on_progress, max_cells=max_cells)
        rows = opened.rows
        search = max((p.header_search_rows for p in profiles), default=30)
        head = list(itertools.islice(rows, search))
    except UnreadableFile as error:
        problems.add(name, error.row, None, error.reason)
        return None
    except OSError as error:
        problems.add(name, None, None, f"cannot read the file: {error.strerror or error}")
        return None
    choice = choose_profile(profiles, head, name, preset, forced)
    if isinstance(choice, list):
        problems.extend(choice)
        return None
    fit = choice
    _fit_problems(fit, preset, name, problems)
    header_row = fit.header_row or 0
    data = itertools.chain((r for r in head if r[0] > header_row), rows)
    try:
        written, skipped = _write(data, fit, out, problems, name)
    except UnreadableFile as error:
        problems.add(name, error.row, None, error.reason)
        return None
    return head, opened.format, written, skipped, opened.sheet


def _direct(
    path: Path,
    profiles: Sequence[Profile],
    forced: str | None,
    preset: Mapping[str, str],
    out: Path,
    problems: ProblemList,
    simple_lines: bool | None = None,
) -> RawFile | None:
    """The RawFile of a CSV DuckDB can read directly, or None (then it is staged the ordinary way,
    which also reports a file no profile fits)."""
    search = max((p.header_search_rows for p in profiles), default=30)
    probed = csv_direct.probe(path, search)
    if probed is None:
        return None
    fit = choose_profile(profiles, list(probed.head), path.name, preset, forced)
    if (
        isinstance(fit, list)
        or not fit.header_row
        or not csv_direct.applies(probed, fit.header_row, simple_lines)
    ):
        return None
    _fit_problems(fit, preset, path.name, problems)
    return RawFile(path.name, out, fit, f"csv ({probed.encoding})", -1, -1, direct=probed)


def _fit_problems(fit: HeaderFit, preset: Mapping[str, str], name: str, problems: ProblemList) -> None:
    for header in fit.duplicates:
        problems.add(name, fit.header_row, header, "this header appears twice")
    for column in preset:
        if column in fit.columns:
            problems.add(
                name, None, fit.headers[column], f"the file has this column; do not also --set {column}"
            )


def warm_up() -> None:
    """Stage a two-line CSV in this process: every reader's lazy imports done (pyarrow's Parquet
    writer alone imports pandas), so that a reading process forked from this one starts at once."""
    with tempfile.TemporaryDirectory(prefix="shopkpi-warm-up-") as folder:
        path = Path(folder) / "warm-up.csv"
        path.write_text("shop,date,uv\nA,2026-10-01,1\n", encoding="utf-8")
        dataset = DATASETS["shop_daily"]
        stage_in_this_process(
            path, [canonical_profile(dataset)], None, {}, Path(folder) / "raw.parquet", ProblemList(), None, 1
        )


def _skip(fit: HeaderFit, cells: Sequence[str | None]) -> bool:
    for rule in fit.profile.skip_rows:
        index = fit.columns.get(rule.column)
        if index is None or index >= len(cells) or not cells[index]:
            continue
        text = (cells[index] or "").strip()
        if text in rule.values or any(text.startswith(p) for p in rule.prefixes):
            return True
    return False


def _sources(fit: HeaderFit) -> list[tuple[str, int]]:
    """(raw Parquet column, cell index) of every recognised column and rate check."""
    sources = list(fit.columns.items())
    sources += [(check_column(i), index) for i, (_, index, _) in enumerate(fit.checks)]
    return sources


def _write(
    data: Iterator[Row], fit: HeaderFit, out: Path, problems: ProblemList, name: str
) -> tuple[int, int]:
    # imported here: a CSV DuckDB reads directly never needs them (the reading process has them)
    import pyarrow as pa
    import pyarrow.parquet as pq

    sources = _sources(fit)
    schema = pa.schema([("_row", pa.int64())] + [(column, pa.string()) for column, _ in sources])
    width = fit.width
    skips = bool(fit.profile.skip_rows)
    written = skipped = 0
    numbers: list[int] = []
    chunk: list[Sequence[str | None]] = []

    def flush(writer: pq.ParquetWriter) -> None:
        # column-wise in list comprehensions: far faster than appending cell by cell
        arrays = [pa.array(numbers, pa.int64())]
        for _, index in sources:
            column = [cells[index] if index < len(cells) else None for cells in chunk]
            arrays.append(pa.array(column, pa.string()))
        writer.write_table(pa.Table.from_arrays(arrays, schema=schema))
        numbers.clear()
        chunk.clear()

    gc_enabled = gc.isenabled()
    gc.disable()  # millions of short-lived row lists: the cyclic collector would only slow this down
    try:
        with pq.ParquetWriter(out, schema, compression="zstd") as writer:
            for number, cells in data:
                if not any(cells):
                    continue
                if skips and _skip(fit, cells):
                    skipped += 1
                    continue
                if len(cells) > width and any(cells[width:]):
                    problems.add(name, number, None, f"the row has {len(cells)} cells, the header {width}")
                numbers.append(number)
                chunk.append(cells)
                written += 1
                if len(chunk) >= CHUNK_ROWS:
                    flush(writer)
            flush(writer)
    finally:
        if gc_enabled:
            gc.enable()
    return written, skipped
