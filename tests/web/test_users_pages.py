"""用户与角色 (/users/) and 修改密码 (/password/): a one-time password is changed first, admin and HR manage
logins (only admin grants admin), one-time passwords leave only in a downloaded workbook, leavers are out."""

from __future__ import annotations

import datetime as dt
from io import BytesIO

import pytest
from django.contrib.auth.models import Group, User
from django.http import HttpResponse
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from shopkpi.appraisal.accounts import logins
from shopkpi.appraisal.models import AuditEntry, Department, Employee, LoginAttempt, Position

pytestmark = pytest.mark.django_db
PASSWORD = "Shop-kpi 2026 winter"
NEW = "Spring sale 2027 ready"


@pytest.fixture
def people() -> dict[str, User]:
    """admin (admin), hr (HR), gm (GM), and employees E01 (a login), E02 (none), E03 (none, left)."""
    groups = {name: Group.objects.get_or_create(name=name)[0] for name in ("hr", "gm", "admin")}
    department = Department.objects.create(name="运营部")
    position = Position.objects.create(name="运营专员", template_id="s000-operations")
    users = {}
    for name in ("admin", "hr", "gm", "E01"):
        users[name] = User.objects.create_user(name, password=PASSWORD)
        if name in groups:
            users[name].groups.add(groups[name])
    today = timezone.localdate()
    for code, person, user, left_on in (
        ("E01", "艾运营", users["E01"], None),
        ("E02", "包运营", None, None),
        ("E03", "陈运营", None, today - dt.timedelta(days=3)),
    ):
        Employee.objects.create(
            code=code, name=person, department=department, position=position, user=user, left_on=left_on
        )
    return users


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def workbook_rows(answer: HttpResponse) -> list[tuple[object, ...]]:
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "no-store" in answer["Cache-Control"]
    assert answer["Content-Disposition"].startswith("attachment;")
    sheet = load_workbook(BytesIO(answer.content)).active
    assert sheet is not None
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


# ---- 修改密码, forced at first sign-in ------------------------------------------------------------


def test_a_one_time_password_leads_every_page_to_the_change_form(people: dict[str, User]) -> None:
    handed = logins.reset(people["hr"], "E01")
    client = Client()
    signed = client.post("/login/", {"username": "E01", "password": handed.password})
    assert signed.status_code == 302
    for page in ("/", "/reviews/mine/", "/users/"):
        answer = client.get(page)
        assert answer.status_code == 302
        assert answer["Location"].startswith("/password/")
    assert client.get("/reviews/mine/")["Location"] == "/password/?next=%2Freviews%2Fmine%2F"
    form = client.get("/password/")
    assert form.status_code == 200
    assert "您正在使用人事发给您的初始密码" in form.content.decode()

    mismatch = client.post(
        "/password/", {"old_password": handed.password, "new_password1": NEW, "new_password2": NEW + "!"}
    )
    assert mismatch.status_code == 400
    assert "两次输入的新密码不一致" in mismatch.content.decode()
    too_short = client.post(
        "/password/", {"old_password": handed.password, "new_password1": "abc12", "new_password2": "abc12"}
    )
    assert "密码太短：至少需要 10 个字符" in too_short.content.decode()
    assert client.get("/").status_code == 302  # still to be changed

    done = client.post(
        "/password/",
        {
            "old_password": handed.password,
            "new_password1": NEW,
            "new_password2": NEW,
            "next": "/reviews/mine/",
        },
    )
    assert (done.status_code, done["Location"]) == (302, "/reviews/mine/")
    assert client.get("/reviews/mine/").status_code == 200  # the same session, still signed in
    assert not logins.must_change_password(User.objects.get(username="E01"))
    assert Client().login(username="E01", password=NEW)


def test_every_user_can_change_their_password_from_the_top_bar(people: dict[str, User]) -> None:
    client = signed_in(people["gm"])
    assert 'href="/password/"' in client.get("/").content.decode()
    wrong = client.post("/password/", {"old_password": "nope", "new_password1": NEW, "new_password2": NEW})
    assert "原密码不正确" in wrong.content.decode()
    client.post("/password/", {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW})
    people["gm"].refresh_from_db()
    assert people["gm"].check_password(NEW)


def test_a_leaver_cannot_sign_in_from_the_day_after_and_loses_the_session(people: dict[str, User]) -> None:
    client = Client()
    assert client.post("/login/", {"username": "E01", "password": PASSWORD}).status_code == 302
    assert client.get("/reviews/mine/").status_code == 200
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    Employee.objects.filter(code="E01").update(left_on=yesterday)
    assert client.get("/reviews/mine/")["Location"].startswith("/login/")  # the session ended
    refused = Client().post("/login/", {"username": "E01", "password": PASSWORD})
    assert refused.status_code == 200
    assert f"您已于 {yesterday.isoformat()} 离职，不能再登录。" in refused.content.decode()

    Employee.objects.filter(code="E01").update(left_on=timezone.localdate())  # leaves today: still in
    assert Client().post("/login/", {"username": "E01", "password": PASSWORD}).status_code == 302


