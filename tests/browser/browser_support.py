"""What the browser tests share: a visitor (one signed-in person in their own browser context, who
screenshots every page, checks its form labels and collects console errors) and the JSON API client
the tests use to find reviews at the step they need.

Every page a visitor opens is screenshotted (full page) to
test-output/screenshots/<test>-<nn>-<user>-<step>.png (nn counts the test's pages, whoever visits them).
A console error, an uncaught page error, a failed request or a response >= 400 is a problem, unless the
test announced that exact response beforehand with `expect_status` (its own deliberate 404, 409 ...).
"""

from __future__ import annotations

import json
import re
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urljoin

from django.utils import translation
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, Request, Response

PASSWORD = "shopkpi-demo"
HR_CODE = "HR01"  # the demo's HR officer (the evaluator of the general manager)
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
FAILED_LOAD = re.compile(r"status of (\d{3})")
# a page has settled once it has loaded and none of its requests has been in flight for QUIET_SECONDS:
# Playwright's "networkidle" waits 500 ms after the last one, on every page; the pages' own requests
# (htmx's, the scripts') follow one another within milliseconds. Past SETTLE_SECONDS, networkidle decides.
QUIET_SECONDS = 0.15
SETTLE_SECONDS = 10.0

# every form field a person can fill: is it labelled (<label for>, a wrapping label, or aria)?
UNLABELLED_FIELDS = """() => Array.from(document.querySelectorAll('input, select, textarea'))
  .filter(el => !['hidden', 'submit', 'button', 'reset', 'image'].includes((el.type || '').toLowerCase()))
  .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')
                && !el.getAttribute('aria-labelledby'))
  .map(el => el.outerHTML.slice(0, 200))"""


@dataclass
class Demo:
    """The served demo company."""

    base_url: str
    home: Path
    period: str  # the month in progress
    periods: tuple[str, ...]
    api: DemoApi


