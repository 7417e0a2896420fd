"""The /search/ page through the Django test client and the real embedded engine."""

import datetime
import re
from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from knowledge.audience import members_group, restrict_to_members
from knowledge.vocabularies import PartnerOrganisation, Region, Topic
from search import service
from search.engines import get_engine
from search.engines.base import EngineUnavailable
from tests.factories import (
    CaseStudyPageFactory,
    HandbookPageFactory,
    ProcedurePageFactory,
    StandardPageFactory,
    community_for,
)

SEARCH = "/search/"


@pytest.fixture
def world(site_tree, empty_index, django_capture_on_commit_callbacks):
    """Five items published through the signal pipeline (on-commit drain, immediate task
    backend): three public, one members-only, one never-published draft."""
    eur, amc, esa = (Region.objects.get(code=c) for c in ("EUR", "AMC", "ESA"))
    automation, hr = (Topic.objects.get(code=c) for c in ("automation", "human-resources"))
    ti = PartnerOrganisation.objects.get(acronym="TI")
    with django_capture_on_commit_callbacks(execute=True):
        pages = {
            "rotation": CaseStudyPageFactory(
                parent=community_for(eur),
                title="Rotation of border officers",
                summary="Officers rotated <script>alert('x')</script> xylophonist bribery.",
                regions=[eur],
                topics=[automation],
                partners=[ti],
                tags=["rotation"],
                published_date=datetime.date(2021, 6, 1),
            ),
            "assets": ProcedurePageFactory(
                parent=community_for(amc),
                title="Asset declarations for officers",
                summary="Every officer declares assets each year; bribery risk is reviewed.",
                regions=[amc],
                topics=[hr],
                published_date=datetime.date(2019, 3, 1),
            ),
            "standard": StandardPageFactory(
                parent=community_for(esa),
                title="Norme sur les cadeaux",
                summary="Les agents refusent les cadeaux.",
                regions=[esa],
                topics=[hr],
                language="fr",
                published_date=datetime.date(2023, 1, 10),
            ),
            "members": HandbookPageFactory(
                parent=community_for(eur),
                title="Zanzibarite members handbook on bribery",
                summary="Confidential zanzibarite guidance for members.",
                regions=[eur],
                topics=[Topic.objects.get(code="code-of-conduct")],
                published_date=datetime.date(2024, 2, 2),
            ),
            "draft": CaseStudyPageFactory(
                parent=community_for(eur),
                title="Quokkaberry draft about bribery",
                summary="Unpublished quokkaberry notes.",
                regions=[eur],
                topics=[Topic.objects.get(code="code-of-conduct")],
                publish=False,
            ),
        }
        restrict_to_members(pages["members"])
    get_engine().refresh()
    yield pages
    get_engine().clear()


@pytest.fixture
def member(db):
    user = User.objects.create_user("member", password="pw")
    user.groups.add(members_group())
    return user


def page_html(client, **params) -> tuple[int, str]:
    query = urlencode(params, doseq=True)
    response = client.get(f"{SEARCH}?{query}" if query else SEARCH)
    return response.status_code, response.content.decode()


def result_titles(html: str) -> list[str]:
    return re.findall(r'class="result__title"[^>]*><a href="[^"]*">([^<]*)</a>', html)


def test_url_name():
    assert reverse("search") == SEARCH


def test_browse_lists_public_items_newest_first(client, world):
    status, html = page_html(client)
    assert status == 200
    assert result_titles(html) == [
        "Norme sur les cadeaux",
        "Rotation of border officers",
        "Asset declarations for officers",
    ]
    assert "<strong>3</strong> results" in html


