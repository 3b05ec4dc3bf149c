"""The HR console's cycle pages: who may open them, opening a cycle (participants, deadlines, targets),
recomputing, archiving, and reopening with a GM's confirmation."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from test_hr_company import PERIOD, S, advance, build_company, client_for, open_month

from shopkpi.appraisal.models import AuditEntry, Cycle, Department, Review, ReviewSnapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def company(monkeypatch, settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.HOME = tmp_path / "home"
    return build_company(monkeypatch)


def test_the_console_answers_403_to_others_and_404_for_review_data(company) -> None:  # type: ignore[no-untyped-def]
    open_month(company)
    review = company.review("E02")
    employee = client_for(company, "e01")
    for url in (
        "/hr/",
        "/hr/cycles/new/",
        "/hr/imports/",
        "/hr/audit/",
        "/hr/actions/",
        f"/hr/cycles/{PERIOD}/summary/",
    ):
        answer = employee.get(url)
        assert answer.status_code == 403, url
        assert "只有人事可以使用人事控制台" in answer.content.decode()
    assert employee.get(f"/hr/reviews/{review.pk}/").status_code == 404
    assert (
        employee.post(
            f"/hr/reviews/{review.pk}/override/", {"name": "gmv", "value": "1", "reason": "x"}
        ).status_code
        == 404
    )
    # the GM sees every review, but the HR console is not theirs
    assert client_for(company, "gm").get("/hr/").status_code == 403
    # not signed in: to the login page
    assert Client().get("/hr/")["Location"].startswith("/login/")


def test_the_console_lists_cycles_with_steps_and_overdue(company) -> None:  # type: ignore[no-untyped-def]
    open_month(company)
    Cycle.objects.filter(period=PERIOD).update(self_due=dt.date(2020, 1, 3))  # every self-review is late
    page = client_for(company, "hr").get("/hr/").content.decode()
    assert f'href="/hr/cycles/{PERIOD}/"' in page
    assert '<a class="badge overdue" href="/hr/cycles/2026-09/overdue/">8</a>' in page
    assert 'href="/hr/"' in page and "人事" in page  # the nav link


def test_open_cycle_prefills_deadlines_and_previews_participants(company) -> None:  # type: ignore[no-untyped-def]
    hr = client_for(company, "hr")
    page = hr.get("/hr/cycles/new/?period=2026-09").content.decode()
    # the 3rd and the 7th are in the National Day holiday (10-01..10-07): both move to Thursday 10-08;
    # the 10th is a Saturday but a make-up working day (调休)
    assert 'name="self_due" value="2026-10-08"' in page
    assert 'name="supervisor_due" value="2026-10-08"' in page
    assert 'name="hr_due" value="2026-10-10"' in page
    # the rule: every department ticked, with its head count; no exception (everyone can be evaluated)
    ops = Department.objects.get(name="运营部")
    assert f'name="departments" value="{ops.pk}" id="department-{ops.pk}" checked' in page
    assert f'<label for="department-{ops.pk}">运营部</label></td><td class="num">3</td>' in page
    assert "本期共 8 人符合条件" in page and "将开启 8 份考核。" in page
    assert '<textarea name="excluded" id="id_excluded" rows="3"' in page
    fragment = hr.get("/hr/cycles/new/preview/", {"period": "2026-10", "cutoff_day": "15"}).content.decode()
    assert 'name="self_due" value="2026-11-03"' in fragment
    assert "将开启 8 份考核。" in fragment
    # the rule changed: 运营部 and 客服部 only (M01 E01 E02, P01), less E02
    service = Department.objects.get(name="客服部")
    chosen = {"period": "2026-10", "cutoff_day": "15", "rule_given": "1", "excluded": "E02"}
    fragment = hr.get(
        "/hr/cycles/new/preview/", {**chosen, "departments": [ops.pk, service.pk]}
    ).content.decode()
    assert "将开启 3 份考核。" in fragment and "不参加：E02 钱二" in fragment
    fragment = hr.get(
        "/hr/cycles/new/preview/", {**chosen, "departments": [ops.pk], "excluded": "E09"}
    ).content.decode()
    assert "这些工号不在本期的参加范围内，不能排除：E09。" in fragment


def test_open_cycle_with_chosen_participants_and_deadlines(company) -> None:  # type: ignore[no-untyped-def]
    hr = client_for(company, "hr")
    answer = hr.post(
        "/hr/cycles/new/",
        {
            "period": PERIOD,
            "cutoff_day": "15",
            "appeal_days": "5",
            "self_due": "2026-10-12",
            "supervisor_due": "2026-10-14",
            "hr_due": "2026-10-16",
            "rule_given": "1",
            "departments": [
                Department.objects.get(name="运营部").pk,
                Department.objects.get(name="客服部").pk,
            ],
            "excluded": "P01",
        },
    )
    assert answer.status_code == 302 and answer["Location"] == f"/hr/cycles/{PERIOD}/"
    cycle = Cycle.objects.get(period=PERIOD)
    assert (cycle.self_due, cycle.supervisor_due, cycle.hr_due) == (
        dt.date(2026, 10, 12),
        dt.date(2026, 10, 14),
        dt.date(2026, 10, 16),
    )
    assert cycle.appeal_days == 5
    assert sorted(cycle.reviews.values_list("employee__code", flat=True)) == ["E01", "E02", "M01"]
    entry = AuditEntry.objects.get(action="cycle.open")
    assert entry.actor == "hr" and entry.after["participants"] == ["E01", "E02", "M01"]
    page = hr.get(answer["Location"]).content.decode()
    assert "考核期 2026-09 已开启，共 3 份考核。" in page


def test_opening_a_period_twice_shows_the_form_again(company) -> None:  # type: ignore[no-untyped-def]
    open_month(company)
    answer = client_for(company, "hr").post(
        "/hr/cycles/new/",
        {
            "period": PERIOD,
            "cutoff_day": "15",
            "appeal_days": "7",
            "self_due": "2026-10-09",
            "supervisor_due": "2026-10-09",
            "hr_due": "2026-10-10",
        },
    )
    assert answer.status_code == 400
    assert "该期间的考核已经开启（或已归档）。" in answer.content.decode()


def test_targets_with_a_bad_row_open_nothing(company, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from django.core.files.uploadedfile import SimpleUploadedFile

    targets = SimpleUploadedFile(
        "targets.csv",
        "employee,period,name,value\nE01,2026-09,目标销售额,100000\nE02,2026-09,目标销售额,很多\n".encode(),
    )
    answer = client_for(company, "hr").post(
        "/hr/cycles/new/",
        {
            "period": PERIOD,
            "cutoff_day": "15",
            "appeal_days": "7",
            "self_due": "2026-10-09",
            "supervisor_due": "2026-10-09",
            "hr_due": "2026-10-10",
            "targets": targets,
        },
    )
    assert answer.status_code == 422
    page = answer.content.decode()
    assert "目标导入未通过，考核期没有开启。" in page
    assert '<td>targets.csv</td><td class="num">3</td><td>value</td>' in page
    assert not Cycle.objects.exists()
    assert not AuditEntry.objects.filter(action__in=("cycle.open", "data.import")).exists()


def test_targets_imported_then_the_cycle_opens_with_them(company, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from django.core.files.uploadedfile import SimpleUploadedFile

    from shopkpi.appraisal.periods import month_values

    monkeypatch.undo()  # the real shop-data adapter: the targets come from the warehouse
    targets = SimpleUploadedFile(
        "targets.csv", "employee,period,name,value\nE01,2026-09,目标销售额,100000\n".encode()
    )
    answer = client_for(company, "hr").post(
        "/hr/cycles/new/",
        {
            "period": PERIOD,
            "cutoff_day": "15",
            "appeal_days": "7",
            "self_due": "2026-10-09",
            "supervisor_due": "2026-10-09",
            "hr_due": "2026-10-10",
            "targets": targets,
        },
    )
    assert answer.status_code == 302
    review = company.review("E01")
    assert review.values["目标销售额"] == "100000"
    assert review.provenance["目标销售额"].startswith("目标 targets 2026-09, 批次 targets-")
    assert AuditEntry.objects.get(action="data.import").after["file"] == "targets.csv"
    assert month_values.metric_values is not None


def test_recompute_reads_the_shop_data_again_and_is_audited(company) -> None:  # type: ignore[no-untyped-def]
    open_month(company)
    advance(company, "E01", S.PENDING_HR)
    assert company.review("E01").score == Decimal("80.0")
    company.shop.gmv["E01"] = Decimal(100000)  # the month's data corrected: 100% of target
    answer = client_for(company, "hr").post(f"/hr/cycles/{PERIOD}/recompute/")
    assert answer.status_code == 302
    # 销售完成率 100% → 100 × 60% = 60, 工作态度 良 80 × 40% = 32: 92
    assert company.review("E01").score == Decimal("92.0")
    entry = AuditEntry.objects.get(action="cycle.recompute")
    assert entry.after == {"reviews": 8, "changed": ["E01"]}


def test_archive_refused_while_reviews_wait_then_done(company) -> None:  # type: ignore[no-untyped-def]
    open_month(company)
    hr = client_for(company, "hr")
    refused = hr.post(f"/hr/cycles/{PERIOD}/archive/")
    assert refused.status_code == 409
    assert "还不能归档" in refused.content.decode()
    for code in ("G01", "G02", "H01", "H02", "M01", "E01", "E02", "P01"):
        advance(company, code, S.ACKNOWLEDGED)
    assert hr.post(f"/hr/cycles/{PERIOD}/archive/").status_code == 302
    assert Cycle.objects.get(period=PERIOD).status == Cycle.Status.ARCHIVED
    assert hr.post(f"/hr/cycles/{PERIOD}/recompute/").status_code == 409


def _archived(company) -> Cycle:  # type: ignore[no-untyped-def]
    open_month(company)
    for code in ("G01", "G02", "H01", "H02", "M01", "E01", "E02", "P01"):
        advance(company, code, S.ACKNOWLEDGED)
    client_for(company, "hr").post(f"/hr/cycles/{PERIOD}/archive/")
    return Cycle.objects.get(period=PERIOD)


def test_reopen_needs_hr_asking_and_a_gm_confirming(company) -> None:  # type: ignore[no-untyped-def]
    _archived(company)
    hr, gm = client_for(company, "hr"), client_for(company, "gm")
    assert hr.post(f"/hr/cycles/{PERIOD}/reopen/", {"reason": ""}).status_code == 409
    assert hr.post(f"/hr/cycles/{PERIOD}/reopen/", {"reason": "E01 的目标录错"}).status_code == 302
    assert Cycle.objects.get(period=PERIOD).status == Cycle.Status.ARCHIVED  # not yet: the GM confirms
    assert "待总经理确认" in hr.get(f"/hr/cycles/{PERIOD}/").content.decode()
    assert (
        hr.post(f"/hr/cycles/{PERIOD}/reopen/", {"reason": "again"}).status_code == 409
    )  # one pending at a time
    assert hr.post(f"/gm/reopen/{PERIOD}/confirm/").status_code == 403  # HR cannot confirm
    page = gm.get("/gm/").content.decode()
    assert "E01 的目标录错" in page and f'action="/gm/reopen/{PERIOD}/confirm/"' in page
    assert gm.post(f"/gm/reopen/{PERIOD}/confirm/").status_code == 302
    cycle = Cycle.objects.get(period=PERIOD)
    assert cycle.status == Cycle.Status.OPEN
    assert set(Review.objects.filter(cycle=cycle).values_list("status", flat=True)) == {S.PENDING_HR}
    assert ReviewSnapshot.objects.filter(review__cycle=cycle).count() == 8  # earlier versions kept
    entry = AuditEntry.objects.get(action="cycle.reopen")
    assert entry.actor == "hr" and entry.after["approved_by"] == "gm" and entry.reason == "E01 的目标录错"
    assert f'action="/gm/reopen/{PERIOD}/confirm/"' not in gm.get("/gm/").content.decode()


def test_a_gm_may_decline_and_nobody_confirms_their_own_request(company) -> None:  # type: ignore[no-untyped-def]
    from django.contrib.auth.models import Group

    _archived(company)
    both = company.user("hr2")
    both.groups.add(Group.objects.get(name="gm"))  # an HR user who is also a GM
    hr2 = client_for(company, "hr2")
    assert hr2.post(f"/hr/cycles/{PERIOD}/reopen/", {"reason": "复核"}).status_code == 302
    refused = hr2.post(f"/gm/reopen/{PERIOD}/confirm/")
    assert refused.status_code == 403 and "两个人" in refused.content.decode()
    gm = client_for(company, "gm")
    assert gm.post(f"/gm/reopen/{PERIOD}/decline/", {"reason": ""}).status_code == 409
    assert gm.post(f"/gm/reopen/{PERIOD}/decline/", {"reason": "无需重开"}).status_code == 302
    assert Cycle.objects.get(period=PERIOD).status == Cycle.Status.ARCHIVED
    assert AuditEntry.objects.get(action="cycle.reopen_decline").reason == "无需重开"
    assert gm.post(f"/gm/reopen/{PERIOD}/confirm/").status_code == 409  # nothing pending any more


def test_the_console_in_english(company) -> None:  # type: ignore[no-untyped-def]
    open_month(company)
    hr = client_for(company, "hr")
    hr.post("/i18n/setlang/", {"language": "en", "next": "/hr/"})
    page = hr.get("/hr/").content.decode()
    assert "Open a cycle" in page and "Cycles and their reviews per step" in page and "Audit log" in page


def test_the_cycle_page_shows_the_months_computation_and_the_ratings_it_could_not_use(
    company, settings, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    from shopkpi.data.imports.importer import import_files

    open_month(company)
    hr = client_for(company, "hr")
    page = hr.get(f"/hr/cycles/{PERIOD}/").content.decode()
    # opened once for the 8 participants (the fake shop data has no batches)
    assert "（开启考核期）由 hr 为 8 份考核从数据仓库读取一次，来自 0 个导入批次" in page
    ratings = tmp_path / "ratings.csv"
    ratings.write_text(
        "employee,period,item,rating,rater\nE01,2026-09,工作态度,优,supervisor\nE02,2026-09,沟通,优,supervisor\n",
        encoding="utf-8",
    )
    import_files(settings.HOME, "ratings", [ratings], user="hr")
    assert hr.post(f"/hr/cycles/{PERIOD}/recompute/").status_code == 302
    page = hr.get(f"/hr/cycles/{PERIOD}/").content.decode()
    assert "（按仓库数据重算）由 hr 为 8 份考核从数据仓库读取一次，来自 1 个导入批次" in page
    assert "评分 ratings：工号 E02，指标“沟通”，评分“优”：考核表没有这个指标（写指标的 key 或名称）" in page
    # E01's 工作态度 (the item named in Chinese) is the review's rating now, marked as imported
    rating = company.review("E01").ratings.get(item_key="attitude")
    assert (rating.level, rating.rated_by) == ("优", None)


def test_someone_whose_position_has_no_template_is_flagged_and_the_month_refused(company) -> None:  # type: ignore[no-untyped-def]
    """Listed, not silently skipped: the preview marks them, opening lists them and opens nothing."""
    from shopkpi.appraisal.organisation import service

    service.add_employee(
        "hr",
        {
            "code": "L01",
            "name": "林直播",
            "department": "运营部",
            "position": "直播运营",
            "supervisor": "M01",
        },
    )
    hr = client_for(company, "hr")
    preview = hr.get("/hr/cycles/new/preview/", {"period": "2026-10", "cutoff_day": "15"}).content.decode()
    # not left out by default: opening refuses the month, not the person
    assert "将开启 9 份考核。" in preview
    assert "考核期不能开启：L01 林直播（直播运营）；" in preview
    answer = hr.post(
        "/hr/cycles/new/",
        {
            "period": "2026-10",
            "cutoff_day": "15",
            "appeal_days": "7",
            "self_due": "2026-11-03",
            "supervisor_due": "2026-11-07",
            "hr_due": "2026-11-10",
        },
    )
    assert answer.status_code >= 400
    assert "L01 林直播（岗位 直播运营）：岗位没有指定月度考核表模板" in answer.content.decode()
    assert not Cycle.objects.filter(period="2026-10").exists()
