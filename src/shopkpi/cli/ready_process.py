"""The ready process of a home (`shopkpi ready`, run by `shopkpi serve`): the calls shopkpi.cli.handoff
hands over, each run in a process forked from one that has everything imported.

One process per home: it holds `<home>/run/commands.lock` while it lives (a second one waits for it,
then takes over), sets Django up, imports the handed-off commands with DuckDB and pydantic and their
lazy imports, parses the shipped import profiles once, closes every database connection and listens on
`<home>/run/commands.sock` (the folder 0700, the socket 0600; a connection from another user is
refused). It stays single-threaded and runs nothing itself: for each connection it forks a supervisor
and goes back to listening. The supervisor reads the request, refuses it when its fingerprint is not
the ready process's own (another code, home or setting: the client then runs the call itself), and
forks the runner, which takes the client's descriptors as its standard streams, its working directory,
umask, environment and arguments, and runs the same click command as `shopkpi` would. The supervisor
answers that it takes the call and forks the runner only once the client has said go (a client
that gave up waiting has run the call itself: then nothing runs here). It runs in a session of its own
(a Ctrl-C or Ctrl-Z in the terminal of `shopkpi ready` does not reach the calls) and its runner dies
with it (PR_SET_PDEATHSIG on Linux). The supervisor
sends the runner's pid, passes on the signals the client sends, kills the runner when the client is
gone (as the client's own death would have ended the call), and sends its exit status and processor
time (the runner's and its children's, from wait4) once it has ended.

Stopped by SIGTERM, SIGINT or SIGHUP: it removes its socket and ends; calls running go on to their end.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import io
import os
import random
import select
import signal
import socket
import sys
import time
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn

import click

from shopkpi.cli import handoff

LOCK_NAME = "commands.lock"
REQUEST_TIMEOUT = 30  # seconds a client has to send its request (and its go)
STOPPING = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)  # what stops the ready process
PR_SET_PDEATHSIG = 1  # linux/prctl.h
PASSED_ON = {int(s) for s in handoff.FORWARDED}
# the commands whose modules are imported here (`metrics` imports pyarrow, whose import starts threads: a
# runner of `metrics` imports its module itself)
PRELOADED_COMMANDS = ("import", "check", "score")
PRELOADED = (  # imported once here: what the handed-off commands import when they run
    "shopkpi.appraisal.importing.imports",
    "shopkpi.appraisal.importing.import_withdrawal",
    "shopkpi.appraisal.organisation.snapshot",
    "shopkpi.appraisal.periods.prepared_sheets",  # (every import asks whether a file is a prepared workbook)
    "rich.progress",
    "rich.console",
    "rich.table",
)


def serve_commands(home: Path) -> None:
    """Run the ready process of `home` until stopped."""
    from shopkpi.cli.django_home import prepare_home

    resolved = handoff.resolved_home(str(home), os.environ)
    identity = handoff.fingerprint(
        resolved, os.environ
    )  # before anything is imported: a change after is seen
    _no_working_directory_on_path()
    run = Path(resolved) / handoff.RUN_FOLDER
    run.mkdir(parents=True, exist_ok=True, mode=0o700)
    run.chmod(0o700)
    with _sole(run / LOCK_NAME, resolved) as lock:
        prepare_home(Path(resolved))
        _preload()
        path = handoff.socket_path(resolved)
        with _listening(path) as listener:
            click.echo(f"shopkpi: ready process {os.getpid()} takes calls on {path}", err=True)
            _serve(listener, lock, identity)


def _no_working_directory_on_path() -> None:
    """No entry of sys.path that follows the working directory ('' from `python -c`, a relative one): a
    runner works in its caller's folder and must not import a module found there (a `pyarrow.py` …);
    the others made absolute, as they are at this start."""
    sys.path[:] = [os.path.abspath(entry) for entry in sys.path if entry and entry != "."]
    sys.path_importer_cache.pop("", None)


@contextlib.contextmanager
def _sole(path: Path, home: str) -> Iterator[int]:
    """The home's lock, held while this process lives (after waiting for the ready process holding it)."""
    lock = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            click.echo(
                f"shopkpi: a ready process already serves {home}; this one takes over when it ends", err=True
            )
            fcntl.flock(lock, fcntl.LOCK_EX)
        yield lock
    finally:
        os.close(lock)


