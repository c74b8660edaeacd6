"""`racehub score`: races named as people know them, editions found as workflows find them."""

from __future__ import annotations

from datetime import date

from typer.testing import CliRunner

from racehub.cli import app as cli
from racehub.db import Database, Scope
from tests.factories import create_edition, create_entry, create_org, create_race


class TestScoreCommand:
    def test_races_are_named_by_event_year_and_race(self, cli_db: Database) -> None:
        with cli_db.session(Scope.operator()) as session:
            org = create_org(session)
            edition = create_edition(session, org, name="Harbor Run", year=2025, start_date=date(2025, 5, 4))
            race = create_race(session, edition, name="5K")
            create_entry(session, race, gun_ms=1_200_000)
            create_entry(session, race, gun_ms=1_300_000)

        by_event = CliRunner().invoke(cli, ["score", "--event", "harbor run", "--year", "2025"])
        by_race = CliRunner().invoke(cli, ["score", "--race", str(race.id)])
        unknown = CliRunner().invoke(cli, ["score", "--event", "Moon Marathon", "--year", "2025"])

        assert by_event.exit_code == 0, by_event.output
        assert "Harbor Run 2025 5K" in by_event.output
        assert "Harbor Run 2025 5K" in by_race.output
        assert unknown.exit_code == 1
        assert "no event named like 'Moon Marathon'" in unknown.output
