"""HTTP load on a served demo home: 50 users for 60 s, employees, supervisors, HR and the GM reading and writing.

Not a timed test: a measurement, recorded by hand in bench/RESULTS.md with the machine's load.

The home is the small demo company (`shopkpi demo --no-serve --months 2`: 28 people, two months,
the second in progress), built once into `--demo` and reused; every run serves a fresh copy of it
(SQLite), or that copy moved into a new PostgreSQL database with `shopkpi restore --database-url`
(dropped afterwards), with `shopkpi serve [--workers N]` on 127.0.0.1. Only 127.0.0.1 is contacted.

Each virtual user signs in (before the clock starts), then until the time is up repeats: one step
of its role, then a pause (the think time, uniform around `--think`). The steps, as a person
clicks them:

- employee: the home page, their own scorecard (/reviews/mine/), and, while their review waits
  for their self-assessment, saving it (save_self: the page read, then the form posted);
- supervisor: the team board, a report's scorecard, and saving the ratings and comment of a
  review that waits for them (rate);
- HR: the console, the month's cycle page, review list, a review, the pay sheet, the audit log,
  the import page; now and then recomputing the month from the warehouse;
- GM: the approvals list, a review, the dashboards; approving a review that waits for the GM
  (the demo has four: once they are approved, the GM only reads).

A redirect answering a POST is followed, as a browser does (a request of its own). Reported: the
requests per second over the measured time, latency p50/p95/p99 of all requests and of reads and
writes per role, the statuses, and errors (a 5xx answer or no answer); a 409 (a review changed
meanwhile) is a refusal, not an error. The number of requests is bounded (`--max-requests`).
"""

from __future__ import annotations

import argparse
import contextlib
import http.cookiejar
import json
import os
import platform
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "shopkpi-demo"
DEFAULT_DEMO = ROOT / ".shopkpi-bench" / "demo"
POSTGRES_SERVER = "postgres://postgres@127.0.0.1:5432/postgres"
BENCH_DATABASE = "shopkpi_bench_load"
NOT_PASSED = ("DJANGO_SETTINGS_MODULE", "SHOPKPI_HOME", "SHOPKPI_DATABASE_URL", "SHOPKPI_DEBUG")
TIMEOUT = 60  # seconds one request may take


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def shopkpi(*args: str) -> list[str]:
    return [sys.executable, "-c", "from shopkpi.cli.main import main; main()", *args]


def environment(database_url: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in NOT_PASSED}
    if not database_url:
        return env
    # a shared database: its servers sign with the key of the settings
    return {"SHOPKPI_SECRET_KEY": "bench-load-" + "b" * 40, **env, "SHOPKPI_DATABASE_URL": database_url}


