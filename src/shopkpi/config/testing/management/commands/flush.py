"""Test-only `flush`: the audit log refuses DELETE and TRUNCATE, so the test runner lifts that for the flush."""

from __future__ import annotations

from typing import Any

from django.core.management.commands.flush import Command as FlushCommand
from django.db import connections

from shopkpi.appraisal.migrations import _audit_triggers


class Command(FlushCommand):
    def handle(self, **options: Any) -> None:
        connection = connections[options["database"]]
        _audit_triggers.drop(connection)
        try:
            super().handle(**options)
        finally:
            _audit_triggers.create(connection)
