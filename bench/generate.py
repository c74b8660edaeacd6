#!/usr/bin/env python3
"""Write a synthetic racedata-v1 bundle of any size: `python bench/generate.py --results N --out DIR`.

The bundle has the files, headers, column order and value formats of the shared racedata-v1 sample.
The calendar (organizations, recurring events, editions, races) is planned up front and is small;
entries are streamed race by race, so memory stays flat apart from a bounded pool of people per
organization that lets runners come back to later editions.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import math
import random
import re
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

TODAY = dt.date(2026, 11, 25)  # the bundle's reference "today": later editions are upcoming
FIRST_YEAR, LAST_YEAR = 2015, 2026
POOL_TOTAL = 300_000  # people held across all organizations' pools, whatever the bundle size
REUSE_P = 0.35  # chance an entry is a runner the organization has seen before
TEAM_P = 0.20
SEX_F_P, SEX_X_P = 0.535, 0.005
SPLIT_MISS_P = 0.005  # a timing mat sometimes misses a chip
DQ_P = 0.0003
MAX_LEAD_DAYS = 540

HEADERS: dict[str, tuple[str, ...]] = {
    "organizations.csv": ("org_id", "slug", "name", "contact_name", "contact_email", "city", "state"),
    "ct_events.csv": (
        "event_id",
        "org_id",
        "name",
        "edition_year",
        "start_date",
        "city",
        "state",
        "timezone",
        "registration_provider",
        "registration_external_id",
        "results_provider",
        "results_external_id",
        "status",
    ),
    "ct_races.csv": (
        "race_id",
        "event_id",
        "name",
        "distance_m",
        "start_time",
        "placement_basis",
        "overall_award_depth",
        "masters_award_depth",
        "masters_min_age",
        "ag_award_depth",
        "age_group_width",
        "exclude_award_winners_from_ag",
    ),
    "ct_participants.csv": (
        "participant_id",
        "race_id",
        "bib",
        "first_name",
        "last_name",
        "sex",
        "dob",
        "age",
        "email",
        "phone",
        "address1",
        "city",
        "state",
        "zip",
        "country",
        "team",
        "registered_at",
        "registration_source",
    ),
    "ct_results.csv": ("participant_id", "status", "gun_time", "chip_time"),
    "ct_splits.csv": ("participant_id", "split_name", "distance_m", "chip_elapsed"),
}

# --- vocabulary (every word is CSV-safe, so hot rows are joined by hand; checked in main) ----------

FIRST_M = """James John Robert Michael William David Richard Joseph Thomas Charles Christopher Daniel
Matthew Anthony Mark Donald Steven Paul Andrew Joshua Kenneth Kevin Brian George Timothy Ronald Edward
Jason Jeffrey Ryan Jacob Gary Nicholas Eric Jonathan Stephen Larry Justin Scott Brandon Benjamin Samuel
Gregory Alexander Frank Patrick Raymond Jack Dennis Jerry Tyler Aaron Jose Adam Nathan Henry Douglas
Zachary Peter Kyle Ethan Walter Noah Jeremy Christian Keith Roger Terry Gerald Harold Sean Austin Carl
Arthur Lawrence Dylan Jesse Jordan Bryan Billy Joe Bruce Gabriel Logan Albert Alan Juan Wayne Elijah
Randy Roy Vincent Ralph Eugene Russell Bobby Mason Philip Louis Caleb Colin Luis Carlos Miguel Owen
Liam Lucas Hunter Evan Marcus Trevor Derek Devin Omar Andre Hector Victor Raj Wei Hiroshi Mateo""".split()
FIRST_F = """Mary Patricia Jennifer Linda Elizabeth Barbara Susan Jessica Sarah Karen Lisa Nancy Betty
Margaret Sandra Ashley Kimberly Emily Donna Michelle Carol Amanda Dorothy Melissa Deborah Stephanie
Rebecca Sharon Laura Cynthia Kathleen Amy Angela Shirley Anna Brenda Pamela Emma Nicole Helen Samantha
Katherine Christine Debra Rachel Carolyn Janet Catherine Maria Heather Diane Ruth Julie Olivia Joyce
Virginia Victoria Kelly Lauren Christina Joan Evelyn Judith Megan Andrea Cheryl Hannah Jacqueline
Martha Gloria Teresa Ann Sara Madison Frances Kathryn Janice Jean Abigail Alice Julia Judy Sophia
Grace Denise Amber Doris Marilyn Danielle Beverly Isabella Theresa Diana Natalie Brittany Charlotte
Marie Kayla Alexis Lori Ava Mia Chloe Zoe Leah Allison Erin Caitlin Molly Paige Jasmine Gabriela Lucia
Priya Mei Aisha Yuki""".split()
LAST = """Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez
Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez
Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams
Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Gomez Phillips Evans Turner Diaz Parker Cruz
Edwards Collins Reyes Stewart Morris Morales Murphy Cook Rogers Gutierrez Ortiz Morgan Cooper Peterson
Bailey Reed Kelly Howard Ramos Kim Cox Ward Richardson Watson Brooks Chavez Wood James Bennett Gray
Mendoza Ruiz Hughes Price Alvarez Castillo Sanders Patel Myers Long Ross Foster Jimenez Powell Jenkins
Perry Russell Sullivan Bell Coleman Butler Henderson Barnes Gonzales Fisher Vasquez Simmons Romero
Jordan Patterson Alexander Hamilton Graham Reynolds Griffin Wallace Moreno West Cole Hayes Bryant
Herrera Gibson Ellis Tran Medina Aguilar Stevens Murray Ford Castro Marshall Owens Harrison Fernandez
Mcdonald Woods Washington Kennedy Wells Vargas Henry Chen Freeman Webb Tucker Guzman Burns Crawford
Olson Simpson Porter Hunter Gordon Mendez Silva Shaw Snyder Mason Dixon Munoz Hunt Hicks Holmes Palmer
Wagner Black Robertson Boyd Rose Stone Salazar Fox Warren Mills Meyer Rice Schmidt Garza Daniels
Ferguson Nichols Stephens Soto Weaver Ryan Gardner Payne Grant Dunn Kelley Spencer Hawkins Arnold
Pierce Hansen Peters Santos Hart Bradley Knight Elliott Cunningham Duncan Armstrong Hudson Carroll Lane
Riley Andrews Alvarado Ray Delgado Berry Perkins Hoffman Johnston Matthews Pena Richards Willis
Carrillo Obrien Horton Reid Weber Luna Terry Fitzgerald Serrano Ramsey Pacheco Wong Shah Singh Yang
Park Nakamura Kowalski Novak Larsen Lindqvist Rossi Bianchi Dubois Okafor Mensah""".split()
STREETS = """Oak Maple Pine Cedar Elm Walnut Chestnut Dogwood Willow Birch Magnolia Hickory Spruce Poplar
Sycamore Laurel Holly Forest Valley Lake River Hill Meadow Spring Ridge Park Church Mill Main High
Washington Jefferson Madison Lincoln Franklin Adams Jackson Monroe Harbor Bay Ocean Shore Sunset
Highland Orchard Prospect Summit Cherry Locust Aspen Juniper Cypress""".split()
STREET_SUFFIXES = "St Ave Rd Dr Ln Ct Pl Way Cir Blvd".split()
CLUB_SUFFIXES = ("Road Runners", "Striders", "Running Club", "Track Club", "Harriers", "Run Crew", "Pacers")
NATIONAL_CLUBS = (
    "Black Girls Run",
    "Team Red White & Blue",
    "November Project",
    "Moms Run This Town",
    "Team in Training",
    "Fleet Feet Racing Team",
    "Achilles International",
    "Galloway Training Group",
)
THEMES = """Shamrock Firecracker Harvest Moonlight Riverfront Lakeside Pumpkin Sunrise Boardwalk Heroes Glow
Strawberry Bluegrass Lighthouse Seaside Founders Autumn Springtime Greenway Homecoming Liberty Patriot
Blossom Bridge Canal Lantern Peach Cider Oktoberfest Hometown Valentine Fiesta Midsummer Solstice
Starlight Twilight Heritage Waterfront Covered-Bridge Mustang Oyster Blueberry""".split()
TRAIL_FEATURES = (
    "Blue Ridge",
    "Bear Creek",
    "Eagle Peak",
    "Pine Hollow",
    "Red Rock",
    "Cedar Ridge",
    "Wolf Mountain",
    "Black Bear",
    "Hawk Hill",
    "Thunder Ridge",
    "Laurel Highlands",
    "Stone Mill",
    "Whispering Pines",
    "Timberline",
    "Falcon Bluff",
    "Elk Meadow",
    "Granite Gap",
    "Fox Hollow",
)
# holiday 5Ks: (name, month, nth weekday of the month (0: December 31st), weekday, start)
HOLIDAYS = (
    ("Turkey Trot", 11, 4, 3, "08:00"),
    ("Gobble Wobble", 11, 4, 3, "08:30"),
    ("Jingle Bell Run", 12, 2, 5, "09:00"),
    ("Reindeer Run", 12, 1, 5, "09:00"),
    ("Ugly Sweater Run", 12, 3, 5, "17:30"),
    ("New Year's Eve Run", 12, 0, 0, "18:00"),
)

# city|state|zip3|timezone|region
CITY_TABLE = """
Virginia Beach|VA|234|America/New_York|mid-atlantic
Norfolk|VA|235|America/New_York|mid-atlantic
Chesapeake|VA|233|America/New_York|mid-atlantic
Richmond|VA|232|America/New_York|mid-atlantic
Arlington|VA|222|America/New_York|mid-atlantic
Alexandria|VA|223|America/New_York|mid-atlantic
Williamsburg|VA|231|America/New_York|mid-atlantic
Hampton|VA|236|America/New_York|mid-atlantic
Newport News|VA|236|America/New_York|mid-atlantic
Charlottesville|VA|229|America/New_York|mid-atlantic
Roanoke|VA|240|America/New_York|mid-atlantic
Baltimore|MD|212|America/New_York|mid-atlantic
Annapolis|MD|214|America/New_York|mid-atlantic
Bethesda|MD|208|America/New_York|mid-atlantic
Silver Spring|MD|209|America/New_York|mid-atlantic
Washington|DC|200|America/New_York|mid-atlantic
Boston|MA|021|America/New_York|new-england
Cambridge|MA|021|America/New_York|new-england
Worcester|MA|016|America/New_York|new-england
Providence|RI|029|America/New_York|new-england
Hartford|CT|061|America/New_York|new-england
New Haven|CT|065|America/New_York|new-england
Manchester|NH|031|America/New_York|new-england
Portland|ME|041|America/New_York|new-england
Burlington|VT|054|America/New_York|new-england
New York|NY|100|America/New_York|northeast
Brooklyn|NY|112|America/New_York|northeast
Albany|NY|122|America/New_York|northeast
Buffalo|NY|142|America/New_York|northeast
Philadelphia|PA|191|America/New_York|northeast
Pittsburgh|PA|152|America/New_York|northeast
Harrisburg|PA|171|America/New_York|northeast
Princeton|NJ|085|America/New_York|northeast
Hoboken|NJ|070|America/New_York|northeast
Raleigh|NC|276|America/New_York|southeast
Durham|NC|277|America/New_York|southeast
Charlotte|NC|282|America/New_York|southeast
Asheville|NC|288|America/New_York|southeast
Greenville|SC|296|America/New_York|southeast
Charleston|SC|294|America/New_York|southeast
Atlanta|GA|303|America/New_York|southeast
Savannah|GA|314|America/New_York|southeast
Nashville|TN|372|America/Chicago|southeast
Knoxville|TN|379|America/New_York|southeast
Orlando|FL|328|America/New_York|southeast
Tampa|FL|336|America/New_York|southeast
Jacksonville|FL|322|America/New_York|southeast
Chicago|IL|606|America/Chicago|midwest
Evanston|IL|602|America/Chicago|midwest
Minneapolis|MN|554|America/Chicago|midwest
St. Paul|MN|551|America/Chicago|midwest
Madison|WI|537|America/Chicago|midwest
Milwaukee|WI|532|America/Chicago|midwest
Columbus|OH|432|America/New_York|midwest
Cleveland|OH|441|America/New_York|midwest
Cincinnati|OH|452|America/New_York|midwest
Detroit|MI|482|America/Detroit|midwest
Grand Rapids|MI|495|America/Detroit|midwest
Indianapolis|IN|462|America/Indiana/Indianapolis|midwest
Kansas City|MO|641|America/Chicago|midwest
St. Louis|MO|631|America/Chicago|midwest
Des Moines|IA|503|America/Chicago|midwest
Austin|TX|787|America/Chicago|south-central
Houston|TX|770|America/Chicago|south-central
Dallas|TX|752|America/Chicago|south-central
San Antonio|TX|782|America/Chicago|south-central
Fort Worth|TX|761|America/Chicago|south-central
New Orleans|LA|701|America/Chicago|south-central
Oklahoma City|OK|731|America/Chicago|south-central
Denver|CO|802|America/Denver|mountain
Boulder|CO|803|America/Denver|mountain
Colorado Springs|CO|809|America/Denver|mountain
Fort Collins|CO|805|America/Denver|mountain
Salt Lake City|UT|841|America/Denver|mountain
Park City|UT|840|America/Denver|mountain
Boise|ID|837|America/Boise|mountain
Phoenix|AZ|850|America/Phoenix|mountain
Tucson|AZ|857|America/Phoenix|mountain
Albuquerque|NM|871|America/Denver|mountain
Seattle|WA|981|America/Los_Angeles|west
Tacoma|WA|984|America/Los_Angeles|west
Spokane|WA|992|America/Los_Angeles|west
Portland|OR|972|America/Los_Angeles|west
Eugene|OR|974|America/Los_Angeles|west
Bend|OR|977|America/Los_Angeles|west
San Francisco|CA|941|America/Los_Angeles|west
Oakland|CA|946|America/Los_Angeles|west
San Jose|CA|951|America/Los_Angeles|west
Sacramento|CA|958|America/Los_Angeles|west
Los Angeles|CA|900|America/Los_Angeles|west
San Diego|CA|921|America/Los_Angeles|west
"""
ORG_PREFIXES: dict[str, tuple[str, ...]] = {
    "mid-atlantic": ("Chesapeake Bay", "Capital", "Piedmont", "Potomac"),
    "new-england": ("Bay State", "Granite State", "Green Mountain", "Cape Cod"),
    "northeast": ("Keystone", "Empire State", "Hudson Valley", "Garden State"),
    "southeast": ("Blue Ridge", "Palmetto", "Peach State", "Sunshine State", "Music City"),
    "midwest": ("Great Lakes", "Buckeye", "Badger", "Heartland", "Prairie", "North Star"),
    "south-central": ("Lone Star", "Gulf Coast", "Hill Country", "Red River"),
    "mountain": ("Rocky Mountain", "Front Range", "Wasatch", "Desert", "High Plains"),
    "west": ("Pacific Crest", "Cascade", "Evergreen", "Golden Gate", "Sierra", "Coastal"),
}
ORG_SUFFIXES = (
    "Timing",
    "Race Timing",
    "Sports Timing",
    "Racing Services",
    "Race Management",
    "Endurance Timing",
    "Chrono Sports",
)
# The sample bundle's three tenants come first: (slug, name, contact, email, city, state, region)
SAMPLE_ORGS = (
    (
        "acme-racing",
        "Acme Racing",
        "John Carter",
        "john@acmeracing.example",
        "Virginia Beach",
        "VA",
        "mid-atlantic",
    ),
    (
        "tidewater-timing",
        "Tidewater Timing",
        "Maria Lopez",
        "maria@tidewatertiming.example",
        "Richmond",
        "VA",
        "mid-atlantic",
    ),
    (
        "summit-sports-timing",
        "Summit Sports Timing",
        "Dave Kim",
        "dave@summittiming.example",
        "Boston",
        "MA",
        "new-england",
    ),
)


@dataclass(frozen=True, slots=True)
class City:
    name: str
    state: str
    zip3: str
    timezone: str
    region: str
    clubs: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RaceKind:
    """A distance with its splits, default awards and the field it draws."""

    name: str
    distance_m: float
    splits: tuple[tuple[str, float], ...]
    basis: str
    overall: int
    masters: int
    ag: int
    width: int
    dnf: float
    median_min: float  # whole-field median chip time
    age_mean: float
    age_sd: float
    min_age: int


RACE_KINDS: dict[str, RaceKind] = {
    k.name: k
    for k in (
        RaceKind("1 Mile Fun Run", 1609.34, (), "chip", 1, 0, 1, 10, 0.001, 8.0, 24, 17, 4),
        RaceKind("5K", 5000.0, (), "chip", 3, 0, 3, 10, 0.004, 26.8, 37, 14, 5),
        RaceKind("8K", 8000.0, (), "chip", 3, 1, 3, 5, 0.006, 44.2, 38, 13, 8),
        RaceKind("10K", 10000.0, (("5K", 5000.0),), "gun", 3, 1, 3, 5, 0.008, 56.3, 38, 12, 8),
        RaceKind(
            "15K", 15000.0, (("5K", 5000.0), ("10K", 10000.0)), "gun", 3, 1, 3, 5, 0.01, 88.0, 39, 12, 12
        ),
        RaceKind("10 Miler", 16093.44, (("5 Mile", 8046.72),), "gun", 3, 1, 3, 5, 0.012, 93.5, 39, 12, 12),
        RaceKind("Half Marathon", 21097.5, (("10K", 10000.0),), "gun", 3, 1, 3, 5, 0.015, 123.7, 38, 11, 14),
        RaceKind("25K", 25000.0, (("Aid 2", 16000.0),), "gun", 3, 1, 3, 10, 0.035, 194.6, 40, 11, 16),
        RaceKind(
            "Marathon",
            42195.0,
            (("10K", 10000.0), ("Half", 21097.5), ("30K", 30000.0)),
            "gun",
            3,
            1,
            3,
            5,
            0.03,
            271.4,
            40,
            11,
            18,
        ),
        RaceKind(
            "50K",
            50000.0,
            (("Aid 2", 16000.0), ("Aid 4", 34000.0)),
            "gun",
            3,
            1,
            3,
            10,
            0.07,
            427.8,
            42,
            10,
            18,
        ),
    )
}


@dataclass(frozen=True, slots=True)
class SeriesClass:
    """A kind of recurring event: its main race, entry range at full scale, and optional extra races."""

    key: str
    share: float  # of all result rows; the planner keeps each class near its share
    mains: tuple[str, ...]
    size: tuple[int, int]
    extras: tuple[tuple[str, float, float, float], ...]  # (kind, chance, size ratio low, high)
    months: tuple[int, ...]
    weekday: int
    starts: tuple[str, ...]
    lead_mean: float  # mean days between registration and race day


SERIES_CLASSES: tuple[SeriesClass, ...] = (
    SeriesClass(
        "5k",
        0.17,
        ("5K",),
        (100, 800),
        (("1 Mile Fun Run", 0.25, 0.08, 0.25), ("10K", 0.15, 0.25, 0.6)),
        (3, 4, 5, 6, 7, 8, 9, 10, 11),
        5,
        ("08:00", "08:30", "09:00"),
        35,
    ),
    SeriesClass(
        "holiday",
        0.10,
        ("5K",),
        (300, 3000),
        (("1 Mile Fun Run", 0.4, 0.08, 0.2), ("10K", 0.3, 0.15, 0.4)),
        (),
        5,
        (),
        30,
    ),
    SeriesClass(
        "10k",
        0.13,
        ("10K",),
        (1000, 5000),
        (("5K", 0.5, 0.3, 0.8), ("1 Mile Fun Run", 0.15, 0.05, 0.15)),
        (3, 4, 5, 6, 9, 10, 11),
        5,
        ("07:30", "08:00"),
        45,
    ),
    SeriesClass(
        "road",
        0.08,
        ("8K", "15K", "10 Miler"),
        (1000, 5000),
        (("5K", 0.4, 0.2, 0.6),),
        (3, 4, 5, 9, 10, 11),
        6,
        ("07:20", "07:30", "08:00"),
        50,
    ),
    SeriesClass(
        "half",
        0.20,
        ("Half Marathon",),
        (1000, 5000),
        (("5K", 0.6, 0.2, 0.5), ("10K", 0.3, 0.2, 0.4)),
        (3, 4, 5, 9, 10, 11),
        6,
        ("07:00", "07:30"),
        60,
    ),
    SeriesClass(
        "trail",
        0.04,
        ("50K",),
        (150, 600),
        (("25K", 1.0, 1.0, 1.8), ("10K", 0.4, 0.5, 1.0)),
        (4, 5, 6, 7, 8, 9, 10),
        5,
        ("06:00", "06:30"),
        70,
    ),
    SeriesClass(
        "marathon",
        0.28,
        ("Marathon",),
        (10000, 30000),
        (
            ("Half Marathon", 0.9, 0.4, 1.0),
            ("8K", 0.35, 0.15, 0.4),
            ("5K", 0.45, 0.15, 0.4),
            ("10K", 0.25, 0.1, 0.3),
        ),
        (3, 4, 5, 10, 11),
        6,
        ("07:00", "07:30"),
        90,
    ),
)


@dataclass(slots=True)
class Org:
    org_id: int
    slug: str
    name: str
    contact_name: str
    contact_email: str
    city: str
    state: str
    region: str
    weight: float
    pool_cap: int = 0


@dataclass(slots=True)
class RaceSpec:
    """A race of a recurring event, with the award rules it keeps from year to year."""

    kind: RaceKind
    start: str
    base_size: float
    first_year: int
    basis: str
    overall: int
    masters: int
    masters_min_age: int
    ag: int
    width: int
    exclude: str


@dataclass(slots=True)
class Series:
    index: int
    cls: SeriesClass
    org: Org
    name: str
    city: City
    registration_provider: str
    results_provider: str
    races: list[RaceSpec]
    month: int
    nth: int
    weekday: int


@dataclass(slots=True)
class RacePlan:
    spec: RaceSpec
    size: int
    dns: float
    race_id: int = 0
    bib_base: int = 1


@dataclass(slots=True)
class Edition:
    series: Series
    year: int
    day: dt.date
    races: list[RacePlan]
    event_id: int = 0
    registration_external_id: int = 0

    @property
    def upcoming(self) -> bool:
        return self.day > TODAY


@dataclass(slots=True)
class Plan:
    orgs: list[Org]
    editions: list[Edition] = field(default_factory=list)

    @property
    def results(self) -> int:
        return sum(r.size for e in self.editions if not e.upcoming for r in e.races)


# --- planning: the calendar, sized to the requested number of result rows -------------------------


def load_cities() -> list[City]:
    cities = []
    for i, line in enumerate(CITY_TABLE.strip().splitlines()):
        name, state, zip3, tz, region = line.split("|")
        clubs = (f"{name} {CLUB_SUFFIXES[i % len(CLUB_SUFFIXES)]}", f"{name} {CLUB_SUFFIXES[(i + 3) % 7]}")
        cities.append(City(name, state, zip3, tz, region, clubs))
    return cities


def slugify(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def make_orgs(count: int, cities: list[City], rng: random.Random) -> list[Org]:
    """The sample's three tenants, then regional timing companies; earlier ones are bigger."""
    orgs = [
        Org(i + 1, slug, name, contact, email, city, state, region, 0.0)
        for i, (slug, name, contact, email, city, state, region) in enumerate(SAMPLE_ORGS[:count])
    ]
    regions = list(ORG_PREFIXES)
    prefixes = [(ORG_PREFIXES[r][i], r) for i in range(6) for r in regions if i < len(ORG_PREFIXES[r])]
    names = [(f"{p} {s}", r) for s in ORG_SUFFIXES for p, r in prefixes]
    for name, region in names[: max(0, count - len(orgs))]:
        first = rng.choice(FIRST_M + FIRST_F)
        last = rng.choice(LAST)
        home = rng.choice([c for c in cities if c.region == region])
        slug = slugify(name)
        email = f"{first.lower()}@{slug.replace('-', '')}.example"
        contact = f"{first} {last}"
        orgs.append(Org(len(orgs) + 1, slug, name, contact, email, home.name, home.state, region, 0.0))
    for org in orgs:
        org.weight = 1.0 / org.org_id**0.7
    total = sum(o.weight for o in orgs)
    for org in orgs:
        org.pool_cap = max(1000, int(POOL_TOTAL * org.weight / total))
    return orgs


