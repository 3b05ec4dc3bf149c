"""Every setting the code reads from the environment is documented for admins, in English and Chinese."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _settings_in_code() -> set[str]:
    found: set[str] = set()
    for path in (ROOT / "src" / "shopkpi").rglob("*.py"):
        found |= set(re.findall(r"""["'](SHOPKPI_[A-Z_]+)["']""", path.read_text(encoding="utf-8")))
    return found


def test_the_code_reads_settings() -> None:
    assert {"SHOPKPI_HOME", "SHOPKPI_DATABASE_URL", "SHOPKPI_SECRET_KEY"} <= _settings_in_code()


def test_every_setting_is_documented_in_both_languages() -> None:
    for language in ("en", "zh"):
        text = (ROOT / "docs" / language / "admin.md").read_text(encoding="utf-8")
        undocumented = sorted(name for name in _settings_in_code() if f"`{name}`" not in text)
        assert not undocumented, f"docs/{language}/admin.md does not document {undocumented}"


def test_the_per_dataset_upload_limit_is_documented_in_both_languages() -> None:
    # read by its prefix (shopkpi.config.upload_limits), so the scan above cannot see it
    for language in ("en", "zh"):
        text = (ROOT / "docs" / language / "admin.md").read_text(encoding="utf-8")
        assert "`SHOPKPI_UPLOAD_MAX_MB_<DATASET>`" in text
