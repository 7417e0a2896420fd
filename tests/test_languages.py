"""The public site in English, French and Spanish, through the test client: the language is
the URL's prefix, pages and search hits link within it, the switcher and the `hreflang`
alternates give the same address in each language, and item content keeps its own `lang`."""

import datetime
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup
from django.utils import translation

from knowledge.audience import restrict_to_members
from knowledge.vocabularies import Region, Topic
from search.documents import build_document
from tests.factories import CaseStudyPageFactory, community_for

pytestmark = pytest.mark.django_db


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.content, "html.parser")


def english_url(page) -> str:
    """The page's unprefixed address (page.url depends on the active language, which a
    request under /fr/ leaves active in the test's thread)."""
    with translation.override("en"):
        return page.get_url()


@pytest.fixture
def item(site_tree, empty_index, django_capture_on_commit_callbacks):
    """One English case study in Europe, published through the signal pipeline (indexed)."""
    eur = Region.objects.get(code="EUR")
    with django_capture_on_commit_callbacks(execute=True):
        page = CaseStudyPageFactory(
            parent=community_for(eur),
            title="Rotation of border officers",
            summary="Officers in sensitive posts rotate every two years.",
            regions=[eur],
            topics=[Topic.objects.get(code="human-resources")],
            language="en",
            published_date=datetime.date(2021, 3, 9),
        )
    return page


PAGES = {  # what each page says in each language (a heading or a label of ours)
    "home": {"en": "Regional integrity communities", "fr": "Communautés régionales d’intégrité",
             "es": "Comunidades regionales de integridad"},
    "community": {"en": "Published by this community", "fr": "Publié par cette communauté",
                  "es": "Publicado por esta comunidad"},
    "item": {"en": "About this case study", "fr": "À propos de ce contenu (",
             "es": "Acerca de este contenido ("},
    "search": {"en": "Search the knowledge base", "fr": "Chercher dans la base de connaissances",
               "es": "Buscar en la base de conocimientos"},
}  # fmt: skip


def path_of(name: str, item) -> str:
    return {
        "home": "/",
        "community": english_url(item.get_parent()),
        "item": english_url(item),
        "search": "/search/?q=rotation",
    }[name]


def prefixed(language: str, path: str) -> str:
    return path if language == "en" else f"/{language}{path}"


@pytest.mark.parametrize("language", ["en", "fr", "es"])
@pytest.mark.parametrize("name", list(PAGES))
def test_pages_speak_the_language_of_their_prefix(client, item, name, language):
    response = client.get(prefixed(language, path_of(name, item)))
    assert response.status_code == 200
    page = soup(response)
    assert page.html["lang"] == language
    text = page.get_text()
    assert PAGES[name][language] in text
    assert all(said not in text for other, said in PAGES[name].items() if other != language)


@pytest.mark.parametrize("language", ["fr", "es"])
def test_item_content_keeps_its_own_language(client, item, language):
    page = soup(client.get(f"/{language}{english_url(item)}"))
    assert page.html["lang"] == language
    assert page.find("h1")["lang"] == "en"
    assert page.select_one(".item__header .lead")["lang"] == "en"


def test_links_stay_under_the_visitors_prefix(client, item):
    """Menus, breadcrumbs, item lists and search hits all lead to /fr/ pages."""
    home = soup(client.get("/fr/"))
    assert home.select_one(".site-name")["href"] == "/fr/"
    cards = [a["href"] for a in home.select(".card h3 a")]
    assert cards and all(href.startswith("/fr/") for href in cards)
    assert home.select_one(".item-list__title a")["href"] == f"/fr{english_url(item)}"
    assert home.select_one(".header-search")["action"] == "/fr/search/"

    crumbs = soup(client.get(f"/fr{english_url(item)}")).select(".breadcrumbs a")
    assert [a["href"] for a in crumbs][:2] == ["/fr/", f"/fr{english_url(item.get_parent())}"]

    hits = soup(client.get("/fr/search/?q=rotation")).select(".result__title a")
    assert [a["href"] for a in hits] == [f"/fr{english_url(item)}"]
    assert soup(client.get("/search/?q=rotation")).select_one(".result__title a")["href"] == (
        english_url(item)
    )


def test_the_index_keeps_default_language_urls_whoever_publishes(item):
    """A French-speaking editor's publish (French active) must not put /fr/ in the index."""
    with translation.override("fr"):
        assert item.url.startswith("/fr/")  # what Wagtail gives while French is active
        assert build_document(item)["url"] == english_url(item)


