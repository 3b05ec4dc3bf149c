"""A database that stays busy answers 503 with Retry-After (JSON under /api/), never 500.

The lock is real: another connection holds the login-attempt table (SQLite: a read lock in the shared
in-memory test database, so the login's insert is refused at once with "database table is locked";
PostgreSQL: an exclusive table lock, with this connection's lock_timeout short), and the login, which
records its attempt, cannot write.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from django.contrib.auth.models import User
from django.db import OperationalError, connection
from django.test import Client

from shopkpi.web.server_errors import is_busy

pytestmark = pytest.mark.django_db


@pytest.fixture
def locked_table() -> Iterator[None]:
    User.objects.create_user("hr", password="shopkpi-demo")
    if connection.vendor == "sqlite":
        other: Any = sqlite3.connect(connection.settings_dict["NAME"], uri=True)
        other.execute("BEGIN")
        other.execute("SELECT * FROM appraisal_loginattempt").fetchall()  # held until the transaction ends
    else:
        params = connection.get_connection_params()
        other = psycopg.connect(
            **{k: v for k, v in params.items() if k in ("dbname", "user", "password", "host", "port")}
        )
        other.execute("LOCK TABLE appraisal_loginattempt IN ACCESS EXCLUSIVE MODE")
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = '200ms'")
    try:
        yield
    finally:
        other.rollback()
        other.close()


def test_a_page_answers_503_with_retry_after(locked_table: None) -> None:
    response = Client(raise_request_exception=False).post(
        "/login/", {"username": "hr", "password": "shopkpi-demo"}
    )
    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    assert "服务器正忙" in response.content.decode()


def test_the_api_answers_503_with_a_code(locked_table: None) -> None:
    response = Client(raise_request_exception=False).post(
        "/api/token", {"username": "hr", "password": "shopkpi-demo"}, content_type="application/json"
    )
    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    assert response.json()["code"] == "busy"


def test_other_database_errors_stay_errors() -> None:
    assert not is_busy(OperationalError("no such table: appraisal_review"))
    assert not is_busy(ValueError("database is locked"))
    assert is_busy(OperationalError("database is locked"))
