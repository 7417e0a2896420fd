"""/api/search/ through the Django test client and the real embedded engine."""

from urllib.parse import urlencode

import pytest
from django.urls import reverse

from knowledge.vocabularies import Country, Region
from search import schema, service
from search.engines import get_engine
from search.engines.base import EngineUnavailable, SearchQuery
from tests.factories import CaseStudyPageFactory, community_for
from tests.search import test_views

world = test_views.world  # the same five items as the page tests
member = test_views.member

API = "/api/search/"
RESULT_KEYS = {
    "id",
    "title",
    "url",
    "type",
    "published",
    "regions",
    "topics",
    "partners",
    "snippet",
}


def get(client, **params):
    return client.get(f"{API}?{urlencode(params, doseq=True)}")


def facet(body, name) -> dict[str, tuple[int, bool]]:
    return {v["value"]: (v["count"], v["selected"]) for v in body["facets"][name]}


def test_url_name():
    assert reverse("search-api") == API


def test_shape(client, world):
    response = get(client, q="officers")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"total", "page", "pages", "relaxed", "suggestion", "results", "facets"}
    assert (body["total"], body["page"], body["pages"]) == (2, 1, 1)
    assert list(body["facets"]) == list(schema.FACET_NAMES)
    first = body["results"][0]
    assert set(first) == RESULT_KEYS
    rotation = next(r for r in body["results"] if r["title"] == "Rotation of border officers")
    assert rotation == {
        "id": world["rotation"].pk,
        "title": "Rotation of border officers",
        "url": world["rotation"].url,
        "type": "case_study",
        "published": "2021-06-01",
        "regions": [{"value": "EUR", "label": "Europe"}],
        "topics": [{"value": "automation", "label": "Automation"}],
        "partners": [{"value": "TI", "label": "Transparency International (TI)"}],
        "snippet": rotation["snippet"],
    }
    assert "<mark>" in rotation["snippet"]
    assert body["facets"]["region"] == [
        {"value": "AMC", "label": "Americas and the Caribbean", "count": 1, "selected": False},
        {"value": "EUR", "label": "Europe", "count": 1, "selected": False},
    ]


def test_facets_are_disjunctive(client, world):
    body = get(client, region="EUR").json()
    assert body["total"] == 1
    # the region facet ignores its own selection: other regions keep their counts
    assert facet(body, "region") == {"EUR": (1, True), "AMC": (1, False), "ESA": (1, False)}
    # other facets are counted within the selection
    assert facet(body, "topic") == {"automation": (1, False)}
    body = get(client, region=["EUR", "AMC"]).json()
    assert body["total"] == 2
    assert facet(body, "topic") == {"automation": (1, False), "human-resources": (1, False)}


def test_facet_ordering_and_labels(client, world):
    body = get(client).json()
    assert [v["value"] for v in body["facets"]["year"]] == ["2023", "2021", "2019"]
    topics = body["facets"]["topic"]
    assert [(v["value"], v["count"]) for v in topics] == [
        ("human-resources", 2),
        ("automation", 1),
    ]
    assert {v["value"]: v["label"] for v in body["facets"]["language"]} == {
        "en": "English",
        "fr": "French",
    }
    assert body["facets"]["tag"] == [
        {"value": "rotation", "label": "rotation", "count": 1, "selected": False}
    ]


def test_anonymous_never_sees_members_or_drafts(client, world):
    body = get(client).json()
    assert body["total"] == 3
    assert "code-of-conduct" not in facet(body, "topic")
    assert "2024" not in facet(body, "year")
    for word in ("zanzibarite", "quokkaberry", "bribery"):
        body = get(client, q=word).json()
        assert all("zanzibarite" not in r["snippet"].lower() for r in body["results"])
        assert all("quokkaberry" not in r["snippet"].lower() for r in body["results"])
        assert world["members"].pk not in [r["id"] for r in body["results"]]
        assert world["draft"].pk not in [r["id"] for r in body["results"]]


def test_members_see_members_items_not_drafts(client, world, member):
    client.force_login(member)
    body = get(client).json()
    assert body["total"] == 4
    assert facet(body, "topic")["code-of-conduct"] == (1, False)
    body = get(client, q="zanzibarite").json()
    assert [r["id"] for r in body["results"]] == [world["members"].pk]
    assert "<mark>" in body["results"][0]["snippet"]
    assert get(client, q="quokkaberry").json()["total"] == 0


def test_snippet_is_escaped(client, world):
    body = get(client, q="xylophonist").json()
    snippet = body["results"][0]["snippet"]
    assert "<script>" not in snippet
    assert "&lt;script&gt;" in snippet


