"""`shopkpi users issue | role | reset | deactivate`: logins handed out through a workbook, roles, leavers."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.utils import timezone
from openpyxl import load_workbook

from shopkpi.appraisal.accounts import tokens
from shopkpi.appraisal.models import ApiToken, AuditEntry, Department, Employee, LoginProfile, Position
from shopkpi.cli.main import cli

pytestmark = pytest.mark.django_db


def users(*args: str) -> Result:
    return CliRunner().invoke(cli, ["--home", str(settings.HOME), "users", *args])


@pytest.fixture
def shop() -> dict[str, Employee]:
    """Four people: two without a login, one who has one, one who left yesterday."""
    department = Department.objects.create(name="客服部")
    position = Position.objects.create(name="客服专员", template_id="s000-online-customer-service")
    today = timezone.localdate()

    def person(code: str, name: str, **extra: object) -> Employee:
        return Employee.objects.create(
            code=code, name=name, department=department, position=position, **extra
        )

    return {
        "E01": person("E01", "张三"),
        "E02": person("E02", "李四", left_on=today),  # leaves today: still active today
        "E03": person("E03", "王五", user=User.objects.create_user("E03", password="Wang-wu-2026-long")),
        "E04": person("E04", "赵六", left_on=today - dt.timedelta(days=1)),
    }


def rows(path: Path) -> list[tuple[object, ...]]:
    sheet = load_workbook(path).active
    assert sheet is not None
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


def test_issue_writes_the_passwords_into_the_workbook_only(
    shop: dict[str, Employee], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    output = tmp_path / "logins.xlsx"
    with caplog.at_level(logging.DEBUG):
        result = users("issue", "--output", str(output))
    assert result.exit_code == 0, result.output
    header, *people = rows(output)
    assert header == ("工号", "姓名", "用户名", "初始密码")
    # E03 has a login already, E04 left yesterday
    assert [row[:3] for row in people] == [("E01", "张三", "E01"), ("E02", "李四", "E02")]
    passwords = [str(row[3]) for row in people]
    for (code, *_), password in zip(people, passwords, strict=True):
        assert len(password) >= 12
        user = User.objects.get(username=code)
        assert user.check_password(password)
        assert user.employee.code == code
        assert LoginProfile.objects.get(user=user).must_change_password
    assert len(set(passwords)) == 2
    # nowhere else: not the output, not a log, not the audit log
    written = (
        result.output
        + caplog.text
        + " ".join(f"{e.before} {e.after} {e.reason}" for e in AuditEntry.objects.all())
    )
    assert not [p for p in passwords if p in written]
    issued = AuditEntry.objects.filter(action="user.issue").order_by("object_id")
    assert [(e.object_id, e.after["employee"]) for e in issued] == [("E01", "E01"), ("E02", "E02")]
    assert "E01, E02" in result.output

    again = tmp_path / "again.xlsx"
    second = users("issue", "--output", str(again))
    assert second.exit_code == 0
    assert "every active employee has a login" in second.output
    assert not again.exists()


def test_issue_refuses_to_overwrite_a_file_and_creates_nothing(
    shop: dict[str, Employee], tmp_path: Path
) -> None:
    output = tmp_path / "logins.xlsx"
    output.write_bytes(b"the sheet of last month")
    result = users("issue", "--output", str(output))
    assert result.exit_code == 1
    assert "exists; it is not overwritten" in result.output
    assert output.read_bytes() == b"the sheet of last month"
    assert not User.objects.filter(username="E01").exists()
    assert not AuditEntry.objects.exists()


def test_issue_is_refused_whole_when_a_code_is_another_logins_username(
    shop: dict[str, Employee], tmp_path: Path
) -> None:
    User.objects.create_user("E02")  # a login named like E02's 工号 but not linked to E02
    output = tmp_path / "logins.xlsx"
    result = users("issue", "--output", str(output))
    assert result.exit_code == 1
    assert "E02" in result.output
    assert not output.exists()
    assert not User.objects.filter(username="E01").exists()  # not even the one that was possible


def test_role_add_and_remove_are_audited(shop: dict[str, Employee]) -> None:
    added = users("role", "E03", "--add", "hr", "--add", "gm")
    assert added.exit_code == 0, added.output
    assert added.output == "E03: roles gm, hr\n"
    removed = users("role", "E03", "--remove", "gm")
    assert removed.output == "E03: roles hr\n"
    assert sorted(User.objects.get(username="E03").groups.values_list("name", flat=True)) == ["hr"]
    entries = AuditEntry.objects.filter(action="user.roles").order_by("id")
    assert [(e.before, e.after) for e in entries] == [
        ({"roles": []}, {"roles": ["gm", "hr"]}),
        ({"roles": ["gm", "hr"]}, {"roles": ["hr"]}),
    ]
    assert users("role", "E03", "--add", "boss").exit_code == 2  # not a role
    assert users("role", "nobody", "--add", "hr").exit_code == 1


def test_the_last_admin_keeps_the_admin_role(shop: dict[str, Employee]) -> None:
    User.objects.get(username="E03").groups.add(Group.objects.get_or_create(name="admin")[0])
    refused = users("role", "E03", "--remove", "admin")
    assert refused.exit_code == 1
    assert "唯一的管理员" in refused.output
    assert users("deactivate", "E03").exit_code == 1
    assert User.objects.get(username="E03").is_active


def test_reset_gives_a_new_one_time_password_in_a_new_workbook(
    shop: dict[str, Employee], tmp_path: Path
) -> None:
    user = User.objects.get(username="E03")
    token, _ = tokens.issue(user)
    output = tmp_path / "reset.xlsx"
    result = users("reset", "E03", "--output", str(output))
    assert result.exit_code == 0, result.output
    [_header, (code, name, username, password)] = rows(output)
    assert (code, name, username) == ("E03", "王五", "E03")
    user.refresh_from_db()
    assert user.check_password(str(password)) and not user.check_password("Wang-wu-2026-long")
    assert LoginProfile.objects.get(user=user).must_change_password
    assert tokens.user_for(token) is None  # the old token ends with the old password
    assert str(password) not in result.output
    assert users("reset", "E03", "--output", str(output)).exit_code == 1  # the same file again: refused
    assert user.check_password(str(password))


def test_deactivate_ends_sign_in_and_tokens(shop: dict[str, Employee]) -> None:
    user = User.objects.get(username="E03")
    token, _ = tokens.issue(user)
    result = users("deactivate", "E03")
    assert (result.exit_code, result.output) == (0, "E03 is deactivated\n")
    user.refresh_from_db()
    assert not user.is_active
    assert not ApiToken.objects.filter(user=user).exists()
    assert tokens.user_for(token) is None
    [entry] = AuditEntry.objects.filter(action="user.deactivate")
    assert (entry.object_id, entry.before, entry.after) == ("E03", {"active": True}, {"active": False})
