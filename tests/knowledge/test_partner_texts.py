"""Partners' websites and descriptions in three languages: loaded from the reference list as a
first draft that never replaces an editor's text, shown on the profile and the partner index."""

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from knowledge.pages import PartnerStudiesIndexPage
from knowledge.vocabularies import PartnerOrganisation
from knowledge.vocabulary_loader import load_vocabularies

pytestmark = pytest.mark.django_db


def test_every_demo_partner_has_a_website_and_a_description_in_each_language(vocabularies):
    for partner in PartnerOrganisation.objects.all():
        assert partner.website.startswith("https://"), partner.acronym
        texts = [partner.description_en, partner.description_fr, partner.description_es]
        assert all(text and len(text) > 60 for text in texts), partner.acronym
        assert len(set(texts)) == 3, partner.acronym  # translated, not copied


def test_reloading_fills_empty_fields_and_keeps_what_editors_wrote(vocabularies):
    PartnerOrganisation.objects.filter(acronym="UNODC").update(
        description_en="Edited by the Secretariat.",
        description_fr=None,
        website="https://www.unodc.org/unodc/en/corruption/",
    )
    PartnerOrganisation.objects.filter(acronym="TI").update(description_es="", website="")

    load_vocabularies()

    unodc = PartnerOrganisation.objects.get(acronym="UNODC")
    assert unodc.description_en == "Edited by the Secretariat."
    assert unodc.website == "https://www.unodc.org/unodc/en/corruption/"
    assert unodc.description_fr.startswith("Bureau des Nations Unies")  # was empty: filled
    ti = PartnerOrganisation.objects.get(acronym="TI")
    assert ti.description_es.startswith("Movimiento mundial")
    assert ti.website == "https://www.transparency.org"


def test_the_profile_shows_the_description_in_the_readers_language(client, site_tree):
    unodc = PartnerOrganisation.objects.get(acronym="UNODC")
    french = BeautifulSoup(client.get("/fr" + unodc.profile.url).content, "html.parser")
    assert unodc.description_fr in french.main.get_text()
    assert french.main.find("a", href="https://www.unodc.org")


def test_partner_index_cards_show_kind_short_description_and_count(client, site_tree):
    index = PartnerStudiesIndexPage.objects.get()
    html = BeautifulSoup(client.get("/es" + index.url).content, "html.parser")
    cards = html.select("ul.cards > li.card")
    assert len(cards) == PartnerOrganisation.objects.count()
    for card in cards:
        # The same parts in the same order on every card, so they line up.
        parts = [p["class"][0] for p in card.find_all("p")]
        assert parts == ["card__kind", "card__description", "card__count"]
        assert len(card.select_one(".card__description").get_text().split()) <= 23
    unodc = next(c for c in cards if "Oficina de las Naciones Unidas" in c.h3.get_text())
    assert unodc.select_one(".card__kind").get_text(" ", strip=True).startswith("UNODC · ")
    assert unodc.select_one(".card__description").get_text().startswith("Oficina de las")


def test_an_editor_writes_the_description_per_language_and_set_up_keeps_it(admin_client):
    partner = PartnerOrganisation.objects.get(acronym="U4")
    url = reverse("wagtailsnippets_knowledge_partnerorganisation:edit", args=[partner.pk])
    html = admin_client.get(url).content.decode()
    for language in ("en", "fr", "es"):
        assert html.count(f'name="description_{language}"') == 1
    assert '<textarea name="description"' not in html  # only the language columns
    data = {
        "acronym": "U4",
        "kind": partner.kind,
        "website": "https://www.u4.no/topics",
        **{
            f"{f}_{lang}": getattr(partner, f"{f}_{lang}") or ""
            for f in ("name", "abbreviation")
            for lang in ("en", "fr", "es")
        },
        "description_en": partner.description_en,
        "description_fr": "Centre de ressources anticorruption, écrit par la rédaction.",
        "description_es": "",
    }
    assert admin_client.post(url, data).status_code == 302

    load_vocabularies()

    partner.refresh_from_db()
    assert partner.description_fr == "Centre de ressources anticorruption, écrit par la rédaction."
    assert partner.website == "https://www.u4.no/topics"
    assert partner.description_es.startswith("Centro de investigación")  # emptied: filled again
