"""The appraisal app's messages and their English (locale/appraisal/en/LC_MESSAGES/django.po) stay in step.

The msgids are read from the code itself (every `_()`/`gettext()`/`pgettext()` call with literal text in
src/shopkpi/appraisal (but for the demo, backups, models and migrations) and the import page, through Python's own parser), so a message added without English, or an
English entry left behind after its message changed, fails here.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import polib

from shopkpi.web.translations import LOCALE_DIR

SRC = Path(__file__).resolve().parents[2] / "src" / "shopkpi"
# the appraisal app's modules (with notifications and the organisation service), and the import pages
# (their few messages of their own are kept here too)
_NOT_APP_MESSAGES = {"demo", "backups", "migrations", "models"}  # the demo's text, backup tooling, the schema
SOURCES = [
    *sorted(
        path
        for path in (SRC / "appraisal").rglob("*.py")
        if not _NOT_APP_MESSAGES & set(path.relative_to(SRC / "appraisal").parts[:-1])
    ),
    SRC / "web" / "pages" / "hr" / "imports.py",
]
CATALOGUE = LOCALE_DIR / "appraisal" / "en" / "LC_MESSAGES" / "django.po"
_CALLS = {"_": 0, "gettext": 0, "gettext_lazy": 0, "pgettext": 1, "pgettext_lazy": 1}
_PLACEHOLDER = re.compile(r"%\((\w+)\)s")

Key = tuple[str | None, str]  # (context, msgid)


def messages_in_code() -> dict[Key, str]:
    """(context, msgid) -> file:line of each translated text the appraisal modules write."""
    found: dict[Key, str] = {}
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (
                isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _CALLS
            ):
                continue
            texts = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
            if len(texts) != len(node.args):
                continue  # not a literal (gettext of a variable): nothing to extract
            context = texts[0] if _CALLS[node.func.id] else None
            found[(context, texts[-1])] = f"{path.name}:{node.lineno}"
    return found


def catalogue(path: Path) -> dict[Key, str]:
    return {(e.msgctxt, e.msgid): e.msgstr for e in polib.pofile(str(path)) if not e.obsolete}


def test_the_extraction_finds_the_messages_it_should() -> None:
    code = messages_in_code()
    # a plain message, a message built over several source lines, and a pgettext label
    assert (None, "只有总经理可以批准考核。") in code
    assert (None, "请先记录考评面谈（面谈表）；没有面谈记录的考核不能提交人事。") in code
    assert ("step", "提交自评") in code
    assert len(code) > 60


def test_every_message_has_english_and_every_entry_is_used() -> None:
    code = messages_in_code()
    english = catalogue(CATALOGUE)
    others: dict[Key, str] = {}
    for path in LOCALE_DIR.glob("*/en/LC_MESSAGES/django.po"):
        if path != CATALOGUE:
            others.update(catalogue(path))
    without = {key: where for key, where in code.items() if not (english.get(key) or others.get(key))}
    assert not without, f"no English for: {without}"
    empty = [key for key, text in english.items() if not text.strip()]
    assert not empty, f"empty English for: {empty}"
    unused = [key for key in english if key not in code]
    assert not unused, f"entries the appraisal code no longer writes: {unused}"


def test_the_english_keeps_every_placeholder_and_adds_none() -> None:
    for (context, msgid), text in catalogue(CATALOGUE).items():
        assert sorted(_PLACEHOLDER.findall(text)) == sorted(_PLACEHOLDER.findall(msgid)), (context, msgid)


def test_a_message_shared_with_another_area_has_the_same_english() -> None:
    # Django reads all areas; whichever comes first wins, so a shared msgid must not mean two things
    mine = catalogue(CATALOGUE)
    for path in LOCALE_DIR.glob("*/en/LC_MESSAGES/django.po"):
        if path == CATALOGUE:
            continue
        for key, text in catalogue(path).items():
            if key in mine and text:
                assert mine[key] == text, (path.parent.parent.parent.name, key, mine[key], text)
