"""Delivering one-time login codes: every message goes to the outbox table in the login's transaction;
with SMTP configured, a job deferred in that same transaction sends it (and blanks the stored text).

Durable: a crash after the commit leaves the job queued for the next worker, a rolled-back login leaves
neither message nor job. Asynchronous: how long a mail server takes never tells a caller whether the
account they named exists. Without SMTP the outbox is where codes stay (`racehub outbox` prints them).
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

import psycopg
import structlog
from procrastinate import App, SyncPsycopgConnector
from sqlalchemy.orm import Session

from racehub.auth import login_repository as repository
from racehub.auth.login_repository import OutboxRow
from racehub.config import Settings
from racehub.db import Database, Scope

log = structlog.get_logger(__name__)

TASK_SEND = "racehub.auth.send_mail"
MAIL_QUEUE = "mail"
# Never opened: it only defers on a connection the caller lends it (the login's transaction).
_deferrer = App(connector=SyncPsycopgConnector())


@dataclass(frozen=True)
class OutgoingMail:
    to: str
    subject: str
    body: str


def code_mail(to: str, name: str, code: str, ttl_s: int) -> OutgoingMail:
    minutes = max(ttl_s // 60, 1)
    body = (
        f"Hello {name},\n\n"
        f"Your RaceHub login code is {code}\n\n"
        f"Type it into the chat where you asked to log in. It works once and expires in {minutes} minutes.\n"
        "If you did not ask to log in, ignore this message: nobody can log in without the code.\n"
    )
    return OutgoingMail(to=to, subject=f"RaceHub login code {code}", body=body)


def build_message(mail: OutgoingMail, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message.set_content(mail.body)
    return message


def queue_mail(session: Session, settings: Settings, mails: list[OutgoingMail]) -> list[int]:
    """Put the mails in the outbox and, with SMTP configured, defer their sending: all in the caller's
    transaction (they leave with it, or not at all). The outbox ids come back."""
    ids = [repository.add_outbox(session, m.to, m.subject, m.body) for m in mails]
    if settings.smtp_url is not None:
        connection = session.connection().connection.driver_connection
        assert isinstance(connection, psycopg.Connection)
        for message_id in ids:
            _deferrer.configure_task(TASK_SEND, queue=MAIL_QUEUE, connection=connection).defer(
                message_id=message_id
            )
    return ids


def deliver(database: Database, settings: Settings, message_id: int) -> str:
    """Send one queued message by SMTP (the job's work). Idempotent: a message already sent is not sent
    again; an SMTP failure raises, and the job is retried."""
    with database.session(Scope.operator()) as session:
        message = repository.outbox_message(session, message_id)
        if message is None or message.sent_at is not None:
            return "already sent"
        send_smtp(settings, OutgoingMail(message.to, message.subject, message.body))
        repository.mark_sent(session, message_id)
    return "sent"


def send_smtp(settings: Settings, mail: OutgoingMail, timeout_s: float = 15.0) -> None:
    """Send one message through `RACEHUB_SMTP_URL` (smtp:// with STARTTLS when offered, or smtps://)."""
    assert settings.smtp_url is not None
    url = urlsplit(settings.smtp_url.get_secret_value())
    host = url.hostname or "localhost"
    secure = url.scheme == "smtps"
    port = url.port or (465 if secure else 25)
    context = ssl.create_default_context()
    client: smtplib.SMTP = (
        smtplib.SMTP_SSL(host, port, timeout=timeout_s, context=context)
        if secure
        else smtplib.SMTP(host, port, timeout=timeout_s)
    )
    with client:
        client.ehlo()
        if not secure and client.has_extn("starttls"):
            client.starttls(context=context)
            client.ehlo()
        if url.username:
            client.login(unquote(url.username), unquote(url.password or ""))
        client.send_message(build_message(mail, settings.smtp_from))


def outbox(session: Session, *, to: str | None = None, limit: int = 20) -> list[OutboxRow]:
    """The newest messages not (yet) sent by SMTP, newest first."""
    return repository.outbox(session, to=to, limit=limit)