# ---- 用户与角色 -----------------------------------------------------------------------------------


def test_only_admin_and_hr_open_the_users_page(people: dict[str, User]) -> None:
    assert signed_in(people["hr"]).get("/users/").status_code == 200
    assert signed_in(people["admin"]).get("/users/").status_code == 200
    for name in ("gm", "E01"):
        refused = signed_in(people[name]).get("/users/")
        assert refused.status_code == 403
        assert "只有管理员和人事可以管理用户" in refused.content.decode()
        assert signed_in(people[name]).post("/users/issue/").status_code == 403
    assert not User.objects.filter(username="E02").exists()


def test_the_list_searches_and_pages(people: dict[str, User]) -> None:
    for n in range(60):
        User.objects.create_user(f"temp{n:02d}")
    client = signed_in(people["hr"])
    first = client.get("/users/").content.decode()
    assert "符合筛选条件的用户共 64 个" in first and "第 1 / 2 页" in first
    found = client.get("/users/", {"q": "艾运营"}).content.decode()
    assert "符合筛选条件的用户共 1 个" in found and 'href="/users/' in found and ">E01</a>" in found
    # 2 in-service employees without a login are offered (E03 has left)
    assert "1 位在职员工还没有账号" in first and "包运营（E02）" in first and "陈运营" not in first


def test_the_list_filters_by_role_and_state_and_an_action_comes_back_to_it(people: dict[str, User]) -> None:
    hr = signed_in(people["hr"])
    listed = hr.get("/users/", {"role": "gm"}).content.decode()
    assert "符合筛选条件的用户共 1 个" in listed and ">gm</a>" in listed and ">hr</a>" not in listed
    people["admin"].last_login = timezone.now()
    people["admin"].save()
    never = hr.get("/users/", {"shown": "never"}).content.decode()  # hr's force_login signed hr in
    assert "符合筛选条件的用户共 2 个" in never and ">gm</a>" in never and ">E01</a>" in never
    hr.post(f"/users/{people['gm'].pk}/reset/")
    unchanged = hr.get("/users/", {"shown": "must_change"}).content.decode()
    assert "符合筛选条件的用户共 1 个" in unchanged and ">gm</a>" in unchanged
    for _try in range(5):
        Client().post("/login/", {"username": "E01", "password": "wrong guess"})
    locked = hr.get("/users/", {"shown": "locked", "q": "E"}).content.decode()
    assert "符合筛选条件的用户共 1 个" in locked and ">E01</a>" in locked
    # the row links to the user with the list's query string; the detail page's actions keep it
    e01 = people["E01"]
    assert f'href="/users/{e01.pk}/?back=shown%3Dlocked%26q%3DE"' in locked
    detail = hr.get(f"/users/{e01.pk}/", {"back": "shown=locked&q=E"}).content.decode()
    assert (
        'href="/users/?shown=locked&amp;q=E"' in detail
        and 'name="back" value="shown=locked&amp;q=E"' in detail
    )
    unlocked = hr.post(f"/users/{e01.pk}/unlock/", {"back": "shown=locked&q=E"})
    assert unlocked["Location"] == f"/users/{e01.pk}/?back=shown%3Dlocked%26q%3DE"
    assert "符合筛选条件的用户共 0 个" in hr.get("/users/", {"shown": "locked", "q": "E"}).content.decode()
    roles = hr.post(f"/users/{e01.pk}/roles/", {"roles": ["gm"], "back": "role=gm"})
    assert roles["Location"] == f"/users/{e01.pk}/?back=role%3Dgm"
    assert "符合筛选条件的用户共 2 个" in hr.get("/users/", {"role": "gm"}).content.decode()


def test_issue_downloads_the_workbook_of_one_time_passwords(people: dict[str, User]) -> None:
    answer = signed_in(people["hr"]).post("/users/issue/")
    header, *rows = workbook_rows(answer)
    assert header == ("工号", "姓名", "用户名", "初始密码")
    [(code, name, username, password)] = rows
    assert (code, name, username) == ("E02", "包运营", "E02")
    assert User.objects.get(username="E02").check_password(str(password))
    again = signed_in(people["hr"]).post("/users/issue/", follow=True)
    assert "所有在职员工都已有账号" in again.content.decode()


