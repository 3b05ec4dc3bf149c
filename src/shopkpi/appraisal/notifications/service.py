"""The notification service: a notice to each person concerned (the inbox), then out through e-mail and
the group robots (the company's and the employee's department's), each send logged in a Delivery row.

Sending happens after the workflow step's transaction commits and never fails the step: a channel's
error is recorded on its Delivery (shown on the HR page, retried by `shopkpi remind` up to
MAX_ATTEMPTS times), and anything else going wrong is logged with its traceback.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from shopkpi.appraisal.bulk_rows import insert_all
from shopkpi.appraisal.models import CompanySettings, Delivery, Employee, Notice
from shopkpi.appraisal.notifications import messages
from shopkpi.appraisal.notifications.channels import CHANNELS, ROBOTS, ChannelError, Message, Target

MAX_ATTEMPTS = 3
log = logging.getLogger(__name__)


def after_commit(job: Callable[[], Any]) -> None:
    """Run `job` once the current transaction commits; an error in it is logged, never raised into the
    step that caused it (the step is done and stays done)."""

    def run() -> None:
        try:
            job()
        except Exception:
            log.exception("sending a notice failed")

    transaction.on_commit(run)


def users_in_group(name: str) -> list[Any]:
    return list(get_user_model().objects.filter(groups__name=name, is_active=True).order_by("id"))


def email_of(user: Any) -> str:
    employee = _employee(user)
    return str(getattr(employee, "email", "") or getattr(user, "email", "") or "")


def _employee(user: Any) -> Employee | None:
    try:
        return user.employee if user is not None else None
    except Employee.DoesNotExist:
        return None


def notify(
    kind: str,
    recipients: Iterable[Any],
    params: dict[str, Any],
    *,
    review: Any = None,
    employee: Employee | None = None,
    key: str | None = None,
) -> list[Notice]:
    """Notices of `kind` to each recipient (a user), each sent out; robots get the event once.

    With `key`, a notice already made with that key (per recipient) is not made again: reminders are
    sent once a day however often `shopkpi remind` runs."""
    notices = []
    for user in recipients:
        if user is None:
            continue
        made = _make(kind, user, params, key, review=review, employee=employee)
        if made is not None:
            notices.append(made)
    for number, notice in enumerate(notices):
        address = email_of(notice.recipient)
        if address and settings.SHOPKPI_EMAIL_URL:  # without a mail server, the inbox only
            Delivery.objects.create(notice=notice, channel="email", target=address)
        if number == 0:
            for channel, label in robot_targets(employee):
                Delivery.objects.create(notice=notice, channel=channel, target=label)
    for notice in notices:
        send(notice.deliveries.filter(status=Delivery.Status.PENDING))
    return notices


@dataclass(frozen=True)
class Note:
    """What one `notify` call says, for `notify_many`."""

    recipients: Sequence[Any]
    params: dict[str, Any]
    review: Any = None
    employee: Employee | None = None


def notify_many(kind: str, notes: Sequence[Note]) -> list[Notice]:
    """`notify(kind, ...)` for each note (without a key), in a few queries whatever their number: the same
    notices and deliveries, sent in the same order (the GM's approve-all publishes hundreds of results).

    As with a `notify` job for each note, a note that fails is logged and the others are still made and
    sent: a failure while its notices are saved or its deliveries worked out (one person's address,
    say) leaves that note's deliveries out, and a delivery that fails is recorded on it (`send`)."""
    made: list[tuple[Note, list[Notice]]] = []
    for note in notes:
        own = [
            Notice(kind=kind, recipient=user, params=note.params, review=note.review, employee=note.employee)
            for user in note.recipients
            if user is not None
        ]
        made.append((note, own))
    try:
        with transaction.atomic():
            insert_all(Notice, [n for _, own in made for n in own])
    except Exception:  # one note's notices at a time, so that only a failing note is left out
        for _, own in made:
            for notice in own:
                notice.pk, notice._state.adding = None, True
        made = [(note, own) for note, own in made if _saved(kind, own)]
    company = CompanySettings.objects.first()
    deliveries: list[Delivery] = []
    for note, own in made:
        try:
            deliveries += _deliveries(note, own, company)
        except Exception:
            log.exception("a %s notice to %s failed; the others are still sent", kind, _whom(own))
    insert_all(Delivery, deliveries)
    notices = [n for _, own in made for n in own]
    if deliveries:
        send(
            Delivery.objects.filter(notice__in=notices, status=Delivery.Status.PENDING)
            .select_related("notice")
            .order_by("notice_id", "-id")  # notice by notice, each as notify sends it (newest first)
        )
    return notices


def _deliveries(note: Note, own: Sequence[Notice], company: CompanySettings | None) -> list[Delivery]:
    found: list[Delivery] = []
    for number, notice in enumerate(own):
        address = email_of(notice.recipient)
        if address and settings.SHOPKPI_EMAIL_URL:  # without a mail server, the inbox only
            found.append(Delivery(notice=notice, channel="email", target=address))
        if number == 0:
            for key, target in _robots(note.employee, company).items():
                found.append(Delivery(notice=notice, channel=key.split(":", 1)[0], target=target.label))
    return found


def _saved(kind: str, own: Sequence[Notice]) -> bool:
    try:
        with transaction.atomic():
            for notice in own:
                notice.save()
    except Exception:
        log.exception("a %s notice to %s could not be saved; the others are still sent", kind, _whom(own))
        return False
    return True


def _whom(own: Sequence[Notice]) -> str:
    return ", ".join(str(getattr(n.recipient, "username", n.recipient_id)) for n in own)


def _make(kind: str, user: Any, params: dict[str, Any], key: str | None, **where: Any) -> Notice | None:
    key = f"{key}:{user.pk}" if key else None
    try:
        with transaction.atomic():
            return Notice.objects.create(kind=kind, recipient=user, params=params, key=key, **where)
    except IntegrityError:
        if key and Notice.objects.filter(key=key).exists():
            return None  # already sent today
        raise


def robots(employee: Employee | None) -> dict[str, Target]:
    """The robots a notice about `employee` goes to: the company's (environment first, then the settings
    page) and the one of the employee's department, by a label naming whose robot it is."""
    return _robots(employee, CompanySettings.objects.first())


def _robots(employee: Employee | None, company: CompanySettings | None) -> dict[str, Target]:
    found: dict[str, Target] = {}
    for channel in ROBOTS:
        url, secret = settings.SHOPKPI_ROBOTS[channel]
        if not url and company is not None:
            url = getattr(company, f"{channel}_webhook", "")
            secret = getattr(company, f"{channel}_secret", "")
        if url:
            found[f"{channel}:company"] = Target(url, "company", secret)
    department = employee.department if employee is not None else None
    if department is not None and department.robot_channel in ROBOTS and department.robot_webhook:
        label = f"department:{department.pk}"
        found[f"{department.robot_channel}:{label}"] = Target(
            department.robot_webhook, label, department.robot_secret
        )
    return found


def robot_targets(employee: Employee | None) -> list[tuple[str, str]]:
    return [(key.split(":", 1)[0], target.label) for key, target in robots(employee).items()]


def send(deliveries: Iterable[Delivery]) -> None:
    """Try each delivery once, recording its outcome; one that cannot even be recorded is logged, and
    the next one still goes."""
    for delivery in deliveries:
        try:
            _send(delivery)
        except Exception:
            log.exception("delivery %s through %s could not be recorded", delivery.pk, delivery.channel)


def _send(delivery: Delivery) -> None:
    notice = delivery.notice
    delivery.attempts += 1
    delivery.tried_at = timezone.now()
    try:
        channel = CHANNELS.get(delivery.channel)
        if channel is None:
            raise ChannelError(f"no channel {delivery.channel!r}")
        channel(_target(delivery), _message(notice, delivery.channel))
    except Exception as error:  # recorded on the delivery (and shown to HR), the next one still goes
        if not isinstance(error, ChannelError):
            log.exception("delivery %s through %s failed", delivery.pk, delivery.channel)
        delivery.status = Delivery.Status.FAILED
        delivery.error = (str(error) if isinstance(error, ChannelError) else repr(error))[:2000]
    else:
        delivery.status = Delivery.Status.SENT
        delivery.error = ""
    delivery.save(update_fields=["attempts", "tried_at", "status", "error"])


def _target(delivery: Delivery) -> Target:
    if delivery.channel == "email":
        return Target(delivery.target, delivery.target)
    review = delivery.notice.review
    employee = review.employee if review is not None else delivery.notice.employee
    target = robots(employee).get(f"{delivery.channel}:{delivery.target}")
    if target is None:
        raise ChannelError("this robot is no longer configured")
    return target


def _message(notice: Notice, channel: str) -> Message:
    with translation.override(settings.LANGUAGE_CODE):
        if channel == "email":
            return Message(messages.subject(notice), messages.body(notice))
        employee = notice.employee or _employee(notice.recipient)
        mobile = str(getattr(employee, "mobile", "") or "")
        return Message(_("绩效考核提醒"), messages.robot_text(notice), (mobile,) if mobile else ())


def retry_failed() -> int:
    """Send again every failed delivery with attempts left; the number retried."""
    failed = list(
        Delivery.objects.filter(status=Delivery.Status.FAILED, attempts__lt=MAX_ATTEMPTS).select_related(
            "notice__review__employee__department", "notice__recipient"
        )
    )
    send(failed)
    return len(failed)
