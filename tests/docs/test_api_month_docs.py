"""Every endpoint of the company's months (web/api/month.py) is documented for admins in both languages
and named in the README."""

from __future__ import annotations

from pathlib import Path

from shopkpi.web.api import api

ROOT = Path(__file__).resolve().parents[2]
MONTH_TAG = "month"


def _endpoints() -> list[str]:
    paths = api.get_openapi_schema()["paths"]
    return sorted(
        f"{method.upper()} {path}"
        for path, operations in paths.items()
        for method, operation in operations.items()
        if MONTH_TAG in operation.get("tags", ())
    )


def test_the_month_endpoints_are_found() -> None:
    assert _endpoints() == [
        "GET /api/cycles",
        "GET /api/cycles/{period}/paysheet",
        "POST /api/cycles",
        "POST /api/imports",
    ]


def test_every_month_endpoint_is_documented() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for endpoint in _endpoints():
        assert f"`{endpoint}" in readme, endpoint
        for language in ("en", "zh"):
            text = (ROOT / "docs" / language / "admin.md").read_text(encoding="utf-8")
            assert f"`{endpoint}" in text, (language, endpoint)
