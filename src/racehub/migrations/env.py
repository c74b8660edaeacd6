"""Alembic environment: the owner connection comes from `racehub.db.migrate`."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool

config = context.config


def run_migrations_online() -> None:
    url = config.attributes["owner_url"]
    engine = create_engine(url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, transaction_per_migration=True)
        with context.begin_transaction():
            context.run_migrations(app_role=config.attributes.get("app_role", "racehub_app"))
    engine.dispose()


run_migrations_online()
