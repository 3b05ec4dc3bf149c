"""The channels a notice goes out through, in one registry: e-mail (Django's mail) and the group robots of
企业微信, 钉钉 and 飞书 (their documented webhook JSON bodies).

A channel is `send(target, message)`; it raises ChannelError with what went wrong (the robot's own
answer, the mail server's refusal) and returns when the channel accepted the message.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import send_mail

TIMEOUT_SECONDS = 10


class ChannelError(Exception):
    """The channel did not accept the message; the text says why."""


@dataclass(frozen=True)
class Message:
    subject: str
    body: str
    mobiles: tuple[str, ...] = ()  # whom a robot's message mentions (@)


@dataclass(frozen=True)
class Target:
    """Where to: an e-mail address, or a robot's webhook (with its signing secret) and whose it is."""

    address: str
    label: str
    secret: str = ""


def send_email(target: Target, message: Message) -> None:
    if not settings.SHOPKPI_EMAIL_URL:
        raise ChannelError("SHOPKPI_EMAIL_URL is not set")
    try:
        send_mail(message.subject, message.body, None, [target.address])
    except Exception as error:  # smtplib, socket and TLS errors all mean: not accepted
        raise ChannelError(f"{type(error).__name__}: {error}") from error


def _post(url: str, body: dict[str, Any]) -> dict[str, Any]:
    request = urllib.request.Request(
        url,
        data=json.dumps(body, ensure_ascii=False).encode("utf-8"),
        headers={"Content-Type": "application/json; charset=utf-8"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            text = response.read().decode("utf-8", "replace")
    except (urllib.error.URLError, OSError, ValueError) as error:
        raise ChannelError(f"{type(error).__name__}: {error}") from error
    try:
        answer = json.loads(text)
    except ValueError:
        raise ChannelError(f"the robot did not answer JSON: {text[:200]}") from None
    return answer if isinstance(answer, dict) else {}


def _text(message: Message) -> str:
    return f"{message.subject}\n{message.body}"


def send_wecom(target: Target, message: Message) -> None:
    """企业微信群机器人: {"msgtype": "text", "text": {"content", "mentioned_mobile_list"}}; errcode 0 is ok."""
    text = {"content": _text(message), "mentioned_mobile_list": list(message.mobiles)}
    answer = _post(target.address, {"msgtype": "text", "text": text})
    if answer.get("errcode") != 0:
        raise ChannelError(f"企业微信: {answer.get('errcode')} {answer.get('errmsg', '')}")


def dingtalk_url(url: str, secret: str, timestamp_ms: int) -> str:
    """钉钉加签: timestamp (ms) and sign = base64(HMAC-SHA256(secret, f"{timestamp}\\n{secret}")), URL-encoded."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    sign = urllib.parse.quote_plus(base64.b64encode(digest).decode())
    return f"{url}{'&' if '?' in url else '?'}timestamp={timestamp_ms}&sign={sign}"


def send_dingtalk(target: Target, message: Message) -> None:
    """钉钉自定义机器人: {"msgtype": "text", "text": {"content"}, "at": {"atMobiles"}}; errcode 0 is ok."""
    url = target.address
    if target.secret:
        url = dingtalk_url(url, target.secret, int(time.time() * 1000))
    body = {
        "msgtype": "text",
        "text": {"content": _text(message)},
        "at": {"atMobiles": list(message.mobiles), "isAtAll": False},
    }
    answer = _post(url, body)
    if answer.get("errcode") != 0:
        raise ChannelError(f"钉钉: {answer.get('errcode')} {answer.get('errmsg', '')}")


def feishu_sign(secret: str, timestamp_s: int) -> str:
    """飞书签名校验: base64(HMAC-SHA256(key=f"{timestamp}\\n{secret}", message=empty))."""
    key = f"{timestamp_s}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()


def send_feishu(target: Target, message: Message) -> None:
    """飞书自定义机器人: {"msg_type": "text", "content": {"text"}} (+ timestamp, sign); code 0 is ok."""
    body: dict[str, Any] = {"msg_type": "text", "content": {"text": _text(message)}}
    if target.secret:
        timestamp = int(time.time())
        body |= {"timestamp": str(timestamp), "sign": feishu_sign(target.secret, timestamp)}
    answer = _post(target.address, body)
    code = answer.get("code", answer.get("StatusCode"))
    if code != 0:
        raise ChannelError(f"飞书: {code} {answer.get('msg', answer.get('StatusMessage', ''))}")


CHANNELS: dict[str, Callable[[Target, Message], None]] = {
    "email": send_email,
    "wecom": send_wecom,
    "dingtalk": send_dingtalk,
    "feishu": send_feishu,
}
ROBOTS = ("wecom", "dingtalk", "feishu")