def run(*args: str, database_url: str | None = None) -> str:
    done = subprocess.run(
        shopkpi(*args), env=environment(database_url), capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(
            f"shopkpi {' '.join(args)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
        )
    return done.stdout


# ---- pages as a browser sees them ----------------------------------------------------------------


@dataclass
class Form:
    action: str
    fields: dict[str, str] = field(default_factory=dict)
    buttons: list[tuple[str, str]] = field(default_factory=list)  # (name, value) of submit buttons


class Page(HTMLParser):
    """The links and forms of one HTML page."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.forms: list[Form] = []
        self._textarea: str | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "a" and a.get("href", "").startswith("/"):
            self.links.append(a["href"].split("#")[0])
        elif tag == "form" and a.get("method", "").lower() == "post":
            self.forms.append(Form(a.get("action", "")))
        elif self.forms and tag == "input" and a.get("name"):
            self.forms[-1].fields[a["name"]] = a.get("value", "")
        elif self.forms and tag == "button" and a.get("name"):
            self.forms[-1].buttons.append((a["name"], a.get("value", "")))
        elif self.forms and tag == "textarea" and a.get("name"):
            self._textarea = a["name"]
            self.forms[-1].fields[a["name"]] = ""

    def handle_data(self, data: str) -> None:
        if self._textarea and self.forms:
            self.forms[-1].fields[self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None

    def form(self, action: str) -> Form | None:
        """The form that performs `action` (a hidden field or a submit button of that value)."""
        for form in self.forms:
            if form.fields.get("action") == action or ("action", action) in form.buttons:
                return form
        return None

    def matching(self, pattern: str) -> list[str]:
        return sorted({link for link in self.links if re.fullmatch(pattern, link)})


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


@dataclass(frozen=True)
class Sample:
    role: str
    kind: str  # "read" or "write"
    status: int  # 0: no answer
    seconds: float


class Recorder:
    def __init__(self, limit: int) -> None:
        self.samples: list[Sample] = []
        self.limit = limit
        self.lock = threading.Lock()
        self.measuring = False

    def add(self, sample: Sample) -> None:
        with self.lock:
            if self.measuring:
                self.samples.append(sample)

    def full(self) -> bool:
        return len(self.samples) >= self.limit


class User:
    """One person's browser: their cookies, their requests (timed), redirects followed by hand."""

    def __init__(self, base: str, role: str, username: str, recorder: Recorder, rng: random.Random) -> None:
        self.base, self.role, self.username, self.recorder, self.rng = base, role, username, recorder, rng
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirect()
        )

    def _send(self, path: str, data: bytes | None, kind: str) -> tuple[int, str, str]:
        started = time.perf_counter()
        status, location, body = 0, "", ""
        try:
            with self.opener.open(self.base + path, data=data, timeout=TIMEOUT) as response:
                status = int(response.status)
                body = response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            status, location = int(error.code), error.headers.get("Location", "")
            error.read()
        except (urllib.error.URLError, OSError):
            status = 0
        self.recorder.add(Sample(self.role, kind, status, time.perf_counter() - started))
        return status, location, body

    def get(self, path: str) -> Page:
        status, location, body = self._send(path, None, "read")
        if status in (301, 302, 303) and location.startswith("/"):
            status, _, body = self._send(location, None, "read")
        return Page(body if status == 200 else "")

    def post(self, form: Form, values: dict[str, str]) -> None:
        token = next((c.value for c in self.cookies if c.name == "csrftoken"), "")
        data = urllib.parse.urlencode({**form.fields, **values, "csrfmiddlewaretoken": token}).encode()
        status, location, _ = self._send(form.action, data, "write")
        if status in (301, 302, 303) and location.startswith("/"):
            self._send(location, None, "read")

    def login(self) -> None:
        self.get("/login/")  # its CSRF cookie (before the clock starts: nothing is recorded)
        token = next((c.value for c in self.cookies if c.name == "csrftoken"), "")
        form = urllib.parse.urlencode(
            {"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": token}
        )
        status, _, _ = self._send("/login/", form.encode(), "write")
        if status != 302:
            raise SystemExit(f"{self.username} could not sign in (status {status})")

    def pick(self, links: list[str]) -> str | None:
        return self.rng.choice(links) if links else None


def _ratings(form: Form) -> dict[str, str]:
    """A rating for every rated item left empty (a mid value), the others as they are."""
    return {name: "85" for name, value in form.fields.items() if name.startswith("rating-") and not value}


def employee_step(user: User, period: str) -> None:
    roll = user.rng.random()
    if roll < 0.2:
        user.get("/")
        return
    page = user.get("/reviews/mine/")
    form = page.form("save_self")
    if form is not None and roll > 0.6:
        text = f"本月完成了计划的工作，{user.rng.randint(1, 999)} 号版本的自评。"
        user.post(form, {"action": "save_self", "self_assessment": text, **_ratings(form)})


def supervisor_step(user: User, period: str) -> None:
    team = user.get("/team/")
    review = user.pick(team.matching(r"/reviews/\d+/"))
    if review is None or user.rng.random() < 0.3:
        return
    page = user.get(review)
    form = page.form("rate")
    if form is not None and user.rng.random() < 0.5:
        user.post(form, {"comment": f"沟通及时，执行到位（{user.rng.randint(1, 999)}）。", **_ratings(form)})


def hr_step(user: User, period: str) -> None:
    cycle = f"/hr/cycles/{period}/"
    roll = user.rng.random()
    if roll < 0.02:
        page = user.get(cycle)
        form = next((f for f in page.forms if f.action.endswith("/recompute/")), None)
        if form is not None:
            user.post(form, {})
        return
    if roll < 0.4:
        reviews = user.get(cycle + "reviews/")
        review = user.pick(reviews.matching(r"/hr/reviews/\d+/"))
        if review is not None:
            user.get(review)
        return
    user.get(
        user.rng.choice(
            ["/hr/", cycle, cycle + "paysheet/", "/hr/audit/", "/hr/imports/", cycle + "summary/"]
        )
    )


