"""Reading a file in a process of its own, with limits, so that no file can take this process down.

A spreadsheet reader asked for a sheet whose cells reach XFD1048576 allocates 512 GiB, and
python-calamine's failed allocation aborts the whole process (no exception to catch); a zip bomb
fills memory. `read_in_sandbox` runs a reading task in a child process under limits:

- address space `SHOPKPI_IMPORT_MEMORY_MB` (RLIMIT_AS: an allocation beyond it fails);
- processor time `SHOPKPI_IMPORT_CPU_SECONDS` (RLIMIT_CPU), and twice that plus a minute of
  wall-clock time, after which the child is killed;
- the size of each file it writes, `SHOPKPI_IMPORT_OUTPUT_MB` (RLIMIT_FSIZE).

The children come from a reading server: a single-threaded Python started once per process, with
the readers imported and run once (their lazy imports done: `staging.warm_up`). It forks a
supervisor per reader, which forks the reader and, once the reader has ended, reports how. So a
child costs milliseconds, inherits no thread or lock of the web server, and re-runs nothing of the
caller's main script (as multiprocessing's forkserver would). One reader reads the many files of
one call one after the other (`read_many_in_sandbox`: two forks a file cost 60–90 ms of a 千牛
workbook's 65–100 ms); a file it dies on, or whose memory or output limit it reaches, is refused
only if it began with that file, else a new reader begins with it, so that each file is held to the
limits alone; each answer is handed to the caller's `digest` as it arrives, so a call's answers are
never all held at once. The task and its arguments go
to the child pickled; what comes back is JSON (progress, the answer, the exit status): nothing a
child sends is unpickled here. `UnreadableFile` raised in the child is raised here; a child that
dies (a limit reached, the reader aborted) is an `UnreadableFile` saying the file is too large or
malformed. A job queue can take this function's place: the task and its arguments are all a worker
needs.
"""

from __future__ import annotations

import contextlib
import errno
import importlib
import json
import logging
import os
import pickle
import resource
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NoReturn

from shopkpi.data.problems import UnreadableFile

log = logging.getLogger(__name__)

MEMORY_ENV = "SHOPKPI_IMPORT_MEMORY_MB"
CPU_ENV = "SHOPKPI_IMPORT_CPU_SECONDS"
OUTPUT_ENV = "SHOPKPI_IMPORT_OUTPUT_MB"
CELLS_PER_MB = 10_000  # a loaded cell takes 32 bytes and its text; a third of the memory for cells
MAX_ANSWER = 64 << 20  # bytes of one message from the child
RETRY = 75  # a reader's exit status: an item after its first reached a limit; a fresh reader begins with it
WARM_UP = "shopkpi.data.imports.staging"  # its warm_up() runs the readers once in the reading server

_FRAME = struct.Struct(">I")


@dataclass(frozen=True)
class Limits:
    """What one reading process may use."""

    memory_mb: int = 3072
    cpu_seconds: int = 600
    output_mb: int = 4096

    @property
    def max_cells(self) -> int:
        """The largest sheet extent (rows × columns) a workbook may declare or reach."""
        return self.memory_mb * CELLS_PER_MB

    @property
    def wall_seconds(self) -> int:
        return 2 * self.cpu_seconds + 60


def limits_from_environment(environ: Mapping[str, str] = os.environ) -> Limits:
    """The limits the environment sets (ValueError saying which setting is wrong)."""
    default = Limits()
    return Limits(
        memory_mb=_whole(environ, MEMORY_ENV, default.memory_mb, 1024),
        cpu_seconds=_whole(environ, CPU_ENV, default.cpu_seconds, 10),
        output_mb=_whole(environ, OUTPUT_ENV, default.output_mb, 16),
    )


def _whole(environ: Mapping[str, str], name: str, default: int, least: int) -> int:
    text = environ.get(name, "").strip()
    if not text:
        return default
    if not text.isdigit() or int(text) < least:
        raise ValueError(f"{name} must be a whole number, at least {least}, not {text!r}")
    return int(text)


Progress = Callable[[int], None]


def read_in_sandbox(
    task: Callable[..., Any],
    *args: Any,
    on_progress: Progress | None = None,
    limits: Limits | None = None,
) -> Any:
    """`task(*args, on_progress=…)` run in a limited child process; its JSON-able answer.

    `task` must be a module-level function. Raises `UnreadableFile` when the task does, or when the
    child dies or overruns its time; `RuntimeError` (with the child's traceback) for any other error."""
    [(value, unreadable)] = read_many_in_sandbox(task, [args], on_progress=[on_progress], limits=limits)
    if unreadable is not None:
        raise unreadable
    return value


