"""ORM tables, one module per group; the schema is owned by the migrations."""

from racehub.models.base import Base
from racehub.models.entries import Award, Entry, Person, Result, Split
from racehub.models.events import Edition, EventSeries, Race
from racehub.models.organizations import ApiKey, Membership, Organization, User

__all__ = [
    "ApiKey", "Award", "Base", "Edition", "Entry", "EventSeries", "Membership", "Organization",
    "Person", "Race", "Result", "Split", "User",
]
