"""Notices through every channel: the inbox, e-mail (a local SMTP sink) and the group robots of 企业微信,
钉钉 and 飞书 (a local webhook receiver), for each event; reminders once a day; a failing channel is
recorded and retried, never blocking the step."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from django.core import mail

from appraisal.notice_receivers import Posted, SmtpSink, smtp_sink, webhook_receiver
from appraisal.workflow_company import Company, advance, build_company, open_month
from shopkpi.appraisal.models import Cycle, Delivery, Notice, Review
from shopkpi.appraisal.notifications.reminders import remind
from shopkpi.appraisal.reviews.reopen_requests import request_reopen
from shopkpi.appraisal.reviews.workflow import archive_cycle, perform

pytestmark = pytest.mark.django_db
S = Review.Status
DING_SECRET = "SECtest-dingtalk"
FEISHU_SECRET = "feishu-test-secret"


@pytest.fixture
def co(monkeypatch: pytest.MonkeyPatch) -> Company:
    company = build_company(monkeypatch)
    for user in company.users.values():
        user.email = f"{user.username}@shop.example"
        user.save(update_fields=["email"])
    open_month(company)
    return company


@pytest.fixture
def sink(settings: Any) -> Iterator[SmtpSink]:
    with smtp_sink() as (received, port):
        settings.SHOPKPI_EMAIL_URL = f"smtp://127.0.0.1:{port}"
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        yield received


@pytest.fixture
def robots(settings: Any) -> Iterator[list[Posted]]:
    with webhook_receiver() as (posted, base):
        settings.SHOPKPI_ROBOTS = {
            "wecom": (f"{base}/wecom?key=abc", ""),
            "dingtalk": (f"{base}/dingtalk?access_token=xyz", DING_SECRET),
            "feishu": (f"{base}/feishu", FEISHU_SECRET),
        }
        yield posted


def _by_robot(posted: list[Posted]) -> dict[str, Posted]:
    return {p.path.strip("/"): p for p in posted}


def _robot_texts(posted: list[Posted]) -> dict[str, str]:
    robots = _by_robot(posted)
    return {
        "wecom": robots["wecom"].body["text"]["content"],
        "dingtalk": robots["dingtalk"].body["text"]["content"],
        "feishu": robots["feishu"].body["content"]["text"],
    }


def test_a_return_reaches_the_employee_by_inbox_and_mail_and_every_robot_signed(
    co: Company, sink: SmtpSink, robots: list[Posted], django_capture_on_commit_callbacks: Any
) -> None:
    review = advance(co, "E01", S.PENDING_SUPERVISOR)
    with django_capture_on_commit_callbacks(execute=True):
        perform(co.user("m01"), review, "return_to_self", reason="自评没有写数据")
    notice = Notice.objects.get(recipient=co.user("e01"))
    assert notice.kind == "returned" and notice.read_at is None
    [sent] = sink.mails
    assert sent.to == ["e01@shop.example"]
    assert sent.subject == "你的考核被退回"
    assert "你的考核被退回（2026-09，退回员工重新自评），原因：自评没有写数据" in sent.body
    texts = _robot_texts(robots)
    for text in texts.values():
        assert "赵一 的考核（2026-09）被退回" in text
        assert "自评没有写数据" not in text  # a group chat never sees the reason
    by = _by_robot(robots)
    assert by["wecom"].body["msgtype"] == "text" and by["wecom"].query == {"key": "abc"}
    # 钉钉加签, computed here independently: base64(HMAC-SHA256(secret, "timestamp\nsecret"))
    ding = by["dingtalk"].query
    expected = hmac.new(DING_SECRET.encode(), f"{ding['timestamp']}\n{DING_SECRET}".encode(), hashlib.sha256)
    assert ding["sign"] == base64.b64encode(expected.digest()).decode()
    assert ding["access_token"] == "xyz"
    # 飞书签名: base64(HMAC-SHA256(key="timestamp\nsecret", message=""))
    feishu = by["feishu"].body
    key = f"{feishu['timestamp']}\n{FEISHU_SECRET}".encode()
    assert feishu["sign"] == base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
    assert feishu["msg_type"] == "text"
    outcomes = sorted(Delivery.objects.values_list("channel", "status", "attempts"))
    assert outcomes == [
        ("dingtalk", "sent", 1),
        ("email", "sent", 1),
        ("feishu", "sent", 1),
        ("wecom", "sent", 1),
    ]


def test_publication_and_the_answer_to_an_appeal_reach_the_employee(
    co: Company, sink: SmtpSink, robots: list[Posted], django_capture_on_commit_callbacks: Any
) -> None:
    review = advance(co, "E01", S.PENDING_GM)
    with django_capture_on_commit_callbacks(execute=True):
        review = perform(co.user("gm"), review, "approve")
    assert [m.subject for m in sink.mails] == ["2026-09 考核结果已发布"]
    assert "赵一 的考核（2026-09）结果已发布" in _robot_texts(robots)["wecom"]
    with django_capture_on_commit_callbacks(execute=True):
        review = perform(
            co.user("e01"), review, "appeal", items=[{"item_key": "attainment", "reason": "销售额少算了一单"}]
        )
        perform(co.user("hr"), review, "decide_appeal", outcome="upheld", note="订单已核对，数据无误")
    answered = sink.mails[-1]
    assert answered.to == ["e01@shop.example"]
    assert answered.subject == "2026-09 考核：你的申诉已处理"
    assert "维持原结果。说明：订单已核对，数据无误" in answered.body
    assert [n.kind for n in Notice.objects.filter(recipient=co.user("e01")).order_by("id")] == [
        "published",
        "appeal_answered",
    ]


def test_a_reopen_request_reaches_every_gm(
    co: Company, sink: SmtpSink, robots: list[Posted], django_capture_on_commit_callbacks: Any
) -> None:
    for code in co.employees:
        advance(co, code, S.ACKNOWLEDGED)
    cycle = Cycle.objects.get()
    archive_cycle(co.user("hr"), cycle)
    with django_capture_on_commit_callbacks(execute=True):
        request_reopen(co.user("hr"), cycle, "九月目标导入错了")
    assert sorted(to for m in sink.mails for to in m.to) == ["gm@shop.example", "vgm@shop.example"]
    assert all("hr 申请重新开启考核期 2026-09，原因：九月目标导入错了" in m.body for m in sink.mails)
    assert "考核期 2026-09 申请重新开启" in _robot_texts(robots)["feishu"]


def test_reminders_before_the_deadline_once_and_overdue_once_a_day(
    co: Company, sink: SmtpSink, robots: list[Posted]
) -> None:
    Cycle.objects.update(
        self_due=dt.date(2026, 10, 9), supervisor_due=dt.date(2026, 10, 14), hr_due=dt.date(2026, 10, 20)
    )
    cycle = Cycle.objects.get()
    for code in co.employees:
        if code != "E01":
            advance(co, code, S.PENDING_HR)
    # E01 waits for its self-review; the 7 others wait for HR (hr and hr2 are told of each)
    before = cycle.self_due - dt.timedelta(days=1)
    first = remind(before, days=2)
    assert (first.due, first.overdue) == (1, 0)  # HR's deadline is further than 2 days away
    assert [m.to for m in sink.mails] == [["e01@shop.example"]]
    assert f"截止 {cycle.self_due.isoformat()}，还有 1 天" in sink.mails[0].body
    assert remind(before, days=2).due == 0  # the same step and deadline: never twice
    late = cycle.self_due + dt.timedelta(days=3)
    assert remind(late, days=2).overdue == 1
    assert "已逾期 3 天" in sink.mails[-1].body
    assert remind(late, days=2).overdue == 0  # again the same day: nothing
    assert remind(late + dt.timedelta(days=1), days=2).overdue == 1  # the next day: again
    hr_late = cycle.hr_due + dt.timedelta(days=1)
    assert remind(hr_late, days=2).overdue == 1 + 7 * 2  # E01 to e01; each of 7 reviews to hr and hr2


def test_a_failing_channel_never_blocks_the_step_is_shown_to_hr_and_retried(
    co: Company,
    sink: SmtpSink,
    robots: list[Posted],
    settings: Any,
    client: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    base = settings.SHOPKPI_ROBOTS["wecom"][0].split("/wecom")[0]
    settings.SHOPKPI_ROBOTS = {**settings.SHOPKPI_ROBOTS, "wecom": (f"{base}/refuses", "")}
    review = advance(co, "E01", S.PENDING_SUPERVISOR)
    with django_capture_on_commit_callbacks(execute=True):
        review = perform(co.user("m01"), review, "return_to_self", reason="请补充数据")
    assert review.status == S.PENDING_SELF  # the step is done
    failed = Delivery.objects.get(channel="wecom")
    assert (failed.status, failed.attempts) == ("failed", 1)
    assert failed.error == "企业微信: 93000 invalid webhook url"
    assert Delivery.objects.get(channel="email").status == "sent"
    client.force_login(co.user("hr"))
    page = client.get("/hr/").content.decode()
    assert "1 条通知发送失败" in page and "企业微信" in page and "invalid webhook url" in page
    settings.SHOPKPI_ROBOTS = {**settings.SHOPKPI_ROBOTS, "wecom": (f"{base}/wecom", "")}
    assert remind(Cycle.objects.get().self_due - dt.timedelta(days=30)).retried == 1
    failed.refresh_from_db()
    assert (failed.status, failed.attempts, failed.error) == ("sent", 2, "")
    assert "1 条通知发送失败" not in client.get("/hr/").content.decode()


def test_without_an_email_url_no_mail_is_tried_but_the_inbox_and_badge_work(
    co: Company, settings: Any, client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.SHOPKPI_EMAIL_URL = ""
    review = advance(co, "E01", S.PENDING_SUPERVISOR)
    with django_capture_on_commit_callbacks(execute=True):
        perform(co.user("m01"), review, "return_to_self", reason="自评没有写数据")
    assert mail.outbox == []
    assert not Delivery.objects.filter(channel="email").exists()  # nothing to retry or report
    client.force_login(co.user("e01"))
    home = client.get("/").content.decode()
    assert 'aria-label="1 条未读"' in home
    inbox = client.get("/notices/").content.decode()
    assert "原因：自评没有写数据" in inbox
    client.post("/notices/read/")
    assert Notice.objects.get().read_at is not None
    assert "条未读" not in client.get("/notices/").content.decode()


def test_the_remind_command_sends_todays_reminders_once(co: Company, settings: Any) -> None:
    from click.testing import CliRunner

    from shopkpi.cli.main import cli

    settings.SHOPKPI_EMAIL_URL = ""
    Cycle.objects.update(self_due=dt.date(2026, 10, 9))
    # all 8 reviews wait for their self-review; the 8 employees have logins
    command = ["--home", str(settings.HOME), "remind", "--date", "2026-10-12"]
    first = CliRunner().invoke(cli, command)
    assert first.exit_code == 0, first.output
    assert "2026-10-12: 0 due-soon and 8 overdue reminders sent, 0 failed sends retried" in first.output
    assert "0 results final since their appeal window closed" in first.output  # nothing published yet
    again = CliRunner().invoke(cli, command)
    assert "0 due-soon and 0 overdue reminders sent" in again.output
    assert Notice.objects.filter(kind="overdue").count() == 8
    wrong = CliRunner().invoke(cli, ["--home", str(settings.HOME), "remind", "--daily-at", "25:00"])
    assert wrong.exit_code == 2 and "'25:00' is not a time of day like 08:00" in wrong.output


@pytest.mark.django_db(transaction=True)  # django-q's scheduler closes old connections, as in a worker
def test_the_daily_reminders_are_a_job_a_worker_runs_once_a_day_at_the_chosen_time(
    co: Company, settings: Any
) -> None:
    from django.utils import timezone
    from django_q.brokers import get_broker
    from django_q.models import OrmQ, Schedule
    from django_q.scheduler import scheduler

    from shopkpi.appraisal.notifications.daily import schedule_reminders, send_today

    settings.SHOPKPI_EMAIL_URL = ""
    Cycle.objects.update(self_due=timezone.localdate() - dt.timedelta(days=3))  # 8 self-reviews overdue
    now = timezone.localtime()
    eight = now.replace(hour=8, minute=0, second=0, microsecond=0)
    assert schedule_reminders(dt.time(8, 0)) == (eight if eight > now else eight + dt.timedelta(days=1))
    assert schedule_reminders(dt.time(9, 30)).strftime("%H:%M") == "09:30"  # changed, not added
    [schedule] = Schedule.objects.all()
    assert (schedule.func, schedule.schedule_type) == (
        "shopkpi.appraisal.notifications.daily.send_today",
        "D",
    )
    # its time has come: a worker's scheduler queues it once and moves it to the next day; another's does not
    Schedule.objects.update(next_run=timezone.now() - dt.timedelta(minutes=1))
    scheduler(broker=get_broker())
    scheduler(broker=get_broker())
    [queued] = OrmQ.objects.all()
    assert queued.task["func"] == "shopkpi.appraisal.notifications.daily.send_today"
    assert timezone.now() < Schedule.objects.get().next_run <= timezone.now() + dt.timedelta(days=1)
    # what the worker that takes it runs: today's reminders, once however often it runs
    send_today()
    send_today()
    assert Notice.objects.filter(kind="overdue").count() == 8
    assert schedule_reminders(None) is None and not Schedule.objects.exists()


def test_approve_all_still_tells_the_others_when_one_notice_fails(
    co: Company,
    sink: SmtpSink,
    robots: list[Posted],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """Approve-all's publication notices go out in one job after the commit; one that fails (E02's mail
    address cannot be read) is logged and the others are still sent, as when each approval sent its own."""
    from shopkpi.appraisal.notifications import service
    from shopkpi.appraisal.reviews.workflow import approve_all

    for code in ("E01", "E02", "P01"):
        advance(co, code, S.PENDING_GM)
    address = service.email_of

    def failing(user: Any) -> str:
        if user.username == "e02":
            raise RuntimeError("通讯录接口超时")
        return address(user)

    monkeypatch.setattr(service, "email_of", failing)
    with caplog.at_level(logging.ERROR), django_capture_on_commit_callbacks(execute=True):
        approved = approve_all(co.user("gm"), Cycle.objects.get())
    assert sorted(r.employee.code for r in approved) == ["E01", "E02", "P01"]
    assert sorted(m.to[0] for m in sink.mails) == ["e01@shop.example", "p01@shop.example"]
    assert len(robots) == 2 * 3  # E01's and P01's publication to each of the three robots
    assert "通讯录接口超时" in caplog.text and "e02" in caplog.text
    # E02 still finds the result in the inbox; nothing was sent out for it
    notice = Notice.objects.get(recipient=co.user("e02"), kind="published")
    assert not notice.deliveries.exists()
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}


def test_a_receiver_that_breaks_one_delivery_leaves_the_next_ones_sent(
    co: Company, sink: SmtpSink, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    """A delivery whose receiver fails, and whose failure cannot even be recorded, is logged; the
    deliveries after it are still sent."""
    from shopkpi.appraisal.notifications import service
    from shopkpi.appraisal.reviews.workflow import approve_all

    for code in ("E01", "E02", "P01"):
        advance(co, code, S.PENDING_GM)
    target = service._target

    def broken(delivery: Delivery) -> Any:
        if delivery.target == "e01@shop.example":
            Delivery.objects.filter(pk=delivery.pk).delete()  # its row gone: recording it fails too
            raise ConnectionResetError("收件服务器断开了连接")
        return target(delivery)

    monkeypatch.setattr(service, "_target", broken)
    with django_capture_on_commit_callbacks(execute=True):
        approve_all(co.user("gm"), Cycle.objects.get())
    assert sorted(m.to[0] for m in sink.mails) == ["e02@shop.example", "p01@shop.example"]
