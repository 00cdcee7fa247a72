"""The web UI in real headless Chromium: login, keyboard search, entity page, batch progress."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from api_support import LiveServer, app_for, prepared
from conftest import REPO

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = REPO / "artifacts" / "screenshots"
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip


@pytest.fixture(scope="module")
def page() -> Iterator[object]:
    if not CHROMIUM.exists() and shutil.which("chromium") is None:
        pytest.fail("Chromium is missing: apt-get install -y chromium (the CI script does this)")
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with LiveServer(app_for()) as server, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        context = browser.new_context(base_url=server.url, viewport={"width": 1366, "height": 900})
        tab = context.new_page()
        _log_in(tab)
        yield tab
        browser.close()


def _log_in(page) -> None:  # type: ignore[no-untyped-def]
    page.goto("/ui/login")
    page.get_by_label("API key").fill(prepared().keys["analyst"])
    page.keyboard.press("Enter")
    page.wait_for_url("**/ui/")


def test_login_search_with_keyboard_and_entity_page(page) -> None:  # type: ignore[no-untyped-def]
    page.goto("/ui/logout")
    page.goto("/ui/")
    assert "/ui/login" in page.url
    page.get_by_label("API key").fill("clr_wrong_key")
    page.keyboard.press("Enter")
    assert page.get_by_role("alert").inner_text() == "That API key is not valid."
    page.get_by_label("API key").fill(prepared().keys["analyst"])
    page.keyboard.press("Enter")
    page.wait_for_url("**/ui/")
    # the name box has focus on arrival; "/" brings focus back to it
    assert page.evaluate("document.activeElement.id") == "q"
    page.get_by_role("link", name="Lists").focus()
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "q"
    page.keyboard.type("Joaquin Guzman")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.type("1954")  # birth date, as the SDN list gives it for GUZMAN LOERA
    page.keyboard.press("Enter")
    page.wait_for_selector("table[aria-label='Screening results']")
    first = page.locator("table[aria-label='Screening results'] tbody tr").first
    assert "GUZMAN LOERA" in first.inner_text().upper()
    assert "ALERT" in first.inner_text().upper()
    assert "us_ofac_sdn:6861" in first.inner_text()  # the whole id, never truncated
    page.screenshot(path=str(SHOTS / "search.png"), full_page=True)
    first.get_by_role("link").first.click()
    page.wait_for_selector("h2:has-text('Names')")
    assert page.locator("code.full-id").inner_text() == "us_ofac_sdn:6861"
    text = page.inner_text("main")
    for heading in (
        "What a hit obliges you to do",
        "Names",
        "Related entities",
        "Designation history",
    ):
        assert heading in text
    page.screenshot(path=str(SHOTS / "entity.png"), full_page=True)


def test_batch_upload_shows_progress_and_results(page, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    listed = [("Joaquin Guzman", "Person"), ("Tren de Aragua", ""), ("Cartel de los Soles", "")]
    customers = listed + [("Jane Doe", "Person")] * 197
    rows = ["id,name,schema,birth_date,country"] + [
        f"{i},{name},{schema},," for i, (name, schema) in enumerate(customers)
    ]
    upload = tmp_path / "customers.csv"
    upload.write_text("\n".join(rows) + "\n")
    page.goto("/ui/batch")
    page.get_by_label("File", exact=False).set_input_files(str(upload))
    page.get_by_role("button", name="Start screening").click()
    page.wait_for_selector("#job-done:not([hidden])", timeout=60_000)
    assert "200 of 200 rows" in page.inner_text(".progress-text")
    assert "GUZMAN" in page.locator("table[aria-label='Batch results']").inner_text().upper()
    page.screenshot(path=str(SHOTS / "batch.png"), full_page=True)
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").click()
    assert download.value.suggested_filename.endswith(".csv")


def test_lists_page(page) -> None:  # type: ignore[no-untyped-def]
    page.goto("/ui/lists")
    table = page.locator("table[aria-label='Active list versions']")
    assert "us_ofac_sdn" in table.inner_text()
    page.screenshot(path=str(SHOTS / "lists.png"), full_page=True)
    # The compare form starts on the latest change of any list.
    page.get_by_role("button", name="Show changes").click()
    page.wait_for_selector("h1:has-text('Changes in')")
    page.go_back()
    # The active SDN version's "since" link: its changes from the version before.
    row = page.locator("table[aria-label='All list versions'] tr", has_text="us_ofac_sdn").filter(
        has_text="active"
    )
    row.get_by_role("link", name="since").click()
    page.wait_for_selector("h1:has-text('Changes in us_ofac_sdn')")
    counts = page.inner_text(".counts")
    assert "added" in counts and "changed" in counts
    page.screenshot(path=str(SHOTS / "diff.png"), full_page=False)