def read_many_in_sandbox(
    task: Callable[..., Any],
    items: Sequence[tuple[Any, ...]],
    *,
    on_progress: Sequence[Progress | None] | None = None,
    limits: Limits | None = None,
    digest: Digest | None = None,
) -> list[Any]:
    """`task(*args, on_progress=…)` for each `args` of `items`, in limited child processes: one child
    runs item after item, so many small files cost one process. Each item's (answer, None), or
    (None, the UnreadableFile it gave). A child that dies (a limit reached, the reader aborted) stops
    the item it was at: if it had begun with that item, the item is unreadable; if not, a new child
    begins with it, so that no item is refused for what the items before it used. The wall-clock
    limit is each item's. `RuntimeError` (with the child's traceback) for any other error."""
    limits = limits or limits_from_environment()
    progress = list(on_progress or [None] * len(items))
    answers: list[Any] = []
    while len(answers) < len(items):
        first = len(answers)
        answers += _run_reader(task, items[first:], progress[first:], limits, digest or _as_given, first)
    return answers


Digest = Callable[[int, Any, "UnreadableFile | None"], Any]
"""What the caller keeps of item i's answer, called as each answer arrives (so that a call's many
answers, each up to MAX_ANSWER bytes, are never all held at once): (i, the answer or None, the
UnreadableFile or None) → what `read_many_in_sandbox` returns for it."""


def _as_given(
    _index: int, value: Any, unreadable: UnreadableFile | None
) -> tuple[Any, UnreadableFile | None]:
    return value, unreadable


def _run_reader(
    task: Callable[..., Any],
    items: Sequence[tuple[Any, ...]],
    progress: Sequence[Progress | None],
    limits: Limits,
    digest: Digest,
    offset: int,
) -> list[Any]:
    """One reading process over `items` (item `offset` on of the call): what `digest` kept of the
    answers of the items it got through (at least one)."""
    deadline = time.monotonic() + limits.wall_seconds
    connection = _SERVER.connect()
    reader = exitcode = None
    answers: list[Any] = []
    overran = too_long = False
    try:
        connection.sendall(_frame(pickle.dumps((limits, task, list(items)))))
        while exitcode is None:
            kind, value = _receive(connection, deadline)
            if kind == "progress":
                report = progress[len(answers)] if len(answers) < len(items) else None
                if report is not None:
                    report(int(value))
            elif kind == "pid":
                reader = int(value)
            elif kind == "item":
                deadline = time.monotonic() + limits.wall_seconds
            elif kind == "exit":
                exitcode = int(value)
            elif kind == "unreadable":
                answers.append(digest(offset + len(answers), None, UnreadableFile(value[0], value[1])))
            elif kind == "error":
                raise RuntimeError(f"reading the file failed in its reading process:\n{value}")
            else:
                answers.append(digest(offset + len(answers), value, None))
    except TimeoutError:
        overran = True
    except _TooLong:
        too_long = True
    except (EOFError, OSError):
        pass  # the supervisor is gone without a word: an answer or not, it says nothing more
    finally:
        if exitcode is None and reader is not None:
            _kill(reader)
        connection.close()
    if len(answers) == len(items) and exitcode == 0:
        return answers
    if overran or too_long or not answers:  # the item it was at is to blame
        log.warning("reading a file stopped (exit status %s)", exitcode)
        stopped = _stopped(exitcode, limits, overran=overran, too_long=too_long)
        answers.append(digest(offset + len(answers), None, stopped))
    return answers[: len(items)]


def _stopped(
    exitcode: int | None,
    limits: Limits,
    *,
    overran: bool = False,
    too_long: bool = False,
    memory: bool = False,
    output: bool = False,
) -> UnreadableFile:
    """Why the reading process stopped without an answer (each reason is translated in problem_text_zh)."""
    if overran:
        return UnreadableFile(
            f"file too large or malformed: reading it took longer than {limits.wall_seconds:,} s; "
            "save it as a new XLSX in Excel, or split it into smaller files"
        )
    if too_long:
        return UnreadableFile(
            f"file too large or malformed: its first rows come to more than {MAX_ANSWER >> 20} MB; "
            "save it as a new XLSX in Excel, or split it into smaller files"
        )
    if exitcode == -signal.SIGXCPU:
        return UnreadableFile(
            f"file too large or malformed: reading it needed more than {limits.cpu_seconds:,} s of "
            "processor time; save it as a new XLSX in Excel, or split it into smaller files"
        )
    if output:
        return UnreadableFile(
            f"file too large or malformed: its rows come to more than {limits.output_mb:,} MB; "
            "save it as a new XLSX in Excel, or split it into smaller files"
        )
    if memory or exitcode in (-signal.SIGABRT, -signal.SIGKILL, -signal.SIGSEGV, -signal.SIGBUS):
        return UnreadableFile(
            f"file too large or malformed: reading it needed more than {limits.memory_mb:,} MB of "
            "memory; save it as a new XLSX in Excel, or split it into smaller files"
        )
    return UnreadableFile(
        f"file too large or malformed: the reading process ended with status {exitcode or 'unknown'}; "
        "save it as a new XLSX in Excel, or split it into smaller files"
    )


class _TooLong(Exception):
    pass


def _frame(data: bytes) -> bytes:
    return _FRAME.pack(len(data)) + data


def _send(connection: socket.socket, message: list[Any]) -> None:
    connection.sendall(_frame(json.dumps(message).encode()))


