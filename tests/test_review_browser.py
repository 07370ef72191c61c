"""review.html in headless Chromium (as report.html in test_report_browser.py): it loads without script or
console errors, fetches nothing but the optional map tiles, shows its charts (plan against actual per rep,
warnings by kind), the warnings table, and draws the cross-region map with one line per shipment."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlparse

import pandas as pd
import pytest

from .conftest import EXAMPLES, run_cli
from .test_report_browser import BLANK_PNG, CHROMIUM_ARGS, LOCAL_SCHEMES, TILE_HOSTS, chromium

pytestmark = [pytest.mark.browser, pytest.mark.slow]
__all__ = ["chromium"]  # the fixture, shared with the report's test


@pytest.fixture(scope="module")
def page(chromium: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    folder = EXAMPLES / "dealer-network"
    out = tmp_path_factory.mktemp("review") / "review"
    code, output = run_cli("review", str(folder / "plan"), str(folder / "actuals"), "-o", str(out))
    assert code == 0, output
    from playwright.sync_api import sync_playwright

    remote: list[str] = []
    errors: list[str] = []

    def answer(route: Any) -> None:
        url = route.request.url
        if urlparse(url).scheme in LOCAL_SCHEMES:
            route.continue_()
            return
        remote.append(url)
        if (urlparse(url).hostname or "") in TILE_HOSTS:
            route.fulfill(status=200, content_type="image/png", body=BLANK_PNG)
        else:
            route.abort()

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            view = browser.new_page(viewport={"width": 1280, "height": 900})
            view.on("pageerror", lambda e: errors.append(str(e)))
            view.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            view.route("**/*", answer)
            view.goto((out / "review.html").as_uri(), wait_until="load")
            view.wait_for_function("window.salesplanMaps && window.salesplanMaps.length > 0")
            shown = view.evaluate(
                """() => ({
                    maps: window.salesplanMaps,
                    images: Array.from(document.images).filter(i => i.src.startsWith('data:')).map(i => [i.alt, i.naturalWidth]),
                    headings: Array.from(document.querySelectorAll('h2')).map(h => h.textContent),
                    text: document.body.innerText,
                })"""
            )
        finally:
            browser.close()
    yield {"out": out, "remote": remote, "errors": errors, **shown}


def test_review_page_loads_clean_and_self_contained(page: dict[str, Any]) -> None:
    assert page["errors"] == []
    assert all((urlparse(u).hostname or "") in TILE_HOSTS for u in page["remote"])


def test_review_page_shows_charts_warnings_and_the_cross_region_map(page: dict[str, Any]) -> None:
    alts = [alt for alt, width in page["images"] if width > 100]
    assert any(alt.startswith("Plan against actual per rep") for alt in alts)
    assert any(alt.startswith("Early warnings by kind") for alt in alts)
    warnings = pd.read_csv(page["out"] / "warnings.csv", dtype=str, keep_default_na=False)
    assert f"Early warnings ({len(warnings)})" in page["headings"]
    for account in warnings["account"][warnings["account"] != ""]:
        assert account in page["text"]
    crossings = pd.read_csv(page["out"] / "cross_region.csv")
    (drawn,) = [m for m in page["maps"] if m["id"] == "cross-region-map"]
    assert drawn["lines"] == len(crossings) == 2
    assert drawn["points"] >= 300  # every dealer, and the two ship-to addresses
