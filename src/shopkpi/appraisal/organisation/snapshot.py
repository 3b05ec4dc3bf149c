"""The organisation handed to the metric step: every employee's terms and every ownership window,
as plain rows (`shopkpi.data.metrics.org_snapshot`), taken from the application database at once."""

from __future__ import annotations

import datetime as dt
import itertools

from django.utils import timezone

from shopkpi.appraisal.models import Account
from shopkpi.appraisal.organisation.state import load
from shopkpi.data.metrics.org_snapshot import OrganisationSnapshot, OwnershipRow, TermsRow


def take_snapshot() -> OrganisationSnapshot:
    org = load()
    terms: list[TermsRow] = []
    for person in org.people.values():
        for current, following in itertools.zip_longest(person.terms, person.terms[1:]):
            terms.append(
                TermsRow(
                    employee=person.code,
                    name=person.name,
                    department=current.department,
                    position=current.position,
                    supervisor=current.supervisor,
                    base_salary=current.base_salary,
                    hired_on=person.hired_on,
                    left_on=person.left_on,
                    valid_from=current.valid_from,
                    valid_to=None
                    if following is None or following.valid_from is None
                    else following.valid_from - dt.timedelta(days=1),
                )
            )
    accounts = tuple(
        OwnershipRow(w.employee, w.kind, w.account, w.valid_from, w.valid_to) for w in org.windows
    )
    return OrganisationSnapshot(tuple(terms), accounts, timezone.now().isoformat(timespec="seconds"))


def ownership_rows() -> tuple[OwnershipRow, ...]:
    """`take_snapshot().accounts` alone, in one query: every ownership window, in the same order, without
    loading the people and their terms (an import's warnings read only who owns which account)."""
    return tuple(
        OwnershipRow(*row)
        for row in Account.objects.order_by("kind", "account", "valid_from", "pk").values_list(
            "employee__code", "kind", "account", "valid_from", "valid_to"
        )
    )
