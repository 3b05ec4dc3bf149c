"""Every role's pages on a phone (390×844) and a desktop (1366×900), in Chinese and in English: none wider
than the screen, the person's own step in the first screen where one waits for them, no variable code or
raw decimal, and the page's language outside names and data (page_checks). Read-only visits: each page
is opened, screenshotted and checked; nothing is changed. The spot-check and 互评 pages are visited over
a copy of the demo that holds a drawn week and a named rater (spot_check_company.py)."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from browser_support import HR_CODE, Demo, Visitor
from page_checks import VIEWPORTS, demo_data, problems

from conftest import _environment, served


@dataclass(frozen=True)
class Visit:
    path: str
    step: bool = False  # a step of the visitor's waits on this page: it must be in the first screen


def first(demo: Demo, **filters: str) -> dict[str, Any]:
    found = demo.api.reviews(period=demo.period, **filters)
    assert found, f"the demo's {demo.period} has no review with {filters}"
    return found[0]


def employee_pages(demo: Demo) -> tuple[str, list[Visit]]:
    review = first(demo, status="pending_self")
    return review["employee"], [
        Visit("/", step=True),
        Visit(f"/reviews/{review['id']}/", step=True),
        Visit(f"/reviews/{review['id']}/print/"),
        Visit("/notices/"),
        Visit("/pay-grades/mine/"),
        Visit("/password/"),
        Visit("/tokens/"),
    ]


def signing_pages(demo: Demo) -> tuple[str, list[Visit]]:
    review = first(demo, status="published")
    return review["employee"], [Visit("/", step=True), Visit(f"/reviews/{review['id']}/", step=True)]


def supervisor_pages(demo: Demo) -> tuple[str, list[Visit]]:
    waiting = [r for r in demo.api.reviews(period=demo.period, status="pending_supervisor") if r["evaluator"]]
    review = next(r for r in waiting if r["evaluator"] != HR_CODE)
    return review["evaluator"], [
        Visit("/", step=True),
        Visit(f"/team/?period={demo.period}", step=True),
        Visit(f"/reviews/{review['id']}/", step=True),
        Visit("/dashboards/"),
    ]


def first_incident(demo: Demo) -> tuple[int, str, str]:
    """The demo's first incident record: its id, its employee's code and the supervisor who recorded it."""
    with sqlite3.connect(demo.home / "shopkpi.sqlite3") as db:
        found = db.execute(
            "SELECT i.id, e.code, u.username FROM appraisal_incident i"
            " JOIN appraisal_employee e ON e.id = i.employee_id JOIN auth_user u ON u.id = i.recorded_by_id"
            " ORDER BY i.id LIMIT 1"
        ).fetchone()
    assert found, "the demo recorded no incident"
    return int(found[0]), str(found[1]), str(found[2])


def recorder_pages(demo: Demo) -> tuple[str, list[Visit]]:
    """The supervisor who recorded the demo's first incident: the month's list, the incident, a new one."""
    incident, employee, supervisor = first_incident(demo)
    return supervisor, [
        Visit(f"/incidents/?month={demo.period}"),
        Visit(f"/incidents/{incident}/"),
        Visit(f"/incidents/new/?employee={employee}"),
    ]


def hr_pages(demo: Demo) -> tuple[str, list[Visit]]:
    cycle = f"/hr/cycles/{demo.period}/"
    checked = first(demo, status="pending_hr")
    return "hr", [
        Visit("/", step=True),
        Visit("/hr/"),
        Visit(cycle),
        Visit(cycle + "reviews/"),
        Visit(cycle + "appeals/"),
        Visit(cycle + "overdue/"),
        Visit(cycle + "summary/"),
        Visit(cycle + "paysheet/"),
        Visit(cycle + "prepare/"),
        Visit(f"/hr/reviews/{checked['id']}/"),
        Visit(f"/reviews/{checked['id']}/", step=True),
        Visit("/hr/cycles/new/"),
        Visit("/hr/imports/"),
        Visit("/hr/actions/"),
        Visit("/hr/audit/"),
        Visit(f"/incidents/?month={demo.period}"),
        Visit(f"/incidents/{first_incident(demo)[0]}/"),
        Visit(f"/incidents/new/?employee={checked['employee']}"),
        Visit(f"/calibration/{demo.period}/"),
        Visit("/calibration/targets/"),
        Visit("/pay-grades/"),
        Visit(f"/pay-grades/{demo.period[:4]}/"),
        Visit(f"/team/?period={demo.period}"),
    ]


def gm_pages(demo: Demo) -> tuple[str, list[Visit]]:
    waiting = first(demo, status="pending_gm")
    return "gm", [
        Visit("/", step=True),
        Visit("/gm/"),
        Visit(f"/calibration/{demo.period}/"),
        Visit(f"/gm/reviews/{waiting['id']}/"),
        Visit(f"/reviews/{waiting['id']}/", step=True),
        Visit("/dashboards/"),
    ]


def admin_pages(demo: Demo) -> tuple[str, list[Visit]]:
    """The demo's administrator is its HR officer (roles hr and admin)."""
    return "hr", [
        Visit("/org/"),
        Visit("/org/employees/"),
        Visit(f"/org/employees/{HR_CODE}/"),
        Visit("/org/accounts/"),
        Visit("/org/approval-chain/"),
        Visit("/org/upload/"),
        Visit("/users/"),
        Visit("/templates/"),
    ]


