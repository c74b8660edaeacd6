"""Run Alembic migrations programmatically (the `racehub db upgrade` command)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from alembic import command
from alembic.config import Config
from sqlalchemy import text

if TYPE_CHECKING:
    from racehub.db.engine import Database

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(database: Database) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["owner_url"] = database.owner_url
    cfg.attributes["app_role"] = database.settings.app_db_role
    return cfg


def upgrade(database: Database, revision: str = "head") -> None:
    from racehub.db.engine import PLATFORM_ROLE

    command.upgrade(alembic_config(database), revision)
    settings = database.settings
    for role, password in (
        (settings.app_db_role, settings.app_db_password),
        (PLATFORM_ROLE, settings.platform_db_password),
    ):
        if password is None:
            continue
        with database.owner_engine.begin() as conn:
            # ALTER ROLE takes no bind parameters; quote the literal server-side.
            quoted = conn.execute(
                text("SELECT quote_literal(:p)"), {"p": password.get_secret_value()}
            ).scalar()
            conn.execute(text(f'ALTER ROLE "{role}" PASSWORD {quoted}'))


def current_revision(database: Database) -> str | None:
    with database.owner_engine.connect() as conn:
        try:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except Exception:
            return None