def _preload() -> None:
    """Import what the handed-off commands use; no thread may be left running (a fork copies only one)."""
    import importlib
    import zoneinfo

    import duckdb
    from django.conf import settings
    from django.db import connections

    from shopkpi import scorecard
    from shopkpi.cli.django_home import migration_files
    from shopkpi.cli.group import cli
    from shopkpi.data.imports.importer import DEFAULT_TIMEZONE
    from shopkpi.data.imports.profiles import shipped_profiles

    for name in PRELOADED_COMMANDS:
        cli.commands[name]  # the command's module imported
    for module in PRELOADED:
        importlib.import_module(module)
    _libc()  # ctypes loaded once (each runner's prctl)
    shipped_profiles()  # parsed once (package data)
    migration_files()  # looked for once (code)
    templates = sorted((Path(scorecard.__file__).parent / "templates").glob("*.yaml"))
    if templates:  # the expression parser built once (`check`, `score`)
        scorecard.load_template_file(templates[0])
    for zone in {settings.TIME_ZONE, DEFAULT_TIMEZONE, "UTC"}:  # read once (ZoneInfo keeps the last ones)
        zoneinfo.ZoneInfo(zone)
    with contextlib.closing(
        duckdb.connect()
    ) as warm:  # DuckDB's own first-use set-up, its threads ended at close
        warm.execute("SELECT TIMESTAMPTZ '2026-10-01 00:00:00+08' AT TIME ZONE 'Asia/Shanghai'").fetchall()
    connections.close_all()
    threads = _threads()
    if threads > 1:
        click.echo(f"shopkpi: warning: the ready process runs {threads} threads; forks copy one", err=True)


def _threads() -> int:
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return 1


@contextlib.contextmanager
def _listening(path: str) -> Iterator[socket.socket]:
    """The socket at `path` (a stale one replaced: the lock says no live process owns it), 0600 from
    the start; removed at the end if it is still this one."""
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    mask = os.umask(0o177)
    try:
        handoff.within(path, listener.bind)
    finally:
        os.umask(mask)
    inode = os.stat(path).st_ino
    listener.listen(64)
    try:
        yield listener
    finally:
        listener.close()
        with contextlib.suppress(OSError):
            if os.stat(path).st_ino == inode:
                os.unlink(path)


class _Stop(Exception):
    pass


def _stop(_signum: int, _frame: object) -> None:
    raise _Stop


def _serve(listener: socket.socket, lock: int, identity: str) -> None:
    from django.db import connections

    for signum in STOPPING:
        signal.signal(signum, _stop)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # supervisors are reaped by the kernel
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        while True:
            connection, _address = listener.accept()
            try:
                connections.close_all()  # no connection may be shared with a fork
                if _fork_unstoppable() == 0:
                    try:
                        listener.close()
                        os.close(lock)
                        _supervise(connection, identity)
                    except BaseException:  # (said in the ready process's log; the client runs the call)
                        traceback.print_exc()
                    finally:
                        os._exit(70)
            finally:
                connection.close()
    except _Stop:
        return


def _fork_unstoppable() -> int:
    """os.fork(), the stopping signals held back meanwhile: the child never runs the ready process's
    handler (whose _Stop would unlink the live socket); it ignores them, the parent gets them after."""
    held = signal.pthread_sigmask(signal.SIG_BLOCK, STOPPING)
    try:
        pid = os.fork()
        if pid == 0:
            for signum in (*STOPPING, signal.SIGQUIT):
                signal.signal(signum, signal.SIG_IGN)  # the ready process's stop is not the call's
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)
    return pid


def _supervise(connection: socket.socket, identity: str) -> NoReturn:
    """Take one call: check it, fork its runner, pass its signals on, report how it ended."""
    os.setsid()  # a session of its own: the terminal of `shopkpi ready` (Ctrl-C, Ctrl-Z) is not the call's
    start = time.process_time()
    frames = handoff.Frames(connection)
    request: dict[str, Any] | None = None
    try:
        if _peer(connection)[1] != os.getuid():  # (before reading a byte of it)
            refused = "another user"
        else:
            connection.settimeout(REQUEST_TIMEOUT)
            request = frames.next(with_fds=3)
            refused = _refusal(request, frames.fds, identity)
            if not refused:  # the client may have given up waiting and run the call itself: ask
                connection.sendall(handoff.frame({"accepted": os.getppid()}))
                go = frames.next()
                if go is None or not go.get("go"):
                    os._exit(0)
            connection.settimeout(None)
    except (OSError, ValueError, EOFError, TypeError) as error:
        request, refused = None, f"no request ({error})"
    if refused or request is None:
        with contextlib.suppress(OSError):
            connection.sendall(handoff.frame({"refused": refused}))
        os._exit(0)
    supervisor = os.getpid()
    runner = os.fork()
    if runner == 0:
        connection.close()
        _die_with(supervisor)
        _run(request, frames.fds)
    for fd in frames.fds:
        os.close(fd)
    try:
        connection.sendall(handoff.frame({"pid": runner, "ready": os.getppid()}))
    except OSError:  # the client has gone: so does its call
        os.kill(runner, signal.SIGKILL)
        os.waitpid(runner, 0)
        os._exit(0)
    status, usage = _watch(connection, frames, runner)
    code = os.waitstatus_to_exitcode(status)
    with contextlib.suppress(OSError):
        connection.sendall(
            handoff.frame(
                {
                    "exit": max(code, 0),
                    "signal": -code if code < 0 else None,
                    "cpu": usage.ru_utime + usage.ru_stime,
                    "supervisor_cpu": time.process_time() - start,
                }
            )
        )
    os._exit(0)


