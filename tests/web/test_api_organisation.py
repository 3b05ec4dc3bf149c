"""The organisation through the API, as an HRIS script would use it: employees, departments, positions
and account ownership — list, create, change — with the service's refusals as {code, detail, field}."""

from __future__ import annotations

import json
from typing import Any

import api_org
import pytest
from django.test import Client

from shopkpi.appraisal.models import Account, AuditEntry, Employee, EmployeeTerms

pytestmark = pytest.mark.django_db


@pytest.fixture
def org() -> api_org.Org:
    return api_org.build(hash_passwords=False)


def send(client: Client, org: api_org.Org, who: str, method: str, path: str, body: Any = None) -> Any:
    return client.generic(
        method, path, json.dumps(body) if body is not None else "", "application/json", **org.auth(who)
    )


def test_hr_adds_an_employee_and_a_refusal_names_its_field(client: Client, org: api_org.Org) -> None:
    body = {"code": "E100", "name": "陈新", "department": "直播部", "position": "主播", "supervisor": "E010"}
    preview = send(client, org, "hr", "POST", "/api/employees?dry_run=true", body)
    assert preview.status_code == 200, preview.content
    assert [(c["kind"], c["subject"]) for c in preview.json()["changes"]] == [
        ("new_department", "直播部"),
        ("new_position", "主播"),
        ("position_without_template", "主播"),
        ("new_employee", "E100"),
    ]
    assert not Employee.objects.filter(code="E100").exists()
    created = send(client, org, "hr", "POST", "/api/employees", body)
    assert created.status_code == 201, created.content
    record = created.json()["employee"]
    assert (record["id"], record["department"], record["supervisor"]) == ("E100", "直播部", "E010")
    again = send(client, org, "hr", "POST", "/api/employees", body)
    assert again.status_code == 400
    assert (again.json()["code"], again.json()["field"]) == ("employee_exists", "code")
    unknown = send(
        client, org, "hr", "POST", "/api/employees", {**body, "code": "E101", "supervisor": "E999"}
    )
    assert unknown.status_code == 400
    assert (unknown.json()["code"], unknown.json()["field"]) == ("unknown_supervisor", "supervisor")
    assert unknown.json()["detail"] == "没有工号为 E999 的员工可以做上级。"
    assert not Employee.objects.filter(code="E101").exists()
    gm = send(client, org, "gm", "POST", "/api/employees", {**body, "code": "E102"})
    assert gm.status_code == 403 and gm.json()["code"] == "organisation_forbidden"


def test_a_supervisor_loop_is_refused_and_nothing_changes(client: Client, org: api_org.Org) -> None:
    # 马经理 E011 reports to 邓总监 E010; E010 reporting to E011 would go round
    answer = send(client, org, "hr", "PATCH", "/api/employees/E010", {"supervisor": "E011"})
    assert answer.status_code == 400
    body = answer.json()
    assert (body["code"], body["field"]) == ("supervisor_loop", "supervisor")
    assert "E010 → E011 → E010" in body["detail"] or "E011 → E010 → E011" in body["detail"]
    assert Employee.objects.get(code="E010").supervisor.code == "E001"  # type: ignore[union-attr]
    assert not AuditEntry.objects.filter(action__startswith="org.").exists()


def test_a_salary_change_on_the_16th_applies_from_the_16th(client: Client, org: api_org.Org) -> None:
    answer = send(
        client,
        org,
        "hr",
        "PATCH",
        "/api/employees/E012",
        {"base_salary": "6500.00", "effective": "2026-03-16"},
    )
    assert answer.status_code == 200, answer.content
    [change] = answer.json()["changes"]
    assert (change["field"], change["after"], change["valid_from"]) == (
        "base_salary",
        "6500.00",
        "2026-03-16",
    )
    terms = answer.json()["employee"]["terms"]
    assert [(t["valid_from"], t["valid_to"], t["base_salary"]) for t in terms] == [
        (None, "2026-03-15", None),
        ("2026-03-16", None, "6500.00"),
    ]
    entry = AuditEntry.objects.get(action="org.employee.change", object_id="E012")
    assert (entry.actor, entry.before, entry.after) == (
        "hr",
        {"base_salary": None},
        {"base_salary": "6500.00", "valid_from": "2026-03-16"},
    )
    assert EmployeeTerms.objects.filter(employee__code="E012").count() == 2


def test_a_hand_over_two_owners_and_a_leaver_who_still_owns(client: Client, org: api_org.Org) -> None:
    first = {"employee": "E012", "kind": "店铺", "account": "旗舰店", "valid_from": "2026-03-01"}
    assert send(client, org, "hr", "POST", "/api/accounts", first).status_code == 201
    handed = send(
        client,
        org,
        "admin",
        "POST",
        "/api/accounts",
        {**first, "employee": "E013", "valid_from": "2026-03-16"},
    )
    assert handed.status_code == 201, handed.content
    assert [(c["kind"], c["before"], c["after"], c["valid_from"]) for c in handed.json()["changes"]] == [
        ("hand_over", "E012", "E013", "2026-03-16")
    ]
    listed = send(client, org, "gm", "GET", "/api/accounts?kind=shop").json()
    assert [(a["employee"], a["valid_from"], a["valid_to"], a["kind_label"]) for a in listed["items"]] == [
        ("E012", "2026-03-01", "2026-03-15", "店铺"),
        ("E013", "2026-03-16", None, "店铺"),
    ]
    # E012's window is closed now: a third owner inside it is two owners on those days
    inside = send(
        client, org, "hr", "POST", "/api/accounts", {**first, "employee": "E011", "valid_from": "2026-03-10"}
    )
    assert inside.status_code == 400
    assert (inside.json()["code"], inside.json()["field"]) == ("two_owners", "valid_from")
    leaves = send(client, org, "hr", "PATCH", "/api/employees/E013", {"left_on": "2026-03-31"})
    assert leaves.status_code == 400
    assert (leaves.json()["code"], leaves.json()["field"]) == ("leaver_owns_accounts", "left_on")
    window = Account.objects.get(employee__code="E013")
    ended = send(client, org, "hr", "PATCH", f"/api/accounts/{window.pk}", {"valid_to": "2026-03-31"})
    assert ended.status_code == 200, ended.content
    assert (
        send(client, org, "hr", "PATCH", "/api/employees/E013", {"left_on": "2026-03-31"}).status_code == 200
    )
    kind = send(client, org, "hr", "POST", "/api/accounts", {**first, "kind": "抖音号"})
    assert (kind.status_code, kind.json()["code"]) == (400, "unknown_account_type")


def test_positions_bind_templates_and_departments_are_listed(client: Client, org: api_org.Org) -> None:
    bound = send(client, org, "hr", "PATCH", "/api/positions/运营专员", {"template": "s001-operations"})
    assert bound.status_code == 200 and bound.json()["template"] == "s001-operations"
    unknown = send(client, org, "hr", "PATCH", "/api/positions/运营专员", {"template": "nope"})
    assert (unknown.status_code, unknown.json()["code"]) == (400, "unknown_template")
    made = send(client, org, "hr", "POST", "/api/positions", {"name": "主播", "template": "电商直播主播"})
    assert made.status_code == 201 and made.json()["template"] == "s004-live-streamer"
    departments = send(client, org, "gm", "GET", "/api/departments").json()
    assert {d["name"]: d["employees"] for d in departments}["运营部"] == 5
    assert send(client, org, "hr", "POST", "/api/departments", {"name": "直播部"}).status_code == 201
