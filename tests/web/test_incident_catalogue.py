"""The incidents' English (locale/incidents/en/LC_MESSAGES/django.po) stays in step with the code: every
entry is a text the pages or the appraisal code still write, keeps its placeholders, and is not empty."""

from __future__ import annotations

import re

import polib
from test_translations import _texts

from appraisal.test_message_catalogue import messages_in_code
from shopkpi.web.translations import LOCALE_DIR

CATALOGUE = LOCALE_DIR / "incidents" / "en" / "LC_MESSAGES" / "django.po"
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def test_every_entry_is_used_and_keeps_its_placeholders() -> None:
    written = set(_texts()) | {msgid for _context, msgid in messages_in_code()}
    entries = [e for e in polib.pofile(str(CATALOGUE)) if not e.obsolete]
    assert len(entries) > 50
    unused = [e.msgid for e in entries if e.msgid not in written]
    assert not unused, f"entries nothing writes any more: {unused}"
    for entry in entries:
        assert entry.msgstr.strip(), entry.msgid
        assert sorted(PLACEHOLDER.findall(entry.msgstr)) == sorted(PLACEHOLDER.findall(entry.msgid)), (
            entry.msgid
        )
