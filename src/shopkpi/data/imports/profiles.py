"""Import profiles: how a real export's headers, words and summary rows map onto a canonical dataset.

Profiles are YAML data files: the shipped ones in `shopkpi/data/profiles/*.yaml`, a user's in
`<home>/profiles/*.yaml` (a user profile with a shipped profile's name replaces it), validated
by the same pydantic model. Every dataset also has the generated profile `canonical`: the
dataset's own column names (or their Chinese labels) as headers, no unknown columns allowed.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from shopkpi.data.datasets import DATASETS, ORDER_STATUSES, Dataset

CANONICAL = "canonical"

_STRICT = ConfigDict(extra="forbid", frozen=True)


@functools.lru_cache(maxsize=1 << 16)  # the same aliases and headers for every file of a call
def normalize_header(text: str) -> str:
    """Headers are compared after NFKC (full-width `（` = `(`), without white space, lower-cased."""
    return "".join(unicodedata.normalize("NFKC", text).split()).lower()


class SkipRows(BaseModel):
    """Rows that are not data, such as 千牛's summary rows (汇总值, 平均值 ...) under the agents."""

    model_config = _STRICT
    column: str
    values: tuple[str, ...] = ()
    prefixes: tuple[str, ...] = ()


class RateCheck(BaseModel):
    """A rate the export prints beside its counts; each row's rate must equal numerator/denominator."""

    model_config = _STRICT
    headers: tuple[str, ...] = Field(min_length=1)
    numerator: str
    denominator: str


class Profile(BaseModel):
    model_config = _STRICT

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    label_zh: str = Field(min_length=1)
    dataset: str
    description: str = ""
    columns: dict[str, tuple[str, ...]]
    requires: tuple[str, ...] = ()
    file_name: str | None = None
    banner: dict[str, str] = {}
    values: dict[str, dict[str, str]] = {}
    skip_rows: tuple[SkipRows, ...] = ()
    checks: tuple[RateCheck, ...] = ()
    unknown_columns: Literal["ignore", "error"] = "ignore"
    header_search_rows: int = Field(default=30, ge=1, le=200)

    @field_validator("dataset")
    @classmethod
    def _known_dataset(cls, value: str) -> str:
        if value not in DATASETS:
            raise ValueError(f"unknown dataset {value!r}; known: {', '.join(DATASETS)}")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Profile:
        ds = DATASETS[self.dataset]
        names = set(ds.column_names)
        errors: list[str] = []

        def need(column: str, where: str) -> None:
            if column not in names:
                errors.append(
                    f"{where}: {column!r} is not a column of {ds.name} ({', '.join(ds.column_names)})"
                )

        seen: dict[str, str] = {}
        for column, aliases in self.columns.items():
            need(column, "columns")
            if not aliases:
                errors.append(f"columns.{column}: give at least one header")
            for alias in aliases:
                key = normalize_header(alias)
                if not key:
                    errors.append(f"columns.{column}: empty header")
                elif key in seen and seen[key] != column:
                    errors.append(f"columns.{column}: header {alias!r} is also a header of {seen[key]}")
                seen[key] = column
        for column in self.requires:
            need(column, "requires")
        if self.file_name is not None:
            try:
                for group in re.compile(self.file_name).groupindex:
                    need(group, "file_name")
            except re.error as error:
                errors.append(f"file_name: not a regular expression: {error}")
        for column, pattern in self.banner.items():
            need(column, "banner")
            try:
                if "value" not in re.compile(pattern).groupindex:
                    errors.append(f"banner.{column}: the pattern needs a group (?P<value>...)")
            except re.error as error:
                errors.append(f"banner.{column}: not a regular expression: {error}")
        for column in self.values:
            need(column, "values")
        for skip in self.skip_rows:
            if skip.column not in self.columns:
                errors.append(f"skip_rows: {skip.column!r} is not one of the profile's columns")
        for check in self.checks:
            for column in (check.numerator, check.denominator):
                if column not in self.columns:
                    errors.append(f"checks: {column!r} is not one of the profile's columns")
        if errors:
            raise ValueError("; ".join(errors))
        return self

    @property
    def target(self) -> Dataset:
        return DATASETS[self.dataset]

    def header_index(self) -> dict[str, str]:
        """Normalised header -> canonical column (also the rate-check headers -> `check:<i>`)."""
        index: dict[str, str] = {}
        for column, aliases in self.columns.items():
            for alias in aliases:
                index.setdefault(normalize_header(alias), column)
        for i, check in enumerate(self.checks):
            for alias in check.headers:
                index.setdefault(normalize_header(alias), f"check:{i}")
        return index

    def alias_rank(self, column: str, header: str) -> int:
        """Position of `header` among `column`'s aliases: the earlier alias wins when a file has both."""
        aliases = [normalize_header(a) for a in self.columns.get(column, ())]
        key = normalize_header(header)
        return aliases.index(key) if key in aliases else len(aliases)


