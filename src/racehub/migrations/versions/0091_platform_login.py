"""The application role may no longer become the platform role; the platform role logs in itself.

Revision ID: 0091_platform_login
Revises: 0090_login_domain
Create Date: 2026-12-07

`racehub_app` could `SET ROLE racehub_platform`, so inside the reader's transaction
`set_config('role', 'racehub_platform', true)` saw every tenant plus users and API keys: only the SQL
guard stood in the way (issue 11, item 6). Now the membership is gone, and what acts as the operator
(the CLI, jobs, logins) connects as `racehub_platform`, a LOGIN role (password: RACEHUB_PLATFORM_DB_PASSWORD,
set at `racehub db upgrade`). Still no superuser, no BYPASSRLS, owner of nothing.
"""

from alembic import op

from racehub.migrations import rls

revision = "0091_platform_login"
down_revision = "0090_login_domain"
branch_labels = None
depends_on = None


def upgrade(app_role: str = "racehub_app") -> None:
    op.execute(f'REVOKE "{rls.PLATFORM_ROLE}" FROM "{app_role}"')
    op.execute(f'ALTER ROLE "{rls.PLATFORM_ROLE}" LOGIN')


def downgrade(app_role: str = "racehub_app") -> None:
    op.execute(f'ALTER ROLE "{rls.PLATFORM_ROLE}" NOLOGIN')
    op.execute(f'GRANT "{rls.PLATFORM_ROLE}" TO "{app_role}"')
