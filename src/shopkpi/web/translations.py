"""The pages are written in Chinese (the msgids); English comes from locale/<area>/en/LC_MESSAGES/django.po.

The .po files are the source; the .mo files Django reads are compiled from them with polib
(no GNU gettext needed) whenever they are missing or older than their .po.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import polib

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
log = logging.getLogger(__name__)


def compile_catalogues(locale_dir: Path = LOCALE_DIR) -> list[Path]:
    """Compile each stale .po to its .mo; returns the files written."""
    written = []
    for po_path in sorted(locale_dir.glob("*/*/LC_MESSAGES/*.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        # written beside and renamed into place: parallel test workers may compile at the same time
        partial = mo_path.with_name(f"{mo_path.name}.{os.getpid()}.tmp")
        try:
            polib.pofile(str(po_path)).save_as_mofile(str(partial))
            partial.replace(mo_path)
        except OSError as exc:  # a read-only install: say so; the pages then show the Chinese text
            log.warning("cannot write %s (%s); English pages fall back to Chinese", mo_path, exc)
            continue
        written.append(mo_path)
    return written


if __name__ == "__main__":
    for path in compile_catalogues():
        print(f"compiled {path}")