def _refusal(request: dict[str, Any] | None, fds: list[int], identity: str) -> str:
    """Why this call is not taken, or ''."""
    if request is None:
        return "no request"
    if len(fds) != 3:
        return "not the three standard streams"
    if request.get("fingerprint") != identity:
        return "another code, home or setting than the ready process's (restart `shopkpi serve` after an upgrade)"
    parsed = handoff.command_of(request.get("argv", [])[1:])
    if parsed is None or parsed[1] not in handoff.HANDED_OFF:
        return "not a command the ready process runs"
    return ""


def _peer(connection: socket.socket) -> tuple[int, int, int]:
    import struct

    if hasattr(socket, "SO_PEERCRED"):
        data = connection.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
        pid, uid, gid = struct.unpack("3i", data)
        return pid, uid, gid
    return 0, os.getuid(), os.getgid()  # (macOS: the socket's mode alone keeps other users out)


def _watch(connection: socket.socket, frames: handoff.Frames, runner: int) -> tuple[int, Any]:
    """Pass the client's signals on to the runner until it ends; kill it if the client goes away."""
    pidfd = os.pidfd_open(runner) if hasattr(os, "pidfd_open") else None
    client_gone = False
    while True:
        watched = [pidfd] if client_gone else [connection, pidfd]
        ready, _, _ = select.select([w for w in watched if w is not None], [], [], None if pidfd else 0.2)
        if pidfd is None or pidfd in ready:
            pid, status, usage = os.wait4(runner, 0 if pidfd is not None else os.WNOHANG)
            if pid == runner:
                if pidfd is not None:
                    os.close(pidfd)
                return status, usage
        if connection in ready:
            try:
                message = frames.next()
            except (OSError, ValueError, EOFError, TypeError):
                message = None
            if message is None:  # the client has gone: so does its call
                client_gone = True
                with contextlib.suppress(ProcessLookupError):
                    os.kill(runner, signal.SIGKILL)
            elif int(message.get("signal", 0)) in PASSED_ON:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(runner, int(message["signal"]))


def _die_with(supervisor: int) -> None:
    """The runner killed when its supervisor dies (killed, out of memory …): no call goes on unwatched."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            _libc().prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != supervisor:  # it died before that
        os._exit(1)


def _libc() -> Any:
    import ctypes

    return ctypes.CDLL(None, use_errno=True)


def _run(request: dict[str, Any], fds: list[int]) -> NoReturn:
    """The runner: the client's call, in the client's streams, directory, environment and arguments."""
    code = 1
    try:
        signal.signal(signal.SIGINT, signal.default_int_handler)
        for signum in (signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGCHLD):
            signal.signal(signum, signal.SIG_DFL)
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
            os.close(fd)
        _streams(request["streams"])
        os.chdir(request["cwd"])
        os.umask(int(request["umask"]))
        os.environ.clear()
        os.environ.update(request["env"])
        argv = list(request["argv"])
        home = handoff.resolved_home(handoff.command_of(argv[1:])[0], os.environ)  # type: ignore[index]
        os.environ["SHOPKPI_HOME"] = home  # as prepare_home sets them in a fresh process
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", handoff.DEFAULT_SETTINGS)
        time.tzset()
        random.seed()
        sys.argv = argv
        code = _invoke(argv)
        atexit._run_exitfuncs()
    except BaseException:  # (whatever happens, the runner ends here, never in the ready process's loop)
        with contextlib.suppress(BaseException):
            traceback.print_exc()
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except BaseException:  # (a closed pipe, as Python reports it at exit)
            code = 120
        os._exit(code)


def _invoke(argv: list[str]) -> int:
    from shopkpi.cli.group import cli

    try:
        cli.main(args=argv[1:], prog_name="shopkpi")
    except SystemExit as done:
        return _exit_status(done.code)
    except KeyboardInterrupt:  # as Python ends on one: the trace, then killed by SIGINT
        traceback.print_exc()
        sys.stderr.flush()
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGINT)
    return 0


def _exit_status(code: object) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    print(code, file=sys.stderr)
    return 1


def _streams(settings: list[dict[str, Any]]) -> None:
    """Standard streams on descriptors 0–2 that encode and buffer as the client's do."""
    made = []
    for fd, (mode, given) in enumerate(zip(("r", "w", "w"), settings, strict=True)):
        raw = io.FileIO(fd, mode, closefd=False)
        buffered: Any = io.BufferedReader(raw) if mode == "r" else io.BufferedWriter(raw)
        made.append(
            io.TextIOWrapper(
                buffered,
                encoding=given["encoding"],
                errors=given["errors"],
                line_buffering=given["line_buffering"],
                write_through=given["write_through"],
            )
        )
    sys.stdin, sys.stdout, sys.stderr = made
    sys.__stdin__, sys.__stdout__, sys.__stderr__ = made  # type: ignore[misc]