# Words the canonical profiles accept besides the canonical ones.
_STATUS_WORDS = {
    "待付款": "created",
    "等待买家付款": "created",
    "已下单": "created",
    "已付款": "paid",
    "买家已付款": "paid",
    "等待卖家发货": "paid",
    "已发货": "shipped",
    "卖家已发货": "shipped",
    "等待买家确认收货": "shipped",
    "已签收": "delivered",
    "交易成功": "delivered",
    "已完成": "delivered",
    "已取消": "cancelled",
    "交易关闭": "cancelled",
    "已退款": "refunded",
    "退款成功": "refunded",
}
_FLAG_WORDS = {
    "是": "1",
    "否": "0",
    "通过": "1",
    "不通过": "0",
    "true": "1",
    "false": "0",
    "yes": "1",
    "no": "0",
    "y": "1",
    "n": "0",
}
_CANONICAL_VALUES: Mapping[str, Mapping[str, dict[str, str]]] = {
    "orders": {"status": {**_STATUS_WORDS, **{s: s for s in ORDER_STATUSES}}, "returned": _FLAG_WORDS},
    "traffic_events": {"behavior": {"浏览": "pv", "加购": "cart", "收藏": "fav", "购买": "buy"}},
    "ratings": {"rater": {"上级": "supervisor", "自评": "self"}},
    "tasks": {"passed": _FLAG_WORDS},
}


def canonical_profile(dataset: Dataset) -> Profile:
    return Profile(
        name=CANONICAL,
        label_zh=f"标准格式（{dataset.label_zh}）",
        dataset=dataset.name,
        description=f"Plain CSV/XLSX with the canonical column names of {dataset.name} (or their Chinese labels).",
        columns={c.name: (c.name, c.label_zh) for c in dataset.columns},
        values={k: dict(v) for k, v in _CANONICAL_VALUES.get(dataset.name, {}).items()},
        unknown_columns="error",
    )


@dataclass(frozen=True)
class ProfileError:
    """A problem of a profile file: where (file and YAML path) and why."""

    file: str
    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}: {self.path}: {self.reason}" if self.path else f"{self.file}: {self.reason}"


class InvalidProfiles(Exception):
    def __init__(self, errors: Iterable[ProfileError]) -> None:
        self.errors = tuple(errors)
        super().__init__("invalid import profile(s):\n" + "\n".join(f"  {e}" for e in self.errors))


def _yaml() -> YAML:
    return YAML(typ="safe", pure=True)


def parse_profile(text: str, source: str) -> Profile:
    """One profile from YAML text; InvalidProfiles lists every problem with its YAML path."""
    try:
        data = _yaml().load(text)
    except YAMLError as error:
        raise InvalidProfiles([ProfileError(source, "", f"not valid YAML: {error}")]) from None
    if not isinstance(data, dict):
        raise InvalidProfiles([ProfileError(source, "", "a profile is a YAML mapping")])
    try:
        return Profile.model_validate(data)
    except ValidationError as error:
        raise InvalidProfiles(
            ProfileError(source, ".".join(str(p) for p in e["loc"]), e["msg"]) for e in error.errors()
        ) from None


def shipped_profiles() -> list[Profile]:
    return list(_shipped())


@functools.cache
def _shipped() -> tuple[Profile, ...]:
    """The package's profiles, parsed once per process (they are immutable package data)."""
    folder = resources.files("shopkpi.data") / "profiles"
    found = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yaml"):
            found.append(
                parse_profile(entry.read_text(encoding="utf-8"), f"shopkpi/data/profiles/{entry.name}")
            )
    return tuple(found)


def user_profiles(home: Path) -> list[Profile]:
    folder = home / "profiles"
    if not folder.is_dir():
        return []
    found: list[Profile] = []
    errors: list[ProfileError] = []
    for path in sorted(folder.glob("*.yaml")):
        try:
            found.append(parse_profile(path.read_text(encoding="utf-8"), str(path)))
        except InvalidProfiles as error:
            errors.extend(error.errors)
        except (OSError, UnicodeDecodeError) as error:
            errors.append(ProfileError(str(path), "", f"cannot read: {error}"))
    if errors:
        raise InvalidProfiles(errors)
    return found


def profiles_for(dataset: str, home: Path | None) -> list[Profile]:
    """The profiles that import into `dataset`: shipped, then the user's, then `canonical`."""
    by_name: dict[str, Profile] = {}
    for profile in shipped_profiles() + (user_profiles(home) if home is not None else []):
        if profile.name == CANONICAL:
            raise InvalidProfiles([ProfileError(profile.name, "name", "'canonical' is reserved")])
        by_name[profile.name] = profile
    selected = [p for p in by_name.values() if p.dataset == dataset]
    selected.append(canonical_profile(DATASETS[dataset]))
    return selected


def all_profiles(home: Path | None = None) -> list[Profile]:
    """Every shipped and user profile (without the generated `canonical` ones)."""
    by_name = {p.name: p for p in shipped_profiles() + (user_profiles(home) if home is not None else [])}
    return list(by_name.values())
