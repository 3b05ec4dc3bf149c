"""Hand-overs as a company records them (`shopkpi import accounts`) and what `shopkpi metrics` then
attributes, against hand arithmetic: a shop handed over on the 16th splits the month exactly, and a
hand-over recorded for December leaves November's figures where they were."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from shopkpi.cli.main import cli

pytestmark = pytest.mark.django_db

ROSTER = "工号,姓名,部门,岗位\nE1,艾运营,运营部,运营专员\nE2,包运营,运营部,运营专员\n"
# two shops with uv = the day of the month, every day of November and December
SHOPS = "shop,date,uv\n" + "".join(
    f"{shop},2026-{month:02d}-{day:02d},{day}\n"
    for shop in ("旗舰店", "专营店")
    for month, days in ((11, 30), (12, 31))
    for day in range(1, days + 1)
)


def run(home: Path, *args: str) -> str:
    result = CliRunner().invoke(cli, ["--home", str(home), *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def uv(home: Path, period: str) -> dict[str, str | None]:
    records = json.loads(run(home, "metrics", "--period", period, "--format", "json"))
    return {r["employee"]: r["metrics"]["uv"] for r in records}


def test_hand_overs_split_the_days_and_never_change_a_day_before(tmp_path: Path) -> None:
    home = tmp_path / "home"
    files = {
        "roster": ROSTER,
        "accounts": "工号,账号类型,账号,生效日期\nE1,店铺,旗舰店,2026-11-01\nE1,店铺,专营店,2026-11-01\n",
        "december": "工号,账号类型,账号,生效日期\nE2,店铺,旗舰店,2026-12-01\n",
        "sixteenth": "工号,账号类型,账号,生效日期\nE2,店铺,专营店,2026-11-16\n",
        "shops": SHOPS,
    }
    for name, text in files.items():
        (tmp_path / f"{name}.csv").write_text(text, encoding="utf-8")
    run(home, "import", "employees", str(tmp_path / "roster.csv"))
    run(home, "import", "accounts", str(tmp_path / "accounts.csv"))
    run(home, "import", "shop_daily", str(tmp_path / "shops.csv"))
    # E1 owns both shops all November: 2 × (1 + … + 30) = 2 × 465
    assert uv(home, "2026-11") == {"E1": "930", "E2": None}
    # 旗舰店 to E2 from December: November is E1's as before; December's 1 + … + 31 = 496 is E2's
    run(home, "import", "accounts", str(tmp_path / "december.csv"))
    assert uv(home, "2026-11") == {"E1": "930", "E2": None}
    assert uv(home, "2026-12") == {"E1": "496", "E2": "496"}  # E1 keeps 专营店 in December
    # 专营店 to E2 from the 16th of November: E1 keeps 1 + … + 15 = 120, E2 gets 16 + … + 30 = 345
    preview = run(home, "import", "accounts", str(tmp_path / "sixteenth.csv"), "--dry-run")
    assert "hand-over        shop:专营店: E1 → E2 from 2026-11-16 (E1's ownership ends 2026-11-15)" in preview
    run(home, "import", "accounts", str(tmp_path / "sixteenth.csv"))
    assert uv(home, "2026-11") == {"E1": str(465 + 120), "E2": "345"}
    assert uv(home, "2026-12") == {"E1": None, "E2": str(496 * 2)}