ROLES = {
    "employee": employee_pages,
    "signing": signing_pages,
    "supervisor": supervisor_pages,
    "recorder": recorder_pages,
    "hr": hr_pages,
    "gm": gm_pages,
    "admin": admin_pages,
}


def in_english(person: Visitor) -> None:
    person.context.add_cookies([{"name": "django_language", "value": "en", "url": person.base_url}])


@pytest.mark.parametrize("role", list(ROLES))
def test_every_page_of_a_role_fits_the_screen_and_speaks_its_language(
    demo: Demo, visitor: Any, role: str
) -> None:
    username, visits = ROLES[role](demo)
    data = demo_data(demo.home)
    person = visitor(username)
    found: list[str] = []
    for language in ("zh", "en"):
        if language == "en":
            in_english(person)
        for size, (width, height) in VIEWPORTS.items():
            person.page.set_viewport_size({"width": width, "height": height})
            for visit in visits:
                person.goto(
                    visit.path, f"{language}-{size}-{visit.path.strip('/').replace('/', '-') or 'home'}"
                )
                found += [
                    f"{visit.path} ({language}, {width}×{height}): {problem}"
                    for problem in problems(person.page, language, data, step=visit.step)
                ]
    assert not found, f"{role} ({username}):\n  " + "\n  ".join(found)


def _copy_with(
    demo_build: Path, tmp_path_factory: pytest.TempPathFactory, name: str, script: str, *args: str
) -> tuple[Path, dict[str, Any]]:
    """A copy of the demo company changed by `script` (run over it in its own process): its home, and
    what the script printed (JSON, its last line)."""
    home = tmp_path_factory.mktemp(name) / "home"
    shutil.copytree(demo_build, home)
    path = Path(__file__).with_name(script)
    done = subprocess.run(
        [sys.executable, str(path), str(home), *args],
        env={
            **_environment(),
            "SHOPKPI_HOME": str(home),
            "DJANGO_SETTINGS_MODULE": "shopkpi.config.settings",
        },
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, f"{path.name} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return home, json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def spot_company(
    demo_build: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Path, dict[str, Any]]]:
    """A copy of the demo company with spot checks and a peer rating in its month in progress
    (spot_check_company.py), served: (base URL, home, what the visits need)."""
    period = json.loads((demo_build / "demo.json").read_text(encoding="utf-8"))["periods"][-1]
    home, made = _copy_with(demo_build, tmp_path_factory, "spot", "spot_check_company.py", period)
    with served(home) as base_url:
        yield base_url, home, made


