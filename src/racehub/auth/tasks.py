"""Background jobs of logging in: `racehub.auth.send_mail(message_id)` sends one queued login mail."""

from __future__ import annotations

from procrastinate import App, RetryStrategy

from racehub.auth.mail import MAIL_QUEUE, TASK_SEND, deliver
from racehub.config import Settings
from racehub.db import Database

# A code expires in minutes: a mail server down longer than this is a new login, not a late mail.
RETRY = RetryStrategy(max_attempts=5, exponential_wait=2)


def register(app: App, database: Database, settings: Settings) -> None:
    @app.task(name=TASK_SEND, queue=MAIL_QUEUE, retry=RETRY)
    def send_mail(message_id: int) -> str:
        return deliver(database, settings, message_id)