def nth_weekday(year: int, month: int, nth: int, weekday: int) -> dt.date:
    if nth == 0:
        return dt.date(year, 12, 31)
    first = dt.date(year, month, 1)
    return first + dt.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (nth - 1))


def series_name(cls: SeriesClass, main: str, city: City, rng: random.Random, holiday: str) -> str:
    theme = rng.choice(THEMES).replace("-", " ")
    feature = rng.choice(TRAIL_FEATURES)
    options = {
        "5k": (f"{city.name} {theme} 5K", f"{theme} 5K", f"{city.name} {theme} Run"),
        "holiday": (f"{city.name} {holiday}",),
        "10k": (f"{city.name} 10K", f"{theme} 10K", f"{city.name} {theme} 10K"),
        "road": (f"{city.name} {main}", f"{theme} {main}", f"{city.name} {theme} {main}"),
        "half": (f"{city.name} Half Marathon", f"{theme} Half Marathon", f"{city.name} {theme} Half"),
        "trail": (f"{feature} Trail 50K", f"{feature} Trail Races", f"{feature} Ultra"),
        "marathon": (f"{city.name} Marathon", f"{city.name} Marathon Weekend", f"{theme} Marathon Weekend"),
    }[cls.key]
    return rng.choice(options)


def make_series(
    index: int,
    cls: SeriesClass,
    org: Org,
    cities: list[City],
    by_region: dict[str, list[City]],
    used_names: set[str],
    rng: random.Random,
) -> Series:
    city = rng.choice(by_region[org.region]) if rng.random() < 0.85 else rng.choice(cities)
    main = rng.choice(cls.mains)
    holiday = rng.choice(HOLIDAYS) if cls.key == "holiday" else HOLIDAYS[0]
    if index == 0:
        holiday = HOLIDAYS[0]  # a Thanksgiving race: the first series always has an upcoming edition
    name = series_name(cls, main, city, rng, holiday[0])
    for _ in range(20):
        if name not in used_names:
            break
        city = rng.choice(cities)
        name = series_name(cls, main, city, rng, holiday[0])
    else:
        name = f"{name} {index}"
    used_names.add(name)
    starts: tuple[str, ...]
    if cls.key == "holiday":
        month, nth, weekday, starts = holiday[1], holiday[2], holiday[3], (holiday[4],)
    else:
        month, nth, weekday, starts = rng.choice(cls.months), rng.randint(1, 4), cls.weekday, cls.starts
    start = rng.choice(starts)
    founded = FIRST_YEAR if rng.random() < 0.5 else rng.randint(FIRST_YEAR + 1, LAST_YEAR - 1)
    lo, hi = cls.size
    specs = [race_spec(RACE_KINDS[main], start, lo * (hi / lo) ** rng.random(), founded, 0, rng)]
    offset = 0
    for kind, chance, r_lo, r_hi in cls.extras:
        if len(specs) < 4 and rng.random() < chance:
            offset += rng.choice((0, 15, 30, 60))
            first_year = founded if rng.random() < 0.6 else rng.randint(founded, LAST_YEAR)
            size = specs[0].base_size * rng.uniform(r_lo, r_hi)
            specs.append(race_spec(RACE_KINDS[kind], start, size, first_year, offset, rng))
    registration = "runsignup" if rng.random() < 0.6 else "raceroster"
    results = "ctlive" if rng.random() < 0.55 else "copernico"
    return Series(index, cls, org, name, city, registration, results, specs, month, nth, weekday)


