"""The home page's region cards: every community introduced, the same parts on every card;
the introduction is set-up's first draft and an editor's own text survives a re-run."""

import pytest
from bs4 import BeautifulSoup

from knowledge.pages import CommunityPage
from knowledge.site_tree import ensure_site_tree

pytestmark = pytest.mark.django_db


def cards(client) -> list:
    html = BeautifulSoup(client.get("/").content, "html.parser")
    return html.select("#communities + ul.cards > li.card")


def test_every_region_card_has_a_description_and_a_count(client, site_tree):
    found = cards(client)
    assert len(found) == 6
    for card in found:
        assert [p["class"][0] for p in card.find_all("p")] == ["card__description", "card__count"]
        assert len(card.select_one(".card__description").get_text().split()) >= 15
    europe = next(c for c in found if c.h3.get_text(strip=True) == "Europe")
    assert "52 customs administrations of Europe" in europe.get_text()


def test_set_up_keeps_an_editors_introduction(client, site_tree):
    europe = CommunityPage.objects.get(region__code="EUR")
    europe.intro = "<p>Our own words.</p>"
    europe.save_revision().publish()
    placeholder = CommunityPage.objects.get(region__code="WCA")
    placeholder.intro = "<p>The integrity community of the WCO West and Central Africa region.</p>"
    placeholder.save_revision().publish()

    ensure_site_tree()

    assert CommunityPage.objects.get(region__code="EUR").intro == "<p>Our own words.</p>"
    assert "coastal corridors" in CommunityPage.objects.get(region__code="WCA").intro


def test_languages_are_named_in_full_behind_their_codes(client, site_tree):
    html = BeautifulSoup(client.get("/").content, "html.parser")
    french = html.select_one('.language-switcher a[hreflang="fr"]')
    assert french.select_one(".language-switcher__code")["aria-hidden"] == "true"
    assert french.select_one(".language-switcher__code").get_text() == "FR"
    assert french.select_one(".language-switcher__name").get_text() == "Français"
