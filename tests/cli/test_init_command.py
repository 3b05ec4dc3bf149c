"""`shopkpi init --company NAME --admin USERNAME`: a new home with its first login (admin and HR), once."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from django.conf import settings
from django.contrib.auth.models import User

from shopkpi.appraisal.company import company_name
from shopkpi.appraisal.models import AuditEntry, LoginProfile
from shopkpi.cli.main import cli

SRC = Path(__file__).resolve().parents[2] / "src"
GOOD = "Kai-shi 2026 qianniu"  # 20 characters, not a common password


def _run(
    home: Path, *args: str, password: str | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """The command in a fresh process that sets Django up from --home (stdin closed: no prompt possible)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SHOPKPI_", "DJANGO_"))}
    env["PYTHONPATH"] = str(SRC)
    if password is not None:
        env["SHOPKPI_ADMIN_PASSWORD"] = password
    return subprocess.run(
        [sys.executable, "-c", "from shopkpi.cli.main import main; main()", "--home", str(home), *args],
        env=env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=120,
        check=False,
        cwd=cwd,
    )


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.slow
def test_init_makes_a_home_and_refuses_a_second_time(tmp_path: Path) -> None:
    home = tmp_path / "shop"
    made = _run(home, "init", "--company", "杭州小雨电商", "--admin", "zhou", password=GOOD)
    assert made.returncode == 0, made.stderr
    assert GOOD not in made.stdout + made.stderr
    assert (home / "shopkpi.sqlite3").is_file()
    assert (home / "warehouse").is_dir()
    assert len((home / "secret_key").read_text(encoding="ascii").strip()) >= 50

    # read the database below the application: the login, its two roles, the company's name
    db = sqlite3.connect(home / "shopkpi.sqlite3")
    users = db.execute("SELECT username, password, is_active FROM auth_user").fetchall()
    roles = db.execute(
        "SELECT g.name FROM auth_group g JOIN auth_user_groups ug ON ug.group_id = g.id ORDER BY g.name"
    ).fetchall()
    company = db.execute("SELECT name FROM appraisal_companysettings").fetchall()
    audit_text = " ".join(str(row) for row in db.execute("SELECT * FROM appraisal_auditentry"))
    db.close()
    assert [(u, active) for u, _, active in users] == [("zhou", 1)]
    assert users[0][1].startswith("argon2$")  # stored hashed, with the production hasher
    assert roles == [("admin",), ("hr",)]
    assert company == [("杭州小雨电商",)]
    assert GOOD not in audit_text and "zhou" in audit_text

    before = {name: _digest(home / name) for name in ("shopkpi.sqlite3", "secret_key")}
    again = _run(home, "init", "--company", "另一家公司", "--admin", "boss", password=GOOD)
    assert again.returncode == 1
    assert "already has users" in again.stderr
    assert {name: _digest(home / name) for name in before} == before  # nothing changed


@pytest.mark.slow
def test_a_password_refused_by_the_validators_creates_no_login(tmp_path: Path) -> None:
    home = tmp_path / "shop"
    refused = _run(home, "init", "--company", "小雨", "--admin", "zhou", password="12345678")
    assert refused.returncode == 1
    assert "the password is not accepted" in refused.stderr
    db = sqlite3.connect(home / "shopkpi.sqlite3")
    assert db.execute("SELECT count(*) FROM auth_user").fetchone() == (0,)
    assert db.execute("SELECT count(*) FROM appraisal_companysettings").fetchone() == (0,)
    db.close()


# in this process Django is already set up by the test runner, for its own home


@pytest.mark.django_db
def test_the_password_is_asked_twice_and_asked_again_when_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SHOPKPI_ADMIN_PASSWORD", raising=False)
    monkeypatch.setattr(settings, "SHOPKPI_COMPANY_NAME", "")
    answers = "short\nshort\n" + f"{GOOD}\n{GOOD}\n"
    result = CliRunner().invoke(
        cli, ["--home", str(settings.HOME), "init", "--company", "小雨电商", "--admin", "zhou"], input=answers
    )
    assert result.exit_code == 0, result.output
    assert result.output.count("password for zhou") == 2  # asked, refused (too short), asked again
    assert result.output.count("Repeat for confirmation") == 2
    assert "the password is not accepted" in result.output
    user = User.objects.get()
    assert user.check_password(GOOD)
    assert sorted(user.groups.values_list("name", flat=True)) == ["admin", "hr"]
    assert not LoginProfile.objects.filter(
        user=user, must_change_password=True
    ).exists()  # chosen, not handed out
    assert company_name() == "小雨电商"
    monkeypatch.setattr(settings, "SHOPKPI_COMPANY_NAME", "小雨电商（杭州）有限公司")
    assert company_name() == "小雨电商（杭州）有限公司"  # the environment overrides the stored name
    assert [e.action for e in AuditEntry.objects.order_by("id")] == ["company.name", "user.create"]


@pytest.mark.django_db
def test_init_is_refused_before_asking_when_the_home_has_users() -> None:
    User.objects.create_user("hr")
    result = CliRunner().invoke(
        cli, ["--home", str(settings.HOME), "init", "--company", "小雨", "--admin", "zhou"], input=""
    )
    assert result.exit_code == 1
    assert "password" not in result.output.split("error:")[0]  # no prompt came first
    assert list(User.objects.values_list("username", flat=True)) == ["hr"]
    assert not AuditEntry.objects.exists()


@pytest.mark.slow
@pytest.mark.parametrize(
    ("args", "status", "said"),
    [
        (("users", "issue", "--output", "logins.xlsx"), 0, "every active employee has a login"),
        (("users", "role", "zhou", "--add", "hr"), 1, "zhou"),
        (("users", "reset", "zhou", "--output", "logins.xlsx"), 1, "zhou"),
        (("users", "deactivate", "zhou"), 1, "zhou"),
        (("import", "employees", "花名册.csv"), 0, "new employee     E01"),
        (("run", "--period", "2026-11"), 1, "no_participants"),
    ],
)
def test_a_command_on_a_home_without_a_database_creates_it_and_no_user(
    tmp_path: Path, args: tuple[str, ...], status: int, said: str
) -> None:
    """Each command in its own process, as a user runs it: the home's database and secret key are made
    (migrated), the command does its work or says what is wrong, and only `init` makes logins."""
    (tmp_path / "花名册.csv").write_text("工号,姓名,部门,岗位\nE01,张三,客服部,客服专员\n", encoding="utf-8")
    home = tmp_path / "shop"
    done = _run(home, *args, cwd=tmp_path)
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == status, done.stdout + done.stderr
    assert said in done.stdout + done.stderr
    assert len((home / "secret_key").read_text(encoding="ascii").strip()) >= 50
    db = sqlite3.connect(home / "shopkpi.sqlite3")
    assert db.execute("SELECT count(*) FROM auth_user").fetchone() == (0,)
    assert db.execute("SELECT count(*) FROM django_migrations WHERE app = 'appraisal'").fetchone()[0] > 0
    db.close()
