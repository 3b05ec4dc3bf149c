"""The fronts on PostgreSQL: after `shopkpi warehouse publish --to postgresql://…`, `shopkpi metrics`
with SHOPKPI_METRICS_ENGINE naming that database prints exactly what it prints on DuckDB, for every
month, and the month's values the web cycle reads (`month_values.metric_values`) are the same, source
texts included."""

from __future__ import annotations

import json
from pathlib import Path

import psycopg
import pytest
from click.testing import CliRunner

from shopkpi.appraisal.periods.month_values import metric_values
from shopkpi.cli.main import cli

pytestmark = pytest.mark.django_db

ROSTER = "工号,姓名,部门,岗位,上级工号\nM1,马经理,运营部,运营经理,\nE1,艾运营,运营部,运营专员,M1\nE2,包运营,运营部,运营专员,M1\n"
ACCOUNTS = (
    "工号,账号类型,账号,生效日期\nE1,店铺,旗舰店,2026-10-01\nE1,店铺,专营店,2026-10-01\n"
    "E2,店铺,专营店,2026-11-16\n"
)
# two shops and one no one owns, every day of October and November; gmv with cents, uv the day
SHOPS = "shop,date,uv,gmv\n" + "".join(
    f"{shop},2026-{month:02d}-{day:02d},{day},{day * 101.5:.2f}\n"
    for shop in ("旗舰店", "专营店", "无主店")
    for month, days in ((10, 31), (11, 30))
    for day in range(1, days + 1)
)
PERIODS = ("2026-10", "2026-11", "2026-Q4")


def run(home: Path, *args: str) -> tuple[str, str]:
    result = CliRunner().invoke(cli, ["--home", str(home), *args])
    assert result.exit_code == 0, result.output
    return result.stdout, result.stderr


def test_metrics_and_the_month_values_on_postgresql_are_duckdbs(
    tmp_path: Path, postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    for name, text in (("roster", ROSTER), ("accounts", ACCOUNTS), ("shops", SHOPS)):
        (tmp_path / f"{name}.csv").write_text(text, encoding="utf-8")
    run(home, "import", "employees", str(tmp_path / "roster.csv"))
    run(home, "import", "accounts", str(tmp_path / "accounts.csv"))
    run(home, "import", "shop_daily", str(tmp_path / "shops.csv"), "--accept-warnings")
    monkeypatch.delenv("SHOPKPI_METRICS_ENGINE", raising=False)
    on_duckdb = {p: run(home, "metrics", "--period", p, "--format", "json") for p in PERIODS}
    values = {p: metric_values(home, p, ["M1", "E1", "E2"]) for p in PERIODS}
    # E1 has both shops in October: uv 2 × (1 + … + 31) = 992; 无主店 is no one's
    october = {r["employee"]: r["metrics"] for r in json.loads(on_duckdb["2026-10"][0])}
    assert october["E1"]["uv"] == "992" and october["E2"]["uv"] is None
    assert "无主店" in on_duckdb["2026-10"][1]

    published, _ = run(home, "warehouse", "publish", "--to", postgres_url)
    assert "shop_daily: 183 rows, 1 batches" in published  # 3 shops × 61 days
    monkeypatch.setenv("SHOPKPI_METRICS_ENGINE", postgres_url)
    for period in PERIODS:
        assert run(home, "metrics", "--period", period, "--format", "json") == on_duckdb[period]
        assert metric_values(home, period, ["M1", "E1", "E2"]) == values[period]
    # it was PostgreSQL that answered: without its table the command says so
    with psycopg.connect(postgres_url, autocommit=True) as connection:
        connection.execute("DROP TABLE shop_daily")
    result = CliRunner().invoke(cli, ["--home", str(home), "metrics", "--period", "2026-10"])
    assert result.exit_code == 1 and 'relation "shop_daily" does not exist' in result.output
