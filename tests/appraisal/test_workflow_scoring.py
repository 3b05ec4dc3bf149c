"""A review's values from the shop-data layer (with provenance) through the engine into its result."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from pytest_django.fixtures import Settings

from appraisal.workflow_company import advance, build_company, open_month, set_target
from shopkpi.appraisal.importing.imports import ImportRequest, run_import
from shopkpi.appraisal.models import Employee, Position, Review
from shopkpi.appraisal.periods import cycles, month_values
from shopkpi.appraisal.reviews import review_scoring
from shopkpi.appraisal.reviews.workflow import WorkflowError, open_cycle, perform
from shopkpi.data.imports.importer import import_files

pytestmark = pytest.mark.django_db
S = Review.Status

# one rated item; self-review counts 25%
SELF_TEMPLATE = """\
id: t-self
name: 自评计分
period: month
self_weight: 25%
rounding: 1
items:
  - key: quality
    name: 服务质量
    weight: 100%
    rated_by: supervisor
"""


def _warehouse(home: Path, tmp: Path) -> None:
    """E01 owns shop S1 and E02 shop S2 in September 2026 (the company's organisation), E01's sales
    target is 100000; imported through the real import path."""
    (tmp / "accounts.csv").write_text("工号,账号类型,账号\nE01,店铺,S1\nE02,店铺,S2\n")
    run_import(home, ImportRequest(files=(tmp / "accounts.csv",), user="hr", dataset="accounts"))
    (tmp / "shop.csv").write_text(
        "shop,date,uv,gmv\nS1,2026-09-01,100,50000\nS1,2026-09-02,200,45000\nS2,2026-09-01,10,1000\n"
    )
    import_files(home, "shop_daily", [tmp / "shop.csv"], period="2026-09", user="hr")
    (tmp / "targets.csv").write_text("employee,period,name,value\nE01,2026-09,目标销售额,100000\n")
    (tmp / "inputs.csv").write_text(
        "employee,period,name,value\nE01,2026-09,目标销售额,96000\nE02,2026-08,x,1\n"
    )
    import_files(home, "targets", [tmp / "targets.csv"], user="hr")


def test_metric_values_come_from_the_shop_data_layer_with_provenance(
    monkeypatch: pytest.MonkeyPatch, settings: Settings, tmp_path: Path
) -> None:
    settings.HOME = tmp_path / "home"
    co = build_company(monkeypatch, fake_shop=False)
    _warehouse(settings.HOME, tmp_path)
    values = month_values.metric_values(settings.HOME, "2026-09", ["E01", "E02"], ["gmv", "目标销售额"])
    # E01: 50000 + 45000 = 95000 over 2 rows of shop S1;  E02: 1000 from 1 row of S2
    assert values["E01"]["gmv"].value == Decimal("95000")
    assert values["E02"]["gmv"].value == Decimal("1000")
    assert values["E01"]["gmv"].source.startswith("店铺数据 shop_daily 2026-09: 2 行, 批次 shop_daily-")
    assert values["E01"]["目标销售额"].value == Decimal("100000")
    assert values["E01"]["目标销售额"].source.startswith("目标 targets 2026-09, 批次 targets-")
    assert set(values["E02"]) == {"gmv"}

    cycles.open_cycle(co.user("hr"), "2026-09")  # no target set by hand: it comes from the warehouse
    review = advance(co, "E01", S.PENDING_HR)
    assert review.values["gmv"] == "95000"
    assert review.provenance["gmv"].startswith("店铺数据 shop_daily 2026-09")
    assert review.values["目标销售额"] == "100000"
    # 95000 / 100000 = 95% → 80 → 48;  良 → 32;  80.0
    assert review.score == Decimal("80.0")


def test_an_imported_input_wins_over_a_target_of_the_same_name(
    monkeypatch: pytest.MonkeyPatch, settings: Settings, tmp_path: Path
) -> None:
    settings.HOME = tmp_path / "home"
    build_company(monkeypatch, fake_shop=False)
    _warehouse(settings.HOME, tmp_path)
    import_files(settings.HOME, "inputs", [tmp_path / "inputs.csv"], user="hr")
    values = month_values.metric_values(settings.HOME, "2026-09", ["E01", "E02"])
    assert values["E01"]["目标销售额"].value == Decimal("96000")
    assert values["E01"]["目标销售额"].source.startswith("手工录入 inputs 2026-09")
    assert "x" not in values["E02"]  # another period's input


def test_without_a_warehouse_there_are_no_metric_values(settings: Settings, tmp_path: Path) -> None:
    settings.HOME = tmp_path
    assert month_values.metric_values(tmp_path, "2026-09", ["E01"]) == {}


def test_the_result_holds_items_with_value_rating_points_band_and_explanation(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    co = build_company(monkeypatch)
    open_month(co)
    review = co.review("E01")
    # before any rating: the computed item is live, the rated one missing
    assert review.result["status"] == "incomplete"
    assert review.missing == ["attitude"]
    review = advance(co, "E01", S.PENDING_HR)
    result = review.result
    assert (result["status"], result["score"], result["grade"], result["pay"]) == ("ok", "80", "合格", "480")
    attainment, attitude = result["items"]
    # 95000 / 100000 = 0.95 → band [80%, 100%) → 80;  60 × 80 / 100 = 48
    assert (attainment["value"], attainment["rating"], attainment["points"], attainment["band"]) == (
        "0.95",
        "80",
        "48",
        "[80%, 100%)",
    )
    why = attainment["explanation"]  # data: the rule, its inputs, band, rating and points
    assert (why["rule"], why["value"], why["band"], why["rating"], why["points"]) == (
        "bands",
        "0.95",
        "[80%, 100%)",
        "80",
        "48",
    )
    assert why["inputs"] == [{"name": "gmv", "value": "95000"}, {"name": "目标销售额", "value": "100000"}]
    assert (attitude["rating"], attitude["points"]) == ("80", "32")
    assert result["missing"] == {} and result["missing_values"] == []
    assert review.values["base_salary"] == "6000"
    assert review.provenance["base_salary"].startswith("员工档案")


def test_a_counted_self_review_needs_every_self_rating_and_weighs_in(monkeypatch: pytest.MonkeyPatch) -> None:
    co = build_company(monkeypatch)
    cycles.new_template_version(co.user("hr"), "t-self", SELF_TEMPLATE)
    position = Position.objects.create(name="客服专员", template_id="t-self")
    Employee.objects.filter(code="E02").update(position=position)
    open_cycle(co.user("hr"), "2026-09", participants=[Employee.objects.get(code="E02")])
    review = co.review("E02")
    e02, m01 = co.user("e02"), co.user("m01")
    with pytest.raises(WorkflowError, match="请先给这些指标自评：「服务质量」"):
        perform(e02, review, "submit_self")
    review = perform(e02, review, "save_self", ratings={"quality": "100"}, self_assessment="零差评")
    review = perform(e02, review, "submit_self")
    review = perform(m01, review, "rate", ratings={"quality": "80"})
    # 75% × 80 + 25% × 100 = 60 + 25 = 85.0
    assert review.score == Decimal("85.0")
    assert review.result["supervisor_total"] == "80" and review.result["self_total"] == "100"


def test_the_history_is_the_employees_earlier_published_results(monkeypatch: pytest.MonkeyPatch) -> None:
    co = build_company(monkeypatch)
    for period in ("2026-07", "2026-08"):
        open_cycle(co.user("hr"), period, participants=[co.employees["E01"]])
        set_target(co.review("E01", period))
    advance(co, "E01", S.PUBLISHED, period="2026-07")
    advance(co, "E01", S.PENDING_GM, period="2026-08")  # not published: not history
    open_cycle(co.user("hr"), "2026-09", participants=[co.employees["E01"]])
    history = review_scoring.history_of(co.review("E01", "2026-09"))
    assert [(h.period, h.score, h.grade) for h in history] == [("2026-07", Decimal("80.0"), "合格")]
