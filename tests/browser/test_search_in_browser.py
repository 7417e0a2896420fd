"""The search page in a real browser: what only a browser shows (search.js auto-submit and
folding, focus, layout), with and without JavaScript, against the live test server.

Uses Debian's Chromium (`apt-get install chromium`) through Playwright's driver; Playwright's
own browser downloads are not needed.
"""

import datetime
import os
import re
import shutil
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest

from knowledge.vocabularies import Region, Topic
from search.engines import get_engine
from tests.factories import CaseStudyPageFactory, ProcedurePageFactory, community_for


def chromium_path() -> str | None:
    found = shutil.which("chromium")
    if found:
        return found
    return "/usr/bin/chromium" if os.access("/usr/bin/chromium", os.X_OK) else None


if chromium_path() is None:
    if os.environ.get("CI") == "true":  # CI must run them: a skip would hide a gap
        raise RuntimeError("Chromium not installed (bin/setup-env installs it with apt-get)")
    pytest.skip("Chromium not installed: apt-get install chromium", allow_module_level=True)

from playwright.sync_api import Browser, Page, expect, sync_playwright  # noqa: E402

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def world(
    restored_db, site_tree, empty_index, django_capture_on_commit_callbacks
) -> Iterator[None]:
    """Two items about bribery (Europe, Americas) and one unrelated, published and indexed."""
    eur, amc, esa = (Region.objects.get(code=c) for c in ("EUR", "AMC", "ESA"))
    hr = Topic.objects.get(code="human-resources")
    with django_capture_on_commit_callbacks(execute=True):
        CaseStudyPageFactory(
            parent=community_for(eur),
            title="Rotation of border officers",
            summary="Officers are rotated between posts to cut bribery at the border.",
            regions=[eur],
            topics=[hr],
            published_date=datetime.date(2021, 6, 1),
        )
        ProcedurePageFactory(
            parent=community_for(amc),
            title="Asset declarations for officers",
            summary="Every officer declares assets each year; bribery risk is reviewed.",
            regions=[amc],
            topics=[hr],
            published_date=datetime.date(2019, 3, 1),
        )
        CaseStudyPageFactory(
            parent=community_for(esa),
            title="Scanning containers at the port",
            summary="Non-intrusive inspection speeds up clearance.",
            regions=[esa],
            published_date=datetime.date(2020, 1, 1),
        )
    yield
    get_engine().clear()


@pytest.fixture
def browser(world) -> Iterator[Browser]:
    """A fresh headless Chromium, started after the data exists and closed before the flush:
    Playwright's sync API runs an asyncio loop in this thread, where Django refuses ORM calls."""
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def search_url(live_server) -> str:
    return f"{live_server.url}/search/"


def open_page(browser: Browser, *, viewport: dict, javascript: bool = True) -> Page:
    context = browser.new_context(viewport=viewport, java_script_enabled=javascript)
    context.set_default_timeout(10_000)
    return context.new_page()


def result_titles(page: Page) -> list[str]:
    return page.locator(".result__title").all_inner_texts()


def query(page: Page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def test_search_then_filter_by_region_and_remove_the_chip(browser, search_url):
    page = open_page(browser, viewport=DESKTOP)
    page.goto(search_url)
    expect(page.locator("#search-form")).to_have_class(re.compile(r"\bsearch__form--auto\b"))
    page.get_by_label("Search words").fill("bribery")
    page.get_by_label("Search words").press("Enter")

    expect(page).to_have_url(re.compile(r"[?&]q=bribery"))
    expect(page.locator(".result")).to_have_count(2)
    expect(page.locator(".result__snippet mark").first).to_have_text(re.compile("bribery", re.I))
    # At desktop width the filters stay open beside the results.
    expect(page.locator("details.search__filters")).to_have_attribute("open", "")

    # search.js submits the form as soon as a filter changes: no "Apply" press needed.
    page.locator("#facet-region input[value='EUR']").click()
    expect(page).to_have_url(re.compile(r"[?&]region=EUR"))
    expect(page.locator(".result")).to_have_count(1)
    assert result_titles(page) == ["Rotation of border officers"]
    assert query(page)["q"] == ["bribery"]
    chip = page.locator("a.chip", has_text="Region: Europe")
    expect(chip).to_be_visible()

    chip.click()
    expect(page).not_to_have_url(re.compile(r"region="))
    expect(page.locator(".result")).to_have_count(2)
    expect(page.locator("a.chip")).to_have_count(0)
    assert query(page)["q"] == ["bribery"]


def test_filters_work_without_javascript_and_the_url_is_shareable(browser, search_url):
    page = open_page(browser, viewport=DESKTOP, javascript=False)
    page.goto(f"{search_url}?q=bribery")
    expect(page.locator(".result")).to_have_count(2)
    expect(page.locator("#search-form")).not_to_have_class(re.compile(r"search__form--auto"))

    page.locator("#facet-region input[value='AMC']").check()
    # Nothing submits by itself without the script...
    assert "region" not in query(page)
    page.get_by_role("button", name="Apply filters").click()
    # ...and the button does the same as search.js would.
    expect(page).to_have_url(re.compile(r"[?&]region=AMC"))
    expect(page.locator(".result")).to_have_count(1)
    titles = result_titles(page)
    assert titles == ["Asset declarations for officers"]
    assert query(page)["q"] == ["bribery"]
    expect(page.locator("#facet-region input[value='AMC']")).to_be_checked()
    shared = page.url

    page.reload()
    expect(page.locator(".result")).to_have_count(1)
    assert result_titles(page) == titles

    # The link alone, in a browser with no history or cookies, gives the same results.
    elsewhere = open_page(browser, viewport=DESKTOP, javascript=False)
    elsewhere.goto(shared)
    expect(elsewhere.locator(".result")).to_have_count(1)
    assert result_titles(elsewhere) == titles


def test_phone_width_folds_filters_and_keyboard_reaches_main(browser, search_url):
    page = open_page(browser, viewport=PHONE)
    page.goto(f"{search_url}?q=bribery")

    # search.js folds the filters on narrow screens to one line, so the results follow at
    # once: their summary is on the first screen without scrolling.
    filters = page.locator("details.search__filters")
    expect(filters).not_to_have_attribute("open", re.compile(".*"))
    expect(page.locator("#facet-region input").first).to_be_hidden()
    assert filters.bounding_box()["height"] < 100
    expect(page.get_by_role("status").filter(has_text="2 results")).to_be_in_viewport()

    # The first Tab lands on the skip link; following it puts focus on <main>.
    page.keyboard.press("Tab")
    skip = page.locator("a.skip-link")
    expect(skip).to_be_focused()
    expect(skip).to_have_text("Skip to main content")
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()

    # One tap opens the filters again.
    page.locator("summary.search__filters-toggle").click()
    expect(page.locator("#facet-region input").first).to_be_visible()


def test_screenshots_of_the_search_page(browser, search_url, tmp_path):
    for name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page = open_page(browser, viewport=viewport)
        page.goto(f"{search_url}?q=bribery")
        expect(page.locator(".result")).to_have_count(2)
        path = tmp_path / f"search-{name}.png"
        page.screenshot(path=path, full_page=True)
        data = path.read_bytes()
        assert data.startswith(PNG_SIGNATURE) and len(data) > 1000, name
