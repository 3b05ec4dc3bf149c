"""A month is appraised with the organisation as it is on its last day: a supervisor and a salary
changed on the 16th of November give October's cycle the old evaluator and salary and November's the
new ones; the employee list catches up with a change recorded for a later day once that day comes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User

from shopkpi.appraisal.models import Employee, MonthComputation, Review
from shopkpi.appraisal.organisation import records, service
from shopkpi.appraisal.periods.cycles import open_cycle
from shopkpi.appraisal.periods.participants import eligible_employees

pytestmark = pytest.mark.django_db


@pytest.fixture
def hr(settings: object, tmp_path: Path) -> User:
    settings.HOME = tmp_path  # type: ignore[attr-defined]
    service.put_position("hr", "运营专员", "s001-operations")
    service.put_position("hr", "运营经理", "s002-operations-manager")
    people = [
        ("E01", "高总", "运营经理", None, "20000"),
        ("E02", "马经理", "运营经理", "E01", "12000"),
        ("E03", "孟经理", "运营经理", "E01", "12000"),
        ("E04", "艾运营", "运营专员", "E02", "6000"),
    ]
    for code, name, position, supervisor, salary in people:
        service.add_employee(
            "hr",
            {
                "code": code,
                "name": name,
                "department": "运营部",
                "position": position,
                "supervisor": supervisor,
                "base_salary": Decimal(salary),
                "hired_on": dt.date(2025, 1, 1),
            },
        )
    service.change_employee(
        "hr", "E04", {"supervisor": "E03", "base_salary": Decimal("7000")}, effective=dt.date(2026, 11, 16)
    )
    user = User.objects.create_user("hr", password="x")
    user.groups.add(Group.objects.get_or_create(name="hr")[0])
    return user


def test_each_month_takes_the_terms_of_its_last_day(hr: User) -> None:
    october = {e.code: e for e in eligible_employees("2026-10")}
    november = {e.code: e for e in eligible_employees("2026-11")}
    assert (october["E04"].supervisor.code, october["E04"].base_salary) == ("E02", Decimal("6000.00"))  # type: ignore[union-attr]
    assert (november["E04"].supervisor.code, november["E04"].base_salary) == ("E03", Decimal("7000.00"))  # type: ignore[union-attr]
    for period, month in (("2026-10", october), ("2026-11", november)):
        open_cycle(hr, period, participants=[month["E04"]])
    evaluators = dict(
        Review.objects.filter(employee__code="E04").values_list("cycle__period", "evaluator__code")
    )
    assert evaluators == {"2026-10": "E02", "2026-11": "E03"}


def test_each_month_takes_the_department_and_position_of_its_last_day(hr: User) -> None:
    """The employee list holds the new department and position (the change is in effect today); October
    is appraised in the old ones, November in the new, and a supervisor in the list is that person."""
    service.add_department("hr", "客服部")
    service.change_employee(
        "hr", "E03", {"department": "客服部", "position": "运营专员"}, effective=dt.date(2026, 11, 16)
    )
    for period, department, position in (
        ("2026-10", "运营部", "运营经理"),
        ("2026-11", "客服部", "运营专员"),
    ):
        month = {e.code: e for e in eligible_employees(period)}
        e03 = month["E03"]
        assert (e03.department_id, e03.position_id) == (e03.department.pk, e03.position.pk)
        assert (e03.department.name, e03.position.name) == (department, position), period
        assert month["E02"].department.name == "运营部"
        assert month["E02"].supervisor is month["E01"]  # one instance, with the month's terms too


def test_the_current_fields_catch_up_when_a_later_change_comes_into_effect(hr: User) -> None:
    # recorded today for the 16th of November; on the 15th the employee list shows the old supervisor
    Employee.objects.filter(code="E04").update(supervisor=Employee.objects.get(code="E02"), base_salary=6000)
    assert records.bring_up_to_date(dt.date(2026, 11, 15)) == 0
    assert records.bring_up_to_date(dt.date(2026, 11, 16)) == 1
    e04 = Employee.objects.get(code="E04")
    assert (e04.supervisor.code, e04.base_salary) == ("E03", Decimal("7000.00"))  # type: ignore[union-attr]


def test_a_change_of_ownership_computes_the_open_month_again(hr: User) -> None:
    open_cycle(hr, "2026-11", participants=[e for e in eligible_employees("2026-11") if e.code == "E04"])
    before = MonthComputation.objects.count()
    service.assign_account("hr", "E04", "店铺", "旗舰店", dt.date(2026, 11, 1))
    [computed] = MonthComputation.objects.order_by("-id")[:1]
    assert MonthComputation.objects.count() == before + 1
    assert (computed.reason, computed.computed_by, computed.cycle.period) == ("org", "hr", "2026-11")
    service.add_department("hr", "直播部")  # changes no month's values: nothing computed
    assert MonthComputation.objects.count() == before + 1


def test_the_metric_step_attributes_from_a_snapshot_named_in_each_values_source(
    hr: User, tmp_path: Path
) -> None:
    """Attribution reads the application database's ownership windows (no copy in the warehouse), and
    each value names the snapshot it was attributed by: another organisation, another snapshot."""
    from shopkpi.appraisal.importing.imports import ImportRequest, run_import
    from shopkpi.appraisal.organisation.snapshot import take_snapshot
    from shopkpi.appraisal.periods.month_values import metric_values
    from shopkpi.data.warehouse.catalogue import Warehouse

    shops = tmp_path / "shops.csv"
    shops.write_text(
        "shop,date,uv\n" + "".join(f"旗舰店,2026-11-{day:02d},{day}\n" for day in range(1, 31)),
        encoding="utf-8",
    )
    service.assign_account("hr", "E04", "店铺", "旗舰店", dt.date(2026, 11, 16))
    run_import(tmp_path, ImportRequest(files=(shops,), user="hr", dataset="shop_daily", accept_warnings=True))
    snapshot = take_snapshot()
    [(uv, source, _batches)] = metric_values(tmp_path, "2026-11", ["E04"], ["uv"])["E04"].values()
    assert uv == 345  # the days E04 owns the shop: 16 + 17 + … + 30
    assert source.endswith(f"组织快照 {snapshot.digest[:12]}")

    service.assign_account("hr", "E02", "店铺", "专营店", dt.date(2026, 11, 1))
    [(_uv, again, _b)] = metric_values(tmp_path, "2026-11", ["E04"], ["uv"])["E04"].values()
    assert again.endswith(f"组织快照 {take_snapshot().digest[:12]}") and again != source

    connection = Warehouse(tmp_path).connect()
    try:
        tables = {
            row[0]
            for row in connection.execute("SELECT table_name FROM information_schema.tables").fetchall()
        }
    finally:
        connection.close()
    assert not {"employees", "accounts"} & tables  # the organisation has no second copy in the warehouse


def test_an_imports_ownership_rows_are_the_snapshots(hr: User) -> None:
    """An import reads who owns which account in one query (`ownership_rows`): the same windows, in the
    same order, as the whole organisation's snapshot has them, hand-overs and open ends included."""
    from shopkpi.appraisal.organisation.snapshot import ownership_rows, take_snapshot

    service.assign_account("hr", "E04", "店铺", "旗舰店", dt.date(2026, 10, 1))
    service.assign_account("hr", "E03", "店铺", "旗舰店", dt.date(2026, 11, 16))  # a hand-over
    service.assign_account("hr", "E02", "旺旺", "客服01", None, dt.date(2026, 12, 31))
    service.assign_account("hr", "E04", "店铺", "专营店", None)
    rows = ownership_rows()
    assert len(rows) == 4
    assert rows == take_snapshot().accounts
