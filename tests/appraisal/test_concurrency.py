"""Two people saving the same review never lose an update; a cycle-level step is all or nothing."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from appraisal.workflow_company import Company, advance, build_company, open_month
from shopkpi.appraisal import audit
from shopkpi.appraisal.models import ActionItem, AuditEntry, Cycle, Review, ReviewSnapshot, Transition
from shopkpi.appraisal.reviews.workflow import (
    StaleReview,
    WorkflowError,
    approve_all,
    archive_cycle,
    open_cycle,
    perform,
    reopen_cycle,
)

S = Review.Status
ALL = ("E01", "E02", "G01", "G02", "H01", "H02", "M01", "P01")


@pytest.fixture
def co(monkeypatch: pytest.MonkeyPatch) -> Company:
    company = build_company(monkeypatch)
    open_month(company)
    return company


def _in_thread(work: Callable[[], Any]) -> Callable[[], Any]:
    """Run `work` on a thread's own database connection, keeping its result or exception."""

    def run() -> Any:
        try:
            return work()
        finally:
            connection.close()

    return run


@pytest.mark.django_db(transaction=True)
def test_the_later_of_two_sessions_gets_stale_review_naming_who_saved_when(co: Company) -> None:
    both_loaded = threading.Barrier(2)
    first_saved = threading.Event()
    outcome: dict[str, Any] = {}

    def session(name: str, username: str, text: str, wait: threading.Event | None) -> None:
        def work() -> None:
            review = Review.objects.select_related("cycle").get(employee__code="E01")
            both_loaded.wait(timeout=10)  # both people opened the form on the same version
            if wait is not None:
                assert wait.wait(timeout=10)
            try:
                perform(co.user(username), review, "save_self", self_assessment=text)
                outcome[name] = "saved"
            except StaleReview as exc:
                outcome[name] = exc
            finally:
                if wait is None:
                    first_saved.set()

        _in_thread(work)()

    first = threading.Thread(target=session, args=("first", "e01", "手机上写的", None))
    second = threading.Thread(target=session, args=("second", "e01", "电脑上写的", first_saved))
    first.start()
    second.start()
    first.join(20)
    second.join(20)
    assert outcome["first"] == "saved"
    stale = outcome["second"]
    assert isinstance(stale, StaleReview)
    assert "已被 e01 于" in str(stale) and "保存（保存自评）" in str(stale)
    assert "您打开的是第 1 版，现在是第 2 版" in str(stale)
    review = Review.objects.get(employee__code="E01")
    assert (review.self_assessment, review.version) == ("手机上写的", 2)


