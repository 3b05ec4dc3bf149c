"""`shopkpi serve` answers over real HTTP: the login page and the npm front-end packages."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

SHOPKPI = Path(sys.executable).with_name("shopkpi")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _get(url: str) -> tuple[int, str, bytes]:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status, response.headers.get("Server", ""), response.read()


def test_serve_answers_the_login_page_and_static_files(tmp_path: Path) -> None:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "SHOPKPI_DATABASE_URL")}
    server = subprocess.Popen(
        [str(SHOPKPI), "--home", str(tmp_path / "home"), "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, server_name, body = _get(f"http://127.0.0.1:{port}/login/")
                break
            except OSError:
                assert server.poll() is None, server.stdout.read().decode() if server.stdout else ""
                assert time.monotonic() < deadline, "the server did not answer within 60 s"
                time.sleep(0.3)
        assert status == 200
        assert "waitress" in server_name  # not Django's development server
        assert '<label for="id_username">用户名</label>' in body.decode()
        status, _, script = _get(f"http://127.0.0.1:{port}/static/vendor/htmx/htmx.min.js")
        assert status == 200 and b"htmx" in script
        assert (tmp_path / "home" / "shopkpi.sqlite3").is_file()  # the embedded default, migrated on start
    finally:
        server.terminate()
        server.wait(timeout=10)
