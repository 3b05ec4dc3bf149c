"""The demo's month in progress has one card HR must complete by hand: the first 推广专员's plan
figures (entered each month in 手工录入数据, since no export gives them per person) are not in yet.
Their rows are taken out of the month's inputs sheet before it is imported, and their review is left
at HR, where HR supplies the values (overrides with a reason)."""

from __future__ import annotations

import csv
from pathlib import Path

from shopkpi.synth.manifest import SynthManifest

POSITION = "推广专员"
ENCODING = "utf-8-sig"  # the synthetic inputs sheet's encoding (synth.generate)


def hold_back_inputs(manifest: SynthManifest, period: str) -> str | None:
    """Remove from `period`'s inputs sheet the rows of the first 推广专员 (by code) who has any;
    returns their code, or None when no 推广专员 has inputs that month."""
    (employees,) = manifest.files_of("employees")
    with (manifest.home / employees.path).open(encoding=ENCODING, newline="") as f:
        candidates = sorted(row["employee"] for row in csv.DictReader(f) if row["position"] == POSITION)
    for entry in manifest.files_of("inputs", period):
        path = manifest.home / entry.path
        with path.open(encoding=ENCODING, newline="") as f:
            header, *rows = list(csv.reader(f))
        present = {row[0] for row in rows if row}
        chosen = next((code for code in candidates if code in present), None)
        if chosen is not None:
            _write(path, header, [row for row in rows if row and row[0] != chosen])
            return chosen
    return None


def _write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", encoding=ENCODING, newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
