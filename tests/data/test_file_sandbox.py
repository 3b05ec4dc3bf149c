"""The reading process (shopkpi.data.imports.file_sandbox): a task's answer, progress and errors come back; a
reader that aborts, runs out of memory, processor time or output is a clean refusal, and the next
file is read as before. The tasks below run in the reading process (it imports this module)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from hostile_files import dimension_bomb

from shopkpi.data.imports.file_sandbox import (
    Limits,
    limits_from_environment,
    read_in_sandbox,
    read_many_in_sandbox,
)
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


KEPT: list[bytearray] = []


def keep(megabytes: int, on_progress: Any) -> int:
    """Allocate and keep: what a reader's earlier file may leave behind (a pool, fragmentation)."""
    KEPT.append(bytearray(megabytes << 20))
    return len(KEPT[-1])


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


def burn(seconds: float, on_progress: Any) -> int:
    """Use `seconds` of processor time; the reading process's id."""
    import time

    start = time.process_time()
    while time.process_time() - start < seconds:
        pass
    return os.getpid()


def test_many_items_share_a_reader_and_one_that_dies_stops_only_itself() -> None:
    seen: list[tuple[str, int]] = []
    items: list[tuple[Any, ...]] = [("a",), (2048,), ("b",), (), ("c",)]
    tasks = [answer, allocate, answer, spin, answer]

    # one task for every item: each item names what to do
    answers = read_many_in_sandbox(
        mixed,
        [(tasks[i].__name__, *items[i]) for i in range(5)],
        on_progress=[lambda n, k=k: seen.append((k, n)) for k in "12345"],
        limits=SMALL,
    )
    values = [value["values"] if value else None for value, _ in answers]
    reasons = [error.reason.split(";")[0] if error else None for _, error in answers]
    assert values == [["a"], None, ["b"], None, ["c"]]
    assert reasons == [
        None,
        "file too large or malformed: reading it needed more than 1,024 MB of memory",
        None,
        "file too large or malformed: reading it needed more than 2 s of processor time",
        None,
    ]
    assert seen == [("1", 10), ("1", 20), ("3", 10), ("3", 20), ("5", 10), ("5", 20)]
    # the memory the allocation reached, or the spin, may be what the items before left: each is
    # tried again by a reader of its own (which then reads on), so a, b and c came from three readers
    pids = [value["pid"] for value, _ in answers if value]
    assert pids[0] != pids[1] != pids[2] != pids[0]


def mixed(task: str, *args: Any, on_progress: Any) -> Any:
    return {"answer": answer, "allocate": allocate, "spin": spin}[task](*args, on_progress=on_progress)


def test_limits_are_each_items_own() -> None:
    # 1.2 s each against a limit of 2 s: the second item ends the first reader; a new one reads it
    answers = read_many_in_sandbox(burn, [(1.2,), (1.2,)], limits=SMALL)
    assert [error for _, error in answers] == [None, None]
    assert answers[0][0] != answers[1][0]


def address_space_mb(on_progress: Any) -> int:
    """The reader's address space (what RLIMIT_AS limits) before it reads anything."""
    status = Path("/proc/self/status").read_text()
    return int(next(line for line in status.splitlines() if line.startswith("VmSize")).split()[1]) >> 10


def test_memory_an_earlier_item_left_does_not_refuse_a_later_one() -> None:
    [(start, _)] = read_many_in_sandbox(address_space_mb, [()])
    # 600 MB kept by the first item, 600 MB more for the second: over the limit in one reader, so a
    # new reader reads the second alone (which fits); a third of 2,048 MB is over the limit alone
    limits = Limits(memory_mb=start + 900, cpu_seconds=10, output_mb=1)
    answers = read_many_in_sandbox(keep, [(600,), (600,), (2048,)], limits=limits)
    assert [value for value, _ in answers[:2]] == [600 << 20, 600 << 20]
    assert [error for _, error in answers[:2]] == [None, None]
    assert answers[2][0] is None and f"more than {start + 900:,} MB of memory" in str(answers[2][1])


def test_each_answer_is_digested_as_it_arrives() -> None:
    seen: list[int] = []

    def digest(index: int, value: Any, unreadable: UnreadableFile | None) -> str:
        seen.append(index)
        return f"{index}:{value['values']}:{unreadable is not None}"

    pids: list[int] = []
    answers = read_many_in_sandbox(
        answer, [(1,), (2,)], digest=lambda i, v, u: pids.append(v["pid"]) or digest(i, v, u)
    )
    assert seen == [0, 1] and pids[0] == pids[1]  # one reader for both
    assert answers == ["0:[1]:False", "1:[2]:False"]


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
