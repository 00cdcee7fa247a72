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


def test_alert_review_task_and_tamper_warning(page) -> None:  # type: ignore[no-untyped-def]
    """A decided match whose entity was delisted shows a review task that a person resolves in
    the browser; an alert row edited by SQL shows the audit warning on its page."""
    from sqlalchemy import text

    from clearance.monitoring import Monitor
    from clearance.monitoring.alerts import Workflow, close_or_review, lock_for_write
    from clearance.monitoring.records import RecordInput
    from clearance.monitoring.tables import Alert
    from clearance.store import Store

    store = Store.open(prepared().settings.database_url)
    entity = store.get_entity("us_ofac_sdn:22790")
    assert entity is not None
    monitor = Monitor(store)
    monitor.add_records(
        [RecordInput("web-review", entity.caption, "Person")], actor="onboarding", source="test"
    )
    with monitor.sessions() as session:
        alert_id = session.query(Alert.id).filter(Alert.record_id == "web-review").scalar()
    Workflow(monitor.sessions, four_eyes=False).decide(
        alert_id, "alice", "true_match", "identity_confirmed"
    )
    with monitor.sessions.begin() as session:
        lock_for_write(session)
        close_or_review(session, session.get(Alert, alert_id), actor="clearance", reason="delisted")

    page.goto("/ui/alerts?review=1")
    page.get_by_role("link", name=str(alert_id), exact=True).click()
    assert "Review task" in page.get_by_role("status").inner_text()
    page.get_by_label("Note (required)").fill("still designated by the UN")
    page.get_by_role("button", name="Keep the decision").click()
    page.wait_for_load_state()
    assert page.get_by_role("status").count() == 0
    assert "alert.review_resolved" in page.content()

    with store.engine.begin() as connection:
        connection.execute(
            text("UPDATE alerts SET decision = 'false_positive' WHERE id = :id"), {"id": alert_id}
        )
    page.goto(f"/ui/alerts/{alert_id}")
    warning = page.get_by_role("alert").inner_text()
    assert "Audit verification failed" in warning and "false_positive" in warning
    page.screenshot(path=str(SHOTS / "alert_tampered.png"), full_page=True)
    with store.engine.begin() as connection:  # leave the shared database verifiable
        connection.execute(
            text("UPDATE alerts SET decision = 'true_match' WHERE id = :id"), {"id": alert_id}
        )
    store.close()