def _receive(connection: socket.socket, deadline: float) -> list[Any]:
    (length,) = _FRAME.unpack(_exactly(connection, _FRAME.size, deadline))
    if length > MAX_ANSWER:
        raise _TooLong
    message = json.loads(_exactly(connection, length, deadline))
    if not (isinstance(message, list) and len(message) == 2 and isinstance(message[0], str)):
        raise EOFError("not a message of the reading process")
    return message


def _exactly(connection: socket.socket, size: int, deadline: float) -> bytes:
    data = bytearray()
    while len(data) < size:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError
        connection.settimeout(remaining)
        chunk = connection.recv(min(size - len(data), 1 << 20))
        if not chunk:
            raise EOFError
        data += chunk
    return bytes(data)


def _kill(pid: int) -> None:
    """The reader is its supervisor's child, not yet reaped, so its pid cannot have been reused."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


class _Server:
    """This process's reading server, started on first use and again if it is gone (or if this
    process is a fork of the one that started it)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._control: socket.socket | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._owner = 0

    def connect(self) -> socket.socket:
        """A connection to a new reading process."""
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            with self._lock:
                for attempt in range(2):
                    if not self._running():
                        self._start()
                    assert self._control is not None
                    try:
                        socket.send_fds(self._control, [b"r"], [theirs.fileno()])
                        break
                    except OSError:
                        self._control.close()
                        self._control = None
                        if attempt:
                            raise
        finally:
            theirs.close()
        return ours

    def _running(self) -> bool:
        return (
            self._control is not None
            and self._owner == os.getpid()
            and self._process is not None
            and self._process.poll() is None
        )

    def _start(self) -> None:
        if self._control is not None:
            self._control.close()
        control, server_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        code = f"from shopkpi.data.imports.file_sandbox import serve; serve({server_end.fileno()})"
        environment = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(p for p in sys.path if p),  # where this process finds a task
            "OPENBLAS_NUM_THREADS": "1",  # no idle thread pool in the forks
        }
        self._process = subprocess.Popen(
            [sys.executable, "-c", code],
            pass_fds=[server_end.fileno()],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            env=environment,
        )
        server_end.close()
        self._control = control
        self._owner = os.getpid()


_SERVER = _Server()


def serve(control_fd: int) -> None:
    """The reading server (run by `python -c`): a supervisor forked for each connection received,
    until the process that started it closes its end."""
    importlib.import_module(WARM_UP).warm_up()
    control = socket.socket(fileno=control_fd)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # supervisors are reaped by the kernel
    while True:
        try:
            message, fds, _flags, _address = socket.recv_fds(control, 16, 1)
        except InterruptedError:
            continue
        except OSError:
            return
        if not message:
            return
        for fd in fds:
            if os.fork() == 0:
                control.close()
                _supervise(fd)
            os.close(fd)


def _supervise(fd: int) -> NoReturn:
    """Fork the reader, wait for it, and say how it ended (it has written everything else)."""
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    try:
        connection = socket.socket(fileno=fd)
        reader = os.fork()
        if reader == 0:
            _read(connection)
        _, status = os.waitpid(reader, 0)
        _send(connection, ["exit", os.waitstatus_to_exitcode(status)])
    finally:
        os._exit(0)


def _read(connection: socket.socket) -> NoReturn:
    code = 1
    try:
        _send(connection, ["pid", os.getpid()])
        (length,) = _FRAME.unpack(_exactly(connection, _FRAME.size, time.monotonic() + 60))
        request = _exactly(connection, length, time.monotonic() + 60)

        def progress(done: int) -> None:
            _send(connection, ["progress", done])

        try:
            limits, task, items = pickle.loads(request)
            _limit(limits)
        except Exception:
            _send(connection, ["error", traceback.format_exc()[-4000:]])
            raise
        for n, args in enumerate(items):
            _send(connection, ["item", None])
            answer = _answer(task, args, progress, limits)
            if answer[0] == "limit":
                if n:  # what the items before it left in this process may be to blame: a fresh one tries it
                    code = RETRY
                    break  # (finally: exits without answering)
                answer[0] = "unreadable"
            _send(connection, answer)
        else:
            code = 0
    finally:
        os._exit(code)


def _answer(task: Callable[..., Any], args: tuple[Any, ...], progress: Progress, limits: Limits) -> list[Any]:
    """The message that answers one item (run in the reader)."""
    try:
        return ["done", task(*args, on_progress=progress)]
    except UnreadableFile as error:
        return ["unreadable", [error.reason, error.row]]
    except MemoryError:  # "limit": the reader's memory or output limit reached
        return ["limit", [_stopped(None, limits, memory=True).reason, None]]
    except Exception as error:  # a write beyond RLIMIT_FSIZE fails (Python ignores SIGXFSZ)
        if isinstance(error, OSError) and (error.errno == errno.EFBIG or "File too large" in str(error)):
            return ["limit", [_stopped(None, limits, output=True).reason, None]]
        return ["error", traceback.format_exc()[-4000:]]


def _limit(limits: Limits) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_mb << 20,) * 2)
    resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 5))
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits.output_mb << 20,) * 2)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    os.environ["RUST_BACKTRACE"] = "0"  # a reader's failed allocation: one line in the log, not a trace
