"""Who a transaction acts for: one tenant, or the platform operator."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scope:
    """The tenant (organization) a transaction may see, and the user behind it."""

    org_id: int | None
    user_id: int | None = None
    role: str | None = None  # owner | staff | viewer | operator
    platform: bool = False

    @classmethod
    def operator(cls, user_id: int | None = None) -> Scope:
        """The platform operator: every tenant, used by the CLI and jobs."""
        return cls(org_id=None, user_id=user_id, role="operator", platform=True)

    @classmethod
    def tenant(cls, org_id: int, user_id: int | None = None, role: str | None = None) -> Scope:
        return cls(org_id=org_id, user_id=user_id, role=role)

    @classmethod
    def nobody(cls) -> Scope:
        """No tenant set: row-level security shows nothing."""
        return cls(org_id=None)

    @property
    def can_write(self) -> bool:
        return self.platform or self.role in ("owner", "staff")
