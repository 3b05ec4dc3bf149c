"""Which dataset a file belongs to, from its headers: a plain upload of a 直通车 report is campaigns.

Every profile of every dataset (the shipped ones, the user's and each dataset's `canonical`) is
fitted to the file's first rows, as `profile_match` does for one dataset; the fitting profile with
most recognised headers names the dataset (a platform profile before `canonical` on a tie). A file
that fits the profiles of two datasets equally well (a canonical 目标 file is also a canonical
手工录入数据 file) is refused with both named; so are files of one call that belong to different
datasets. A named profile names its dataset.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from shopkpi.data.datasets import DATASETS
from shopkpi.data.imports.file_rows import head_rows
from shopkpi.data.imports.profile_match import HeaderFit, fit_profile, no_header
from shopkpi.data.imports.profiles import CANONICAL, InvalidProfiles, Profile, all_profiles, canonical_profile
from shopkpi.data.problems import ImportProblem, ImportRefused, ProblemList, UnreadableFile


def every_profile(home: Path | None) -> list[Profile]:
    """The shipped and the user's profiles, and each dataset's `canonical`."""
    return [*all_profiles(home), *(canonical_profile(d) for d in DATASETS.values())]


def recognise_dataset(
    home: Path | None,
    files: Sequence[Path],
    *,
    profile: str | None = None,
    sets: Mapping[str, str] | None = None,
) -> str:
    """The dataset `files` belong to; ImportRefused listing why when it cannot be told."""
    try:
        profiles = every_profile(home)
    except InvalidProfiles as error:
        raise ImportRefused(
            [ImportProblem(e.file, None, e.path or None, e.reason) for e in error.errors]
        ) from None
    problems = ProblemList()
    if profile is not None and profile != CANONICAL:
        named = [p for p in profiles if p.name == profile]
        if named:
            return named[0].dataset
    found: dict[str, str] = {}
    for path in files:
        dataset = _dataset_of(path, profiles, sets or {}, problems)
        if dataset is not None:
            found[path.name] = dataset
    problems.refuse_if_any()
    datasets = sorted(set(found.values()))
    if len(datasets) > 1:
        listed = "; ".join(f"{name}: {DATASETS[d].label_zh} ({d})" for name, d in found.items())
        for name in found:
            problems.add(
                name,
                None,
                None,
                f"the files belong to different datasets ({listed}); import them one dataset at a time",
            )
        problems.refuse_if_any()
    return datasets[0]


def _dataset_of(
    path: Path, profiles: Sequence[Profile], sets: Mapping[str, str], problems: ProblemList
) -> str | None:
    name = path.name
    try:
        head = head_rows(path, max(p.header_search_rows for p in profiles))
    except UnreadableFile as error:
        problems.add(name, error.row, None, error.reason)
        return None
    fits = [fit_profile(p, head, name, sets) for p in profiles]
    fitting = [f for f in fits if f.fits]
    if not fitting:
        headless = no_header(fits, head, name)
        if headless is not None:
            problems.extend([headless])
            return None
        closest = sorted(fits, key=lambda f: -f.score)[:3]
        described = "; ".join(
            f"{f.profile.name} ({f.profile.label_zh}) misses {', '.join(f.missing)}" for f in closest
        )
        problems.add(name, None, None, f"no import profile fits this file; closest: {described}")
        return None
    best = max(_rank(f) for f in fitting)
    datasets = [d for d in DATASETS if any(f.profile.dataset == d and _rank(f) == best for f in fitting)]
    if len(datasets) > 1:
        listed = ", ".join(f"{DATASETS[d].label_zh} ({d})" for d in datasets)
        problems.add(name, None, None, f"the file fits more than one dataset: {listed}; choose its dataset")
        return None
    return datasets[0]


def _rank(fit: HeaderFit) -> tuple[int, bool]:
    """Most recognised headers first; on a tie a platform profile before the generic canonical one."""
    return fit.score, fit.profile.name != CANONICAL
