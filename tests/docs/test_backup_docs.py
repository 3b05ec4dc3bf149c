"""`shopkpi backup` and `shopkpi restore`: each command, each option and each key of the manifest is
documented in the README (commands) and in the admin guides, in English and Chinese."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import click
import pytest

from shopkpi.appraisal.backups.manifest import BackupFile, Manifest
from shopkpi.cli.backup_commands import backup_command, restore_command

ROOT = Path(__file__).resolve().parents[2]
GUIDES = [ROOT / "docs" / language / "admin.md" for language in ("en", "zh")]


def _options(command: click.Command) -> list[str]:
    return [o for p in command.params if isinstance(p, click.Option) for o in p.opts]


@pytest.mark.parametrize("command", [backup_command, restore_command], ids=lambda c: c.name)
def test_the_commands_and_their_options_are_documented(command: click.Command) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"`shopkpi {command.name} " in readme
    for guide in GUIDES:
        text = guide.read_text(encoding="utf-8")
        assert f"shopkpi {command.name}" in text, guide
        for option in _options(command):
            assert option in text, f"{guide} does not document {command.name} {option}"


def test_every_key_of_the_manifest_is_documented() -> None:
    keys = [f.name for f in dataclasses.fields(Manifest)] + [f.name for f in dataclasses.fields(BackupFile)]
    for guide in GUIDES:
        text = guide.read_text(encoding="utf-8")
        missing = [k for k in keys if f"`{k}`" not in text]
        assert not missing, f"{guide} does not document the manifest's {missing}"