@pytest.mark.django_db(transaction=True)
def test_simultaneous_saves_one_wins_and_the_other_is_told(co: Company) -> None:
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        # the shared-cache in-memory test database answers "table is locked" at once instead of waiting
        # like the file database does (timeout 20 s, IMMEDIATE transactions); the ordered test above
        # covers the version check on SQLite
        pytest.skip("in-memory SQLite test database: concurrent writers fail instead of waiting")
    start = threading.Barrier(2)
    outcome: list[Any] = []

    def save(text: str) -> None:
        def work() -> None:
            review = Review.objects.select_related("cycle").get(employee__code="E01")
            start.wait(timeout=10)
            try:
                perform(co.user("e01"), review, "save_self", self_assessment=text)
                outcome.append("saved")
            except StaleReview as exc:
                outcome.append(exc)

        _in_thread(work)()

    threads = [threading.Thread(target=save, args=(text,)) for text in ("甲", "乙")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(type(o).__name__ for o in outcome) == ["StaleReview", "str"]
    assert Review.objects.get(employee__code="E01").version == 2


@pytest.mark.django_db
def test_approving_a_cycle_with_nothing_left_is_refused_not_counted_as_zero(co: Company) -> None:
    for code in ("E01", "E02"):
        advance(co, code, S.PENDING_GM)
    assert len(approve_all(co.user("gm"), Cycle.objects.get())) == 2
    entries = AuditEntry.objects.count()
    with pytest.raises(WorkflowError, match="另一位总经理") as refused:
        approve_all(co.user("vgm"), Cycle.objects.get())
    assert refused.value.code == "nothing_to_approve"
    assert AuditEntry.objects.count() == entries  # nothing written for the refused one


@pytest.mark.django_db(transaction=True)
def test_two_gms_approving_a_cycle_at_once_one_approves_the_other_is_refused(co: Company) -> None:
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("in-memory SQLite test database: concurrent writers fail instead of waiting")
    for code in ("E01", "E02", "H01"):
        advance(co, code, S.PENDING_GM)
    start = threading.Barrier(2)
    outcome: list[Any] = []

    def approve(username: str) -> None:
        def work() -> None:
            cycle = Cycle.objects.get()
            start.wait(timeout=10)
            try:
                outcome.append(len(approve_all(co.user(username), cycle)))
            except WorkflowError as exc:
                outcome.append(exc.code)

        _in_thread(work)()

    threads = [threading.Thread(target=approve, args=(name,)) for name in ("gm", "vgm")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcome, key=str) == [3, "nothing_to_approve"]
    assert Review.objects.filter(status=S.PUBLISHED).count() == 3


def _fail_on_call(monkeypatch: pytest.MonkeyPatch, number: int) -> None:
    """Make the `number`th write to the audit log from now on raise, as a crash midway would (one
    entry, or the entries of one step taken on many reviews at once: `audit.record_many`)."""
    real = audit.record_many
    calls = {"n": 0}

    def record_many(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == number:
            raise RuntimeError("simulated crash midway")
        return real(*args, **kwargs)

    monkeypatch.setattr(audit, "record_many", record_many)


def _state() -> tuple[Any, ...]:
    return (
        sorted(Review.objects.values_list("pk", "status", "version", "published_at", "acknowledged_at")),
        list(Cycle.objects.values_list("period", "status", "archived_at")),
        Transition.objects.count(),
        AuditEntry.objects.count(),
        ActionItem.objects.count(),
        ReviewSnapshot.objects.count(),
    )


@pytest.mark.django_db
def test_a_crash_midway_through_bulk_approval_approves_nothing(
    co: Company, monkeypatch: pytest.MonkeyPatch
) -> None:
    for code in ("E01", "E02", "H01", "M01"):
        advance(co, code, S.PENDING_GM)
    before = _state()
    _fail_on_call(monkeypatch, 3)  # E01 and E02 approved and audited, then H01's audit entry crashes
    with pytest.raises(RuntimeError, match="simulated crash"):
        approve_all(co.user("gm"), Cycle.objects.get())
    assert _state() == before
    monkeypatch.undo()
    assert len(approve_all(co.user("gm"), Cycle.objects.get())) == 4
    assert audit.verify() is None


@pytest.mark.django_db
def test_a_crash_midway_through_archiving_leaves_the_cycle_open(
    co: Company, monkeypatch: pytest.MonkeyPatch
) -> None:
    for code in ALL:
        advance(co, code, S.ACKNOWLEDGED)
    before = _state()
    _fail_on_call(monkeypatch, 2)  # the reviews' archive steps written, then the cycle's own entry crashes
    with pytest.raises(RuntimeError, match="simulated crash"):
        archive_cycle(co.user("hr"), Cycle.objects.get())
    assert _state() == before
    assert Cycle.objects.get().status == Cycle.Status.OPEN


@pytest.mark.django_db
def test_a_crash_midway_through_reopening_leaves_the_cycle_archived(
    co: Company, monkeypatch: pytest.MonkeyPatch
) -> None:
    for code in ALL:
        advance(co, code, S.ACKNOWLEDGED)
    archive_cycle(co.user("hr"), Cycle.objects.get())
    before = _state()
    _fail_on_call(monkeypatch, 3)
    with pytest.raises(RuntimeError, match="simulated crash"):
        reopen_cycle(co.user("hr"), co.user("gm"), Cycle.objects.get(), "复核")
    assert _state() == before
    assert Cycle.objects.get().status == Cycle.Status.ARCHIVED


@pytest.mark.django_db
def test_a_crash_midway_through_opening_leaves_no_cycle(co: Company, monkeypatch: pytest.MonkeyPatch) -> None:
    before = _state()
    _fail_on_call(monkeypatch, 2)  # the reviews' opening steps written, then the cycle's own entry crashes
    with pytest.raises(RuntimeError, match="simulated crash"):
        open_cycle(co.user("hr"), "2026-10")
    assert _state() == before
    assert not Cycle.objects.filter(period="2026-10").exists()
