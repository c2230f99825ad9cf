"""The SMTP notifier against a real (tiny, in-process) SMTP server, and the dev outbox."""

from __future__ import annotations

import socketserver
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from email import message_from_bytes

import pytest

from cloud.auth.notifier import Mail, OutboxNotifier, SmtpNotifier, notifier_from_settings
from cloud.settings import CloudSettings


class _SmtpHandler(socketserver.StreamRequestHandler):
    """Just enough RFC 5321 to accept one message (no STARTTLS, no AUTH)."""

    def handle(self) -> None:
        server: _SmtpServer = self.server  # type: ignore[assignment]
        self.wfile.write(b"220 test ESMTP\r\n")
        while line := self.rfile.readline():
            verb = line.strip().split(b" ", 1)[0].upper()
            if verb == b"EHLO":
                self.wfile.write(b"250-test\r\n250 8BITMIME\r\n")
            elif verb == b"DATA":
                self.wfile.write(b"354 go on\r\n")
                body = b""
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    body += chunk
                server.received.append(body)
                self.wfile.write(b"250 queued\r\n")
            elif verb == b"QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                server.commands.append(line.strip())
                self.wfile.write(b"250 ok\r\n")


class _SmtpServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _SmtpHandler)
        self.received: list[bytes] = []
        self.commands: list[bytes] = []


@pytest.fixture
def smtp_server() -> Iterator[_SmtpServer]:
    server = _SmtpServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_smtp_notifier_delivers(smtp_server: _SmtpServer) -> None:
    port = smtp_server.server_address[1]
    notifier = SmtpNotifier(f"smtp://127.0.0.1:{port}", "noreply@shop.example", timeout=5)
    notifier.send(Mail("li@example.com", "reset", "token: abc"), None, datetime.now(UTC))  # type: ignore[arg-type]
    assert len(smtp_server.received) == 1
    msg = message_from_bytes(smtp_server.received[0])
    assert (msg["To"], msg["From"], msg["Subject"]) == (
        "li@example.com",
        "noreply@shop.example",
        "reset",
    )
    assert smtp_server.commands[0].upper() == b"MAIL FROM:<NOREPLY@SHOP.EXAMPLE>"


def test_smtp_notifier_refuses_other_urls() -> None:
    with pytest.raises(ValueError, match="smtp"):
        SmtpNotifier("http://mail.example.com", "a@b")


def test_notifier_is_chosen_by_settings() -> None:
    assert isinstance(notifier_from_settings(CloudSettings()), OutboxNotifier)
    smtp = notifier_from_settings(CloudSettings(smtp_url="smtps://u:p%40ss@mail.example.com"))
    assert isinstance(smtp, SmtpNotifier)
    assert (smtp.ssl, smtp.port, smtp.user, smtp.password) == (True, 465, "u", "p@ss")
