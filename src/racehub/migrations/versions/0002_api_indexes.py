"""Indexes for the REST API: entry counts per race, and name search over people.

Row-level security lets an index serve a query's condition only when every function in that
condition is leakproof; `lower()` and `translate()` are not, so an expression index on folded names
could never be used by the application role. Stored generated columns hold the folded names instead,
and prefix ranges on them (`~>=~`, `~<~`, leakproof) use the indexes below.

Revision ID: 0002_api_indexes
Revises: 0001_core_schema
Create Date: 2026-11-25
"""

from alembic import op

revision = "0002_api_indexes"
down_revision = "0001_core_schema"
branch_labels = None
depends_on = None

# Accent folding table; racehub.participants.repository folds search words with the same one.
ACCENTED = "ÀÁÂÃÄÅàáâãäåÇçÈÉÊËèéêëÌÍÎÏìíîïÑñÒÓÔÕÖØòóôõöøÙÚÛÜùúûüÝýÿ"
PLAIN = "aaaaaaaaaaaacceeeeeeeeiiiiiiiinnoooooooooooouuuuuuuuyyy"


def upgrade(app_role: str = "racehub_app") -> None:
    # Entry counts per race and per edition (events list, race pages): an index-only scan, the
    # tenant column included so row-level security needs no visit to the table.
    op.execute("CREATE INDEX entries_race_org_idx ON entries (race_id, org_id)")
    for column in ("first_name", "last_name"):
        op.execute(
            f"ALTER TABLE persons ADD COLUMN search_{column} text "
            f"GENERATED ALWAYS AS (lower(translate({column}, '{ACCENTED}', '{PLAIN}'))) STORED"
        )
        op.execute(
            f"CREATE INDEX persons_search_{column}_idx ON persons (org_id, search_{column} text_pattern_ops)"
        )


def downgrade(app_role: str = "racehub_app") -> None:
    op.execute("DROP INDEX IF EXISTS persons_search_first_name_idx, persons_search_last_name_idx")
    op.execute(
        "ALTER TABLE persons DROP COLUMN IF EXISTS search_first_name, DROP COLUMN IF EXISTS search_last_name"
    )
    op.execute("DROP INDEX IF EXISTS entries_race_org_idx")
