"""Event series, their yearly editions, and the races of an edition."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column

from racehub.models.base import Base


class EventSeries(Base):
    __tablename__ = "event_series"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    name: Mapped[str] = mapped_column(Text)


class Edition(Base):
    __tablename__ = "editions"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    series_id: Mapped[int] = mapped_column(ForeignKey("event_series.id"))
    year: Mapped[int]
    start_date: Mapped[date]
    city: Mapped[str | None] = mapped_column(Text)
    state: Mapped[str | None] = mapped_column(Text)
    timezone: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(Text)
    registration_provider: Mapped[str | None] = mapped_column(Text)
    registration_external_id: Mapped[str | None] = mapped_column(Text)
    results_provider: Mapped[str | None] = mapped_column(Text)
    results_external_id: Mapped[str | None] = mapped_column(Text)
    legacy_id: Mapped[int | None] = mapped_column(BigInteger)


class Race(Base):
    __tablename__ = "races"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    edition_id: Mapped[int] = mapped_column(ForeignKey("editions.id"))
    name: Mapped[str] = mapped_column(Text)
    distance_m: Mapped[float | None]
    start_time: Mapped[datetime | None]
    placement_basis: Mapped[str] = mapped_column(Text)
    overall_award_depth: Mapped[int]
    masters_award_depth: Mapped[int]
    masters_min_age: Mapped[int]
    ag_award_depth: Mapped[int]
    age_group_width: Mapped[int]
    exclude_award_winners_from_ag: Mapped[bool]
    scored_at: Mapped[datetime | None]
    official_at: Mapped[datetime | None]
    legacy_id: Mapped[int | None] = mapped_column(BigInteger)