def test_switcher_gives_this_address_in_each_language_with_its_query(client, item):
    response = client.get("/fr/search/?q=rotation&region=EUR&sort=newest")
    links = {
        a["hreflang"]: a["href"] for a in soup(response).select(".language-switcher a[hreflang]")
    }
    assert links == {
        "en": "/search/?q=rotation&region=EUR&sort=newest",
        "es": "/es/search/?q=rotation&region=EUR&sort=newest",
    }
    current = soup(response).select_one(".language-switcher [aria-current]")
    assert current.select_one(".language-switcher__name").get_text() == "Français"
    assert current.name == "span"  # not a link to itself


def test_hreflang_alternates_and_x_default(client, item):
    page = soup(client.get(f"/es{english_url(item)}"))
    alternates = {
        link["hreflang"]: link["href"] for link in page.select('link[rel="alternate"][hreflang]')
    }
    assert alternates == {
        "en": f"http://testserver{english_url(item)}",
        "fr": f"http://testserver/fr{english_url(item)}",
        "es": f"http://testserver/es{english_url(item)}",
        "x-default": f"http://testserver{english_url(item)}",
    }


def test_unprefixed_addresses_stay_english_whatever_the_browser_asks(client, item):
    """A shared link shows what its sender saw: no redirect on Accept-Language."""
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9")
    assert response.status_code == 200
    page = soup(response)
    assert page.html["lang"] == "en"
    assert "Regional integrity communities" in page.get_text()
    assert page.select_one('.language-switcher a[hreflang="fr"]')["href"] == "/fr/"


def test_404_under_fr_is_in_french(client, site_tree):
    response = client.get("/fr/nothing-here/")
    assert response.status_code == 404
    page = soup(response)
    assert page.html["lang"] == "fr"
    assert "Page introuvable" in page.get_text()
    assert page.select_one(".search-box")["action"] == "/fr/search/"


def test_dates_and_counts_follow_the_language(client, item):
    dates = {
        language: soup(client.get(prefixed(language, english_url(item)))).select_one(
            ".metadata time"
        )
        for language in ("en", "fr", "es")
    }
    assert {lang: t.get_text() for lang, t in dates.items()} == {
        "en": "9 March 2021",
        "fr": "9 mars 2021",
        "es": "9 de marzo de 2021",
    }
    # A count over a thousand, in the error a too-deep page gets (size 1: 10,000 pages).
    english = client.get("/search/?size=1&page=20000").content.decode()
    french = client.get("/fr/search/?size=1&page=20000").content.decode()
    assert "up to page 10,000;" in english
    assert "jusqu’à la page 10\xa0000 ;" in french


def test_facet_labels_and_sorts_follow_each_request(client, item):
    """Labels are looked up per request: French then English in one process, no leak."""
    french = soup(client.get("/fr/search/?q=rotation"))
    english = soup(client.get("/search/?q=rotation"))
    assert "Région" in [legend.get_text() for legend in french.select(".facet legend")]
    assert "Region" in [legend.get_text() for legend in english.select(".facet legend")]
    assert "Pertinence" in french.select_one("#search-sort").get_text()
    assert "Best match" in english.select_one("#search-sort").get_text()


def test_feed_and_api_per_language(client, item):
    feed = client.get("/fr/search/feed/?q=rotation").content.decode()
    assert "« rotation »" in feed
    assert f"http://testserver/fr{english_url(item)}" in feed
    assert 'xml:lang="fr"' in feed
    body = client.get("/es/api/search/?q=rotation").json()
    assert [r["url"] for r in body["results"]] == [f"/es{english_url(item)}"]
    error = client.get("/es/api/search/?page=0").json()
    assert error["error"] == "Parámetros de búsqueda no válidos."


def test_members_only_page_sends_to_the_log_in_page_of_its_language(client, item):
    restrict_to_members(item)
    response = client.get(f"/fr{english_url(item)}")
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == "/fr/accounts/login/"
    login = soup(client.get(response["Location"]))
    assert login.html["lang"] == "fr"
    assert login.find("h1").get_text() == "Se connecter"


def test_admin_and_documents_are_not_per_language(client, site_tree):
    assert client.get("/admin/login/").status_code == 200
    assert client.get("/fr/admin/login/").status_code == 404
