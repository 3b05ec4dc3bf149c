"""`shopkpi synth`, then `shopkpi import` of every file it wrote, then `shopkpi run` of each month: the
synthetic company's cards are complete for every position, except the one incomplete by design (a
客服专员 who joins on the 28th of the last month and has no 旺旺 account, targets or ratings yet)."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest
from click.testing import CliRunner

from shopkpi.cli.main import cli
from shopkpi.data.importer import import_files
from shopkpi.data.synth.company import POSITIONS

EMPLOYEES, MONTHS, SEED = 60, 2, 8
FIRST = ("employees", "accounts")  # who owns what first, then the facts


@pytest.fixture(scope="module")
def closed(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[dict[str, Any], dict[str, list[dict[str, Any]]]]:
    """(manifest.json, period -> the close's cards)."""
    home = tmp_path_factory.mktemp("synth-close")
    runner = CliRunner()
    args = ["synth", "--employees", str(EMPLOYEES), "--months", str(MONTHS), "--seed", str(SEED)]
    # a small clickstream keeps the test quick; the events per day change no other file
    made = runner.invoke(cli, ["--home", str(home), *args, "--events-per-day", "300"])
    assert made.exit_code == 0, made.output
    manifest = json.loads((home / "synth" / "manifest.json").read_text(encoding="utf-8"))
    datasets = sorted(
        {f["dataset"] for f in manifest["files"]},
        key=lambda d: (d not in FIRST, FIRST.index(d) if d in FIRST else 0, d),
    )
    for dataset in datasets:
        import_files(home, dataset, [home / f["path"] for f in manifest["files"] if f["dataset"] == dataset])
    (home / "positions.yaml").write_text((home / "synth" / "positions.yaml").read_text("utf-8"), "utf-8")
    cards: dict[str, list[dict[str, Any]]] = {}
    for period in manifest["months"]:
        result = runner.invoke(cli, ["--home", str(home), "run", "--period", period])
        assert result.exit_code == 0, result.output
        cards[period] = json.loads(result.stdout)
    return manifest, cards


def test_every_card_is_complete_but_the_new_hire_s(
    closed: tuple[dict[str, Any], dict[str, list[dict[str, Any]]]],
) -> None:
    manifest, cards = closed
    hire = manifest["new_hire"]
    assert hire["day"] == "2026-06-28"
    may, june = cards["2026-05"], cards["2026-06"]
    # the new hire is not on the May close (they joined in June); everyone else is on both
    assert len(may) == EMPLOYEES - 1 and len(june) == EMPLOYEES
    assert hire["employee"] not in {c["employee"] for c in may}
    incomplete = {
        (period, c["employee"], c["position"]): c["missing"]
        for period, closed_cards in cards.items()
        for c in closed_cards
        if c["status"] != "ok"
    }
    assert list(incomplete) == [("2026-06", hire["employee"], "客服专员")], incomplete
    # nothing of theirs yet: no 旺旺 data, no targets, no ratings
    missing = set(incomplete[("2026-06", hire["employee"], "客服专员")])
    assert {"inquiry_conversion", "reply_rate", "attainment", "execution"} <= missing


def test_every_position_is_on_the_close_with_a_score(
    closed: tuple[dict[str, Any], dict[str, list[dict[str, Any]]]],
) -> None:
    _, cards = closed
    for period, closed_cards in cards.items():
        scored = Counter(c["position"] for c in closed_cards if c["score"] is not None)
        assert set(scored) == set(POSITIONS), period
