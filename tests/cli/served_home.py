"""A home served by `shopkpi serve` in a subprocess, and a crawl of its pages as one signed-in user.

The crawl follows the links of each page (GET only, same site, never logout), visiting at most two
pages of each kind (a path with its numbers blanked: /reviews/17/ and /reviews/18/ are one kind), so
every kind of page a user can reach is fetched within a bounded number of requests; it returns
each visited path with the status it answered. Only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path

START_TIMEOUT = 90
NOT_FOLLOWED = ("/logout/", "/static/", "/i18n/", "/api/")
PER_KIND = 2
# the test run's own settings must not reach the served home
NOT_PASSED = ("DJANGO_SETTINGS_MODULE", "SHOPKPI_HOME", "SHOPKPI_DATABASE_URL", "SHOPKPI_DEBUG")
SECRET_KEY = "served-home-tests-" + "s" * 40


def shopkpi(*args: str) -> list[str]:
    return [sys.executable, "-c", "from shopkpi.cli.main import main; main()", *args]


def environment(database_url: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in NOT_PASSED}
    if database_url:  # a shared database: every process of it signs with the key of the settings
        env["SHOPKPI_DATABASE_URL"] = database_url
        env.setdefault("SHOPKPI_SECRET_KEY", SECRET_KEY)
    return env


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def served(
    home: Path,
    database_url: str | None = None,
    *,
    job_worker: bool = False,
    extra: dict[str, str] | None = None,
) -> Iterator[str]:
    """`shopkpi --home HOME serve --workers 1` on a free port of 127.0.0.1 (with its own job worker only
    when asked; `extra` settings added); its base URL; stopped at the end."""
    port = _free_port()
    log_path = home.parent / f"serve-{home.name}-{port}.log"
    worker = "--job-worker" if job_worker else "--no-job-worker"
    with log_path.open("w") as log:
        server = subprocess.Popen(
            shopkpi("--home", str(home), "serve", "--port", str(port), "--workers", "1", worker),
            env=environment(database_url) | (extra or {}),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + START_TIMEOUT
            while _status(base + "/login/") != 200:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"shopkpi serve did not start:\n{log_path.read_text()[-3000:]}")
                time.sleep(0.3)
            yield base
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(timeout=20)


def _status(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return int(response.status)
    except (urllib.error.URLError, OSError):
        return None


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.csrf = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "a" and (href := found.get("href")):
            self.links.append(href)
        if tag == "input" and found.get("name") == "csrfmiddlewaretoken":
            self.csrf = found.get("value") or ""


class Visitor:
    """One signed-in user's requests (cookies kept, redirects not followed)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirect()
        )

    def get(self, path: str) -> tuple[int, str, str]:
        """(status, content type, body as text when HTML)."""
        try:
            with self.opener.open(self.base + path, timeout=60) as response:
                kind = response.headers.get("Content-Type", "")
                body = response.read()
                return int(response.status), kind, body.decode("utf-8") if "html" in kind else ""
        except urllib.error.HTTPError as error:
            return int(error.code), error.headers.get("Content-Type", ""), ""

    def post(self, path: str, fields: dict[str, str] | None = None) -> int:
        """POST a form (with the CSRF cookie's token, as a page's form sends it); the status answered."""
        token = next((c.value for c in self.cookies if c.name == "csrftoken"), "")
        form = urllib.parse.urlencode({**(fields or {}), "csrfmiddlewaretoken": token or ""}).encode()
        try:
            with self.opener.open(self.base + path, data=form, timeout=120) as response:
                return int(response.status)
        except urllib.error.HTTPError as error:
            return int(error.code)

    def login(self, username: str, password: str) -> None:
        _, _, page = self.get("/login/")
        parser = _Links()
        parser.feed(page)
        form = urllib.parse.urlencode(
            {"username": username, "password": password, "csrfmiddlewaretoken": parser.csrf}
        ).encode()
        try:
            self.opener.open(self.base + "/login/", data=form, timeout=60)
            raise AssertionError(f"{username} was not signed in (the login page answered again)")
        except urllib.error.HTTPError as error:
            assert error.code == 302, f"{username}: the login answered {error.code}"

    def crawl(self, limit: int = 120) -> dict[str, int]:
        """Each visited path (with its query) and the status it answered."""
        seen: dict[str, int] = {}
        kinds: dict[str, int] = {}
        queue = deque(["/"])
        while queue and len(seen) < limit:
            path = queue.popleft()
            kind = re.sub(r"\d+", "N", path)
            if path in seen or kinds.get(kind, 0) >= PER_KIND:
                continue
            kinds[kind] = kinds.get(kind, 0) + 1
            status, _, body = self.get(path)
            seen[path] = status
            parser = _Links()
            parser.feed(body)
            for link in parser.links:
                target = urllib.parse.urljoin(path, link.split("#")[0])
                if target.startswith("/") and not target.startswith(("//", *NOT_FOLLOWED)):
                    queue.append(target)
        return seen
