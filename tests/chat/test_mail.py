"""Login codes by SMTP (against a small in-process SMTP sink), sent by a job deferred with the login,
when configured; else the local outbox."""

from __future__ import annotations

import asyncio
import base64
import socket
import threading
import time
from collections.abc import Iterator
from email import message_from_bytes

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from racehub.auth import tasks as auth_tasks
from racehub.auth.mail import OutgoingMail, build_message, code_mail, deliver, send_smtp
from racehub.config import Settings
from racehub.db import Database
from racehub.workflows.queue import build_app
from tests.chat.world import ChatWorld, client_for, operator_rows, outbox_codes


class SmtpSink:
    """Just enough SMTP (EHLO, AUTH PLAIN, MAIL, RCPT, DATA, QUIT) to receive messages."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.port = self.sock.getsockname()[1]
        self.messages: list[bytes] = []
        self.logins: list[str] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn, conn.makefile("rb") as lines:
                self._session(conn, lines)

    def _session(self, conn: socket.socket, lines: object) -> None:
        conn.sendall(b"220 sink ESMTP\r\n")
        while line := lines.readline():  # type: ignore[attr-defined]
            verb = line.split(b" ", 1)[0].strip().upper()
            if verb in (b"EHLO", b"HELO"):
                conn.sendall(b"250-sink\r\n250 AUTH PLAIN\r\n")
            elif verb == b"AUTH":
                self.logins.append(base64.b64decode(line.split()[2]).decode())
                conn.sendall(b"235 ok\r\n")
            elif verb == b"DATA":
                conn.sendall(b"354 go\r\n")
                body = b""
                while (chunk := lines.readline()) not in (b".\r\n", b""):  # type: ignore[attr-defined]
                    body += chunk
                self.messages.append(body)
                conn.sendall(b"250 queued\r\n")
            elif verb == b"QUIT":
                conn.sendall(b"221 bye\r\n")
                return
            else:
                conn.sendall(b"250 ok\r\n")

    def wait_for(self, count: int, timeout_s: float = 5.0) -> None:
        deadline = time.monotonic() + timeout_s
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.02)

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def sink() -> Iterator[SmtpSink]:
    server = SmtpSink()
    yield server
    server.close()


class TestMessages:
    def test_the_code_mail_says_what_to_do(self) -> None:
        mail = code_mail("john@acmeracing.example", "John Carter", "012345", 600)
        message = build_message(mail, "RaceHub <racehub@localhost>")
        assert message["To"] == "john@acmeracing.example"
        assert message["Subject"] == "RaceHub login code 012345"
        assert "Your RaceHub login code is 012345" in message.get_content()
        assert "expires in 10 minutes" in message.get_content()

    def test_sent_through_smtp_with_login(self, sink: SmtpSink, test_settings: Settings) -> None:
        settings = test_settings.model_copy(
            update={
                "smtp_url": SecretStr(f"smtp://mailer:p%40ss@127.0.0.1:{sink.port}"),
                "smtp_from": "RaceHub <codes@racehub.example>",
            }
        )
        send_smtp(settings, OutgoingMail("maria@tidewatertiming.example", "Hello", "Body text"))
        (raw,) = sink.messages
        message = message_from_bytes(raw)
        assert message["From"] == "RaceHub <codes@racehub.example>"
        assert message["Subject"] == "Hello"
        assert sink.logins == ["\0mailer\0p@ss"]


def run_mail_jobs(database: Database, settings: Settings) -> None:
    """A real procrastinate worker on the mail queue until it is empty."""
    app = build_app(database)
    auth_tasks.register(app, database, settings)

    async def main() -> None:
        async with app.open_async():
            await app.run_worker_async(queues=["mail"], wait=False, install_signal_handlers=False)

    asyncio.run(main())


class TestDelivery:
    def test_with_smtp_configured_codes_go_by_a_job_deferred_with_the_login(
        self, sink: SmtpSink, chat_db: Database, test_settings: Settings, world: ChatWorld
    ) -> None:
        settings = test_settings.model_copy(update={"smtp_url": SecretStr(f"smtp://127.0.0.1:{sink.port}")})
        with client_for(chat_db, settings) as client:
            assert client.post("/v1/auth/challenge", json={"email": world.john.email}).status_code == 200
        # Committed with the challenge: a server that dies now loses nothing, the next worker sends it.
        jobs = operator_rows(chat_db, "SELECT status FROM procrastinate_jobs WHERE queue_name = 'mail'")
        assert jobs == [("todo",)]
        assert sink.messages == []
        run_mail_jobs(chat_db, settings)
        sink.wait_for(1)
        (raw,) = sink.messages
        assert b"To: john@acmeracing.example" in raw
        assert b"Your RaceHub login code is" in raw
        # Sent: the code is not kept, and `racehub outbox` no longer lists it.
        assert operator_rows(chat_db, "SELECT body FROM outbox") == [("(sent)",)]
        assert outbox_codes(chat_db, world.john.email) == []

    def test_a_retried_job_does_not_send_twice(
        self, sink: SmtpSink, chat_db: Database, test_settings: Settings, world: ChatWorld
    ) -> None:
        settings = test_settings.model_copy(update={"smtp_url": SecretStr(f"smtp://127.0.0.1:{sink.port}")})
        with client_for(chat_db, settings) as client:
            assert client.post("/v1/auth/challenge", json={"email": world.john.email}).status_code == 200
        (message_id,) = [row[0] for row in operator_rows(chat_db, "SELECT id FROM outbox")]
        assert deliver(chat_db, settings, message_id) == "sent"
        assert deliver(chat_db, settings, message_id) == "already sent"
        sink.wait_for(1)
        assert len(sink.messages) == 1

    def test_without_smtp_the_code_stays_in_the_outbox_and_no_job_is_queued(
        self, chat_db: Database, client: TestClient, world: ChatWorld
    ) -> None:
        assert client.post("/v1/auth/challenge", json={"email": world.john.email}).status_code == 200
        assert len(outbox_codes(chat_db, world.john.email)) == 1
        assert operator_rows(
            chat_db, "SELECT count(*) FROM procrastinate_jobs WHERE queue_name = 'mail'"
        ) == [(0,)]
