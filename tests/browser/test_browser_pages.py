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


@pytest.fixture(scope="module")
def spot_company(
    demo_build: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Path, dict[str, Any]]]:
    """A copy of the demo company with spot checks and a peer rating in its month in progress
    (spot_check_company.py), served: (base URL, home, what the visits need)."""
    home = tmp_path_factory.mktemp("spot") / "home"
    shutil.copytree(demo_build, home)
    period = json.loads((home / "demo.json").read_text(encoding="utf-8"))["periods"][-1]
    script = Path(__file__).with_name("spot_check_company.py")
    done = subprocess.run(
        [sys.executable, str(script), str(home), period],
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
    assert done.returncode == 0, f"{script.name} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    with served(home) as base_url:
        yield base_url, home, json.loads(done.stdout.strip().splitlines()[-1])


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
