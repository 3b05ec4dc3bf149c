"""Where the embedded default keeps its files: the `--home` directory (SHOPKPI_HOME)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

DEFAULT_HOME = Path("~/.shopkpi")


def home_dir() -> Path:
    return Path(os.environ.get("SHOPKPI_HOME") or DEFAULT_HOME).expanduser().resolve()


def secret_key(home: Path) -> str:
    """SHOPKPI_SECRET_KEY; else the key kept in the home directory (`secret_key`, private).

    The embedded default makes that file once. With SHOPKPI_DATABASE_URL the application database can
    be shared by several servers and workers, which must all sign sessions, password links and queued
    jobs with one key: a home without the file is not given a key of its own there, the setting is
    required (a home that has one, made before or restored from a backup, keeps it)."""
    configured = os.environ.get("SHOPKPI_SECRET_KEY", "").strip()
    if configured:
        return configured
    path = home / "secret_key"
    if path.exists():
        return path.read_text(encoding="ascii").strip()
    if os.environ.get("SHOPKPI_DATABASE_URL"):
        raise ValueError(
            "SHOPKPI_SECRET_KEY: required with SHOPKPI_DATABASE_URL (every server and worker of that "
            "database signs with it); make one with "
            "`python3 -c 'import secrets; print(secrets.token_urlsafe(50))'` and give each the same"
        )
    home.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key)
    return key