def gm_step(user: User, period: str) -> None:
    roll = user.rng.random()
    if roll < 0.3:
        user.get("/dashboards/")
        return
    approvals = user.get("/gm/")
    review = user.pick(approvals.matching(r"/gm/reviews/\d+/"))
    if review is None:
        return
    page = user.get(review)
    form = next((f for f in page.forms if f.action.endswith("/approve/")), None)
    if form is not None and roll > 0.9:
        user.post(form, {"note": ""})


STEPS: dict[str, Callable[[User, str], None]] = {
    "employee": employee_step,
    "supervisor": supervisor_step,
    "hr": hr_step,
    "gm": gm_step,
}


# ---- the company, the server, one run ------------------------------------------------------------


@dataclass(frozen=True)
class Company:
    period: str
    employees: list[str]
    supervisors: list[str]


def company(home: Path) -> Company:
    """Who can sign in, from the demo's own database: supervisors have reports, employees do not."""
    import sqlite3

    summary = json.loads((home / "demo.json").read_text(encoding="utf-8"))
    con = sqlite3.connect(home / "shopkpi.sqlite3")
    try:
        rows = con.execute(
            "SELECT u.username, EXISTS (SELECT 1 FROM appraisal_employee r WHERE r.supervisor_id = e.id) "
            "FROM appraisal_employee e JOIN auth_user u ON u.id = e.user_id "
            "WHERE u.username NOT IN ('hr', 'gm') ORDER BY u.username"
        ).fetchall()
    finally:
        con.close()
    return Company(
        period=str(summary["periods"][-1]),
        employees=[str(name) for name, boss in rows if not boss],
        supervisors=[str(name) for name, boss in rows if boss],
    )


