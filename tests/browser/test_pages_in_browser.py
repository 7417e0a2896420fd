"""Layout that only a browser shows, without JavaScript: the compact phone header, a search
that matched nothing spanning the page, the feed shown to a browser as a page, and wide
tables that scroll inside their own box."""

import datetime
from collections.abc import Iterator

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import Browser, sync_playwright

from knowledge.vocabularies import Region
from search.engines import get_engine
from tests.browser.test_search_in_browser import (
    CHROMIUM_ARGS,
    DESKTOP,
    PHONE,
    chromium_path,
    open_page,
)
from tests.factories import CaseStudyPageFactory, community_for


@pytest.fixture
def browser(
    restored_db, site_tree, empty_index, django_capture_on_commit_callbacks
) -> Iterator[Browser]:
    eur = Region.objects.get(code="EUR")
    with django_capture_on_commit_callbacks(execute=True):
        CaseStudyPageFactory(
            parent=community_for(eur),
            title="Rotation of border officers",
            regions=[eur],
            published_date=datetime.date(2021, 6, 1),
        )
    get_user_model().objects.create_superuser("staff", "staff@example.org", "staff-pw")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
    get_engine().clear()


def test_phone_header_desktop_empty_search_and_feed_page(browser, live_server):
    phone = open_page(browser, viewport=PHONE, javascript=False)
    for language in ("", "/es"):
        phone.goto(f"{live_server.url}{language}/")
        assert phone.locator(".site-header").bounding_box()["height"] <= 90
        # Languages show by code on a phone and are still named in full.
        assert phone.get_by_role("link", name="Français").is_visible()
    assert phone.locator("#main h1").bounding_box()["y"] < 120

    desktop = open_page(browser, viewport=DESKTOP, javascript=False)
    desktop.goto(f"{live_server.url}/search/?q=xylophone")
    assert desktop.locator(".search__empty").bounding_box()["width"] > 900

    desktop.goto(f"{live_server.url}/search/feed/?region=EUR")
    # the browser asks for HTML first and gets a page of the site, not raw XML
    assert desktop.locator("h1").inner_text() == "Integrity Commons: items in Europe"
    assert desktop.get_by_role("link", name="Rotation of border officers").is_visible()
    address = desktop.get_by_label("Address of this feed, to copy into your feed reader:")
    assert address.input_value() == f"{live_server.url}/search/feed/?region=EUR"


def test_wide_tables_scroll_in_their_box_not_the_page(browser, live_server):
    """The coverage matrix is wider than any screen: its box scrolls, the page never does
    (a screen reader's hidden text once widened the page to twice the window)."""
    for viewport in (DESKTOP, PHONE):
        page = open_page(browser, viewport=viewport, javascript=False)
        page.goto(f"{live_server.url}/admin/login/")
        page.fill("#id_username", "staff")
        page.fill("#id_password", "staff-pw")
        page.locator("form button[type=submit]").first.click()
        for path in ("/coverage/", "/fr/coverage/", "/partners/map/"):
            page.goto(f"{live_server.url}{path}")
            assert page.locator("h1").count() == 1, path
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= viewport["width"], (path, viewport, width)
        page.goto(f"{live_server.url}/coverage/")
        box = page.locator(".coverage__scroll")
        assert box.evaluate("e => e.scrollWidth > e.clientWidth")  # the table scrolls in it
