"""Database access: connection URLs, the embedded server, and tenant-scoped transactions."""

from racehub.db.engine import Database, get_database, rowcount
from racehub.db.scope import Scope

__all__ = ["Database", "Scope", "get_database", "rowcount"]
