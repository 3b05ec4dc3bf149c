"""One setting, SHOPKPI_TIME_ZONE, is the company's time zone for every time shown or stored for people:
Django's TIME_ZONE, the default of `shopkpi import --timezone` (a Unix time or a time with an offset in
a file lands on the company's clock), the import's batch time, and the audit log's moments."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from pathlib import Path

import pytest
from click.testing import CliRunner
from django.utils import timezone

from shopkpi.appraisal.reviews.review_steps import _when
from shopkpi.cli.main import cli
from shopkpi.data.warehouse.catalogue import Warehouse

pytestmark = pytest.mark.django_db

# 1790814600 is 2026-10-01 00:30:00 UTC
EVENTS = "user,ts,behavior,shop\nu1,1790814600,pv,旗舰店\nu2,2026-10-01T00:30:00+00:00,pv,旗舰店\n"


def _imported(tmp_path: Path, env: dict[str, str]) -> tuple[list[dt.datetime], dt.datetime]:
    home = tmp_path / f"home-{len(env)}"
    path = tmp_path / "traffic.csv"
    path.write_text(EVENTS, encoding="utf-8")
    result = CliRunner(env=env).invoke(
        cli, ["--home", str(home), "import", "traffic_events", str(path), "--accept-warnings"]
    )
    assert result.exit_code == 0, result.output
    connection = Warehouse(home).connect()
    times = [row[0] for row in connection.execute("SELECT ts FROM traffic_events ORDER BY user").fetchall()]
    (imported_at,) = connection.execute("SELECT imported_at FROM batches").fetchone() or (None,)
    return times, imported_at


def test_the_import_reads_times_on_the_company_clock(tmp_path: Path) -> None:
    times, _ = _imported(tmp_path, {})
    # the default company: Asia/Shanghai, UTC+8
    assert times == [dt.datetime(2026, 10, 1, 8, 30)] * 2
    times, imported_at = _imported(tmp_path, {"SHOPKPI_TIME_ZONE": "Pacific/Kiritimati"})  # UTC+14
    assert times == [dt.datetime(2026, 10, 1, 14, 30)] * 2
    # the batch's time is the company's wall clock too, whatever the server's own zone
    company_now = dt.datetime.now(zoneinfo.ZoneInfo("Pacific/Kiritimati")).replace(tzinfo=None)
    assert abs(company_now - imported_at) < dt.timedelta(minutes=5)


def test_the_audit_log_keeps_moments_on_the_company_clock(settings) -> None:  # type: ignore[no-untyped-def]
    settings.TIME_ZONE = "Asia/Shanghai"
    moment = dt.datetime(2026, 10, 31, 16, 30, tzinfo=dt.UTC)
    with timezone.override("Asia/Shanghai"):
        assert _when(moment) == "2026-11-01T00:30:00+08:00"  # the evening in UTC is the next morning here
    assert _when(dt.date(2026, 11, 1)) == "2026-11-01"
