"""`shopkpi serve` answers over real HTTP with a process per worker: the login page (not cached) and the npm
front-end packages."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from email.message import Message
from pathlib import Path

import psutil

SHOPKPI = Path(sys.executable).with_name("shopkpi")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _get(url: str) -> tuple[int, Message, bytes]:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status, response.headers, response.read()


def test_serve_answers_the_login_page_and_static_files(tmp_path: Path) -> None:
    port = _free_port()
    socket_path = tmp_path / "home" / "run" / "commands.sock"
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "SHOPKPI_DATABASE_URL")}
    server = subprocess.Popen(
        [str(SHOPKPI), "--home", str(tmp_path / "home"), "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, headers, body = _get(f"http://127.0.0.1:{port}/login/")
                break
            except OSError:
                assert server.poll() is None, server.stdout.read().decode() if server.stdout else ""
                assert time.monotonic() < deadline, "the server did not answer within 60 s"
                time.sleep(0.3)
        assert status == 200
        assert headers["Server"] == "gunicorn"  # not Django's development server
        assert "no-store" in headers["Cache-Control"]
        # the master and two worker processes, each serving the application, the job worker and the ready process
        children = psutil.Process(server.pid).children()
        workers = [c for c in children if c.cmdline()[1:] == psutil.Process(server.pid).cmdline()[1:]]
        assert len(workers) == 2
        helpers = [c.cmdline()[-3:] for c in children if c not in workers]
        assert len(helpers) == 2 and ["worker", "--processes", "1"] in helpers
        assert [str(tmp_path / "home"), "ready"] in [h[-2:] for h in helpers]
        while not socket_path.exists():  # the ready process takes calls once it has loaded what they need
            assert time.monotonic() < deadline + 60, "the ready process did not start"
            time.sleep(0.3)
        assert '<label for="id_username">用户名</label>' in body.decode()
        status, headers, script = _get(f"http://127.0.0.1:{port}/static/vendor/htmx/htmx.min.js")
        assert status == 200 and b"htmx" in script
        assert "no-store" not in headers.get("Cache-Control", "")  # static files stay cacheable
        assert (tmp_path / "home" / "shopkpi.sqlite3").is_file()  # the embedded default, migrated on start
    finally:
        server.terminate()
        server.wait(timeout=60)  # the job worker and the ready process stop too
    assert not socket_path.exists()


def _shopkpi(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "SHOPKPI_DATABASE_URL")}
    return subprocess.run(
        [str(SHOPKPI), "--home", str(home), *args], env=env, capture_output=True, text=True, timeout=120
    )


def test_an_older_database_is_upgraded_by_shopkpi_migrate_not_by_serve(tmp_path: Path) -> None:
    home = tmp_path / "home"
    created = _shopkpi(home, "migrate")  # a home without a database: created
    assert created.returncode == 0, created.stderr
    assert "migrations applied" in created.stdout
    assert _shopkpi(home, "migrate").stdout == "the application database is up to date\n"
    # as if this version added the job queue's tables to an existing database
    env = {k: v for k, v in os.environ.items() if k != "SHOPKPI_DATABASE_URL"}
    env.update(DJANGO_SETTINGS_MODULE="shopkpi.config.settings", SHOPKPI_HOME=str(home))
    subprocess.run(
        [str(SHOPKPI.with_name("django-admin")), "migrate", "django_q", "zero", "-v", "0"],
        env=env,
        check=True,
    )
    for command in (("serve", "--port", "1"), ("worker",), ("import", "shop_daily", "nothing.csv")):
        refused = _shopkpi(home, *command)
        assert refused.returncode == 1, refused.stdout + refused.stderr
        assert "the application database is of an older version" in refused.stderr
        assert "run `shopkpi migrate`" in refused.stderr
    upgraded = _shopkpi(home, "migrate")
    assert upgraded.returncode == 0
    assert upgraded.stdout.startswith("19 migrations applied: django_q.0001_initial, ")
