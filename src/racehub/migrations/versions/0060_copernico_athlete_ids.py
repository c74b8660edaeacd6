"""Copernico links of imported entries: the athlete id Copernico knows, not `racehub-<entry id>`.

Pushes to Copernico stored `racehub-<entry id>` as the athlete id of every entry whose edition had
never been synced from its registration platform, though an imported entry carries the legacy
database's participant id (`entries.legacy_id`), which is Copernico's athlete id. Each such link is
repaired to the legacy id; where a link under that id already exists, the wrong one is dropped.
Entries with no legacy id keep theirs: RaceHub is the only system that knows them.

Revision ID: 0060_copernico_athlete_ids
Revises: 0050_erasure
Create Date: 2026-12-06
"""

from alembic import op

revision = "0060_copernico_athlete_ids"
down_revision = "0050_erasure"
branch_labels = None
depends_on = None

TABLES = ("external_refs", "entries")


def upgrade(app_role: str = "racehub_app") -> None:
    # The owner is subject to the forced row-level security too (an unset tenant sees nothing):
    # lifted for this transaction only, so the repair reaches every tenant's rows.
    for table in TABLES:
        op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
    op.execute(
        """
        DELETE FROM external_refs x USING entries e
        WHERE x.provider = 'copernico' AND x.kind = 'entry' AND x.external_id LIKE 'racehub-%'
          AND e.id = x.local_id AND e.org_id = x.org_id AND e.legacy_id IS NOT NULL
          AND EXISTS (SELECT 1 FROM external_refs y WHERE y.org_id = x.org_id AND y.provider = 'copernico'
                      AND y.kind = 'entry' AND y.external_id = e.legacy_id::text)
        """
    )
    op.execute(
        """
        UPDATE external_refs x SET external_id = e.legacy_id::text, synced_at = now()
        FROM entries e
        WHERE x.provider = 'copernico' AND x.kind = 'entry' AND x.external_id LIKE 'racehub-%'
          AND e.id = x.local_id AND e.org_id = x.org_id AND e.legacy_id IS NOT NULL
        """
    )
    for table in TABLES:
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")


def downgrade(app_role: str = "racehub_app") -> None:
    # Nothing to undo: the repaired links are the right ones under any schema.
    pass