def test_the_spot_check_and_peer_rating_pages_fit_the_screen_and_speak_their_language(
    spot_company: tuple[str, Path, dict[str, Any]], browse: Any
) -> None:
    base_url, home, made = spot_company
    review, task = made["spot_review"], made["task"]
    people = {
        made["evaluator"]: [
            Visit(f"/reviews/{review}/spot-checks/2/", step=True),  # drawn, two of four cases scored
            Visit(f"/reviews/{review}/spot-checks/3/", step=True),  # not drawn yet
            Visit(f"/reviews/{review}/"),  # the cases under the item, the rating fed by them
        ],
        "hr": [Visit(f"/reviews/{review}/spot-checks/2/"), Visit(f"/reviews/{made['peer_review']}/")],
        made["rater"]: [Visit("/", step=True), Visit(f"/peer-ratings/{task}/", step=True)],
    }
    data = demo_data(home)
    found: list[str] = []
    for username, visits in people.items():
        person = browse(base_url, username)
        for language in ("zh", "en"):
            if language == "en":
                in_english(person)
            for size, (width, height) in VIEWPORTS.items():
                person.page.set_viewport_size({"width": width, "height": height})
                for visit in visits:
                    person.goto(
                        visit.path,
                        f"{username}-{language}-{size}-{visit.path.strip('/').replace('/', '-') or 'home'}",
                    )
                    found += [
                        f"{username} {visit.path} ({language}, {width}×{height}): {problem}"
                        for problem in problems(person.page, language, data, step=visit.step)
                    ]
    assert not found, "\n  ".join(found)


UNREACHABLE_ENGINE = "postgresql://shopkpi@127.0.0.1:9/nowhere"  # port 9 (discard): refused at once


@pytest.fixture(scope="module")
def troubled_company(
    demo_build: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Path, dict[str, Any]]]:
    """A copy of the demo company with exports in every state a worker leaves them
    (export_jobs_company.py), served with a metric engine that cannot be reached: (base URL, home, the
    jobs by state)."""
    home, made = _copy_with(demo_build, tmp_path_factory, "troubled", "export_jobs_company.py")
    with served(home, {"SHOPKPI_METRICS_ENGINE": UNREACHABLE_ENGINE}) as base_url:
        yield base_url, home, made


def test_the_export_jobs_and_the_engine_failure_fit_the_screen_and_speak_their_language(
    troubled_company: tuple[str, Path, dict[str, Any]], browse: Any
) -> None:
    """The page of an export that became a job (queued, running, done, its file removed, failed), each
    with its way back to its list, and the 503 of a step that needs the metric engine when the engine
    cannot be reached (HR's recompute and opening the next month: the form's page again, the person's
    sentences first and the administrator's note with the engine's own answer set apart)."""
    base_url, home, jobs = troubled_company
    period = json.loads((home / "demo.json").read_text(encoding="utf-8"))["periods"][-1]
    data = demo_data(home)
    found: list[str] = []
    for username, states in (("hr", ("done", "queued", "removed", "failed")), ("gm", ("running",))):
        person = browse(base_url, username)
        for language in ("zh", "en"):
            if language == "en":
                in_english(person)
            for size, (width, height) in VIEWPORTS.items():
                person.page.set_viewport_size({"width": width, "height": height})
                for state in states:
                    person.goto(f"/hr/exports/{jobs[state]}/", f"{language}-{size}-export-{state}")
                    back = person.page.locator("#export-job p a").last.get_attribute("href") or ""
                    assert back.startswith(("/hr/", "/gm/")), f"the {state} export: no way back ({back})"
                    found += _checked(person, f"the {state} export", language, data)
                if username == "hr":
                    for name in _engine_failures(person, period, f"{language}-{size}"):
                        found += _checked(person, f"{name} with the engine unreachable", language, data)
    assert not found, "\n  ".join(found)


def _checked(person: Visitor, where: str, language: str, data: tuple[str, ...]) -> list[str]:
    size = person.page.viewport_size or {}
    return [
        f"{person.username} {where} ({language}, {size.get('width')}×{size.get('height')}): {problem}"
        for problem in problems(person.page, language, data, step=False)
    ]


def _engine_failures(person: Visitor, period: str, step: str) -> Iterator[str]:
    """HR recomputes the month, then opens the next one, with the engine unreachable: each answers 503
    with the form's page again (yielded while it is shown)."""
    for name, path, button, target in (
        ("recompute", f"/hr/cycles/{period}/", "form[action$='/recompute/'] button", "recompute/"),
        ("opening", "/hr/cycles/new/", "main form button[type=submit]", ""),
    ):
        person.expect_status(503, path + target)
        person.page.goto(person.url(path))
        person.submit(person.page.locator(button).first, f"{step}-engine-failed-{name}")
        alert = person.page.locator("p.error[role=alert]").first
        assert alert.locator("strong").count() == 1, alert.inner_text()
        assert "127.0.0.1:9" in alert.locator(".for-admin code.answer").inner_text()
        yield name
