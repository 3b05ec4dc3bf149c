"""The browser tests' demo company, server and Chromium.

ONE demo company is built for the whole run with the real command (`shopkpi --home DIR demo --no-serve
--months 2`, in a subprocess). Under pytest-xdist the workers share that build (the first one builds it
under a file lock) and each serves its own copy, so no test sees another worker's changes. The copy is
served with `shopkpi --home DIR serve --port N` (gunicorn) in a subprocess, stopped at the end.

Chromium is Debian's /usr/bin/chromium, never a downloaded browser. With CI=true a missing Chromium
(or Playwright) fails the tests; elsewhere they are skipped with the reason.

SHOPKPI_BROWSER_DEMO may name a home built earlier with the same command, for quicker local runs; it is
copied, never changed. The quarter's test has a demo of its own (`--start 2026-07 --months 4`: the third
quarter archived month by month), built and shared the same way (SHOPKPI_BROWSER_QUARTER_DEMO).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

IN_CI = os.environ.get("CI", "").lower() == "true"
CHROMIUM = Path("/usr/bin/chromium")
BUILD_TIMEOUT = 900
START_TIMEOUT = 90
# the environment of the test run that must not reach the demo (the test settings, a PostgreSQL URL ...)
NOT_PASSED = ("DJANGO_SETTINGS_MODULE", "SHOPKPI_HOME", "SHOPKPI_DATABASE_URL", "SHOPKPI_DEBUG")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: drives the demo company's pages in Chromium")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


def _unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"CI=true and the browser tests cannot run: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium_available() -> None:
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is absent (Debian's chromium package; .ci/run installs it)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as exc:
        _unavailable(f"Playwright for Python is not installed ({exc})")


def _command(*args: str) -> list[str]:
    return [sys.executable, "-c", "from shopkpi.cli.main import main; main()", *args]


def _environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in NOT_PASSED}
    env["PYTHONUNBUFFERED"] = "1"
    return env


def _shared_root(tmp_path_factory: pytest.TempPathFactory, config: pytest.Config) -> Path:
    """A directory every xdist worker of this run sees (the workers' base temp dirs sit side by side)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if hasattr(config, "workerinput") else base


DEMO_ARGS = ("--months", "2")
# the quarter's demo: July to October 2026, the third quarter's three months archived, October in progress
QUARTER_DEMO_ARGS = ("--start", "2026-07", "--months", "4", "--employees", "25")


def _build(home: Path, args: tuple[str, ...] = DEMO_ARGS) -> None:
    started = time.monotonic()
    done = subprocess.run(
        _command("--home", str(home), "demo", "--no-serve", *args),
        env=_environment(),
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT,
        check=False,
    )
    if done.returncode != 0 or not (home / "demo.json").is_file():
        pytest.fail(
            f"shopkpi demo failed ({done.returncode}):\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}",
            pytrace=False,
        )
    print(f"\nbrowser tests: demo company built in {time.monotonic() - started:.0f} s", file=sys.stderr)


def _built(
    tmp_path_factory: pytest.TempPathFactory,
    config: pytest.Config,
    name: str,
    variable: str,
    args: tuple[str, ...],
) -> Path:
    """A demo home built once for the run under the name (shared by the xdist workers), or the one
    the environment variable names (built earlier with the same arguments; copied, never changed)."""
    given = os.environ.get(variable)
    if given:
        home = Path(given).resolve()
        assert (home / "demo.json").is_file(), f"{variable}={given} holds no demo company"
        return home
    root = _shared_root(tmp_path_factory, config)
    home = root / name
    with (root / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not (home / "demo.json").is_file():
                shutil.rmtree(home, ignore_errors=True)
                _build(home, args)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return home


@pytest.fixture(scope="session")
def demo_build(
    chromium_available: None, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Path:
    """The one demo company of this run (built once, shared by the xdist workers)."""
    return _built(tmp_path_factory, request.config, "shopkpi-browser-demo", "SHOPKPI_BROWSER_DEMO", DEMO_ARGS)


@pytest.fixture(scope="session")
def quarter_demo(
    chromium_available: None, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[Any]:
    """A demo company whose third quarter of 2026 is archived month by month (July to September; October
    in progress), served on its own: the quarter's test opens 2026-Q3 over it
    (SHOPKPI_BROWSER_QUARTER_DEMO may name a home built earlier with QUARTER_DEMO_ARGS)."""
    from browser_support import Demo, DemoApi

    built = _built(
        tmp_path_factory,
        request.config,
        "shopkpi-browser-quarter-demo",
        "SHOPKPI_BROWSER_QUARTER_DEMO",
        QUARTER_DEMO_ARGS,
    )
    home = tmp_path_factory.mktemp("served-quarter") / "home"
    shutil.copytree(built, home)
    with served(home) as base_url:
        periods = tuple(json.loads((home / "demo.json").read_text(encoding="utf-8"))["periods"])
        yield Demo(base_url=base_url, home=home, period=periods[-1], periods=periods, api=DemoApi(base_url))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return int(response.status) == 200
    except (urllib.error.URLError, OSError):
        return False


@contextlib.contextmanager
def served(home: Path, settings: dict[str, str] | None = None) -> Iterator[str]:
    """`shopkpi --home HOME serve` on a free port in a subprocess (its log beside the home), with the
    environment `settings` besides the test run's: the base URL, once the login page answers; stopped on
    leaving."""
    port = _free_port()
    log_path = home.parent / f"serve-{home.name}.log"
    log = log_path.open("w")
    server = subprocess.Popen(
        _command("--home", str(home), "serve", "--port", str(port), "--no-job-worker"),
        env={**_environment(), **(settings or {})},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not _answers(base_url + "/login/"):
            if server.poll() is not None:
                pytest.fail(f"shopkpi serve exited ({server.returncode}):\n{_tail(log_path)}")
            if time.monotonic() > deadline:
                pytest.fail(f"shopkpi serve did not answer in {START_TIMEOUT} s:\n{_tail(log_path)}")
            time.sleep(0.3)
        if server.poll() is not None:  # someone else answered on that port
            pytest.fail(f"shopkpi serve exited ({server.returncode}):\n{_tail(log_path)}")
        yield base_url
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=15)
        log.close()


@pytest.fixture(scope="session")
def demo(demo_build: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """This worker's copy of the demo company, served by `shopkpi serve`; stopped at the end."""
    from browser_support import Demo, DemoApi

    home = tmp_path_factory.mktemp("served") / "home"
    shutil.copytree(demo_build, home)
    with served(home) as base_url:
        summary = json.loads((home / "demo.json").read_text(encoding="utf-8"))
        periods = tuple(summary["periods"])
        yield Demo(base_url=base_url, home=home, period=periods[-1], periods=periods, api=DemoApi(base_url))


def _tail(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace")[-4000:] if path.is_file() else ""


@pytest.fixture(scope="session")
def browser(chromium_available: None) -> Iterator[Any]:
    from browser_support import CHROMIUM_ARGS
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def screenshots(request: pytest.FixtureRequest) -> Path:
    folder = request.config.rootpath / "test-output" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def browse(browser: Any, screenshots: Path, request: pytest.FixtureRequest) -> Iterator[Callable[..., Any]]:
    """browse(base_url, username=None, password=PASSWORD) -> a Visitor of the home served at base_url (signed
    in when a username is given), in a browser context of their own; closed at the end of the test."""
    from browser_support import PASSWORD, Visitor

    opened: list[Visitor] = []
    name = request.node.name.removeprefix("test_")
    counter = [0]

    def open_at(base_url: str, username: str | None = None, password: str = PASSWORD) -> Visitor:
        person = Visitor(browser, base_url, name, screenshots, counter)
        opened.append(person)
        if username is not None:
            person.login(username, password)
        return person

    yield open_at
    for person in opened:
        person.close()


@pytest.fixture
def visitor(demo: Any, browse: Callable[..., Any]) -> Callable[..., Any]:
    """visitor(username) -> a Visitor of the demo company signed in as that user."""
    return lambda username=None: browse(demo.base_url, username)
