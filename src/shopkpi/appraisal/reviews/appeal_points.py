"""What an appeal can point at: the kinds of `AppealPoint` (申诉要点), one registry.

A kind is a `PointKind`: its name (the point's `kind`), its label, the claims an employee can make
about one thing of that kind, the decisions HR can take on such a claim (besides `refused`), how a
point's `ref` is checked when the appeal is filed (`checked_ref`: the ref as stored, or
`WorkflowError` saying what is wrong), and what accepted decisions do (`decided`). The workflow files
points with an appeal's item (`checked_points`, `record`) and HR decides each (`decide`).

To add a kind: write its module with a `PointKind`, add it to `kinds()` below, document its `ref`
keys in `shopkpi.appraisal.models.appeals`, and give its labels in both languages.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from shopkpi.appraisal.reviews.review_steps import WorkflowError

REFUSED = "refused"
"""The decision every kind has: HR does not follow the claim; nothing changes."""


@dataclass(frozen=True)
class PointKind:
    name: str
    label: Any
    """Lazy text: what the point names (数据行)."""
    claims: Mapping[str, Any]
    """claim → lazy text (这单是我接的)."""
    decisions: Mapping[str, Any]
    """decision → lazy text (改计给本人); `refused` is added for every kind."""
    checked_ref: Callable[[Any, Mapping[str, Any], str], dict[str, Any]]
    """(review, ref as given, claim) → the ref as stored; raises WorkflowError."""
    decided: Callable[[Any, Any, Sequence[Any]], None]
    """(user, review, points) with HR's accepting decisions set on the points, in the decision's
    transaction before the review is scored again."""


def kinds() -> dict[str, PointKind]:
    """Every kind by name (each kind's module is imported here: add yours)."""
    from shopkpi.appraisal.incidents import appeals as incident_appeals
    from shopkpi.appraisal.reviews import row_appeals
    from shopkpi.appraisal.spot_checks import appeals as spot_check_appeals

    found = [row_appeals.ROW, incident_appeals.INCIDENT, spot_check_appeals.SPOT_CHECK]
    return {kind.name: kind for kind in found}


def kind(name: str) -> PointKind | None:
    return kinds().get(name)


@dataclass(frozen=True)
class Filed:
    """A point as the employee files it, checked: its kind, stored ref, claim and note."""

    kind: str
    ref: dict[str, Any]
    claim: str
    note: str


def checked_points(review: Any, given: Sequence[Mapping[str, Any]]) -> list[Filed]:
    """The points of one appealed item (`[{kind, ref, claim, note}]`), each checked by its kind."""
    found = kinds()
    filed: list[Filed] = []
    for entry in given:
        name = str(entry.get("kind") or "")
        kind = found.get(name)
        if kind is None:
            raise WorkflowError(
                _("申诉不能指向“%(kind)s”（可以指向：%(kinds)s）。")
                % {"kind": name, "kinds": "、".join(str(k.label) for k in found.values())},
                code="unknown_point",
            )
        claim = str(entry.get("claim") or "")
        if claim not in kind.claims:
            raise WorkflowError(
                _("对%(kind)s的申诉只能是：%(claims)s。")
                % {"kind": kind.label, "claims": "、".join(str(c) for c in kind.claims.values())},
                code="unknown_claim",
            )
        ref = entry.get("ref")
        ref = kind.checked_ref(review, ref if isinstance(ref, Mapping) else {}, claim)
        filed.append(Filed(name, ref, claim, str(entry.get("note") or "").strip()))
    return filed


def record(appeal: Any, filed: Sequence[Filed]) -> None:
    from shopkpi.appraisal.models import AppealPoint

    AppealPoint.objects.bulk_create(
        AppealPoint(appeal=appeal, kind=f.kind, ref=f.ref, claim=f.claim, note=f.note) for f in filed
    )


def decide(
    user: Any, review: Any, appeals: Sequence[Any], given: Sequence[Mapping[str, Any]], note: str
) -> list[Any]:
    """HR's decision on every open point of `appeals` (`[{id, decision, reason}]`; a reason left blank
    is the decision's note). Every point needs one; returns the points accepted (not `refused`), after
    their kinds have applied them (`PointKind.decided`)."""
    from django.utils import timezone

    from shopkpi.appraisal.models import AppealPoint

    by_id = {str(entry.get("id")): entry for entry in given}
    points = list(AppealPoint.objects.filter(appeal__in=appeals, decision="").order_by("id"))
    found = kinds()
    now = timezone.now()
    accepted: dict[str, list[Any]] = {}
    for point in points:
        kind = found[point.kind]
        entry = by_id.get(str(point.pk), {})
        decision = str(entry.get("decision") or "")
        if decision != REFUSED and decision not in kind.decisions:
            raise WorkflowError(
                _("请对每一条申诉要点作出决定（%(kind)s第 %(n)s 条：%(choices)s）。")
                % {
                    "kind": kind.label,
                    "n": points.index(point) + 1,
                    "choices": "、".join(str(d) for d in [*kind.decisions.values(), _("不予支持")]),
                },
                code="point_undecided",
            )
        point.decision = decision
        point.reason = str(entry.get("reason") or "").strip() or note
        point.decided_by = user
        point.decided_at = now
        point.save(update_fields=["decision", "reason", "decided_by", "decided_at"])
        if decision != REFUSED:
            accepted.setdefault(point.kind, []).append(point)
    for name, chosen in accepted.items():
        found[name].decided(user, review, chosen)
    return [p for chosen in accepted.values() for p in chosen]


def open_points(appeals: Sequence[Any]) -> bool:
    from shopkpi.appraisal.models import AppealPoint

    return AppealPoint.objects.filter(appeal__in=appeals, decision="").exists()
