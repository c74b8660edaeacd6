"""Delivering one-time login codes: by SMTP when configured, otherwise to the local outbox table.

SMTP runs after the request's transaction, in a background thread: how long a mail server takes must
not tell a caller whether the account they named exists.
"""

from __future__ import annotations

import smtplib
import ssl
import threading
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

import structlog
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from racehub.config import Settings
from racehub.models import OutboxMessage

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class OutgoingMail:
    to: str
    subject: str
    body: str


@dataclass(frozen=True)
class OutboxRow:
    id: int
    created_at: datetime
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


class Mailer:
    """Puts mail in the outbox (inside the caller's transaction) or, with SMTP, sends it after commit."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @property
    def uses_smtp(self) -> bool:
        return self.settings.smtp_url is not None

    def store(self, session: Session, mails: list[OutgoingMail]) -> list[OutgoingMail]:
        """Outbox the mails, or return them for `send_later` when SMTP is configured."""
        if self.uses_smtp:
            return mails
        for mail in mails:
            session.add(OutboxMessage(to_address=mail.to, subject=mail.subject, body=mail.body))
        session.flush()
        return []

    def send_later(self, mails: list[OutgoingMail]) -> None:
        if mails:
            threading.Thread(target=self._send_all, args=(mails,), daemon=True).start()

    def _send_all(self, mails: list[OutgoingMail]) -> None:
        for mail in mails:
            try:
                send_smtp(self.settings, mail)
            except (OSError, smtplib.SMTPException) as exc:
                log.warning("login code mail failed", error=type(exc).__name__)


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
    """The newest messages of the local outbox (newest first)."""
    query = select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(limit)
    if to:
        query = query.where(func.lower(OutboxMessage.to_address) == to.strip().lower())
    return [OutboxRow(m.id, m.created_at, m.to_address, m.subject, m.body) for m in session.scalars(query)]
