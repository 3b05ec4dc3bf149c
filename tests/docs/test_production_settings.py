"""The production settings the admin guide documents pass Django's deployment checklist
(`django-admin check --deploy`) with no issue; without them the checklist complains. The settings are read
from the guide's own example, so the guide cannot drift from what passes."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DJANGO_ADMIN = Path(sys.executable).with_name("django-admin")


def _documented_exports(language: str) -> dict[str, str]:
    text = (ROOT / "docs" / language / "admin.md").read_text(encoding="utf-8")
    block = re.search(r"```sh\n(export SHOPKPI_HOME=.*?)```", text, re.S)
    assert block, f"docs/{language}/admin.md has no production example"
    exports = {}
    for line in block.group(1).splitlines():
        if line.startswith("export "):
            name, _, value = shlex.split(line.removeprefix("export "))[0].partition("=")
            exports[name] = value
    return exports


def _check_deploy(settings: dict[str, str], home: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SHOPKPI_", "DJANGO_"))}
    env.update(settings, SHOPKPI_HOME=str(home), DJANGO_SETTINGS_MODULE="shopkpi.config.settings")
    return subprocess.run(
        [str(DJANGO_ADMIN), "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_both_guides_show_the_same_production_settings() -> None:
    assert _documented_exports("en") == _documented_exports("zh")
    assert {"SHOPKPI_SECURE_COOKIES", "SHOPKPI_HSTS_SECONDS", "SHOPKPI_PROXY_SSL_HEADER"} <= set(
        _documented_exports("en")
    )


def test_the_documented_production_settings_pass_check_deploy(tmp_path: Path) -> None:
    settings = _documented_exports("en")
    done = _check_deploy(settings, tmp_path / "home")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout + done.stderr
    # without them, the checklist names what is missing
    bare = _check_deploy({}, tmp_path / "home")
    assert bare.returncode != 0
    for check in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert check in bare.stdout + bare.stderr
