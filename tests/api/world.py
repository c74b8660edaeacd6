"""Two tenants with events, results, persons, users and API keys: the world the API tests query."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from racehub.app import create_app
from racehub.auth.service import add_user, create_api_key
from racehub.db import Database, Scope
from racehub.models import Edition, Entry, Organization, Person, Race
from racehub.scoring.service import score_race
from tests.factories import create_edition, create_entry, create_org, create_race

MIN = 60_000


@dataclass
class Tenant:
    """One timing company's ids, names and keys, as the tests need them."""

    org_id: int = 0
    slug: str = ""
    owner_key: str = ""
    staff_key: str = ""
    viewer_key: str = ""
    edition_id: int = 0  # Harbor Run 2025
    race_id: int = 0  # its 5K
    other_race_id: int = 0  # its 10K
    entry_ids: dict[str, int] = field(default_factory=dict)  # "First Last" -> entry id in race_id
    person_ids: dict[str, int] = field(default_factory=dict)
    names: set[str] = field(default_factory=set)  # every runner name of this tenant


@dataclass
class World:
    a: Tenant
    b: Tenant


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def _person(session: Session, org: Organization, first: str, last: str, dob: date, sex: str) -> Person:
    person = Person(org_id=org.id, first_name=first, last_name=last, dob=dob, sex=sex)
    session.add(person)
    session.flush()
    return person


def _next_edition(session: Session, edition: Edition, **values: Any) -> Edition:
    """Another year of the same event series."""
    columns = {c: getattr(edition, c) for c in ("org_id", "series_id", "city", "state", "timezone")}
    later = Edition(**{**columns, **values})
    session.add(later)
    session.flush()
    return later


def _runner(
    session: Session,
    race: Race,
    tenant: Tenant,
    name: str,
    sex: str,
    age: int,
    *,
    status: str | None = "FIN",
    minutes: float | None = None,
    person: Person | None = None,
    **extra: Any,
) -> Entry:
    first, last = name.split(" ", 1)
    ms = round(minutes * MIN) if minutes is not None else None
    entry = create_entry(
        session,
        race,
        status=status,
        gun_ms=ms,
        chip_ms=ms - 5_000 if ms else None,
        first_name=first,
        last_name=last,
        sex=sex,
        age=age,
        city="Norfolk",
        person_id=person.id if person else None,
        dob=person.dob if person else None,
        **extra,
    )
    tenant.names.add(name)
    if race.id == tenant.race_id:
        tenant.entry_ids[name] = entry.id
    return entry


def _keys(session: Session, tenant: Tenant, label: str) -> None:
    for role in ("owner", "staff", "viewer"):
        email = f"{role}@{tenant.slug}.example"
        add_user(session, email=email, name=f"{label} {role}", org_slug=tenant.slug, role=role)
        setattr(tenant, f"{role}_key", create_api_key(session, email=email, org_slug=tenant.slug))