def cast(users: int, people: Company) -> list[tuple[str, str]]:
    """(role, username) of each virtual user: 60% employees, 20% supervisors, 10% HR, 10% GM."""
    counts = {"hr": max(1, users // 10), "gm": max(1, users // 10), "supervisor": max(1, users // 5)}
    counts["employee"] = max(0, users - sum(counts.values()))
    cast: list[tuple[str, str]] = []
    for role, n in counts.items():
        names = {"hr": ["hr"], "gm": ["gm"], "supervisor": people.supervisors, "employee": people.employees}[
            role
        ]
        cast += [(role, names[i % len(names)]) for i in range(n)]
    return cast


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def serve_has_workers() -> bool:
    return "--workers" in run("serve", "--help")


@contextmanager
def served(home: Path, workers: int | None, database_url: str | None) -> Iterator[str]:
    """`shopkpi serve --workers N` on a free port (without the option when None: a serve that has none)."""
    port = _free_port()
    workers_option = [] if workers is None else ["--workers", str(workers)]
    args = ["--home", str(home), "serve", "--port", str(port), *workers_option]
    log = (home.parent / "serve.log").open("w")
    server = subprocess.Popen(
        shopkpi(*args), env=environment(database_url), stdout=log, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(base + "/login/", timeout=5):
                    break
            except (urllib.error.URLError, OSError):
                if server.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(
                        f"shopkpi serve did not start: {(home.parent / 'serve.log').read_text()[-2000:]}"
                    ) from None
                time.sleep(0.3)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile of sorted `values` (seconds)."""
    if not values:
        return float("nan")
    return values[min(len(values) - 1, max(0, round(p / 100 * len(values) + 0.5) - 1))]


def summary(samples: list[Sample], seconds: float) -> dict[str, object]:
    times = sorted(s.seconds for s in samples)
    errors = sum(1 for s in samples if s.status == 0 or s.status >= 500)
    groups: dict[str, list[float]] = defaultdict(list)
    for s in samples:
        groups[f"{s.role} {s.kind}"].append(s.seconds)
    return {
        "requests": len(samples),
        "req_per_s": round(len(samples) / seconds, 1),
        "p50_ms": round(percentile(times, 50) * 1000),
        "p95_ms": round(percentile(times, 95) * 1000),
        "p99_ms": round(percentile(times, 99) * 1000),
        "errors": errors,
        "refused_409": sum(1 for s in samples if s.status == 409),
        "statuses": dict(sorted(Counter(str(s.status) for s in samples).items())),
        "by_role": {
            name: {
                "n": len(v),
                "p50_ms": round(percentile(sorted(v), 50) * 1000),
                "p95_ms": round(percentile(sorted(v), 95) * 1000),
            }
            for name, v in sorted(groups.items())
        },
    }


def load_run(
    base: str, people: Company, users: int, duration: float, think: float, limit: int
) -> dict[str, object]:
    recorder = Recorder(limit)
    rng = random.Random(20261031)
    crowd = [
        User(base, role, name, recorder, random.Random(rng.random())) for role, name in cast(users, people)
    ]
    say(f"signing in {len(crowd)} users …")
    for user in crowd:
        user.login()
    stop = threading.Event()

    def act(user: User) -> None:
        stop.wait(user.rng.uniform(0, think))  # the users do not all start at once
        while not stop.is_set() and not recorder.full():
            STEPS[user.role](user, people.period)
            stop.wait(user.rng.uniform(0.5 * think, 1.5 * think))

    threads = [threading.Thread(target=act, args=(u,), daemon=True) for u in crowd]
    recorder.measuring = True
    started = time.monotonic()
    for thread in threads:
        thread.start()
    stop.wait(duration)
    stop.set()
    for thread in threads:
        thread.join(timeout=TIMEOUT + 5)
    recorder.measuring = False
    return summary(recorder.samples, time.monotonic() - started)


# ---- the matrix of runs ---------------------------------------------------------------------------


def demo_home(path: Path) -> Path:
    if not (path / "demo.json").is_file():
        say(f"building the demo company in {path} (once; reused by later runs) …")
        shutil.rmtree(path, ignore_errors=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        run("--home", str(path), "demo", "--no-serve", "--months", "2")
    return path


@contextmanager
def postgres_database(server: str) -> Iterator[str]:
    import psycopg

    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{BENCH_DATABASE}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{BENCH_DATABASE}"')
        try:
            yield urllib.parse.urlparse(server)._replace(path=f"/{BENCH_DATABASE}").geturl()
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{BENCH_DATABASE}" WITH (FORCE)')


def one_run(
    demo: Path, backup: Path, database: str, workers: int, args: argparse.Namespace
) -> dict[str, object]:
    people = company(demo)
    with tempfile.TemporaryDirectory(prefix="shopkpi-bench-load-") as tmp:
        home = Path(tmp) / "home"
        with contextlib.nullcontext() if database == "sqlite" else postgres_database(args.postgres) as url:
            if url is None:
                shutil.copytree(demo, home)
            else:
                run("--home", str(home), "restore", str(backup), "--database-url", url)
            with served(home, workers if args.serve_workers else None, url) as base:
                load_before = os.getloadavg()[0]
                result = load_run(base, people, args.users, args.duration, args.think, args.max_requests)
                load_after = os.getloadavg()[0]
    return {
        "database": database,
        "workers": workers,
        "users": args.users,
        "duration_s": args.duration,
        "think_s": args.think,
        **result,
        "machine": {
            "cores": os.cpu_count(),
            "python": platform.python_version(),
            "load": round(load_before, 1),
            "load_after": round(load_after, 1),
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--demo", type=Path, default=DEFAULT_DEMO, help="the demo home to build once and reuse"
    )
    parser.add_argument("--database", action="append", choices=["sqlite", "postgresql"], help="repeatable")
    parser.add_argument("--workers", action="append", type=int, help="serve processes (repeatable)")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds measured")
    parser.add_argument("--think", type=float, default=1.0, help="mean pause between a user's steps, seconds")
    parser.add_argument("--max-requests", type=int, default=20_000, help="a bound on the requests of one run")
    parser.add_argument("--postgres", default=os.environ.get("SHOPKPI_TEST_DATABASE_URL") or POSTGRES_SERVER)
    args = parser.parse_args()
    if not (1 <= args.users <= 200 and 1 <= args.duration <= 600 and args.think > 0):
        parser.error("--users 1–200, --duration 1–600 s, --think above 0")
    databases = args.database or ["sqlite", "postgresql"]
    workers = args.workers or [1, 2]
    args.serve_workers = serve_has_workers()
    demo = demo_home(args.demo.resolve())
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout
    with tempfile.TemporaryDirectory(prefix="shopkpi-bench-backup-") as tmp:
        backup = Path(tmp) / "backup"
        if "postgresql" in databases:
            run("--home", str(demo), "backup", "--output", str(backup))
        for database in databases:
            for n in workers:
                if n > 1 and not args.serve_workers:
                    say(f"{database}, --workers {n}: skipped, `shopkpi serve` has no --workers option yet")
                    continue
                say(f"{database}, --workers {n}: {args.users} users for {args.duration:.0f} s …")
                at = time.strftime("%Y-%m-%d %H:%M")
                result = {"at": at, "commit": commit.strip(), **one_run(demo, backup, database, n, args)}
                print(json.dumps(result, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
