"""Local receivers for the notice tests: an SMTP sink (aiosmtpd) and a webhook receiver (http.server),
both on a free 127.0.0.1 port, each keeping what it received."""

from __future__ import annotations

import email
import email.policy
import json
import socket
import threading
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller


@dataclass
class Mail:
    to: list[str]
    subject: str
    body: str


@dataclass
class SmtpSink:
    mails: list[Mail] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        body = message.get_body(("plain",))
        self.mails.append(Mail(list(envelope.rcpt_tos), str(message["Subject"]), body.get_content()))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def smtp_sink() -> Iterator[tuple[SmtpSink, int]]:
    sink = SmtpSink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield sink, port
    finally:
        controller.stop()


@dataclass
class Posted:
    path: str
    query: dict[str, str]
    body: dict[str, Any]


# what each robot answers when it accepts a message (their documented answers), or refuses one
ANSWERS = {
    "/wecom": {"errcode": 0, "errmsg": "ok"},
    "/dingtalk": {"errcode": 0, "errmsg": "ok"},
    "/feishu": {"code": 0, "msg": "success"},
    "/refuses": {"errcode": 93000, "errmsg": "invalid webhook url"},
}


@contextmanager
def webhook_receiver() -> Iterator[tuple[list[Posted], str]]:
    posted: list[Posted] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            url = urllib.parse.urlsplit(self.path)
            length = int(self.headers["Content-Length"])
            body = json.loads(self.rfile.read(length).decode("utf-8"))
            posted.append(Posted(url.path, dict(urllib.parse.parse_qsl(url.query)), body))
            answer = json.dumps(ANSWERS.get(url.path, {"errcode": 404})).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield posted, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
