"""Evidence files of an incident: images (PNG, JPEG, WebP) and PDF, at most 10 MB each.

A file's type is read from its first bytes (`filetype`), never from its name; nothing decodes it
(no image or PDF library runs on it), so a hostile file cannot take the process down: it is
copied in chunks, refused past the limit, and kept under a name of our own making
(`<home>/evidence/<sha256>.<extension>`, the same content once). It is served back only to those
who may see the incident (`policy.sees_incidents`), with its type as found and no sniffing.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import filetype
from django.utils.translation import gettext as _

MAX_BYTES = 10 * 1024 * 1024
MAX_FILES = 5  # per incident
FOLDER = "evidence"
TYPES = {"image/png": "png", "image/jpeg": "jpg", "image/webp": "webp", "application/pdf": "pdf"}
HEAD = 262  # the bytes `filetype` reads


class Upload(Protocol):
    """An uploaded file as Django gives it (or anything with a name, a size and chunks)."""

    name: str | None
    size: int | None

    def chunks(self, chunk_size: int | None = None) -> Iterator[bytes]: ...


@dataclass(frozen=True)
class Stored:
    name: str
    content_type: str
    size: int
    sha256: str
    path: str  # relative to the evidence folder


class EvidenceRefused(ValueError):
    """A file that is not evidence we keep; the message names the file and what to do."""


def folder(home: Path) -> Path:
    return home / FOLDER


def shown_name(name: str | None) -> str:
    """The uploaded name without folders, at most 200 characters (it is only ever shown)."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    return base[-200:] or "evidence"


def keep(home: Path, upload: Upload) -> Stored:
    """Check `upload` by its content and size and keep it; EvidenceRefused, nothing kept, otherwise."""
    name = shown_name(upload.name)
    if upload.size is not None and upload.size > MAX_BYTES:
        raise EvidenceRefused(_too_large(name))
    target = folder(home)
    target.mkdir(parents=True, exist_ok=True)
    staged = target / f".{os.getpid()}-{secrets.token_hex(8)}.part"
    digest = hashlib.sha256()
    size = 0
    head = b""
    try:
        with staged.open("wb") as out:
            for chunk in upload.chunks():
                size += len(chunk)
                if size > MAX_BYTES:
                    raise EvidenceRefused(_too_large(name))
                if len(head) < HEAD:
                    head += chunk[: HEAD - len(head)]
                digest.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        if size == 0:
            raise EvidenceRefused(_("证据文件 %(file)s 是空文件，没有保存。") % {"file": name})
        kind = filetype.guess(head)
        mime = None if kind is None else kind.mime
        if mime not in TYPES:
            raise EvidenceRefused(
                _(
                    "证据文件 %(file)s 不是图片（PNG、JPEG、WebP）或 PDF（按文件内容判断，不看文件名），没有保存；"
                    "请上传截图、照片或 PDF。"
                )
                % {"file": name}
            )
        relative = f"{digest.hexdigest()}.{TYPES[mime]}"
        os.replace(staged, target / relative)
        return Stored(name, mime, size, digest.hexdigest(), relative)
    finally:
        staged.unlink(missing_ok=True)


def keep_all(home: Path, uploads: Iterable[Upload]) -> list[Stored]:
    """Every upload kept, or none (EvidenceRefused naming every file refused, and files kept so far
    are left as content-addressed orphans: harmless, never served without a record)."""
    uploads = list(uploads)
    if len(uploads) > MAX_FILES:
        raise EvidenceRefused(
            _("一条奖惩记录最多 %(n)s 个证据文件，这次选了 %(given)s 个。")
            % {"n": MAX_FILES, "given": len(uploads)}
        )
    kept: list[Stored] = []
    refused: list[str] = []
    for upload in uploads:
        try:
            kept.append(keep(home, upload))
        except EvidenceRefused as exc:
            refused.append(str(exc))
    if refused:
        raise EvidenceRefused(" ".join(refused))
    return kept


def path_of(home: Path, relative: str) -> Path:
    """The kept file of a record (`relative` is always our own `<sha256>.<ext>`)."""
    return folder(home) / Path(relative).name


def _too_large(name: str) -> str:
    return _("证据文件 %(file)s 大于 %(limit)s MB，没有保存；请压缩图片或拆分 PDF 后再上传。") % {
        "file": name,
        "limit": MAX_BYTES // (1024 * 1024),
    }