def test_page_is_a_plain_get_form(client, world):
    _, html = page_html(client, q="bribery")
    form = re.search(r"<form id=\"search-form\"[^>]*>", html).group(0)
    assert 'method="get"' in form and f'action="{SEARCH}"' in form
    # a visible label for the query box, real checkboxes for facets, submit buttons
    assert '<label for="search-q">Search words</label>' in html
    assert re.search(r'<input id="search-q" type="search" name="q" value="bribery"', html)
    assert re.search(r'<input type="checkbox" id="[^"]+" name="region" value="EUR"', html)
    assert "<legend>Region</legend>" in html
    assert '<button type="submit" class="facet__apply">Apply filters</button>' in html
    assert '<select id="search-sort" name="sort">' in html
    # filters are open unless the script folds them; the sort has its own submit button
    assert '<details class="search__filters" open>' in html
    assert '<button type="submit" class="search__sort-apply">Sort</button>' in html
    # what the form submits (checkbox ticked, as a browser without JS would) is a search
    status, filtered = page_html(client, q="bribery", region="EUR", sort="relevance")
    assert status == 200
    assert result_titles(filtered) == ["Rotation of border officers"]


def test_query_matches_and_highlights(client, world):
    _, html = page_html(client, q="declarations")
    assert result_titles(html) == ["Asset declarations for officers"]
    assert "<mark>" in html


