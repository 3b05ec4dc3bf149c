"""The login page: fields username and password, throttled, in Chinese by default and English on request."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

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
