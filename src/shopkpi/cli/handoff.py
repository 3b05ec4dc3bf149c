"""Handing a `shopkpi` call to the home's ready process (the client side, and what both sides share).

A fresh process pays for Python's imports of Django, DuckDB and pydantic on every call (most of a
small import's second of processor time). `shopkpi ready` (which `shopkpi serve` runs beside the
application) keeps a process with all that done and listens on `<home>/run/commands.sock` (mode 0600).
This module, imported before anything heavy and using the standard library only, looks for that
socket; when the ready process was started with the same code, home and settings (the fingerprint:
shopkpi's version and files, Python and its path, the resolved home, every SHOPKPI_* and DJANGO_*
variable), it sends the arguments, the working directory, the environment and this process's standard
input, output and error (their descriptors, SCM_RIGHTS). A process forked from the ready process runs
the same click command on them and its exit status comes back; signals that would stop this process
(Ctrl-C, SIGTERM, SIGHUP, SIGQUIT) are passed on to it.

Nothing has started until this process has said go to the ready process's acceptance: any failure
before that (no socket, a socket no process listens on, another fingerprint, a refusal, no answer
within HANDOFF_TIMEOUT seconds: a stopped or wedged ready process) and the call runs in this process
as it always did; the ready process forks the runner only after the go. SHOPKPI_HANDOFF=0 never hands off; SHOPKPI_HANDOFF=debug says on standard
error where each call ran and why.
"""

from __future__ import annotations

# the standard library's cheapest modules only: `signal` and `socket` import enum and selectors, json
# compiles regular expressions, typing is a tenth of this process's time
import _signal  # type: ignore[import-not-found]
import _socket
import marshal
import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from typing import Any

HANDOFF_ENV = "SHOPKPI_HANDOFF"  # "0": never hand a call off; "debug": say where each call ran
HANDED_OFF = frozenset({"import", "metrics", "check", "score"})  # commands safe to run in a fork
RUN_FOLDER = "run"
SOCKET_NAME = "commands.sock"
DEFAULT_HOME = "~/.shopkpi"
DEFAULT_SETTINGS = "shopkpi.config.settings"
FORWARDED: tuple[int, ...] = (_signal.SIGINT, _signal.SIGTERM, _signal.SIGHUP, _signal.SIGQUIT)
NOT_FINGERPRINTED = ("SHOPKPI_HOME", HANDOFF_ENV)  # the home is fingerprinted resolved; the switch itself
HANDOFF_TIMEOUT = 5.0  # seconds to connect and be accepted; else the call runs in this process
MAX_FRAME = 16 << 20
_LENGTH = 4  # a frame: its length (4 bytes, big-endian), then a marshal of dicts, lists, str and int
_UNIX_PATH_MAX = 100  # sun_path holds 108 bytes on Linux, 104 on macOS


class NotHandedOff(Exception):
    """The call could not be handed off; it runs in this process (the reason for the debug line)."""


def hand_off(argv: Sequence[str]) -> int | None:
    """The exit status of the call as the ready process ran it, or None: run it here."""
    setting = os.environ.get(HANDOFF_ENV, "").strip().lower()
    if setting in ("0", "no", "off", "false"):
        return None
    debug = setting == "debug"
    parsed = command_of(argv[1:])
    if parsed is None or parsed[1] not in HANDED_OFF:
        return None
    call = _Call(resolved_home(parsed[0], os.environ), argv, debug)
    try:
        return call.run()
    except NotHandedOff as reason:
        if debug:
            print(f"shopkpi: runs in this process: {reason}", file=sys.stderr, flush=True)
        if call.pending:  # stopped while asking: as it would have stopped before running anything
            os.kill(os.getpid(), call.pending[0])
        return None


def command_of(args: Sequence[str]) -> tuple[str | None, str] | None:
    """(the --home given, the command) of `shopkpi [--home H] COMMAND …`; None when the group's options
    are anything else (--help, --version …): click's to answer."""
    home: str | None = None
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--home" and i + 1 < len(args):
            home, i = args[i + 1], i + 2
        elif arg.startswith("--home="):
            home, i = arg.removeprefix("--home="), i + 1
        elif arg.startswith("-"):
            return None
        else:
            return home, arg
    return None


def resolved_home(given: str | None, environ: Mapping[str, str]) -> str:
    """The home as `prepare_home` resolves it: --home, else SHOPKPI_HOME, else ~/.shopkpi."""
    return os.path.realpath(os.path.expanduser(given or environ.get("SHOPKPI_HOME") or DEFAULT_HOME))


