"""`racehub users list|remove|set-role`, `racehub keys create|list|revoke`, `racehub orgs`."""

from __future__ import annotations

from typer.testing import CliRunner

from racehub.auth.service import add_user, create_api_key, key_is_live
from racehub.cli import app as cli
from racehub.db import Database, Scope
from tests.factories import create_org


def _words(text: str) -> str:
    """Output as one line of words: table borders gone, blanks collapsed (rich wraps at 80 columns)."""
    for border in "│┃":
        text = text.replace(border, " ")
    return " ".join(text.split())


def _run(*args: str, answer: str | None = None) -> str:
    result = CliRunner().invoke(cli, list(args), input=answer)
    assert result.exit_code == 0, result.output
    return _words(result.output)


def _fails(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 1, result.output
    return _words(result.output)


def _setup(db: Database) -> dict[str, str]:
    with db.session(Scope.operator()) as session:
        create_org(session, slug="acme", name="Acme")
        create_org(session, slug="bay", name="Bay")
        add_user(session, email="jo@acme.example", name="Jo", org_slug="acme", role="staff")
        add_user(session, email="jo@acme.example", name="Jo", org_slug="bay", role="viewer")
        add_user(session, email="al@acme.example", name="Al", org_slug="acme", role="owner")
        return {
            "jo-acme": create_api_key(session, email="jo@acme.example", org_slug="acme"),
            "jo-bay": create_api_key(session, email="jo@acme.example", org_slug="bay"),
            "al": create_api_key(session, email="al@acme.example"),
        }


def _live(db: Database, key: str) -> bool:
    with db.session(Scope.nobody()) as session:
        return key_is_live(session, key)


class TestUsers:
    def test_list_shows_each_membership_and_role(self, cli_db: Database) -> None:
        _setup(cli_db)

        listed = _run("users", "list")
        acme = _run("users", "list", "--org", "acme")

        assert "jo@acme.example Jo acme staff" in listed
        assert "jo@acme.example Jo bay viewer" in listed
        assert "bay" not in acme.replace("jo@acme.example", "")

    def test_set_role_changes_the_role_and_says_what_it_was(self, cli_db: Database) -> None:
        _setup(cli_db)

        said = _run("users", "set-role", "--email", "jo@acme.example", "--org", "acme", "--role", "owner")

        assert "staff → owner" in said
        assert "jo@acme.example Jo acme owner" in _run("users", "list", "--org", "acme")
        assert "role must be one of owner, staff, viewer" in _fails(
            "users", "set-role", "--email", "jo@acme.example", "--org", "acme", "--role", "admin"
        )
        assert "not a member of 'bay'" in _fails(
            "users", "set-role", "--email", "al@acme.example", "--org", "bay", "--role", "staff"
        )

    def test_remove_from_one_company_revokes_those_keys_only(self, cli_db: Database) -> None:
        keys = _setup(cli_db)

        said = _run("users", "remove", "--email", "jo@acme.example", "--org", "acme", "--yes")

        assert "1 membership(s) ended, 1 key(s) revoked, user kept" in said
        assert not _live(cli_db, keys["jo-acme"])
        assert _live(cli_db, keys["jo-bay"])

    def test_remove_everywhere_deletes_the_user_and_every_key(self, cli_db: Database) -> None:
        keys = _setup(cli_db)
        declined = CliRunner().invoke(cli, ["users", "remove", "--email", "jo@acme.example"], input="n\n")
        assert declined.exit_code == 1
        assert _live(cli_db, keys["jo-bay"])

        said = _run("users", "remove", "--email", "jo@acme.example", answer="y\n")

        assert "2 membership(s) ended, 2 key(s) revoked, user deleted" in said
        assert not _live(cli_db, keys["jo-acme"])
        assert not _live(cli_db, keys["jo-bay"])
        assert "jo@acme.example" not in _run("users", "list")
        assert "no user with email 'jo@acme.example'" in _fails(
            "users", "remove", "--email", "jo@acme.example", "--yes"
        )


class TestKeys:
    def test_list_shows_prefixes_never_values_and_revoke_ends_a_key(self, cli_db: Database) -> None:
        keys = _setup(cli_db)

        listed = _run("keys", "list", "--org", "acme")
        key_ids = [
            _words(line).split()[0]
            for line in CliRunner().invoke(cli, ["keys", "list"]).output.splitlines()
            if keys["al"][:10] in line
        ]
        revoked = _run("keys", "revoke", key_ids[0])

        assert keys["al"][:10] in listed
        assert keys["al"] not in listed
        assert keys["jo-bay"][:10] not in listed
        assert f"key {key_ids[0]} ({keys['al'][:10]}…, al@acme.example) revoked" in revoked
        assert not _live(cli_db, keys["al"])
        assert keys["al"][:10] not in _run("keys", "list")
        assert keys["al"][:10] in _run("keys", "list", "--revoked")
        assert "API key 999999 not found" in _fails("keys", "revoke", "999999")

    def test_a_key_with_an_expiry(self, cli_db: Database) -> None:
        _setup(cli_db)

        created = CliRunner().invoke(
            cli, ["keys", "create", "--email", "al@acme.example", "--expires-days", "7"]
        )

        assert created.exit_code == 0, created.output
        assert _live(cli_db, created.stdout.strip())
        assert "expiry must be 1 to 3650 days" in _fails(
            "keys", "create", "--email", "al@acme.example", "--expires-days", "0"
        )


class TestOrgs:
    def test_add_and_list(self, cli_db: Database) -> None:
        _run("orgs", "add", "--slug", "harbor-timing", "--name", "Harbor Timing")

        assert "harbor-timing Harbor Timing" in _run("orgs", "list")
        assert "organization 'harbor-timing' exists" in _fails(
            "orgs", "add", "--slug", "harbor-timing", "--name", "X"
        )
        assert "lower-case letters, digits and dashes" in _fails(
            "orgs", "add", "--slug", "Bad Slug", "--name", "X"
        )
