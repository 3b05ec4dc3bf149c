"""A backup's manifest (`manifest.json`): what was taken, when, of which company, every file with its
size and SHA-256, and the rows counted in the snapshot; `verify` checks a backup folder against it."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

NAME = "manifest.json"
DATABASE = "shopkpi.sqlite3"  # the SQLite application database's name in a home, and in a backup
WAREHOUSE = "warehouse"
FORMAT = 1  # the manifest's own layout; a later shopkpi reads older formats, refuses newer ones


class BackupError(Exception):
    """A backup or restore refused or failed; `code` names the reason for programs, the text says what to do."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code


@dataclass(frozen=True)
class BackupFile:
    path: str  # relative to the backup folder, with '/'
    size: int
    sha256: str


@dataclass(frozen=True)
class Manifest:
    version: str  # the shopkpi version that took the backup
    created_at: str  # ISO 8601, UTC
    company: str
    database: str  # the engine of the application database: "sqlite"
    files: tuple[BackupFile, ...]
    counts: dict[str, dict[str, int]] = field(
        default_factory=dict
    )  # {"database": {table: rows}, "warehouse": …}
    format: int = FORMAT

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=1) + "\n"

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Manifest:
        files = tuple(BackupFile(str(f["path"]), int(f["size"]), str(f["sha256"])) for f in data["files"])
        return cls(
            version=str(data["version"]),
            created_at=str(data["created_at"]),
            company=str(data.get("company", "")),
            database=str(data["database"]),
            files=files,
            counts={
                str(k): {str(n): int(c) for n, c in v.items()} for k, v in data.get("counts", {}).items()
            },
            format=int(data["format"]),
        )


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def describe(folder: Path, relative: str) -> BackupFile:
    path = folder / relative
    return BackupFile(relative, path.stat().st_size, sha256_of(path))


def verify(folder: Path) -> Manifest:
    """The manifest of the backup in `folder`, every file checked; BackupError naming the first problem."""
    path = folder / NAME
    if not path.is_file():
        raise BackupError("no_manifest", f"{folder} is not a shopkpi backup: it has no {NAME}")
    try:
        manifest = Manifest.from_json(json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise BackupError("bad_manifest", f"{path} cannot be read: {error}") from None
    if manifest.format > FORMAT:
        raise BackupError(
            "newer_backup",
            f"the backup was taken by shopkpi {manifest.version} (manifest format {manifest.format}); "
            f"this shopkpi reads format {FORMAT} and older: upgrade shopkpi to restore it",
        )
    listed = set()
    for item in manifest.files:
        relative = PurePosixPath(item.path)
        if relative.is_absolute() or ".." in relative.parts or not relative.parts or item.path == NAME:
            raise BackupError(
                "bad_manifest", f"{path} lists the file {item.path!r}, which is not inside the backup"
            )
        listed.add(item.path)
        found = folder / relative
        if not found.is_file():
            raise BackupError("missing_file", f"the backup lacks {item.path}, which its manifest lists")
        if found.stat().st_size != item.size or sha256_of(found) != item.sha256:
            raise BackupError(
                "checksum_mismatch",
                f"{item.path} in the backup is not the file that was backed up (its size or SHA-256 "
                "differs from the manifest): the backup is damaged; restore another one",
            )
    extra = sorted(
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if p.is_file() and p.relative_to(folder).as_posix() not in listed | {NAME}
    )
    if extra:
        raise BackupError(
            "unlisted_file",
            f"the backup holds files its manifest does not list ({', '.join(extra[:5])}): "
            "it was changed after it was taken; restore another one",
        )
    return manifest
