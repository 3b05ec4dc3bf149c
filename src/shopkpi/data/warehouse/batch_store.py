"""Where the warehouse keeps its batch files: one store interface, addressed by the catalogue's relative
paths (`<dataset>/<batch>.parquet`), each turned into the URI DuckDB reads.

    LocalStore    a folder (the embedded default: `<home>/warehouse`; or `file:///srv/batches`)
    ObjectStore   S3-compatible object storage (`s3://bucket/prefix`: AWS S3, MinIO, 阿里云 OSS, 腾讯云 COS …)
                  through fsspec (s3fs), registered with each DuckDB connection that reads it

SHOPKPI_STORE_URL names the store (unset: the home's folder); SHOPKPI_STORE_ENDPOINT the object storage's
address when it is not AWS. Credentials come the usual way of the AWS tools (AWS_ACCESS_KEY_ID,
AWS_SECRET_ACCESS_KEY, AWS_REGION, or a profile); they are never stored by shopkpi. A file is placed
whole or not at all: renamed into place in a folder, one PUT in object storage.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import urllib.parse
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import duckdb

STORE_URL = "SHOPKPI_STORE_URL"
STORE_ENDPOINT = "SHOPKPI_STORE_ENDPOINT"


class BadStore(ValueError):
    """A store URL shopkpi cannot use (named, with what to do)."""


class LocalStore:
    """Batch files in a folder of this machine (or a shared disk every server mounts)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def __repr__(self) -> str:
        return f"LocalStore({self.root})"

    def uri(self, relative: str) -> str:
        return str(self.root / relative)

    def attach(self, con: duckdb.DuckDBPyConnection) -> None:
        """Nothing to do: DuckDB reads local paths itself."""

    def put(self, staged: Path, relative: str) -> None:
        """Move a fsynced staged file into place atomically (renamed; copied first from another disk)."""
        final = self.root / relative
        final.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.replace(staged, final)
        except OSError:  # another file system: copy next to the target, then rename
            tmp = final.with_suffix(".parquet.tmp")
            with staged.open("rb") as src, tmp.open("wb") as dst:
                while chunk := src.read(1 << 20):
                    dst.write(chunk)
                dst.flush()
                os.fsync(dst.fileno())
            os.replace(tmp, final)
            staged.unlink()
        _fsync_dir(final.parent)

    def present(self, relatives: Iterable[str]) -> set[str]:
        """Those of `relatives` that exist."""
        return {r for r in relatives if (self.root / r).is_file()}

    def remove(self, relative: str) -> None:
        (self.root / relative).unlink(missing_ok=True)

    def files(self) -> list[str]:
        """Every batch file (`<folder>/<file>`), sorted. (Listed by os.scandir: every commit asks, and a
        Path for each of a home's thousands of files cost a millisecond per hundred.)"""
        if not self.root.is_dir():
            return []
        found: list[str] = []
        with os.scandir(self.root) as folders:
            for folder in folders:
                if not folder.is_dir():
                    continue
                with os.scandir(folder.path) as entries:
                    found += [f"{folder.name}/{entry.name}" for entry in entries if entry.is_file()]
        return sorted(found)

    def get(self, relative: str, target: Path) -> None:
        shutil.copyfile(self.root / relative, target)

    def aged(self, folder: str) -> list[tuple[str, float]]:
        """Every file under `folder` (at any depth) with when it was last written (seconds since the epoch)."""
        base = self.root / folder
        if not base.is_dir():
            return []
        return [
            (p.relative_to(self.root).as_posix(), p.stat().st_mtime)
            for p in sorted(base.rglob("*"))
            if p.is_file()
        ]


class ObjectStore:
    """Batch files in S3-compatible object storage, through fsspec's s3fs."""

    def __init__(self, bucket: str, prefix: str, endpoint: str | None = None) -> None:
        import s3fs  # only when configured: the embedded default does without

        self.bucket, self.prefix = bucket, prefix.strip("/")
        options: dict[str, Any] = {"endpoint_url": endpoint} if endpoint else {}
        self.fs = s3fs.S3FileSystem(**options)

    def __repr__(self) -> str:
        return f"ObjectStore(s3://{self._key('')})"

    def _key(self, relative: str) -> str:
        return "/".join(part for part in (self.bucket, self.prefix, relative) if part)

    def uri(self, relative: str) -> str:
        return f"s3://{self._key(relative)}"

    def attach(self, con: duckdb.DuckDBPyConnection) -> None:
        """DuckDB reads s3:// through this store's filesystem (no DuckDB extension needed)."""
        con.register_filesystem(self.fs)

    def put(self, staged: Path, relative: str) -> None:
        """Upload the staged file (one PUT, or a multipart upload completed at once), then remove it."""
        self.fs.put_file(str(staged), self._key(relative))
        staged.unlink()

    def present(self, relatives: Iterable[str]) -> set[str]:
        wanted = set(relatives)
        found: set[str] = set()
        for folder in {r.rsplit("/", 1)[0] for r in wanted if "/" in r}:
            try:
                names = self.fs.ls(self._key(folder), detail=False, refresh=True)
            except FileNotFoundError:
                continue
            found |= {f"{folder}/{str(name).rsplit('/', 1)[-1]}" for name in names}
        return wanted & found

    def remove(self, relative: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.fs.rm_file(self._key(relative))

    def files(self) -> list[str]:
        root = self._key("")
        try:
            found = self.fs.find(root, refresh=True)
        except FileNotFoundError:
            return []
        relatives = (str(key)[len(root) :].lstrip("/") for key in found)
        return sorted(r for r in relatives if r.count("/") == 1)

    def get(self, relative: str, target: Path) -> None:
        self.fs.get_file(self._key(relative), str(target))

    def aged(self, folder: str) -> list[tuple[str, float]]:
        root = self._key("")
        try:
            found = self.fs.find(self._key(folder), detail=True, refresh=True)
        except FileNotFoundError:
            return []
        return sorted(
            (str(name)[len(root) :].lstrip("/"), info["LastModified"].timestamp())
            for name, info in found.items()
            if info.get("LastModified") is not None
        )


BatchStore = LocalStore | ObjectStore


def open_store(home: Path, environ: Mapping[str, str] | None = None) -> BatchStore:
    """The store SHOPKPI_STORE_URL names; the home's warehouse folder when it is unset."""
    environ = os.environ if environ is None else environ
    url = environ.get(STORE_URL, "").strip()
    if not url:
        return LocalStore(home / "warehouse")
    parsed = urllib.parse.urlparse(url)
    if parsed.scheme == "file" and parsed.path:
        return LocalStore(Path(urllib.parse.unquote(parsed.path)))
    if parsed.scheme == "s3" and parsed.netloc:
        endpoint = environ.get(STORE_ENDPOINT, "").strip() or None
        return ObjectStore(parsed.netloc, parsed.path, endpoint)
    raise BadStore(
        f"{STORE_URL}: {url!r} is not a store shopkpi knows; give s3://BUCKET/PREFIX (S3-compatible "
        "object storage, with SHOPKPI_STORE_ENDPOINT when it is not AWS) or file:///FOLDER"
    )


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