def _tenant_a(session: Session) -> Tenant:
    org = create_org(session, name="Acme Test Timing")
    a = Tenant(org_id=org.id, slug=org.slug)
    harbor = create_edition(session, org, name="Harbor Run", year=2025, start_date=date(2025, 5, 4))
    five_k = create_race(session, harbor, name="5K", distance_m=5000.0)
    ten_k = create_race(session, harbor, name="10K", distance_m=10000.0, placement_basis="chip")
    a.edition_id, a.race_id, a.other_race_id = harbor.id, five_k.id, ten_k.id
    jose = _person(session, org, "José", "Núñez", date(1995, 1, 9), "M")
    ana = _person(session, org, "Ana", "Pérez", date(2000, 3, 3), "F")
    a.person_ids = {"José Núñez": jose.id, "Ana Pérez": ana.id}
    # The 5K: women, men, one non-binary runner, a tie, and one of each non-finisher status.
    runners: list[tuple[str, str, int, float | None, str, Person | None]] = [
        ("Ana Pérez", "F", 25, 19.0, "FIN", ana),
        ("Beth Long", "F", 41, 21.0, "FIN", None),
        ("Cara Diaz", "F", 33, 22.5, "FIN", None),
        ("Dana Fox", "F", 52, 22.5, "FIN", None),
        ("Eve Park", "F", 17, 26.0, "FIN", None),
        ("José Núñez", "M", 30, 17.5, "FIN", jose),
        ("Mark Stone", "M", 44, 18.0, "FIN", None),
        ("Nick Cole", "M", 29, 20.0, "FIN", None),
        ("Omar Reed", "M", 60, 24.0, "FIN", None),
        ("Paul Young", "M", 12, 30.0, "FIN", None),
        ("Sam Quinn", "X", 35, 23.0, "FIN", None),
        ("Tom Ward", "M", 40, None, "DNF", None),
        ("Uma Vance", "F", 22, None, "DNS", None),
        ("Vic Wolf", "M", 31, 16.0, "DQ", None),
    ]
    for bib, (name, sex, age, minutes, status, person) in enumerate(runners, start=1):
        _runner(
            session,
            five_k,
            a,
            name,
            sex,
            age,
            status=status,
            minutes=minutes,
            person=person,
            bib=str(bib * 10 if bib % 3 == 0 else bib),
            team="Harbor Harriers" if bib < 4 else None,
            splits={"1 mile": round((minutes or 20) * MIN / 3.1)} if status == "FIN" else None,
        )
    for name, sex, age, minutes in (("Ana Pérez", "F", 25, 40.0), ("Ken Adams", "M", 38, 38.0)):
        _runner(
            session, ten_k, a, name, sex, age, minutes=minutes, person=ana if name == "Ana Pérez" else None
        )
    last_year = _next_edition(session, harbor, year=2024, start_date=date(2024, 5, 5), status="completed")
    old_5k = create_race(session, last_year, name="5K", distance_m=5000.0)
    _runner(session, old_5k, a, "José Núñez", "M", 29, minutes=18.0, person=jose)
    upcoming = _next_edition(session, harbor, year=2026, start_date=date(2026, 12, 6), status="upcoming")
    next_5k = create_race(
        session, upcoming, name="5K", distance_m=5000.0, start_time=datetime(2026, 12, 6, 8, 0)
    )
    _runner(session, next_5k, a, "José Núñez", "M", 31, status=None, person=jose)
    autumn = create_edition(session, org, name="Autumn Classic", year=2025, start_date=date(2025, 10, 12))
    half = create_race(session, autumn, name="Half Marathon", distance_m=21097.5)
    half_marathoners = (("Ken Adams", 95.0), ("Pat Parker", 101.0), ("Pam Parks", 99.0), ("Pia Paxton", 120))
    for name, minutes in half_marathoners:
        _runner(session, half, a, name, "F" if name.startswith("P") else "M", 38, minutes=minutes)
    return a


def _tenant_b(session: Session) -> Tenant:
    org = create_org(session, name="Bayside Test Timing")
    b = Tenant(org_id=org.id, slug=org.slug)
    # Same event name and a runner with the same name as tenant A's: only ids and rows tell them apart.
    harbor = create_edition(
        session, org, name="Harbor Run", year=2025, start_date=date(2025, 6, 1), city="Hampton"
    )
    five_k = create_race(session, harbor, name="5K", distance_m=5000.0)
    ten_k = create_race(session, harbor, name="10K", distance_m=10000.0)
    b.edition_id, b.race_id, b.other_race_id = harbor.id, five_k.id, ten_k.id
    jose = _person(session, org, "José", "Núñez", date(1988, 7, 1), "M")
    b.person_ids = {"José Núñez": jose.id}
    _runner(session, five_k, b, "José Núñez", "M", 36, minutes=16.5, person=jose, bib="1")
    _runner(session, five_k, b, "Zed Black", "M", 45, minutes=17.0, bib="2")
    _runner(session, five_k, b, "Yara Bright", "F", 28, minutes=18.5, bib="3", splits={"1 mile": 350_000})
    _runner(session, ten_k, b, "Zed Black", "M", 45, minutes=35.0)
    return b


def another_handle(database: Database, **settings: Any) -> Database:
    """The same database through a pool of its own."""
    return Database(
        database.settings.model_copy(update=settings),
        owner_url=database.owner_url.render_as_string(hide_password=False),
    )


def build_world(database: Database) -> World:
    # Through a pool of its own: setup work as the operator leaves nothing in the app's connections.
    setup = another_handle(database)
    try:
        with setup.session(Scope.operator()) as session:
            a, b = _tenant_a(session), _tenant_b(session)
            for race_id in session.scalars(select(Race.id).order_by(Race.id)).all():
                score_race(session, race_id)
            _keys(session, a, "Acme")
            _keys(session, b, "Bayside")
    finally:
        setup.dispose()
    return World(a, b)


def make_client(database: Database) -> TestClient:
    return TestClient(create_app(database), raise_server_exceptions=False)
