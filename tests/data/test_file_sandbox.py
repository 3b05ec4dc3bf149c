"""The reading process (shopkpi.data.imports.file_sandbox): a task's answer, progress and errors come back; a
reader that aborts, runs out of memory, processor time or output is a clean refusal, and the next
file is read as before. The tasks below run in the reading process (it imports this module)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from hostile_files import dimension_bomb

from shopkpi.data.imports.file_sandbox import Limits, limits_from_environment, read_in_sandbox
from shopkpi.data.problems import UnreadableFile

SMALL = Limits(memory_mb=1024, cpu_seconds=2, output_mb=1)


def answer(*values: Any, on_progress: Any) -> dict[str, Any]:
    for n in (10, 20):
        on_progress(n)
    return {"values": list(values), "pid": os.getpid()}


def refuse(on_progress: Any) -> None:
    raise UnreadableFile("the file is empty", 3)


def fail(on_progress: Any) -> None:
    raise ValueError("a bug")


def load_with_calamine(path: Path, on_progress: Any) -> int:
    """What the readers would do without workbook_checks: python-calamine loads the sheet whole."""
    import python_calamine

    return len(list(python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).iter_rows()))


def allocate(megabytes: int, on_progress: Any) -> int:
    return len(bytearray(megabytes << 20))


def spin(on_progress: Any) -> None:
    while True:
        pass


def write(path: Path, megabytes: int, on_progress: Any) -> None:
    path.write_bytes(b"x" * (megabytes << 20))


def test_the_answer_and_progress_come_back_from_another_process() -> None:
    seen: list[int] = []
    result = read_in_sandbox(answer, "店铺", 3, on_progress=seen.append)
    assert result["values"] == ["店铺", 3] and result["pid"] != os.getpid()
    assert seen == [10, 20]


def test_an_unreadable_file_and_a_bug_are_raised_here() -> None:
    with pytest.raises(UnreadableFile) as unreadable:
        read_in_sandbox(refuse)
    assert (unreadable.value.reason, unreadable.value.row) == ("the file is empty", 3)
    with pytest.raises(RuntimeError, match="ValueError: a bug"):
        read_in_sandbox(fail)


@pytest.mark.parametrize(
    ("task", "args", "expected"),
    [
        # calamine asks for 512 GiB, its allocation fails and it aborts the process (SIGABRT)
        (load_with_calamine, ("bomb",), "reading it needed more than 1,024 MB of memory"),
        (allocate, (2048,), "reading it needed more than 1,024 MB of memory"),  # MemoryError
        (spin, (), "reading it needed more than 2 s of processor time"),  # SIGXCPU
        (write, ("out",), "its rows come to more than 1 MB"),  # SIGXFSZ
    ],
)
def test_a_reader_that_dies_is_a_refusal_and_the_next_file_is_read(
    tmp_path: Path, task: Any, args: tuple[Any, ...], expected: str
) -> None:
    if args == ("bomb",):
        args = (dimension_bomb(tmp_path / "bomb.xlsx"),)
    if args == ("out",):
        args = (tmp_path / "out.bin", 2)
    with pytest.raises(UnreadableFile) as stopped:
        read_in_sandbox(task, *args, limits=SMALL)
    assert stopped.value.reason == (
        f"file too large or malformed: {expected}; save it as a new XLSX in Excel, or split it into smaller files"
    )
    assert read_in_sandbox(answer, 1, limits=SMALL)["values"] == [1]


def test_the_limits_come_from_the_environment() -> None:
    assert limits_from_environment({}) == Limits(memory_mb=3072, cpu_seconds=600, output_mb=4096)
    given = {
        "SHOPKPI_IMPORT_MEMORY_MB": "2048",
        "SHOPKPI_IMPORT_CPU_SECONDS": "60",
        "SHOPKPI_IMPORT_OUTPUT_MB": "100",
    }
    limits = limits_from_environment(given)
    assert limits == Limits(memory_mb=2048, cpu_seconds=60, output_mb=100)
    assert (limits.max_cells, limits.wall_seconds) == (20_480_000, 2 * 60 + 60)
    for wrong in ("512", "2 GB", "-1"):
        with pytest.raises(
            ValueError, match=f"SHOPKPI_IMPORT_MEMORY_MB must be a whole number, at least 1024, not '{wrong}'"
        ):
            limits_from_environment({"SHOPKPI_IMPORT_MEMORY_MB": wrong})
