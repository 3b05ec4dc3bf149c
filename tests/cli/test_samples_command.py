"""`shopkpi samples`: every built-in template scored on its bundled sample values.

Each sample has 4 employees; the one row with an empty cell is the designed `incomplete`
one, every other row must score. The shared history makes consequence rules fire.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from shopkpi.cli.main import cli
from shopkpi.cli.samples_command import HISTORY_FILE, monthly_builtin_paths, sample_path
from shopkpi.scorecard import Template, builtin_template_paths, load_template_file

BUILTIN = monthly_builtin_paths()


def test_the_samples_cover_every_monthly_builtin_and_only_those() -> None:
    periods = {path.stem: load_template_file(path).period for path in builtin_template_paths()}
    assert sorted(p.stem for p in BUILTIN) == sorted(t for t, period in periods.items() if period == "month")
    assert {"quarter-card", "year-card"} <= {t for t, period in periods.items() if period != "month"}


def _sample_rows(template_id: str) -> tuple[list[str], list[dict[str, str]]]:
    with sample_path(template_id).open(encoding="utf-8-sig", newline="") as file:
        reader = csv.DictReader(file)
        return list(reader.fieldnames or []), list(reader)


def _required_columns(template: Template) -> set[str]:
    columns = set(template.variables)
    for item in template.items:
        if item.is_rated:
            columns.add(f"rating.{item.key}")
            if template.self_weight:  # a counted self-review needs the employee's own rating
                columns.add(f"self.{item.key}")
    return columns


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    home = tmp_path_factory.mktemp("home")
    result = CliRunner().invoke(cli, ["--home", str(home), "samples"])
    assert result.exit_code == 0, result.output
    return home, result.output


def _results(home: Path, template_id: str) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = json.loads((home / "samples" / f"{template_id}.json").read_text("utf-8"))
    return data


def test_demo_writes_one_json_file_per_builtin_template(demo: tuple[Path, str]) -> None:
    home, output = demo
    written = sorted(path.stem for path in (home / "samples").glob("*.json"))
    assert written == sorted(path.stem for path in BUILTIN)
    employees = sum(len(_sample_rows(path.stem)[1]) for path in BUILTIN)
    assert (
        f"scored {employees} employees on {len(BUILTIN)} built-in templates; results in {home / 'samples'}"
        in output
    )


@pytest.mark.parametrize("path", BUILTIN, ids=lambda path: path.stem)
def test_every_sample_row_is_scored(demo: tuple[Path, str], path: Path) -> None:
    home, _ = demo
    _, rows = _sample_rows(path.stem)
    results = _results(home, path.stem)
    assert [r["employee"] for r in results] == [row["employee"] for row in rows]
    designed_incomplete = [row["employee"] for row in rows if any(not cell.strip() for cell in row.values())]
    assert len(designed_incomplete) == 1, "one row with an empty cell shows `incomplete` in the demo"
    for result in results:
        if result["employee"] in designed_incomplete:
            assert result["status"] == "incomplete"
            assert result["missing"] and result["score"] is None
        else:
            assert result["status"] == "ok", result
            assert result["score"] is not None and result["missing"] == []


def test_the_history_makes_consequence_rules_fire(demo: tuple[Path, str]) -> None:
    home, _ = demo
    actions = {action for path in BUILTIN for r in _results(home, path.stem) for action in r["actions"]}
    assert actions, "history.csv should make at least one consequence rule fire"


@pytest.mark.parametrize("path", BUILTIN, ids=lambda path: path.stem)
def test_every_builtin_template_has_a_sample_covering_its_variables(path: Path) -> None:
    template = load_template_file(path)
    assert sample_path(path.stem).is_file(), f"add {sample_path(path.stem)} for the demo"
    header, rows = _sample_rows(path.stem)
    assert header[0] == "employee"
    assert _required_columns(template) <= set(header)
    assert len(rows) == 4


def test_sample_employees_are_unique_and_the_history_names_only_them() -> None:
    employees = [row["employee"] for path in BUILTIN for row in _sample_rows(path.stem)[1]]
    assert len(employees) == len(set(employees)), "one shared history: an employee holds one position"
    with HISTORY_FILE.open(encoding="utf-8", newline="") as file:
        history = {row["employee"] for row in csv.DictReader(file)}
    assert history <= set(employees)