def race_spec(
    kind: RaceKind, start: str, size: float, first_year: int, offset_min: int, rng: random.Random
) -> RaceSpec:
    hh, mm = map(int, start.split(":"))
    minutes = hh * 60 + mm + offset_min
    basis = kind.basis
    if kind.distance_m >= 10000 and rng.random() < 0.12:
        basis = "chip"
    overall = kind.overall if rng.random() < 0.8 else rng.choice((1, 3, 5))
    masters = kind.masters if rng.random() < 0.8 else rng.choice((0, 1, 3))
    ag = kind.ag if rng.random() < 0.75 else rng.choice((1, 3, 5))
    width = kind.width if rng.random() < 0.85 else 15 - kind.width
    exclude = "true" if rng.random() < 0.9 else "false"
    masters_min_age = 40 if rng.random() < 0.9 else 50
    return RaceSpec(
        kind,
        f"{minutes // 60:02d}:{minutes % 60:02d}",
        size,
        first_year,
        basis,
        overall,
        masters,
        masters_min_age,
        ag,
        width,
        exclude,
    )


def make_editions(series: Series, size_scale: float, rng: random.Random) -> list[Edition]:
    founded = min(spec.first_year for spec in series.races)
    last = LAST_YEAR if rng.random() < 0.92 or series.index == 0 else rng.randint(founded, LAST_YEAR - 1)
    growth = rng.uniform(-0.03, 0.07)
    editions = []
    for year in range(founded, last + 1):
        if year == 2020 and rng.random() < 0.75:
            continue  # cancelled for the pandemic
        covid = 0.55 if year == 2020 else 0.8 if year == 2021 else 1.0
        day = nth_weekday(year, series.month, series.nth, series.weekday)
        lead_gap = (day - TODAY).days
        races = []
        for spec in series.races:
            if year < spec.first_year:
                continue
            size = spec.base_size * (1 + growth) ** (year - LAST_YEAR) * rng.uniform(0.85, 1.15) * covid
            if spec is series.races[0]:
                size = min(size, series.cls.size[1])  # the class's range holds at full scale
            if lead_gap > 0:  # registration still open: only the early registrants so far
                size *= math.exp(-lead_gap / series.cls.lead_mean)
            races.append(RacePlan(spec, max(3, round(size * size_scale)), rng.uniform(0.05, 0.11)))
        editions.append(Edition(series, year, day, races))
    return editions


