"""ORM tables, one module per group; the schema is owned by the migrations."""

from racehub.models.base import Base
from racehub.models.chat import (
    AuditEntry,
    ChatConversation,
    LoginChallenge,
    LoginChallengeTarget,
    LoginSession,
    OutboxMessage,
    RateLimitBucket,
)
from racehub.models.entries import Award, Entry, Person, Result, Split
from racehub.models.events import Edition, EventSeries, Race
from racehub.models.organizations import ApiKey, Membership, Organization, User
from racehub.models.workflows import Credential, WorkflowRun

__all__ = [
    "ApiKey",
    "AuditEntry",
    "Award",
    "Base",
    "ChatConversation",
    "Credential",
    "Edition",
    "Entry",
    "EventSeries",
    "LoginChallenge",
    "LoginChallengeTarget",
    "LoginSession",
    "Membership",
    "Organization",
    "OutboxMessage",
    "Person",
    "Race",
    "RateLimitBucket",
    "Result",
    "Split",
    "User",
    "WorkflowRun",
]