def test_create_a_login_with_roles_hr_may_not_grant_admin(people: dict[str, User]) -> None:
    hr = signed_in(people["hr"])
    page = hr.get("/users/").content.decode()
    assert 'name="roles" value="gm"' in page and 'name="roles" value="admin"' not in page
    refused = hr.post("/users/new/", {"username": "boss", "roles": ["admin"]})
    assert refused.status_code == 403 or refused.status_code == 409
    assert "只有管理员可以授予或撤销管理员角色" in refused.content.decode()
    assert not User.objects.filter(username="boss").exists()

    made = signed_in(people["admin"]).post("/users/new/", {"username": "boss", "roles": ["admin", "gm"]})
    [_header, (code, name, username, password)] = workbook_rows(made)
    assert (code, name, username) == (None, None, "boss")
    boss = User.objects.get(username="boss")
    assert sorted(boss.groups.values_list("name", flat=True)) == ["admin", "gm"]
    assert boss.check_password(str(password)) and logins.must_change_password(boss)
    taken = hr.post("/users/new/", {"username": "boss"})
    assert taken.status_code == 409 and "已被使用" in taken.content.decode()


def test_roles_reset_unlock_and_deactivate_on_the_users_page(people: dict[str, User]) -> None:
    e01 = people["E01"]
    hr = signed_in(people["hr"])
    detail = f"/users/{e01.pk}/"
    assert hr.post(detail + "roles/", {"roles": ["hr", "gm"]}).status_code == 302
    assert sorted(e01.groups.values_list("name", flat=True)) == ["gm", "hr"]
    hr.post(detail + "roles/", {"roles": ["hr"]})
    assert list(e01.groups.values_list("name", flat=True)) == ["hr"]

    [_header, (_code, _name, _username, password)] = workbook_rows(hr.post(detail + "reset/"))
    e01.refresh_from_db()
    assert e01.check_password(str(password))

    for tries in range(5):
        Client().post("/login/", {"username": "E01", "password": "wrong guess"})
        listed = hr.get("/users/", {"q": "E01"}).content.decode()
        # the fifth failure locks the login, the list says so
        assert ("<td>登录已锁定" in listed) == (tries == 4)
    assert "登录失败次数过多，锁定至" in hr.get(detail).content.decode()
    assert Client().post("/login/", {"username": "E01", "password": str(password)}).status_code == 429
    hr.post(detail + "unlock/")
    assert "未锁定" in hr.get(detail).content.decode()
    assert "<td>登录已锁定" not in hr.get("/users/", {"q": "E01"}).content.decode()
    assert not LoginAttempt.objects.filter(username="e01", succeeded=False).exists()
    assert Client().post("/login/", {"username": "E01", "password": str(password)}).status_code == 302
    [unlocked] = AuditEntry.objects.filter(action="user.unlock")
    assert (unlocked.actor, unlocked.object_id, unlocked.before) == ("hr", "E01", {"failures": 5})

    e01_session = Client()
    e01_session.post("/login/", {"username": "E01", "password": str(password)})
    e01_session.post(
        "/password/", {"old_password": str(password), "new_password1": NEW, "new_password2": NEW}
    )
    assert e01_session.get("/reviews/mine/").status_code == 200
    unconfirmed = hr.post(detail + "deactivate/")
    assert unconfirmed.status_code == 400 and "请勾选确认" in unconfirmed.content.decode()
    assert hr.post(detail + "deactivate/", {"confirm": "yes"}).status_code == 302
    e01.refresh_from_db()
    assert not e01.is_active
    assert e01_session.get("/reviews/mine/")["Location"].startswith("/login/")  # the session they held ended
    stopped = Client().post("/login/", {"username": "E01", "password": NEW})
    assert "这个用户已停用" in stopped.content.decode()
    # nothing of the one-time password in the audit log
    assert str(password) not in " ".join(f"{e.before} {e.after}" for e in AuditEntry.objects.all())


def test_hr_cannot_take_over_an_admin(people: dict[str, User]) -> None:
    hr = signed_in(people["hr"])
    admin = people["admin"]
    assert "只有管理员可以重置管理员的密码" in hr.post(f"/users/{admin.pk}/reset/").content.decode()
    hr.post(f"/users/{admin.pk}/roles/", {"roles": []})  # admin is not on HR's form: it stays
    assert list(admin.groups.values_list("name", flat=True)) == ["admin"]
    assert (
        "只有管理员可以停用管理员"
        in hr.post(f"/users/{admin.pk}/deactivate/", {"confirm": "yes"}).content.decode()
    )


def test_the_users_page_in_english(people: dict[str, User]) -> None:
    client = signed_in(people["admin"])
    client.post("/i18n/setlang/", {"language": "en", "next": "/users/"})
    page = client.get("/users/").content.decode()
    assert "Logins and roles" in page and "Change password" in page
    detail = client.get(f"/users/{people['E01'].pk}/").content.decode()
    assert "Reset the password and download the workbook" in detail
