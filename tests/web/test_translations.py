"""Every Chinese text of the pages has its English translation, so the English pages are whole."""

from __future__ import annotations

import re
from pathlib import Path

import polib

from shopkpi.web.translations import LOCALE_DIR

TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "shopkpi" / "web" / "templates"
PAGES = Path(__file__).resolve().parents[2] / "src" / "shopkpi" / "web" / "pages"
# appraisal code whose messages are translated in the hr area (the rest: locale/appraisal): reopening
APPRAISAL_IN_HR_AREA = [
    Path(__file__).resolve().parents[2] / "src" / "shopkpi" / "appraisal" / "periods" / "cycles.py",
    Path(__file__).resolve().parents[2] / "src" / "shopkpi" / "appraisal" / "reviews" / "reopen_requests.py",
    Path(__file__).resolve().parents[2] / "src" / "shopkpi" / "appraisal" / "models" / "reopen.py",
]
_TAG = re.compile(r"""\{%\s*translate\s+(["'])(.+?)\1""")
_BLOCK = re.compile(r"\{%\s*blocktranslate[^%]*%\}(.*?)\{%\s*endblocktranslate\s*%\}", re.S)
_PLURAL = re.compile(r"\{%\s*plural\s*%\}")
_GETTEXT = re.compile(r"""\b_\(\s*(["'])(.+?)\1\s*\)""")


def _english() -> dict[str, str]:
    catalogue: dict[str, str] = {}
    for path in LOCALE_DIR.glob("*/en/LC_MESSAGES/django.po"):
        for entry in polib.pofile(str(path)):
            if entry.msgstr:
                catalogue[entry.msgid] = entry.msgstr
            elif entry.msgstr_plural and all(entry.msgstr_plural.values()):  # every plural form given
                catalogue[entry.msgid] = entry.msgstr_plural[0]
    return catalogue


def _texts() -> dict[str, str]:
    found: dict[str, str] = {}
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for match in _TAG.finditer(text):
            found[match.group(2)] = str(path)
        for match in _BLOCK.finditer(text):
            # blocktranslate: {{ x }} becomes %(x)s in the msgid; with count, the singular is the msgid
            singular = _PLURAL.split(match.group(1))[0]
            found[re.sub(r"\{\{\s*(\w+)\s*\}\}", r"%(\1)s", singular)] = str(path)
    for path in [*PAGES.rglob("*.py"), *APPRAISAL_IN_HR_AREA]:
        for match in _GETTEXT.finditer(path.read_text(encoding="utf-8")):
            found[match.group(2)] = str(path)
    return found


def test_every_page_text_has_an_english_translation() -> None:
    english = _english()
    missing = {
        text: where
        for text, where in _texts().items()
        if re.search(r"[\u4e00-\u9fff]", text) and text not in english
    }
    assert not missing, "no English for: " + "; ".join(
        f"{t!r} ({Path(w).name})" for t, w in sorted(missing.items())
    )


_PLACEHOLDER = re.compile(r"%\(\w+\)s")


def test_no_catalogue_holds_a_string_outside_an_entry() -> None:
    """A quoted line after a blank line belongs to no msgid: polib (and Django) glue it onto the entry
    above, whose English then ends with a stale sentence (as 'archived … read-only.%(n)s people take
    part …' under every cycle's page did)."""
    stray = []
    for path in LOCALE_DIR.glob("*/*/LC_MESSAGES/django.po"):
        lines = path.read_text(encoding="utf-8").splitlines()
        stray += [
            f"{path.relative_to(LOCALE_DIR)}:{n + 1}: {line}"
            for n, line in enumerate(lines)
            if line.startswith('"') and n > 0 and not lines[n - 1].strip()
        ]
    assert not stray, "\n".join(stray)


def test_each_translation_fills_the_placeholders_of_its_text() -> None:
    wrong = [
        f"{path.relative_to(LOCALE_DIR)}: {entry.msgid!r} -> {entry.msgstr!r}"
        for path in LOCALE_DIR.glob("*/en/LC_MESSAGES/django.po")
        for entry in polib.pofile(str(path))
        if entry.msgstr
        and sorted(_PLACEHOLDER.findall(entry.msgid)) != sorted(_PLACEHOLDER.findall(entry.msgstr))
    ]
    assert not wrong, "\n".join(wrong)