def plan_bundle(target_results: int, seed: int) -> Plan:
    """Draw recurring events until their completed editions hold about `target_results` entries."""
    rng = random.Random(seed)
    cities = load_cities()
    by_region: dict[str, list[City]] = {}
    for city in cities:
        by_region.setdefault(city.region, []).append(city)
    orgs = make_orgs(min(200, max(3, round(target_results / 200_000))), cities, rng)
    org_weights = [o.weight for o in orgs]
    # small bundles keep the same shape with smaller fields, so they still get many editions
    size_scale = min(1.0, math.sqrt(target_results / 400_000))
    plan = Plan(orgs)
    used_names: set[str] = set()
    planned = {c.key: 0 for c in SERIES_CLASSES}
    remaining = target_results
    index = 0
    for _ in range(1_000_000):
        if remaining <= max(3, target_results // 2000):
            break
        org = orgs[index] if index < len(orgs) else rng.choices(orgs, org_weights)[0]
        # many small events but most rows in a few big ones: draw the classes furthest behind their share
        deficit = {c.key: c.share * target_results - planned[c.key] for c in SERIES_CLASSES}
        slack = 0.15 * target_results
        drawn = draw_series(
            index, org, remaining, deficit, slack, size_scale, cities, by_region, used_names, rng
        )
        if drawn is None:
            continue
        plan.editions.extend(drawn)
        total = sum(r.size for e in drawn if not e.upcoming for r in e.races)
        planned[drawn[0].series.cls.key] += total
        remaining -= total
        index += 1
    assign_ids(plan, rng)
    return plan


def draw_series(
    index: int,
    org: Org,
    remaining: int,
    deficit: dict[str, float],
    slack: float,
    size_scale: float,
    cities: list[City],
    by_region: dict[str, list[City]],
    used_names: set[str],
    rng: random.Random,
) -> list[Edition] | None:
    """One new recurring event's editions, within the budget and near its class's share of the rows.

    When nothing fits after many draws, the last draw is shrunk to the remaining budget.
    """
    class_weights = [max(deficit[c.key], 0.0) + 1e-9 for c in SERIES_CLASSES]
    for attempt in range(40):
        cls = SERIES_CLASSES[1] if index == 0 else rng.choices(SERIES_CLASSES, class_weights)[0]
        series = make_series(index, cls, org, cities, by_region, used_names, rng)
        editions = make_editions(series, size_scale, rng)
        total = sum(r.size for e in editions if not e.upcoming for r in e.races)
        if total <= 0:
            used_names.discard(series.name)
            continue
        if total <= remaining * 1.05 + 20 and total <= deficit[cls.key] + slack:
            return editions
        if attempt == 39:
            factor = remaining / total
            for edition in editions:
                for race in edition.races:
                    race.size = max(1, round(race.size * factor))
            return editions
        used_names.discard(series.name)
    return None


def assign_ids(plan: Plan, rng: random.Random) -> None:
    """Ids grow with the calendar, with the gaps a shared production database leaves."""
    plan.editions.sort(key=lambda e: (e.day, e.series.org.org_id, e.series.index))
    event_id, registration_id, race_id = 61000, 103000, 248000
    for edition in plan.editions:
        event_id += rng.randint(1, 12)
        registration_id += rng.randint(1, 40)
        edition.event_id, edition.registration_external_id = event_id, registration_id
        bib = 1
        for race in edition.races:
            race_id += rng.randint(1, 25)
            race.race_id, race.bib_base = race_id, bib
            bib += max(1000, math.ceil(race.size * 1.3 / 1000) * 1000)


# --- streaming the entries -----------------------------------------------------------------------

BASE_DAY = dt.date(2010, 1, 1)
DATE_TEXT = [
    (BASE_DAY + dt.timedelta(days=i)).isoformat() for i in range((dt.date(2028, 1, 1) - BASE_DAY).days)
]
CLOCK_TEXT = [f"T{m // 60:02d}:{m % 60:02d}:00" for m in range(1440)]
MMSS_TEXT = [f"{s // 60:02d}:{s % 60:02d}" for s in range(3600)]
# (month * 100 + day, "MM-DD") for birthdays; leap days left out
BIRTHDAYS = [
    (d.month * 100 + d.day, d.strftime("%m-%d"))
    for d in (dt.date(2023, 1, 1) + dt.timedelta(days=i) for i in range(365))
]
# slower under 18 and past 30, gently at first (age-grading tables, flattened for a recreational field)
AGE_FACTOR = [
    1 + 0.035 * (18 - a) if a < 18 else 1.0 if a <= 30 else 1 + 0.006 * (a - 30) + 0.00025 * (a - 30) ** 2
    for a in range(131)
]
SEX_FACTOR = {"M": 0.93, "F": 1.06, "X": 1.0}
PACE_NORM = 0.905  # the field's median age and mix of sexes run slower than the factors' base


# A person in an organization's pool: (first..dob cells, email..team cells, dob year, month*100+day,
# sex, ability). Cells are pre-joined because the same person is written again at every edition.
Person = tuple[str, str, int, int, str, float]


class BundleWriter:
    """Writes the races of a plan in calendar order to the three entry files."""

    def __init__(self, plan: Plan, out: Path, seed: int) -> None:
        self.plan = plan
        self.rng = random.Random(seed * 7919 + 17)
        self.cities = load_cities()
        self.by_region: dict[str, list[City]] = {}
        for city in self.cities:
            self.by_region.setdefault(city.region, []).append(city)
        self.pools: dict[int, list[Person]] = {o.org_id: [] for o in plan.orgs}
        self.last_seen: dict[int, list[int]] = {o.org_id: [] for o in plan.orgs}
        self.participant_id = 9100000
        self.counts = dict.fromkeys(HEADERS, 0)
        self.files = {name: open_csv(out / name) for name in HEADERS}

    def close(self) -> None:
        for fh in self.files.values():
            fh.close()

    def write_calendar(self) -> None:
        orgs = csv.writer(self.files["organizations.csv"])
        orgs.writerows(
            (o.org_id, o.slug, o.name, o.contact_name, o.contact_email, o.city, o.state)
            for o in self.plan.orgs
        )
        events = csv.writer(self.files["ct_events.csv"])
        races = csv.writer(self.files["ct_races.csv"])
        for e in self.plan.editions:
            s = e.series
            prefix = "CT" if s.results_provider == "ctlive" else "CO"
            status = "upcoming" if e.upcoming else "completed"
            events.writerow(
                (
                    e.event_id,
                    s.org.org_id,
                    s.name,
                    e.year,
                    e.day.isoformat(),
                    s.city.name,
                    s.city.state,
                    s.city.timezone,
                    s.registration_provider,
                    e.registration_external_id,
                    s.results_provider,
                    f"{prefix}-{e.event_id}",
                    status,
                )
            )
            for r in e.races:
                spec = r.spec
                races.writerow(
                    (
                        r.race_id,
                        e.event_id,
                        spec.kind.name,
                        repr(spec.kind.distance_m),
                        f"{e.day.isoformat()}T{spec.start}:00",
                        spec.basis,
                        spec.overall,
                        spec.masters,
                        spec.masters_min_age,
                        spec.ag,
                        spec.width,
                        spec.exclude,
                    )
                )
        self.counts["organizations.csv"] = len(self.plan.orgs)
        self.counts["ct_events.csv"] = len(self.plan.editions)
        self.counts["ct_races.csv"] = sum(len(e.races) for e in self.plan.editions)

    def write_race(self, edition: Edition, race: RacePlan) -> int:
        """Entries of one race (and results and splits when it is over); returns result rows written."""
        rnd = self.rng.random
        log = math.log
        spec, kind, series = race.spec, race.spec.kind, edition.series
        org_id = series.org.org_id
        pool, last_seen, cap = self.pools[org_id], self.last_seen[org_id], series.org.pool_cap
        event_id, race_id, n = edition.event_id, race.race_id, race.size
        year, race_md = edition.year, edition.day.month * 100 + edition.day.day
        day_index = (edition.day - BASE_DAY).days
        upcoming = edition.upcoming
        min_lead = max(0, (edition.day - TODAY).days)
        start_hh, start_mm = map(int, spec.start.split(":"))
        start_minute = start_hh * 60 + start_mm
        lead_mean = series.cls.lead_mean
        source = series.registration_provider
        base_s = kind.median_min * 60 * PACE_NORM
        min_age, age_mean, age_sd = kind.min_age, kind.age_mean, kind.age_sd * 1.732
        home_city, local = series.city, self.by_region[series.city.region]
        everywhere = self.cities
        first_m, first_f, lasts = FIRST_M, FIRST_F, LAST
        streets, suffixes, birthdays = STREETS, STREET_SUFFIXES, BIRTHDAYS
        age_factor, sex_factor, date_text, clock_text = AGE_FACTOR, SEX_FACTOR, DATE_TEXT, CLOCK_TEXT

        entries: list[tuple[float, float, str, int, str, str]] = []
        add = entries.append
        for _ in range(n):
            person: Person | None = None
            pool_n = len(pool)
            if pool_n >= 30 and rnd() < REUSE_P:
                j = int(rnd() * pool_n)
                if last_seen[j] != event_id:
                    cand = pool[j]
                    age = year - cand[2] - (race_md < cand[3])
                    if min_age <= age <= 95:
                        person = cand
                        last_seen[j] = event_id
            if person is None:
                u = rnd()
                sex = "X" if u < SEX_X_P else "F" if u < SEX_X_P + SEX_F_P else "M"
                names = first_f if sex == "F" or (sex == "X" and rnd() < 0.5) else first_m
                first = names[int(rnd() * len(names))]
                last = lasts[int(rnd() * len(lasts))]
                age = int(age_mean + age_sd * (rnd() + rnd() + rnd() + rnd() - 2.0))
                age = min_age if age < min_age else 88 if age > 88 else age
                md, md_text = birthdays[int(rnd() * 365)]
                dob_year = year - age - (md > race_md)
                u = rnd()
                city = (
                    home_city
                    if u < 0.35
                    else local[int(rnd() * len(local))]
                    if u < 0.8
                    else everywhere[int(rnd() * len(everywhere))]
                )
                u = rnd()
                digits = "" if u < 0.84 else str(int(u * 1000) % 10 if u < 0.94 else int(u * 10000) % 90 + 10)
                domain = "example.com" if rnd() < 0.89 else "example.org" if rnd() < 0.5 else "example.net"
                u = rnd()
                team = (
                    ""
                    if u >= TEAM_P
                    else city.clubs[int(u * 1000) % 2]
                    if u < TEAM_P * 0.7
                    else NATIONAL_CLUBS[int(u * 10007) % len(NATIONAL_CLUBS)]
                )
                ability = math.exp(0.17 * 1.732 * (rnd() + rnd() + rnd() + rnd() - 2.0))
                street = streets[int(rnd() * len(streets))]
                address = f"{100 + int(rnd() * 9900)} {street} {suffixes[int(rnd() * 10)]}"
                person = (
                    f"{first},{last},{sex},{dob_year}-{md_text}",
                    f"{first.lower()}.{last.lower()}{digits}@{domain},({200 + int(rnd() * 800)}) 555-"
                    f"{int(rnd() * 10000):04d},{address},{city.name},{city.state},"
                    f"{city.zip3}{int(rnd() * 100):02d},US,{team}",
                    dob_year,
                    md,
                    sex,
                    ability,
                )
                if pool_n < cap:
                    pool.append(person)
                    last_seen.append(event_id)
                else:  # people drift away: a newcomer takes a random place in the pool
                    j = int(rnd() * pool_n)
                    pool[j] = person
                    last_seen[j] = event_id
            predicted = base_s * age_factor[age] * sex_factor[person[4]] * person[5]
            lead = min_lead + int(-log(1.0 - rnd()) * lead_mean)
            if lead > MAX_LEAD_DAYS:
                lead = max(min_lead, MAX_LEAD_DAYS)
            if lead:
                minute = int(rnd() * 1440)
                if minute < 360 and rnd() < 0.8:  # few sign up in the small hours
                    minute += 720
            else:
                minute = int(rnd() * start_minute)
            registered = date_text[day_index - lead] + clock_text[minute]
            # seeding (and so bib order and start corral) follows the predicted time, loosely
            add((predicted * (0.96 + 0.08 * rnd()), predicted, person[0], age, person[1], registered))
        entries.sort()

        participants: list[str] = []
        results: list[str] = []
        splits: list[str] = []
        pid = self.participant_id
        bib = race.bib_base
        dns_p = race.dns
        dnf_p = dns_p + kind.dnf
        dq_p = dnf_p + DQ_P
        wave_s = min(2700.0, 25.0 * math.sqrt(n)) / n  # start-corral delay per place in the seeding
        elites = max(1, n // 100) if spec.basis == "gun" else 0
        split_marks = [(f"{name},{dist!r}", dist / kind.distance_m) for name, dist in kind.splits]
        mmss = MMSS_TEXT
        for i, (_, predicted, head, age, tail, registered) in enumerate(entries):
            pid += 1 + int(rnd() * 5)
            participants.append(f"{pid},{race_id},{bib + i},{head},{age},{tail},{registered},{source}\r\n")
            if upcoming:
                continue
            u = rnd()
            if u < dns_p:
                results.append(f"{pid},DNS,,\r\n")
                continue
            if u < dnf_p:
                results.append(f"{pid},DNF,,\r\n")
                continue
            chip = int(predicted * (0.95 + 0.05 * (rnd() + rnd())) * 10)
            gun = chip if i < elites else chip + int((i * wave_s + 3.0 + 20.0 * rnd()) * 10)
            h, r = divmod(chip, 36000)
            chip_text = f"{h}:{mmss[r // 10]}.{r % 10}"
            h, r = divmod(gun, 36000)
            gun_text = f"{h}:{mmss[r // 10]}.{r % 10}"
            if u < dq_p:
                results.append(f"{pid},DQ,{gun_text},{chip_text}\r\n")
                continue
            results.append(f"{pid},FIN,{gun_text},{chip_text}\r\n")
            if split_marks:
                fade = 1.0 + 0.09 * rnd() - 0.02  # most runners slow down over the distance
                for mark, fraction in split_marks:
                    if rnd() < SPLIT_MISS_P:
                        continue
                    h, r = divmod(int(chip * fraction**fade), 36000)
                    splits.append(f"{pid},{mark},{h}:{mmss[r // 10]}.{r % 10}\r\n")
        self.participant_id = pid
        self.files["ct_participants.csv"].write("".join(participants))
        self.files["ct_results.csv"].write("".join(results))
        self.files["ct_splits.csv"].write("".join(splits))
        self.counts["ct_participants.csv"] += len(participants)
        self.counts["ct_results.csv"] += len(results)
        self.counts["ct_splits.csv"] += len(splits)
        return len(results)


def open_csv(path: Path) -> TextIO:
    fh = path.open("w", newline="", encoding="utf-8", buffering=1 << 20)
    csv.writer(fh).writerow(HEADERS[path.name])
    return fh


def check_csv_safe(words: Iterable[str]) -> None:
    """Hot rows are joined by hand, which matches csv.writer only while no cell needs quoting."""
    bad = [w for w in words if any(ch in w for ch in ',"\r\n')]
    if bad:
        raise ValueError(f"vocabulary needs CSV quoting: {bad[:5]}")


def generate(target_results: int, out: Path, seed: int, console: Console) -> BundleWriter:
    plan = plan_bundle(target_results, seed)
    out.mkdir(parents=True, exist_ok=True)
    writer = BundleWriter(plan, out, seed)
    try:
        writer.write_calendar()
        columns = (
            TextColumn("[bold]result rows"),
            BarColumn(),
            MofNCompleteColumn(),
            TaskProgressColumn(),
            TimeElapsedColumn(),
            TextColumn("eta"),
            TimeRemainingColumn(),
        )
        with Progress(*columns, console=console, refresh_per_second=5) as progress:
            task = progress.add_task("results", total=plan.results)
            for edition in plan.editions:
                for race in edition.races:
                    progress.advance(task, writer.write_race(edition, race))
    finally:
        writer.close()
    return writer


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", type=int, default=50_000, help="target number of result rows")
    parser.add_argument("--out", type=Path, required=True, help="directory to write the bundle into")
    parser.add_argument("--seed", type=int, default=1, help="same seed, same bytes")
    args = parser.parse_args(argv)
    if args.results < 1:
        parser.error("--results must be at least 1")
    cities = load_cities()
    check_csv_safe(
        [
            *FIRST_M,
            *FIRST_F,
            *LAST,
            *STREETS,
            *NATIONAL_CLUBS,
            *THEMES,
            *TRAIL_FEATURES,
            *(c.name for c in cities),
            *(club for c in cities for club in c.clubs),
        ]
    )
    started = time.perf_counter()
    writer = generate(args.results, args.out, args.seed, Console(stderr=True))
    seconds = time.perf_counter() - started
    rows = ", ".join(f"{name} {count:,}" for name, count in writer.counts.items())
    results = writer.counts["ct_results.csv"]
    print(f"wrote {args.out}: {rows} in {seconds:.1f}s ({results / max(seconds, 1e-9):,.0f} result rows/s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
