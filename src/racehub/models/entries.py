"""Persons, their entries (registrations), results, splits and awards."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column

from racehub.models.base import Base


class Person(Base):
    __tablename__ = "persons"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    first_name: Mapped[str] = mapped_column(Text)
    last_name: Mapped[str] = mapped_column(Text)
    dob: Mapped[date]
    sex: Mapped[str | None] = mapped_column(Text)


class Entry(Base):
    __tablename__ = "entries"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    race_id: Mapped[int] = mapped_column(ForeignKey("races.id"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"))
    bib: Mapped[str | None] = mapped_column(Text)
    first_name: Mapped[str] = mapped_column(Text)
    last_name: Mapped[str] = mapped_column(Text)
    sex: Mapped[str] = mapped_column(Text)
    dob: Mapped[date | None]
    age: Mapped[int | None]
    email: Mapped[str | None] = mapped_column(Text)
    phone: Mapped[str | None] = mapped_column(Text)
    address1: Mapped[str | None] = mapped_column(Text)
    city: Mapped[str | None] = mapped_column(Text)
    state: Mapped[str | None] = mapped_column(Text)
    zip: Mapped[str | None] = mapped_column(Text)
    country: Mapped[str | None] = mapped_column(Text)
    team: Mapped[str | None] = mapped_column(Text)
    registered_at: Mapped[datetime | None]
    registration_source: Mapped[str | None] = mapped_column(Text)
    legacy_id: Mapped[int | None] = mapped_column(BigInteger)


class Result(Base):
    __tablename__ = "results"

    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id"), primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    race_id: Mapped[int] = mapped_column(ForeignKey("races.id"))
    status: Mapped[str] = mapped_column(Text)
    gun_ms: Mapped[int | None]
    chip_ms: Mapped[int | None]
    overall_place: Mapped[int | None]
    sex_place: Mapped[int | None]
    age_group: Mapped[str | None] = mapped_column(Text)
    age_group_place: Mapped[int | None]


class Split(Base):
    __tablename__ = "splits"

    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id"), primary_key=True)
    name: Mapped[str] = mapped_column(Text, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    distance_m: Mapped[float | None]
    chip_ms: Mapped[int]


class Award(Base):
    __tablename__ = "awards"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    race_id: Mapped[int] = mapped_column(ForeignKey("races.id"))
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id"))
    category: Mapped[str] = mapped_column(Text)
    sex: Mapped[str] = mapped_column(Text)
    age_group: Mapped[str | None] = mapped_column(Text)
    award_place: Mapped[int]
