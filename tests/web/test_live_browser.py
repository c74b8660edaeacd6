"""The page's live view and follows in a real browser: "show me Boston live" in chat opens the race live,
changes arrive marked, search and filters work, follows are set up in plain English.

Screenshots go to the test's temporary folder (and to $RACEHUB_SCREENSHOTS when set, to look at).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from racehub.db import Database, Scope
from tests.chat.world import PASSWORD, ChatWorld
from tests.web.test_browser import ask

pytestmark = pytest.mark.browser


def _shot(page: Any, folder: Path, name: str) -> None:
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    assert path.stat().st_size > 10_000
    keep = os.environ.get("RACEHUB_SCREENSHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(keep) / path.name)


def _sign_in(page: Any, server_url: str, email: str) -> None:
    page.goto(server_url + "/")
    page.fill("#email", email)
    page.click("#use-password")
    page.fill("#password", PASSWORD)
    page.click("#verify-password")
    page.wait_for_selector("#chat", state="visible")


def _boston(database: Database) -> tuple[int, int, str]:
    """Boston 2026's race id, a finisher's entry id and bib."""
    with database.session(Scope.operator()) as session:
        row = session.execute(
            text(
                "SELECT r.id, e.id, e.bib FROM races r JOIN editions ed ON ed.id = r.edition_id "
                "JOIN event_series s ON s.id = ed.series_id JOIN entries e ON e.race_id = r.id "
                "JOIN results re ON re.entry_id = e.id WHERE s.name = 'Boston Marathon' AND ed.year = 2026 "
                "AND re.overall_place = 40"
            )
        ).one()
    return int(row[0]), int(row[1]), str(row[2])


def test_live_view_from_chat(
    browser: Any, server_url: str, web_world: tuple[Database, ChatWorld], tmp_path: Path
) -> None:
    database, world = web_world
    race_id, entry_id, bib = _boston(database)
    context = browser.new_context(viewport={"width": 1200, "height": 860})
    page = context.new_page()
    _sign_in(page, server_url, world.dave.email)

    reply = ask(page, "Show me Boston live")
    assert "Boston Marathon 2026 · Marathon live: 2,284 entries" in reply.inner_text()
    reply.locator("a", has_text="Open Boston Marathon 2026").click()
    page.wait_for_selector("#live", state="visible")
    page.wait_for_function("() => document.querySelectorAll('#live-table tbody tr').length >= 2000")
    page.wait_for_selector(".conn.live-on")
    assert page.inner_text("#live-title") == "Boston Marathon 2026 · Marathon"
    assert page.inner_text("#live-official") == "Official"
    assert page.url.endswith(f"#live/race/{race_id}")

    # Staff reopen the race and correct a result: the badge turns provisional, the row comes in marked.
    headers = {"Authorization": f"Bearer {world.dave.key}"}
    assert httpx.delete(f"{server_url}/v1/races/{race_id}/official", headers=headers).status_code == 200
    page.wait_for_function("() => document.querySelector('#live-official').textContent === 'Provisional'")
    fixed = httpx.patch(
        f"{server_url}/v1/races/{race_id}/results/{entry_id}",
        headers=headers,
        json={"gun_time": "2:05:00.0", "chip_time": "2:04:58.0"},
    )
    assert fixed.status_code == 200, fixed.text
    page.wait_for_selector("#live-table tr.fresh")
    first = page.locator("#live-table tbody tr").first
    assert first.locator("td").nth(1).inner_text() == bib
    assert first.locator("td").nth(4).inner_text() == "2:05:00.0"
    _shot(page, tmp_path, "live-desktop")

    page.fill("#live-search", bib)
    page.wait_for_function("() => document.querySelectorAll('#live-table tbody tr').length === 1")
    page.fill("#live-search", "")
    page.select_option("#live-sex", "F")
    page.wait_for_function(
        "() => [...document.querySelectorAll('#live-table tbody tr td:nth-child(4)')]"
        ".every(td => td.textContent.startsWith('F'))"
    )
    context.close()


def test_follows_and_live_on_a_phone(
    browser: Any, server_url: str, web_world: tuple[Database, ChatWorld], tmp_path: Path
) -> None:
    _, world = web_world
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True, has_touch=True
    )
    context.grant_permissions(["notifications"], origin=server_url)
    page = context.new_page()
    _sign_in(page, server_url, world.john.email)
    page.click("#views a[data-view=follows]")
    page.wait_for_selector("#follows", state="visible")
    page.fill("#follow-text", "Tell me when bib 1 passes 10K in the 2026 Shamrock Marathon")
    page.click("#follow-form button[type=submit]")
    page.wait_for_function("() => document.querySelector('#follow-reply').textContent.startsWith('I')")
    assert "passes 10K" in page.inner_text("#follow-reply")
    page.wait_for_function("() => document.querySelector('#follow-list').textContent.includes('passes 10K')")
    # This headless browser has no push service to subscribe with: the page says so plainly.
    page.click("#push-on")
    page.wait_for_function(
        "() => ['could not subscribe', 'Notifications go to']"
        ".some(t => document.querySelector('#push-state').textContent.includes(t))"
    )
    _shot(page, tmp_path, "follows-phone")
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 390

    # The live view opens on the edition nearest today: Acme's next race, registered but not run yet.
    page.click("#views a[data-view=live]")
    page.wait_for_selector("#live", state="visible")
    page.wait_for_function("() => document.querySelector('#live-note').textContent.startsWith('No results')")
    assert page.inner_text("#live-title") == "Jingle Bell Run 2026 · 5K"
    assert page.inner_text("#live-official") == "Provisional"
    _shot(page, tmp_path, "live-phone")
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 390
    context.close()
