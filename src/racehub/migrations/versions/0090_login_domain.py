"""Login as one domain: durable login mail, Open WebUI accounts linked by a code, chat logins that expire.

Revision ID: 0090_login_domain
Revises: 0081_follows_push
Create Date: 2026-12-07

- `outbox.sent_at`: login mail is queued in the outbox and sent by a job; a sent message keeps no text.
- `openwebui_links`: an Open WebUI account (`iss`, `sub`) trusted as a RaceHub user once a one-time code
  mailed to that user passed in its chat (an email in a header proves nothing).
- `login_challenges.openwebui_sub`: the Open WebUI account a challenge links when its code passes;
  `claimed`: who the claim said (for the audit), now that `account_key` is the resolved account.
- `chat_conversations.secret_hash`, `last_seen_at`: a connector's conversation is continued only by a
  request that brings its secret back, and a login bound to it ends after idle or absolute time.
- Conversations now belong to the tenant they answered for (erasure reaches them); old ones that kept a
  question without a tenant lose that question (it only rebuilt follow-up context).
"""

from alembic import op

from racehub.migrations import rls

revision = "0090_login_domain"
down_revision = "0081_follows_push"
branch_labels = None
depends_on = None

UPGRADE = """
ALTER TABLE outbox ADD COLUMN sent_at timestamptz;
ALTER TABLE login_challenges ADD COLUMN openwebui_sub text, ADD COLUMN claimed text;
-- account_key is now the resolved account (user ids), so the words of the claim go to their own column.
UPDATE login_challenges SET claimed = account_key;
CREATE INDEX login_challenges_pending_idx ON login_challenges (expires_at) WHERE pending_question IS NOT NULL;
ALTER TABLE chat_conversations ADD COLUMN secret_hash text, ADD COLUMN last_seen_at timestamptz;
UPDATE chat_conversations SET last_seen_at = verified_at WHERE verified_at IS NOT NULL;
UPDATE chat_conversations SET last_question = NULL, last_asked_on = NULL WHERE org_id IS NULL;

CREATE TABLE openwebui_links (
    issuer text NOT NULL,
    sub text NOT NULL,
    user_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    linked_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (issuer, sub)
);
"""


def upgrade(app_role: str = "racehub_app") -> None:
    op.execute(UPGRADE)
    for stmt in rls.platform_table("openwebui_links", app_role):
        op.execute(stmt)


def downgrade(app_role: str = "racehub_app") -> None:
    op.execute(
        """
        DROP TABLE IF EXISTS openwebui_links;
        ALTER TABLE chat_conversations DROP COLUMN IF EXISTS secret_hash, DROP COLUMN IF EXISTS last_seen_at;
        DROP INDEX IF EXISTS login_challenges_pending_idx;
        ALTER TABLE login_challenges DROP COLUMN IF EXISTS openwebui_sub, DROP COLUMN IF EXISTS claimed;
        ALTER TABLE outbox DROP COLUMN IF EXISTS sent_at;
        """
    )