def test_snippet_is_escaped(client, world):
    _, html = page_html(client, q="xylophonist")
    assert result_titles(html) == ["Rotation of border officers"]
    snippet = re.search(r'<p class="result__snippet"[^>]*>(.*?)</p>', html).group(1)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(" in snippet and "<mark>xylophonist</mark>" in snippet


def test_members_and_drafts_hidden_from_anonymous(client, world):
    for word in ("zanzibarite", "quokkaberry"):
        _, html = page_html(client, q=word)
        assert result_titles(html) == []
        assert word not in html.split('id="results-heading"')[1].replace(f"“{word}”", "")
    _, html = page_html(client, topic="code-of-conduct")
    assert result_titles(html) == []
    # the facet counts do not count hidden items either
    _, html = page_html(client)
    assert 'value="code-of-conduct"' not in html


def test_members_see_members_content_but_never_drafts(client, world, member):
    client.force_login(member)
    _, html = page_html(client, q="zanzibarite")
    assert result_titles(html) == ["Zanzibarite members handbook on bribery"]
    _, html = page_html(client, q="quokkaberry")
    assert result_titles(html) == []
    _, html = page_html(client, q="bribery")
    assert len(result_titles(html)) == 3


def test_chips_remove_one_filter_and_clear_all(client, world):
    _, html = page_html(client, q="officers", region=["EUR", "AMC"], topic="automation")
    chips = re.findall(r'<a class="chip" href="([^"]*)">(.*?)</a>', html)
    assert [(href, re.sub(r"<[^>]+>", "", text)) for href, text in chips] == [
        (
            f"{SEARCH}?q=officers&amp;region=EUR&amp;topic=automation",
            "Remove filter Region: Americas and the Caribbean×",
        ),
        (
            f"{SEARCH}?q=officers&amp;region=AMC&amp;topic=automation",
            "Remove filter Region: Europe×",
        ),
        (f"{SEARCH}?q=officers&amp;region=AMC&amp;region=EUR", "Remove filter Topic: Automation×"),
    ]
    assert f'<a class="search__clear" href="{SEARCH}?q=officers">Clear all filters</a>' in html


def test_empty_state_suggests_removing_each_filter_and_the_words(client, world):
    status, html = page_html(client, q="officers", region="ESA", language="en")
    assert status == 200
    assert result_titles(html) == []
    empty = html.split('class="search__empty"')[1].split("</div>")[0]
    assert "No results for “officers”" in empty
    assert f'href="{SEARCH}?q=officers&amp;language=en">Remove the filter region:' in empty
    assert f'href="{SEARCH}?q=officers&amp;region=ESA">Remove the filter language:' in empty
    assert f'href="{SEARCH}?region=ESA&amp;language=en">Search without the words' in empty
    assert f'href="{SEARCH}?q=officers">Clear all filters' in empty
    # a selected value with no hits stays visible (and ticked) so it can be unticked
    assert re.search(r'name="region" value="ESA" checked', html)


def test_facet_counts_are_disjunctive_and_badges_link(client, world):
    _, html = page_html(client, region="EUR")
    assert result_titles(html) == ["Rotation of border officers"]
    # other regions still offered, with their own counts
    assert re.search(r'value="AMC">\s*<label[^>]*>Americas and the Caribbean <span', html)
    assert f'<a class="badge badge--region" href="{SEARCH}?region=EUR">Europe</a>' in html
    assert f'<a class="badge badge--partner" href="{SEARCH}?partner=TI">TI</a>' in html


@pytest.mark.parametrize(
    "params, message",
    [
        ({"page": "0"}, "Page must be 1 or more."),
        ({"page": "abc"}, "Page must be a whole number"),
        ({"page": "10000"}, "Results can be browsed up to page 500"),
        ({"q": "x" * 5000}, "the limit is 500"),
        ({"sort": "random"}, "Sort by one of"),
        ({"size": "-1"}, "Size must be 1 or more."),
    ],
)
def test_bad_parameters_get_a_friendly_message(client, world, params, message):
    status, html = page_html(client, **params)
    assert status == 200
    assert "We couldn’t run that search" in html and message in html
    assert result_titles(html) == []


def test_reserved_syntax_is_searched_as_text(client, world):
    status, html = page_html(client, q='"(AND OR:*~^[]{}\\/ bribery')
    assert status == 200
    assert "We couldn’t run that search" not in html


def test_unknown_values_ignored_with_notice(client, world):
    status, html = page_html(client, region=["EUR", "XX"], tag="<b>")
    assert status == 200
    assert "Some filters were ignored" in html
    assert "Region “XX”" in html and "Tag “&lt;b&gt;”" in html
    assert result_titles(html) == ["Rotation of border officers"]


def test_size_capped_and_pagination(client, world):
    _, html = page_html(client, size="1000")
    assert len(result_titles(html)) == 3
    _, html = page_html(client, size="1", page="2")
    assert result_titles(html) == ["Rotation of border officers"]
    nav = html.split('<nav class="search__pagination" aria-label="Result pages">')[1]
    nav = nav.split("</nav>")[0]
    assert f'<a href="{SEARCH}?page=2&amp;size=1" aria-current="page">' in nav
    assert f'rel="prev" href="{SEARCH}?size=1"' in nav
    assert f'rel="next" href="{SEARCH}?page=3&amp;size=1"' in nav
    _, html = page_html(client, size="1", page="9")
    assert "This page is past the last page of results" in html


def test_engine_down_is_a_friendly_503(client, world, monkeypatch):
    class Down:
        def search(self, query):
            raise EngineUnavailable("refused")

    monkeypatch.setattr(service, "get_engine", Down)
    status, html = page_html(client, q="bribery")
    assert status == 503
    assert "Search is temporarily unavailable" in html


def test_most_words_fallback_is_announced(client, world):
    page = client.get(SEARCH, {"q": "officers zeppelin"}).content.decode()
    assert "No item has all your words; showing items that have most of them." in page
    assert "Rotation of border officers" in page
    page = client.get(SEARCH, {"q": "officers"}).content.decode()
    assert "No item has all your words" not in page


def test_no_results_offer_the_nearest_spelling_with_the_filters(client, world):
    page = client.get(SEARCH, {"q": "xylofonist", "region": "EUR"}).content.decode()
    assert "No results for “xylofonist”" in page
    link = f'href="{SEARCH}?q=xylophonist&amp;region=EUR"'
    assert f"Did you mean <a {link}>xylophonist</a>?" in page
    assert (
        "Rotation of border officers"
        in client.get(f"{SEARCH}?q=xylophonist&region=EUR").content.decode()
    )


def test_a_search_without_facets_spans_the_page(client, world):
    """Nothing matched and nothing selected: no facet column, so the message is not squeezed
    into the narrow column beside an empty one."""
    _status, html = page_html(client, q="xylophone")
    assert "search__empty" in html and "search__facets" not in html
    assert 'class="search__layout"' in html
    _status, html = page_html(client, q="officers")
    assert 'class="search__layout search__layout--with-facets"' in html
