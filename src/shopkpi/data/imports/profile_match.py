"""Which profile fits a file, where its header row is, and which columns come from elsewhere.

A profile fits when one of the file's first rows (banner rows may come before the header) holds
headers for every required column, except those filled from the file name (千牛's date range),
from a banner row (生意参谋's shop) or from `--set column=value`. Without `--profile` the fitting
profile with most recognised headers wins; a file no profile fits is refused with the closest
profiles and what each misses.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from shopkpi.data.imports.file_rows import Row
from shopkpi.data.imports.profiles import CANONICAL, Profile, RateCheck, normalize_header
from shopkpi.data.problems import ImportProblem


@dataclass(frozen=True)
class HeaderFit:
    profile: Profile
    header_row: int | None  # spreadsheet row number of the header
    width: int  # cells in the header row
    columns: Mapping[str, int]  # canonical column -> cell index
    headers: Mapping[str, str]  # canonical column -> header as the file spells it
    checks: tuple[tuple[RateCheck, int, str], ...]  # (check, cell index, header)
    filled: Mapping[str, str]  # canonical column -> text from the file name, a banner or --set
    filled_from: Mapping[str, str]  # canonical column -> where that text came from
    missing: tuple[str, ...]  # why the profile does not fit (empty when it fits)
    duplicates: tuple[str, ...] = field(default=())  # headers that appear twice
    file_name_matched: bool = False

    @property
    def fits(self) -> bool:
        return not self.missing

    @property
    def score(self) -> int:
        return len(self.columns) + len(self.checks) + (1 if self.file_name_matched else 0)


def fit_profile(
    profile: Profile,
    head: Sequence[Row],
    file_name: str,
    preset: Mapping[str, str],
    keys: Sequence[frozenset[str]] | None = None,
) -> HeaderFit:
    """How `profile` fits the file whose first rows are `head`; `keys`: each row's normalised cells
    (`header_keys`), when the caller fits several profiles to the same rows."""
    index = profile.header_index()
    keys = header_keys(head) if keys is None else keys
    best: tuple[int, int, Sequence[str | None]] | None = None  # (matches, row number, cells)
    for (number, cells), row_keys in zip(head[: profile.header_search_rows], keys, strict=False):
        matches = len({index[k] for k in row_keys if k in index})
        if matches and (best is None or matches > best[0]):
            best = (matches, number, cells)
    columns: dict[str, int] = {}
    headers: dict[str, str] = {}
    ranks: dict[str, int] = {}
    checks: list[tuple[RateCheck, int, str]] = []
    unknown: list[str] = []
    duplicates: list[str] = []
    seen: set[str] = set()
    header_row = best[1] if best else None
    cells = best[2] if best else []
    for i, cell in enumerate(cells):
        if not cell:
            continue
        key = normalize_header(cell)
        if key in seen:
            duplicates.append(cell)
            continue
        seen.add(key)
        target = index.get(key)
        if target is None:
            unknown.append(cell)
        elif target.startswith("check:"):
            checks.append((profile.checks[int(target[6:])], i, cell))
        else:
            rank = profile.alias_rank(target, cell)
            if target not in columns or rank < ranks[target]:
                columns[target], headers[target], ranks[target] = i, cell, rank
    filled: dict[str, str] = {}
    filled_from: dict[str, str] = {}
    file_name_matched = False
    if profile.file_name is not None:
        match = re.search(profile.file_name, file_name)
        if match:
            file_name_matched = True
            for column, value in match.groupdict().items():
                if value is not None and column not in columns:
                    filled[column], filled_from[column] = value, "file name"
    above = [c for number, row in head if header_row is not None and number < header_row for c in row if c]
    for column, pattern in profile.banner.items():
        if column in columns:
            continue
        for text in above:
            found = re.search(pattern, text)
            if found and found.group("value").strip():
                filled[column], filled_from[column] = found.group("value").strip(), "banner"
                break
    for column, value in preset.items():
        if column not in columns:
            filled[column], filled_from[column] = value, "--set"
    missing: list[str] = []
    dataset = profile.target
    for column in dict.fromkeys(dataset.required_columns + profile.requires):
        if column not in columns and column not in filled:
            aliases = " / ".join(profile.columns.get(column, ())) or "no header known"
            missing.append(f"{column} ({aliases})")
    if profile.unknown_columns == "error" and unknown:
        missing.append("unknown columns: " + ", ".join(unknown))
    return HeaderFit(
        profile=profile,
        header_row=header_row,
        width=len(cells),
        columns=columns,
        headers=headers,
        checks=tuple(checks),
        filled=filled,
        filled_from=filled_from,
        missing=tuple(missing),
        duplicates=tuple(duplicates),
        file_name_matched=file_name_matched,
    )


def header_keys(head: Sequence[Row]) -> list[frozenset[str]]:
    """Each row's non-empty cells, normalised as headers are compared (`normalize_header`)."""
    return [frozenset(normalize_header(c) for c in cells if c) for _, cells in head]


