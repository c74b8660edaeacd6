"""The built-in page end to end in a real browser: log in, streamed answers, tables, follow-ups, SQL, files.

Drives Debian's chromium through Playwright; the phone check runs at 390 x 844 and saves screenshots.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from racehub.db import Database
from tests.chat.world import PASSWORD, ChatWorld, outbox_codes

pytestmark = pytest.mark.browser

# Counts re-renders of answers, to see that replies arrive in pieces.
COUNT_UPDATES = """
window.__answerUpdates = 0;
new MutationObserver((records) => {
  for (const r of records) {
    if (r.target.classList && r.target.classList.contains("assistant")) window.__answerUpdates++;
  }
}).observe(document, {childList: true, subtree: true});
"""


def ask(page: Any, question: str) -> Any:
    """Type a question, send it with Enter, wait for the streamed reply to finish; the reply element."""
    before = page.locator(".msg.assistant").count()
    page.fill("#question", question)
    with page.expect_response(re.compile(r"/v1/chat/completions$")) as response:
        page.press("#question", "Enter")
    assert response.value.headers["content-type"].startswith("text/event-stream")
    page.wait_for_function(
        "n => document.querySelectorAll('.msg.assistant').length > n"
        " && !document.querySelector('.streaming')",
        arg=before,
    )
    return page.locator(".msg.assistant").last


def test_log_in_with_a_code_and_chat(
    browser: Any, server_url: str, web_world: tuple[Database, ChatWorld], tmp_path: Path
) -> None:
    database, world = web_world
    context = browser.new_context(viewport={"width": 1200, "height": 860}, accept_downloads=True)
    page = context.new_page()
    page.add_init_script(COUNT_UPDATES)
    page.goto(server_url + "/")
    assert page.locator("#login").is_visible()
    assert not page.locator("#chat").is_visible()

    page.fill("#email", world.john.email)
    page.click("#send-code")
    page.wait_for_selector("#step-code", state="visible")
    assert "login code is on its way" in page.inner_text("#code-message")
    page.fill("#code", outbox_codes(database, world.john.email)[0])
    page.click("#verify-code")
    page.wait_for_selector("#chat", state="visible")
    assert page.inner_text("#who") == "John Carter · Acme Racing"

    reply = ask(page, "How many runners finished the Shamrock Marathon in 2025?")
    assert "820 finishers" in reply.inner_text()
    assert page.evaluate("window.__answerUpdates") >= 3  # streamed: rendered as pieces arrived

    assert reply.locator("em").first.inner_text().startswith("Read as: Number of finishers")

    reply = ask(page, "and in 2024?")
    assert reply.locator("em").first.inner_text() == (
        "Read as: Number of finishers — the 2024 Shamrock Marathon Weekend Marathon"
    )
    assert "757 finishers" in reply.inner_text()

    reply = ask(page, "Show the top 10 men at the 2024 Harbor Half Marathon")
    assert reply.locator("table thead th").first.inner_text() == "place"
    assert reply.locator("table tbody tr").count() == 10
    sql = reply.locator("details summary", has_text="SQL")
    assert not reply.locator("details pre").is_visible()
    sql.click()
    assert reply.locator("details pre").is_visible()
    assert reply.locator("details pre").inner_text().startswith("SELECT place, bib")

    reply = ask(page, "Generate a CSV of award winners with mailing addresses for the 2025 Shamrock Marathon")
    link = reply.locator("a.file-link")
    assert link.inner_text().endswith("award-winners.csv")
    with page.expect_download() as download:
        link.click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    lines = saved.read_text().splitlines()
    assert saved.suffix == ".csv"
    assert len(lines) == 95
    assert lines[0].startswith("category,sex,place")

    reply = ask(page, "distribution of finish times at the 2025 Shamrock Marathon")
    chart = reply.locator("img.chart")
    chart.wait_for()
    page.wait_for_function("img => img.complete", arg=chart.element_handle())
    assert chart.evaluate("img => img.naturalWidth") == 640  # drawn, not a broken image

    # Markup in replies is never HTML: nothing the server said became an element it did not mean.
    assert page.locator(".msg script, .msg img:not(.chart), .msg iframe").count() == 0
    page.click("#logout")
    page.wait_for_selector("#login", state="visible")
    context.close()


def test_api_key_login(browser: Any, server_url: str, web_world: tuple[Database, ChatWorld]) -> None:
    _, world = web_world
    context = browser.new_context()
    page = context.new_page()
    page.goto(server_url + "/")
    page.click("details.apikey summary")
    page.fill("#apikey", world.maria.key)
    page.click("#use-key")
    page.wait_for_selector("#chat", state="visible")
    assert page.inner_text("#who") == "Maria Lopez · Tidewater Timing"
    assert page.locator("#apikey").input_value() == ""  # the key is not left in the form
    context.close()


def test_phone_screen(
    browser: Any, server_url: str, web_world: tuple[Database, ChatWorld], tmp_path: Path
) -> None:
    _, world = web_world
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.goto(server_url + "/")
    page.screenshot(path=str(tmp_path / "phone-login.png"))
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 390

    page.fill("#email", world.dave.email)
    page.click("#use-password")
    page.fill("#password", PASSWORD)
    page.click("#verify-password")
    page.wait_for_selector("#chat", state="visible")
    reply = ask(page, "Show the top 10 men at the 2025 Boston Marathon")
    assert reply.locator("table tbody tr").count() == 10
    shot = tmp_path / "phone-chat.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 10_000

    # Usable at phone width: no sideways scrolling of the page (wide tables scroll inside their box),
    # and the question box stays on screen.
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 390
    wrap = reply.locator(".table-wrap")
    assert wrap.evaluate("el => el.scrollWidth > el.clientWidth && el.getBoundingClientRect().right <= 390")
    box = page.locator("#question").bounding_box()
    assert box is not None
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= 390
    assert box["y"] + box["height"] <= 844
    assert page.locator("#send").is_visible()
    context.close()