def test_selected_value_without_hits_is_kept(client, world):
    body = get(client, q="officers", region="ESA").json()
    assert body["total"] == 0 and body["results"] == []
    assert facet(body, "region")["ESA"] == (0, True)


@pytest.mark.parametrize(
    "params, field",
    [
        ({"page": "0"}, "page"),
        ({"page": "10000"}, "page"),
        ({"page": "abc"}, "page"),
        ({"page": "1.5"}, "page"),
        ({"size": "0"}, "size"),
        ({"size": "lots"}, "size"),
        ({"sort": "random"}, "sort"),
        ({"q": "x" * 5000}, "q"),
    ],
)
def test_malformed_parameters_are_400(client, world, params, field):
    response = get(client, **params)
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "Invalid search parameters."
    assert list(body["details"]) == [field]
    assert isinstance(body["details"][field][0], str)


@pytest.mark.parametrize(
    "text", ['"(AND OR:*~^[]{}\\/', "officers AND (", "title:officers", "*", "\\", "~2 ^3"]
)
def test_reserved_syntax_is_plain_text(client, world, text):
    response = get(client, q=text)
    assert response.status_code == 200
    assert set(response.json()) == {
        "total",
        "page",
        "pages",
        "relaxed",
        "suggestion",
        "results",
        "facets",
    }


def test_reserved_syntax_around_words_still_finds_them(client, world):
    body = get(client, q="(declarations) AND ~assets*").json()
    assert world["assets"].pk in [r["id"] for r in body["results"]]


def test_size_is_capped_not_refused(client, world, monkeypatch):
    seen = []
    real = get_engine()

    class Spy:
        def search(self, query):
            seen.append(query)
            return real.search(query)

    monkeypatch.setattr(service, "get_engine", Spy)
    response = get(client, size="1000")
    assert response.status_code == 200
    assert seen[0].page_size == schema.MAX_PAGE_SIZE
    assert response.json()["total"] == 3


def test_paging(client, world):
    body = get(client, size="2", page="2").json()
    assert (body["total"], body["page"], body["pages"]) == (3, 2, 2)
    assert [r["title"] for r in body["results"]] == ["Asset declarations for officers"]
    beyond = get(client, size="2", page="7")
    assert beyond.status_code == 200 and beyond.json()["results"] == []


def test_unknown_values_are_ignored_and_reported(client, world):
    response = get(client, region=["eur", "XX"], type="podcast")
    assert response.status_code == 200
    body = response.json()
    assert body["total"] == 1
    assert facet(body, "region")["EUR"] == (1, True)
    assert response["Search-Ignored"] == "region=XX&type=podcast"
    assert "Search-Ignored" not in get(client, region="EUR")


def test_engine_down_is_503_json(client, world, monkeypatch):
    class Down:
        def search(self, query):
            raise EngineUnavailable("refused")

    monkeypatch.setattr(service, "get_engine", Down)
    response = get(client, q="officers")
    assert response.status_code == 503
    assert response.json() == {
        "error": "Search is temporarily unavailable; try again shortly.",
        "details": {},
    }


def test_only_get(client, world):
    response = client.post(API, {"q": "x"})
    assert response.status_code == 405
    assert response.json()["details"] == {"method": ["POST"]}


def test_facet_values_keep_the_engines_order(
    client, site_tree, empty_index, django_capture_on_commit_callbacks
):
    """Facet values are ordered once, by the engine (most frequent first, ties by code), and
    shown in that order: not re-sorted by label on the way out (France would lead Germany)."""
    eur = Region.objects.get(code="EUR")
    with django_capture_on_commit_callbacks(execute=True):
        for code in ("FR", "DE"):
            CaseStudyPageFactory(
                parent=community_for(eur), regions=[eur], countries=[Country.objects.get(code=code)]
            )
    get_engine().refresh()
    engine_order = [v.value for v in get_engine().search(SearchQuery()).facets["country"]]
    assert engine_order == ["DE", "FR"]
    assert [v["value"] for v in get(client).json()["facets"]["country"]] == engine_order


def test_fallback_and_suggestion_are_in_the_body(client, world):
    body = get(client, q="officers").json()
    assert (body["relaxed"], body["suggestion"]) == (False, None)
    body = get(client, q="officers zeppelin").json()
    assert body["relaxed"] is True and body["total"] == 2
    body = get(client, q="xylofonist").json()
    assert (body["total"], body["suggestion"]) == (0, "xylophonist")
