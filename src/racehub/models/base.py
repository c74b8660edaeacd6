"""Declarative base for ORM tables (the schema itself is built by Alembic migrations)."""

from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass
