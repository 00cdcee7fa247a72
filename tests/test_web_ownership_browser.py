"""The ownership page in real headless Chromium: search shows the ownership basis, the page
lists what the rule flags and draws the graph around a party as SVG."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from api_support import LiveServer
from clearance.api import ApiSettings, create_app
from clearance.api.security import KeyStore, Role
from clearance.api.services import Services
from clearance.ownership import import_ownership
from clearance.store import Store
from test_ownership import ACME, _sdn_batch, sdn_entities
from test_web_browser import ARGS, CHROMIUM, SHOTS

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    if not CHROMIUM.exists() and shutil.which("chromium") is None:
        pytest.fail("Chromium is missing: apt-get install -y chromium (the CI script does this)")
    from playwright.sync_api import sync_playwright

    home = tmp_path_factory.mktemp("ownership-web")
    url = f"sqlite:///{home / 'clearance.sqlite'}"
    store = Store.open(url)
    store.import_batch(_sdn_batch(list(sdn_entities()), "w"))
    import_ownership(store, [ACME], "acme")
    settings = ApiSettings(
        database_url=url,
        jobs_dir=str(home / "jobs"),
        audit_log=str(home / "audit.jsonl"),
        rate_per_second=1000.0,
        rate_burst=1000,
    )
    services = Services(settings)
    services.open()
    assert services.ready, services.error
    key = KeyStore(url).create("ownership analyst", Role.ANALYST)[1]
    SHOTS.mkdir(parents=True, exist_ok=True)
    with LiveServer(create_app(settings, services=services)) as server, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        context = browser.new_context(base_url=server.url, viewport={"width": 1366, "height": 900})
        tab = context.new_page()
        tab.goto("/ui/login")
        tab.get_by_label("API key").fill(key)
        tab.keyboard.press("Enter")
        tab.wait_for_url("**/ui/")
        yield tab
        browser.close()


def test_search_hit_links_to_the_drawn_ownership_graph(page, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page.get_by_label("Name").fill("Acme Transport SA")
    page.keyboard.press("Enter")
    basis = page.locator(".ownership-basis").first
    assert "blocked by ownership 60%" in basis.inner_text()
    assert "GUZMAN LOERA, Joaquin [us_ofac_sdn:6861] 30% → Acme Holdings 60% → Acme Transport SA" in basis.inner_text()
    basis.get_by_role("link", name="Ownership graph").click()
    page.wait_for_url(lambda url: "/ui/ownership" in url)
    graph = page.locator("svg.ownership-graph")
    assert graph.is_visible()
    # every party around it is a drawn box, laid out left (owners) to right (owned)
    center = page.locator('g.node[data-key="acme/acme-transport"]')
    owner = page.locator('g.node[data-key="acme/acme-holdings"]')
    listed = page.locator('g.node[data-key="acme/us_ofac_sdn:6861"]')
    assert center.get_attribute("data-status") == "blocked"
    assert listed.get_attribute("data-status") == "listed"
    boxes = [n.locator("rect").bounding_box() for n in (listed, owner, center)]
    assert all(b is not None and b["width"] > 100 for b in boxes)
    assert boxes[0]["x"] < boxes[1]["x"] < boxes[2]["x"]  # type: ignore[index]
    assert page.locator("g.edge").count() >= 4
    assert "Cycle" in page.locator("main").inner_text()
    page.screenshot(path=str(SHOTS / "ownership-graph.png"), full_page=True)


def test_ownership_page_lists_what_the_rule_flags(page) -> None:  # type: ignore[no-untyped-def]
    page.goto("/ui/ownership")
    table = page.get_by_role("table", name="Entities flagged by ownership")
    text = table.inner_text()
    assert "Acme Holdings" in text and "55%" in text
    assert "possibly blocked" in text and "40%–60%" in text
    page.get_by_role("link", name="Ownership").first.focus()
    row = table.locator("tr", has_text="Cambios del Norte")
    row.get_by_role("link", name="Draw").click()
    assert page.locator('g.node[data-key="acme/cambios-norte"]').get_attribute("data-status") == "significant"