def socket_path(home: str) -> str:
    return os.path.join(home, RUN_FOLDER, SOCKET_NAME)


def fingerprint(home: str, environ: Mapping[str, str]) -> str:
    """What must be the same for a ready process to run this process's call: the code (shopkpi's
    version, the size and time of each of its files, Python, its path and the time each folder of it
    last changed, so an installed package counts), the resolved home, and the settings (every
    SHOPKPI_* and DJANGO_* variable; DJANGO_SETTINGS_MODULE unset is the default)."""
    import shopkpi

    package = os.path.dirname(os.path.realpath(shopkpi.__file__))
    lines = [shopkpi.__version__, package, sys.executable, sys.version, home]
    _files(package, "", lines)
    for entry in sys.path[1:]:  # [0] is the script's folder or the working directory: not shopkpi's code
        try:
            lines.append(f"{entry} {os.stat(entry).st_mtime_ns}")
        except OSError:
            lines.append(f"{entry} -")
    settings = {
        key: value
        for key, value in environ.items()
        if key.startswith(("SHOPKPI_", "DJANGO_")) and key not in NOT_FINGERPRINTED
    }
    settings.setdefault("DJANGO_SETTINGS_MODULE", DEFAULT_SETTINGS)
    lines.append(repr(sorted(settings.items())))
    return "\n".join(lines)


def _files(folder: str, relative: str, lines: list[str]) -> None:
    with os.scandir(folder) as entries:
        for entry in sorted(entries, key=lambda e: e.name):
            if entry.is_dir(follow_symlinks=False):
                if entry.name != "__pycache__":
                    _files(entry.path, f"{relative}{entry.name}/", lines)
                continue
            try:
                st = entry.stat()
            except OSError:
                continue
            lines.append(f"{relative}{entry.name} {st.st_size} {st.st_mtime_ns}")


def stream_settings(stream: Any) -> dict[str, Any]:
    """How this process's text stream encodes and buffers, for the runner's stream on the same file."""
    return {
        "encoding": getattr(stream, "encoding", None) or "utf-8",
        "errors": getattr(stream, "errors", None) or "strict",
        "line_buffering": bool(getattr(stream, "line_buffering", False)),
        "write_through": bool(getattr(stream, "write_through", False)),
    }


def frame(message: Mapping[str, Any]) -> bytes:
    data = marshal.dumps(dict(message))
    return len(data).to_bytes(_LENGTH, "big") + data