def choose_profile(
    profiles: Sequence[Profile],
    head: Sequence[Row],
    file_name: str,
    preset: Mapping[str, str],
    forced: str | None,
) -> HeaderFit | list[ImportProblem]:
    """The fit of the named or best-fitting profile, or the problems that refuse the file."""
    if forced is not None:
        named = [p for p in profiles if p.name == forced]
        if not named:
            known = ", ".join(p.name for p in profiles)
            dataset = profiles[0].dataset if profiles else "?"
            return [
                ImportProblem(file_name, None, None, f"no profile {forced!r} for {dataset}; known: {known}")
            ]
        fit = fit_profile(named[0], head, file_name, preset)
        if fit.fits:
            return fit
        headless = no_header([fit], head, file_name)
        if headless is not None:
            return [headless]
        return [
            ImportProblem(file_name, fit.header_row, None, f"profile {forced}: missing {m}")
            if not m.startswith("unknown")
            else ImportProblem(file_name, fit.header_row, None, f"profile {forced}: {m}")
            for m in fit.missing
        ]
    keys = header_keys(head)  # once for every profile
    fits = [fit_profile(p, head, file_name, preset, keys) for p in profiles]
    fitting = [f for f in fits if f.fits]
    if fitting:
        # most recognised headers; on a tie a platform profile before the generic canonical one
        return max(fitting, key=lambda f: (f.score, f.profile.name != CANONICAL))
    headless = no_header(fits, head, file_name)
    if headless is not None:
        return [headless]
    closest = sorted(fits, key=lambda f: -f.score)[:3]
    described = "; ".join(
        f"{f.profile.name} ({f.profile.label_zh}) misses {', '.join(f.missing)}" for f in closest
    )
    return [ImportProblem(file_name, None, None, f"no import profile fits this file; closest: {described}")]


# a cell that is a value, not a column's name: a number, an amount, a percentage, a date or a time
_VALUE_CELL = re.compile(r"^[\s\d.,:/%¥￥+\-年月日时分秒元]+$")


def no_header(fits: Sequence[HeaderFit], head: Sequence[Row], file_name: str) -> ImportProblem | None:
    """The problem of a file whose first row is data, not a header: none of the profiles knows any
    of its first rows' cells, and the first row holds values (numbers, dates). None otherwise (a
    header no profile knows is refused with the closest profiles instead)."""
    if any(f.header_row is not None for f in fits):
        return None
    first = next(((n, cells) for n, cells in head if any(cells)), None)
    if first is None or not any(c and _VALUE_CELL.match(c.strip()) for c in first[1]):
        return None
    number, _ = first
    datasets = {f.profile.target.name: f.profile.target for f in fits}
    if len(datasets) == 1:
        [dataset] = datasets.values()
        names = "、".join(dataset.column(c).label_zh for c in dataset.required_columns)
        return ImportProblem(
            file_name,
            number,
            None,
            f"row {number} is not a header: the first row must name the columns (e.g. {names})",
        )
    return ImportProblem(
        file_name, number, None, f"row {number} is not a header: the first row must name the columns"
    )
