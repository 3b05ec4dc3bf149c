"""What a change of the organisation is, as data: the preview of an import or a form, and the audit."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

# the kinds of change, in the order a preview lists them
CHANGE_KINDS = (
    "new_department",
    "new_position",
    "position_template",
    "position_without_template",
    "new_employee",
    "changed_field",
    "leaver",
    "new_owner",
    "hand_over",
    "ownership_end",
    "ownership_removed",
)
FLAGS = ("position_without_template",)


@dataclass(frozen=True)
class OrganisationChange:
    """One change an organisation file or form makes (a new person, a changed field, a hand-over …).

    `subject` is the 工号, the account (`shop:旗舰店`), the department or the position it concerns;
    `field` the field that changes (changed_field); `valid_from` the day it applies from, for what
    is effective-dated (terms, ownership, a hand-over's first day of the new owner)."""

    kind: str
    subject: str
    field: str = ""
    before: Any = None
    after: Any = None
    valid_from: dt.date | None = None

    @property
    def is_flag(self) -> bool:
        """Something to see to (a position without a template), not a change that is written."""
        return self.kind in FLAGS
