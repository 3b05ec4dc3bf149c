"""The login page: fields username and password, throttled, in Chinese by default and English on request."""

from __future__ import annotations

import ipaddress

import pytest
from django.contrib.auth.models import User
from django.test import Client

from shopkpi.appraisal.models import AuditEntry, LoginAttempt

pytestmark = pytest.mark.django_db


@pytest.fixture
def hr_user() -> User:
    return User.objects.create_user("hr", password="shopkpi-demo")


def test_the_login_page_is_chinese_first_and_labelled(client: Client) -> None:
    page = client.get("/login/").content.decode()
    assert '<label for="id_username">用户名</label>' in page
    assert '<label for="id_password">密码</label>' in page
    assert 'name="username"' in page and 'name="password"' in page


def test_login_then_home_then_logout(client: Client, hr_user: User) -> None:
    response = client.post("/login/", {"username": "hr", "password": "shopkpi-demo"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200
    assert client.post("/logout/").status_code == 302
    assert client.get("/")["Location"].startswith("/login/")


def test_a_wrong_password_is_refused_without_saying_which_part(client: Client, hr_user: User) -> None:
    response = client.post("/login/", {"username": "hr", "password": "wrong-password"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_repeated_failures_lock_the_username_and_name_when_it_ends(client: Client, hr_user: User) -> None:
    for _ in range(5):  # the spec: at least five tries in fifteen minutes before any lock
        assert client.post("/login/", {"username": "hr", "password": "wrong-password"}).status_code == 200
    locked = client.post("/login/", {"username": "hr", "password": "shopkpi-demo"})
    assert locked.status_code == 429
    assert "登录失败次数过多" in locked.content.decode()
    assert int(locked["Retry-After"]) > 0


def test_english_on_request(client: Client) -> None:
    client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    page = client.get("/login/").content.decode()
    assert '<label for="id_username">Username</label>' in page


def test_chinese_whatever_the_browser_asks_for(client: Client) -> None:
    page = client.get("/login/", headers={"accept-language": "en-US,en;q=0.9"}).content.decode()
    assert '<label for="id_username">用户名</label>' in page


def test_not_found_is_a_page_of_the_application_in_chinese(client: Client, hr_user: User, settings) -> None:  # type: ignore[no-untyped-def]
    settings.DEBUG = False
    client.force_login(hr_user)
    response = client.get("/reviews/999999/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "页面不存在" in page and 'rel="icon"' in page


PROXY = "10.0.0.5"


@pytest.fixture
def behind_proxy(settings) -> None:  # type: ignore[no-untyped-def]
    settings.SHOPKPI_TRUSTED_PROXIES = [ipaddress.ip_network(PROXY)]


def _login(client: Client, username: str, password: str, peer: str, forwarded: str | None = None) -> int:
    extra = {"REMOTE_ADDR": peer}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client.post("/login/", {"username": username, "password": password}, **extra).status_code


def test_behind_a_trusted_proxy_one_users_lockout_does_not_lock_out_the_company(
    behind_proxy: None, hr_user: User
) -> None:
    User.objects.create_user("gm", password="shopkpi-demo")
    attacker = Client()
    # 25 wrong passwords for hr from one address behind the proxy: hr is locked after five
    statuses = [_login(attacker, "hr", "wrong-password", PROXY, "203.0.113.7") for _ in range(25)]
    assert statuses == [200] * 5 + [429] * 20
    # gm behind the same proxy, even from the same address, logs in with the right password
    assert _login(Client(), "gm", "shopkpi-demo", PROXY, "203.0.113.7") == 302
    response = Client().post(
        "/api/token",
        {"username": "gm", "password": "shopkpi-demo"},
        content_type="application/json",
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR="203.0.113.7",
    )
    assert response.status_code == 200
    # the lock is in the audit log, under the address the proxy named, not the proxy's own
    lock = AuditEntry.objects.get(action="login.lock")
    assert lock.after["username"] == "hr" and lock.after["address"] == "203.0.113.7"


def test_a_hundred_failures_across_usernames_leave_correct_passwords_working(
    behind_proxy: None, hr_user: User
) -> None:
    attacker = Client()
    assert {_login(attacker, f"guess{n}", "wrong-password", PROXY, "203.0.113.7") for n in range(100)} == {
        200
    }
    # the address is locked for the usernames that failed from it ...
    assert _login(attacker, "guess0", "wrong-password", PROXY, "203.0.113.7") == 429
    # ... but a correct password for another user is checked and accepted
    assert _login(Client(), "hr", "shopkpi-demo", PROXY, "203.0.113.7") == 302


def test_an_untrusted_x_forwarded_for_is_ignored(behind_proxy: None, hr_user: User) -> None:
    # a client that is not the proxy cannot pick its address: each forged header still counts as its own
    attacker = Client()
    for n in range(5):
        assert _login(attacker, "hr", "wrong-password", "198.51.100.9", f"203.0.113.{n}") == 200
    assert _login(attacker, "hr", "shopkpi-demo", "198.51.100.9", "203.0.113.99") == 429
    assert set(LoginAttempt.objects.values_list("address", flat=True)) == {"198.51.100.9"}


def test_a_login_lasts_the_session_hours(client: Client, hr_user: User) -> None:
    client.post("/login/", {"username": "hr", "password": "shopkpi-demo"})
    assert client.session.get_expiry_age() == 12 * 3600  # SHOPKPI_SESSION_HOURS' default, not two weeks
    assert "no-store" in client.get("/")["Cache-Control"]
