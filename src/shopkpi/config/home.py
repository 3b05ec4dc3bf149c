"""Where the embedded default keeps its files: the `--home` directory (SHOPKPI_HOME)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

DEFAULT_HOME = Path("~/.shopkpi")


def home_dir() -> Path:
    return Path(os.environ.get("SHOPKPI_HOME") or DEFAULT_HOME).expanduser().resolve()


def secret_key(home: Path) -> str:
    """SHOPKPI_SECRET_KEY, or a random key kept in the home directory (created once, private)."""
    configured = os.environ.get("SHOPKPI_SECRET_KEY")
    if configured:
        return configured
    path = home / "secret_key"
    if path.exists():
        return path.read_text(encoding="ascii").strip()
    home.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key)
    return key
