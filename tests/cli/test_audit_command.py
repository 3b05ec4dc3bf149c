"""`shopkpi audit verify`: "audit log intact: N entries" and exit 0, or the first broken link and exit 1."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from django.conf import settings
from django.db import connection

from shopkpi.appraisal import audit
from shopkpi.cli.main import cli

SRC = Path(__file__).resolve().parents[2] / "src"


def _tamper(entry_id: int) -> None:
    """Edit an entry below the application, the way someone with database access could."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER appraisal_auditentry_no_update")
        else:
            cursor.execute(
                "ALTER TABLE appraisal_auditentry DISABLE TRIGGER appraisal_auditentry_append_only"
            )
        cursor.execute("UPDATE appraisal_auditentry SET reason = 'edited' WHERE id = %s", [entry_id])


# in this process Django is already set up by the test runner, for its own home


@pytest.mark.django_db
def test_intact_log() -> None:
    for n in range(3):
        audit.record("hr", f"step {n}")
    result = CliRunner().invoke(cli, ["--home", str(settings.HOME), "audit", "verify"])
    assert result.exit_code == 0, result.output
    assert result.output == "audit log intact: 3 entries\n"


@pytest.mark.django_db
def test_empty_log_is_intact() -> None:
    result = CliRunner().invoke(cli, ["--home", str(settings.HOME), "audit", "verify"])
    assert (result.exit_code, result.output) == (0, "audit log intact: 0 entries\n")


@pytest.mark.django_db
def test_broken_link_is_named_and_exits_1() -> None:
    entries = [audit.record("hr", f"step {n}") for n in range(4)]
    _tamper(entries[1].pk)  # rolled back with the test's transaction
    result = CliRunner().invoke(cli, ["--home", str(settings.HOME), "audit", "verify"])
    assert result.exit_code == 1
    assert (
        result.output
        == f"audit log broken at entry {entries[1].pk}: entry {entries[1].pk} was changed after it was written (its hash does not match)\n"
    )


def test_another_home_than_the_one_set_up_is_refused(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["--home", str(tmp_path), "audit", "verify"])
    assert result.exit_code == 2
    assert "already set up for the home" in result.output


# a fresh process: the command sets up Django itself from --home


def _run(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SHOPKPI_", "DJANGO_"))}
    env["PYTHONPATH"] = str(SRC)
    return subprocess.run(
        [sys.executable, "-c", "from shopkpi.cli.main import main; main()", "--home", str(home), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _setup_home(home: Path, entries: int) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SHOPKPI_", "DJANGO_"))}
    env |= {
        "PYTHONPATH": str(SRC),
        "SHOPKPI_HOME": str(home),
        "DJANGO_SETTINGS_MODULE": "shopkpi.config.settings",
    }
    script = (
        "import django; django.setup()\n"
        "from django.core.management import call_command; call_command('migrate', verbosity=0)\n"
        "from shopkpi.appraisal import audit\n"
        f"for n in range({entries}): audit.record('hr', f'step {{n}}')\n"
    )
    subprocess.run([sys.executable, "-c", script], env=env, check=True, timeout=120)


@pytest.mark.slow
def test_a_home_from_the_command_line(tmp_path: Path) -> None:
    home = tmp_path / "home"
    missing = _run(home, "audit", "verify")
    assert missing.returncode == 2
    assert f"no home directory {home}" in missing.stderr
    assert not home.exists()  # refusing creates nothing

    home.mkdir()
    empty = _run(home, "audit", "verify")
    assert empty.returncode == 2
    assert "no application database" in empty.stderr
    assert not (home / "shopkpi.sqlite3").exists()

    _setup_home(home, 5)
    intact = _run(home, "audit", "verify")
    assert (intact.returncode, intact.stdout) == (0, "audit log intact: 5 entries\n"), intact.stderr

    database = sqlite3.connect(home / "shopkpi.sqlite3")
    with database:
        database.execute("DROP TRIGGER appraisal_auditentry_no_delete")
        database.execute("DELETE FROM appraisal_auditentry WHERE id = 3")  # a gap
    database.close()
    broken = _run(home, "audit", "verify")
    assert broken.returncode == 1
    assert (
        broken.stdout
        == "audit log broken at entry 4: entry 4 does not link to the entry before it (a gap or a reorder)\n"
    )