class Frames:
    """The messages read from a stream socket (and the descriptors that came with them)."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection
        self.buffer = b""
        self.fds: list[int] = []

    def next(self, *, with_fds: int = 0) -> dict[str, Any] | None:
        """The next message; None at the end of the stream."""
        while True:
            if len(self.buffer) >= _LENGTH:
                length = int.from_bytes(self.buffer[:_LENGTH], "big")
                if length > MAX_FRAME:
                    raise ValueError("message too large")
                if len(self.buffer) >= _LENGTH + length:
                    data = self.buffer[_LENGTH : _LENGTH + length]
                    self.buffer = self.buffer[_LENGTH + length :]
                    message = marshal.loads(data)
                    if not isinstance(message, dict):
                        raise ValueError("a message is a mapping")
                    return message
            if with_fds:
                size = _socket.CMSG_LEN(with_fds * 4)
                chunk, ancillary, _flags, _address = self.connection.recvmsg(1 << 16, size)
                for level, kind, data in ancillary:
                    if level == _socket.SOL_SOCKET and kind == _socket.SCM_RIGHTS:
                        usable = len(data) - len(data) % 4
                        self.fds.extend(
                            int.from_bytes(data[i : i + 4], sys.byteorder, signed=True)
                            for i in range(0, usable, 4)
                        )
            else:
                chunk = self.connection.recv(1 << 16)
            if not chunk:
                return None
            self.buffer += chunk


class _Call:
    """One call handed to the ready process: sent, its signals passed on, its exit status awaited."""

    def __init__(self, home: str, argv: Sequence[str], debug: bool) -> None:
        self.home = home
        self.argv = list(argv)
        self.debug = debug
        self.connection: Any = None
        self.started = False
        self.pending: list[int] = []
        self.previous: dict[int, Any] = {}

    def run(self) -> int:
        path = socket_path(self.home)
        if not os.path.exists(path):
            raise NotHandedOff(f"no ready process ({path} does not exist)")
        try:
            cwd = os.getcwd()
            for fd in (0, 1, 2):
                os.fstat(fd)
        except OSError as error:
            raise NotHandedOff(f"no working directory or standard stream to hand over ({error})") from None
        request = {
            "fingerprint": fingerprint(self.home, os.environ),
            "argv": self.argv,
            "cwd": cwd,
            "env": dict(os.environ),
            "umask": _umask(),
            "streams": [stream_settings(s) for s in (sys.stdin, sys.stdout, sys.stderr)],
        }
        self.connection = _connect(path)
        try:
            self._forward_signals()
            return self._converse(request)
        finally:
            self._restore_signals()
            self.connection.close()

    def _converse(self, request: dict[str, Any]) -> int:
        data = frame(request)
        fds = b"".join(fd.to_bytes(4, sys.byteorder, signed=True) for fd in (0, 1, 2))
        try:
            sent = self.connection.sendmsg([data], [(_socket.SOL_SOCKET, _socket.SCM_RIGHTS, fds)])
            self.connection.sendall(data[sent:])
            frames = Frames(self.connection)
            answer = frames.next()
        except TimeoutError:
            raise NotHandedOff(
                f"the ready process did not answer within {HANDOFF_TIMEOUT:g} s (stopped or busy?)"
            ) from None
        except (OSError, ValueError, EOFError, TypeError) as error:
            raise NotHandedOff(f"the ready process did not take the call ({error})") from None
        if answer is None or "accepted" not in answer:
            reason = (answer or {}).get("refused", "it closed the connection")
            raise NotHandedOff(f"the ready process refused the call: {reason}")
        try:  # from here the call is the ready process's: it forks the runner on this go
            self.connection.settimeout(None)
            self.connection.sendall(frame({"go": 1}))
            answer = frames.next()
        except (OSError, ValueError, EOFError, TypeError):
            answer = None
        if answer is None or "pid" not in answer:
            print("shopkpi: the ready process ended the call without starting it", file=sys.stderr)
            return 1
        self.started = True
        if self.debug:
            ready, runner = answer.get("ready"), answer["pid"]
            print(
                f"shopkpi: handed to the ready process {ready} (runner {runner})", file=sys.stderr, flush=True
            )
        for signum in self.pending:
            self._pass_on(signum)
        try:
            result = frames.next()
        except (OSError, ValueError, EOFError, TypeError):
            result = None
        if result is None or "exit" not in result:
            print("shopkpi: the ready process ended the call without its exit status", file=sys.stderr)
            return 1
        if self.debug:
            cpu = result.get("cpu", 0)
            print(f"shopkpi: runner's processor time {cpu:.3f} s", file=sys.stderr, flush=True)
        if result.get(
            "signal"
        ):  # the runner was killed by a signal: so is this process, as it would have been
            signum = int(result["signal"])
            self._restore_signals()
            _signal.signal(signum, _signal.SIG_DFL)
            os.kill(os.getpid(), signum)
        return int(result["exit"])

    def _forward_signals(self) -> None:
        for signum in FORWARDED:
            if _signal.getsignal(signum) == _signal.SIG_IGN:  # ignored here (nohup …): so by the call
                continue
            try:  # noqa: SIM105 (contextlib would be one more import)
                self.previous[signum] = _signal.signal(signum, self._on_signal)
            except (OSError, ValueError):  # not the main thread
                pass

    def _restore_signals(self) -> None:
        for signum, handler in self.previous.items():
            _signal.signal(signum, handler)
        self.previous.clear()

    def _on_signal(self, signum: int, _frame: object) -> None:
        if self.started:
            self._pass_on(signum)
        else:
            self.pending.append(signum)

    def _pass_on(self, signum: int) -> None:
        try:  # noqa: SIM105 (contextlib would be one more import)
            self.connection.sendall(frame({"signal": signum}))
        except OSError:
            pass


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _connect(path: str) -> Any:
    connection = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    connection.settimeout(HANDOFF_TIMEOUT)
    try:
        within(path, connection.connect)
    except OSError as error:
        connection.close()
        raise NotHandedOff(f"no ready process listens on {path} ({error.strerror or error})") from None
    return connection


def within(path: str, act: Any) -> None:
    """`act(path)`, or, for a path longer than a socket address holds, `act(name)` from its folder."""
    if len(os.fsencode(path)) < _UNIX_PATH_MAX:
        act(path)
        return
    here = os.open(".", os.O_RDONLY)
    try:
        os.chdir(os.path.dirname(path))
        act(os.path.basename(path))
    finally:
        os.fchdir(here)
        os.close(here)
