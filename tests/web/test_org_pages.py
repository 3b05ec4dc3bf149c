"""The organisation pages for HR and admin: the roster uploaded, previewed and confirmed; an employee
added, changed from a day and made a leaver; a hand-over previewed and confirmed; refusals at their
field; positions bound to templates; nobody else gets in."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from shopkpi.appraisal.models import Account, AuditEntry, Employee, EmployeeTerms, Position

pytestmark = pytest.mark.django_db

ROSTER = (
    "工号,姓名,部门,岗位,上级工号,基本工资,入职日期\n"
    "E01,高总,总经办,总经理,,20000,2025-01-01\n"
    "E02,马经理,运营部,运营经理,E01,12000,2025-02-01\n"
    "E03,艾运营,运营部,运营专员,E02,6000,2025-03-01\n"
)


def login(client: Client, *roles: str) -> User:
    user = User.objects.create_user("hr-li" if roles else "somebody", password="x")
    for role in roles:
        user.groups.add(Group.objects.get_or_create(name=role)[0])
    client.force_login(user)
    return user


def upload(client: Client, dataset: str, name: str, text: str) -> object:
    return client.post(
        "/org/upload/", {"dataset": dataset, "file": SimpleUploadedFile(name, text.encode("utf-8"))}
    )


@pytest.fixture
def hr(client: Client, settings: object, tmp_path: Path) -> Client:
    settings.HOME = tmp_path  # type: ignore[attr-defined]
    login(client, "hr")
    return client


@pytest.fixture
def company(hr: Client) -> Client:
    upload(hr, "employees", "花名册.csv", ROSTER)
    hr.post("/org/upload/confirm/", {"confirm": "1"})
    return hr


def test_the_roster_is_previewed_then_written_when_confirmed(hr: Client) -> None:
    preview = upload(hr, "employees", "花名册.csv", ROSTER)
    assert preview.status_code == 200
    page = preview.content.decode()
    assert "确认导入" in page and "新员工" in page and "马经理" in page and "岗位还没有考核表模板" in page
    assert not Employee.objects.exists()
    done = hr.post("/org/upload/confirm/", {"confirm": "1"})
    assert done.status_code == 302 and done["Location"] == "/org/employees/"
    assert list(Employee.objects.values_list("code", "supervisor__code")) == [
        ("E01", None),
        ("E02", "E01"),
        ("E03", "E02"),
    ]
    assert AuditEntry.objects.filter(action="data.import", actor="hr-li").count() == 1
    again = hr.post("/org/upload/confirm/", {"confirm": "1"})  # nothing waits any more
    assert again.status_code == 302 and again["Location"] == "/org/upload/"


def test_a_refused_roster_lists_its_rows_and_changes_nothing(hr: Client) -> None:
    answer = upload(hr, "employees", "花名册.csv", ROSTER + "E04,包运营,运营部,运营专员,E99,6000,\n")
    assert answer.status_code == 422
    page = answer.content.decode()
    assert "上级工号" in page and "没有工号为 E99 的员工可以做上级。" in page and "<td>5</td>" in page
    assert not Employee.objects.exists() and not AuditEntry.objects.exists()


def test_cancelling_a_preview_changes_nothing(hr: Client, tmp_path: Path) -> None:
    upload(hr, "employees", "花名册.csv", ROSTER)
    cancelled = hr.post("/org/upload/confirm/", {"cancel": "1"})
    assert cancelled.status_code == 302
    assert not Employee.objects.exists()
    assert not any((tmp_path / "org-uploads").rglob("*.csv"))  # the waiting file is gone


def test_an_employee_is_added_changed_from_a_day_and_leaves(company: Client) -> None:
    added = company.post(
        "/org/employees/new/",
        {
            "code": "E04",
            "name": "包运营",
            "department": "运营部",
            "position": "运营专员",
            "supervisor": "E02",
        },
    )
    assert added.status_code == 302 and added["Location"] == "/org/employees/E04/"
    changed = company.post(
        "/org/employees/E04/change/",
        {
            "effective": "2026-11-16",
            "department": "运营部",
            "position": "运营专员",
            "supervisor": "E02",
            "base_salary": "6500",
            "name": "包运营",
        },
    )
    assert changed.status_code == 302
    terms = list(EmployeeTerms.objects.filter(employee__code="E04").values_list("valid_from", "base_salary"))
    assert terms == [(None, None), (dt.date(2026, 11, 16), Decimal("6500.00"))]
    detail = company.get("/org/employees/E04/").content.decode()
    assert "2026-11-16" in detail and "2026-11-15" in detail and "¥6,500.00" in detail
    left = company.post("/org/employees/E04/leave/", {"left_on": "2026-12-31"})
    assert left.status_code == 302
    assert Employee.objects.get(code="E04").left_on == dt.date(2026, 12, 31)


def test_a_refusal_is_shown_at_its_field(company: Client) -> None:
    # E01 reporting to E03, who reports (through E02) to E01: a loop
    answer = company.post(
        "/org/employees/E01/change/",
        {
            "effective": "2026-11-01",
            "department": "总经办",
            "position": "总经理",
            "supervisor": "E03",
            "name": "高总",
        },
    )
    assert answer.status_code == 400
    page = answer.content.decode()
    field = page[page.index('id="id_supervisor"') :]
    assert "上级关系成环" in field[: field.index("</div>")]
    assert Employee.objects.get(code="E01").supervisor is None


def test_a_hand_over_is_previewed_then_confirmed(company: Client) -> None:
    first = {"employee": "E03", "kind": "shop", "account": "旗舰店", "valid_from": "2026-10-01"}
    assert company.post("/org/accounts/", first).status_code == 302
    second = {**first, "employee": "E02", "valid_from": "2026-10-16"}
    preview = company.post("/org/accounts/", second)
    assert preview.status_code == 200
    page = preview.content.decode()
    assert "确认交接" in page and "E03 → E02" in page and "2026-10-15" in page
    assert Account.objects.count() == 1  # nothing written yet
    confirmed = company.post("/org/accounts/", {**second, "confirm": "1"})
    assert confirmed.status_code == 302
    assert list(
        Account.objects.order_by("valid_from").values_list("employee__code", "valid_from", "valid_to")
    ) == [
        ("E03", dt.date(2026, 10, 1), dt.date(2026, 10, 15)),
        ("E02", dt.date(2026, 10, 16), None),
    ]
    inside = company.post("/org/accounts/", {**first, "employee": "E01", "valid_from": "2026-10-10"})
    assert inside.status_code == 400 and "有两个归属人" in inside.content.decode()


def test_a_position_is_bound_to_a_template_on_the_chart(company: Client) -> None:
    position = Position.objects.get(name="运营专员")
    chart = company.get("/org/").content.decode()
    assert "3 个岗位还没有考核表模板" in chart and "马经理" in chart
    bound = company.post(
        f"/org/positions/{position.pk}/template/", {f"month{position.pk}-template": "s001-operations"}
    )
    assert bound.status_code == 302
    assert Position.objects.get(pk=position.pk).template_id == "s001-operations"


def test_a_position_is_bound_to_its_quarterly_and_annual_templates_on_the_chart(company: Client) -> None:
    position = Position.objects.get(name="运营专员")
    chart = company.get("/org/").content.decode()
    # each select offers the templates of its own period only
    quarter_select = chart[chart.index(f'name="quarter{position.pk}-template"') :].split("</select>")[0]
    assert "quarter-card" in quarter_select and "year-card" not in quarter_select
    assert "s001-operations" not in quarter_select
    bound = company.post(
        f"/org/positions/{position.pk}/template/quarter/", {f"quarter{position.pk}-template": "quarter-card"}
    )
    assert bound.status_code == 302
    refused = company.post(
        f"/org/positions/{position.pk}/template/year/", {f"year{position.pk}-template": "s001-operations"}
    )
    assert refused.status_code == 400  # a monthly template is not among the annual ones
    position.refresh_from_db()
    assert (position.quarter_template_id, position.year_template_id) == ("quarter-card", "")
    cleared = company.post(
        f"/org/positions/{position.pk}/template/quarter/", {f"quarter{position.pk}-template": ""}
    )
    assert cleared.status_code == 302
    assert Position.objects.get(pk=position.pk).quarter_template_id == ""


@pytest.mark.parametrize("role", ["gm", ""])
def test_nobody_else_opens_the_organisation_pages(client: Client, role: str) -> None:
    login(client, *([role] if role else []))
    for path in ("/org/", "/org/employees/", "/org/accounts/", "/org/upload/"):
        assert client.get(path).status_code == 403, path


def test_a_roster_on_the_import_page_is_previewed_like_the_organisation_upload(hr: Client) -> None:
    # no dataset named: the headers say it is the roster
    answer = hr.post(
        "/hr/imports/", {"dataset": "", "file": SimpleUploadedFile("花名册.csv", ROSTER.encode("utf-8"))}
    )
    assert answer.status_code == 200
    page = answer.content.decode()
    assert "确认导入" in page and "马经理" in page
    assert not Employee.objects.exists()
    assert hr.post("/org/upload/confirm/", {"confirm": "1"}).status_code == 302
    assert Employee.objects.count() == 3
