"""API keys may carry an expiry: past it, a key is refused like a revoked one.

Revision ID: 0070_api_key_expiry
Revises: 0060_copernico_athlete_ids
Create Date: 2026-12-06
"""

from alembic import op

revision = "0070_api_key_expiry"
down_revision = "0060_copernico_athlete_ids"
branch_labels = None
depends_on = None


def upgrade(app_role: str = "racehub_app") -> None:
    op.execute("ALTER TABLE api_keys ADD COLUMN expires_at timestamptz")
    op.execute("CREATE INDEX api_keys_org_idx ON api_keys (org_id, created_at DESC)")


def downgrade(app_role: str = "racehub_app") -> None:
    op.execute("DROP INDEX IF EXISTS api_keys_org_idx")
    op.execute("ALTER TABLE api_keys DROP COLUMN IF EXISTS expires_at")