@dataclass
class Visitor:
    """One person in their own browser context (their own cookies and language)."""

    browser: Browser
    base_url: str
    test: str
    shots: Path
    counter: list[int]  # the test's pages so far, shared by its visitors
    context: BrowserContext = field(init=False)
    page: Page = field(init=False)
    problems: list[str] = field(default_factory=list)
    expected: set[tuple[int, str]] = field(default_factory=set)
    seen_expected: set[tuple[int, str]] = field(default_factory=set)
    username: str = "anonymous"
    questions: list[str] = field(default_factory=list)  # the confirmations the person was asked
    in_flight: set[Request] = field(default_factory=set)  # the page's requests not yet answered

    def __post_init__(self) -> None:
        self.context = self.browser.new_context(
            base_url=self.base_url,
            viewport={"width": 1280, "height": 900},
            locale="zh-CN",
            accept_downloads=True,
        )
        self.context.set_default_timeout(30_000)
        self.page = self.context.new_page()
        self.page.on("console", self._console)
        self.page.on(
            "pageerror", lambda error: self.problems.append(f"page error on {self.page.url}: {error}")
        )
        self.page.on("response", self._response)
        self.page.on("requestfailed", self._failed)
        self.page.on("request", self._started)
        self.page.on("requestfinished", self._ended)
        self.page.on("requestfailed", self._ended)
        self.page.on("dialog", self._confirm)

    # ---- what the browser reports ----------------------------------------------------------------
    def _confirm(self, dialog: Any) -> None:
        """A step that cannot be undone asks first (confirm.js): the person reads the question and agrees."""
        self.questions.append(dialog.message)
        dialog.accept()

    def url(self, path: str) -> str:
        return urljoin(self.base_url, path)

    def expect_status(self, status: int, path: str) -> None:
        """The test's own request to `path` is meant to answer `status` (a deliberate 404, 409 ...)."""
        self.expected.add((status, self.url(path)))

    def _allowed(self, status: int, url: str) -> bool:
        if (status, url) in self.expected:
            self.seen_expected.add((status, url))
            return True
        return False

    def _console(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        url = str(message.location.get("url", ""))
        failed = FAILED_LOAD.search(message.text)
        if failed and self._allowed(int(failed.group(1)), url):
            return
        self.problems.append(f"console error on {self.page.url}: {message.text} ({url})")

    def _response(self, response: Response) -> None:
        if response.status >= 400 and not self._allowed(response.status, response.url):
            self.problems.append(f"{response.request.method} {response.url} answered {response.status}")

    def _started(self, request: Request) -> None:
        self.in_flight.add(request)

    def _ended(self, request: Request) -> None:
        self.in_flight.discard(request)

    def _failed(self, request: Request) -> None:
        failure = request.failure or ""
        if "ERR_ABORTED" in failure:  # a request the page itself gave up on by navigating away
            return
        self.problems.append(f"{request.method} {request.url} failed: {failure}")

    def assert_clean(self, where: str = "") -> None:
        if self.problems:
            listed = "\n  ".join(self.problems)
            raise AssertionError(f"{self.test} {where} [{self.username}]: browser problems:\n  {listed}")

    # ---- pages -------------------------------------------------------------------------------------

    def settle(self) -> None:
        """Wait until the page has loaded and no request of it has been in flight for QUIET_SECONDS."""
        self.page.wait_for_load_state("load")
        deadline = time.monotonic() + SETTLE_SECONDS
        quiet_since: float | None = None
        while True:
            now = time.monotonic()
            if self.in_flight:
                quiet_since = None
            elif quiet_since is None:
                quiet_since = now
            elif now - quiet_since >= QUIET_SECONDS:
                return
            if now > deadline:  # a request that never ends (a download ...): as before, networkidle
                self.page.wait_for_load_state("networkidle")
                return
            self.page.wait_for_timeout(20)  # the browser's events arrive meanwhile

    def shot(self, step: str) -> Path:
        """Screenshot the page as it is now; its form fields must be labelled and the browser quiet."""
        self.settle()
        self.counter[0] += 1
        path = self.shots / f"{self.test}-{self.counter[0]:02d}-{self.username}-{step}.png"
        self.page.screenshot(path=str(path), full_page=True)
        unlabelled = self.page.evaluate(UNLABELLED_FIELDS)
        if unlabelled:
            self.problems.append(f"form fields without a label on {self.page.url}: {unlabelled}")
        self.assert_clean(f"at step {step!r} ({self.page.url})")
        return path

    def goto(self, path: str, step: str, *, status: int = 200) -> Response:
        if status != 200:
            self.expect_status(status, path)
        response = self.page.goto(path)
        assert response is not None, path
        assert response.status == status, f"{self.username}: {path} answered {response.status}, not {status}"
        self.shot(step)
        return response

    def login(self, username: str, password: str = PASSWORD) -> None:
        self.username = username
        self.goto("/login/", "login")
        self.page.get_by_label("用户名").fill(username)
        self.page.get_by_label("密码").fill(password)
        with self.page.expect_navigation():
            self.page.get_by_role("button", name="登录").click()
        assert "/login/" not in self.page.url, f"{username} could not log in: {self.page.content()[:500]}"

    def submit(self, button: Any, step: str) -> None:
        """Click a button that submits its form the ordinary way, then screenshot where it leads."""
        with self.page.expect_navigation():
            button.click()
        self.shot(step)

    def message(self) -> str:
        """The page's status messages (Django's messages framework)."""
        return " ".join(self.page.locator("ul.messages li").all_inner_texts())

    def close(self) -> None:
        self.context.close()


class DemoApi:
    """The JSON API as an HR user sees it (the demo's `hr` unless named): the tests' way to find reviews at a given step (not what they test)."""

    def __init__(self, base_url: str, username: str = "hr", password: str = PASSWORD) -> None:
        self.base_url = base_url
        self.token = ""
        self.token = str(
            self._call("POST", "/api/token", {"username": username, "password": password})["token"]
        )

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        request = urllib.request.Request(
            urljoin(self.base_url, path),
            method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={
                "Content-Type": "application/json",
                **({"Authorization": f"Bearer {self.token}"} if self.token else {}),
            },
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read().decode())

    def reviews(self, **filters: str) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = self._call(
            "GET", "/api/reviews?" + urlencode({"limit": 500, **filters})
        )["items"]
        return items

    def review(self, review_id: int) -> dict[str, Any]:
        found: dict[str, Any] = self._call("GET", f"/api/reviews/{review_id}")
        return found

    def employees(self) -> dict[str, dict[str, Any]]:
        items = self._call("GET", "/api/employees?limit=500")["items"]
        return {e["id"]: e for e in items}


MISSING_VARIABLE = re.compile(r"^缺少数据：(.+)$")  # the API words a missing value in the request's language


def _variable_named(label: str) -> str:
    """The variable the pages call `label`: a shipped metric's key for its Chinese label, else the name
    itself (targets and inputs are named in Chinese)."""
    from shopkpi.appraisal.wording.variable_names import VARIABLES, metric_label

    with translation.override("zh-hans"):
        keys = [k for k in VARIABLES if str(VARIABLES[k]) == label]
        keys += [k for k in _metric_keys() if metric_label(k) == label]
    assert len(keys) <= 1, f"{label} names several variables: {keys}"
    return keys[0] if keys else label


def variable_label(name: str) -> str:
    """What the Chinese pages call the variable `name` (新访客占比 for new_uv_ratio)."""
    from shopkpi.appraisal.wording.variable_names import variable

    with translation.override("zh-hans"):
        return variable(name)


def _metric_keys() -> list[str]:
    from shopkpi.appraisal.wording.variable_names import _metrics

    return list(_metrics())


def missing_variables(detail: dict[str, Any]) -> list[str] | None:
    """The variables an incomplete review lacks, read from its items' reasons, and the values its pay
    lacks; None when an item lacks something other than a value (a rating, or a division by zero),
    which an override of a value named in the reason would not mend."""
    names: set[str] = set()
    for item in detail["items"]:
        if not item["missing"]:
            continue
        found = MISSING_VARIABLE.search(item["missing"])
        if found is None:
            return None
        names.add(_variable_named(found.group(1)))
    if "pay" in detail["missing"]:
        names |= set(detail["missing_values"])
    return sorted(names)


def unrated_only(detail: dict[str, Any]) -> bool:
    """Every item the review lacks is a rated item (so it is complete once the supervisor rates)."""
    return all(item["rated"] for item in detail["items"] if item["missing"])


__all__ = [
    "CHROMIUM_ARGS",
    "HR_CODE",
    "PASSWORD",
    "Demo",
    "DemoApi",
    "Visitor",
    "missing_variables",
    "unrated_only",
]
