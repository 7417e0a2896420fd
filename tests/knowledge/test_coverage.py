"""The coverage matrix (/coverage/) through the view and the embedded engine."""

import datetime

import pytest
from django.contrib.auth.models import User
from wagtail.models import PageViewRestriction

import search.service
from knowledge import coverage
from knowledge.audience import members_group, restrict_to_members
from knowledge.vocabularies import Region, Topic
from search.engines import get_engine
from search.engines.base import EngineUnavailable
from tests.factories import CaseStudyPageFactory, HandbookPageFactory, community_for


@pytest.fixture
def world(site_tree, empty_index, django_capture_on_commit_callbacks):
    """EUR x automation: three public case studies (2020, 2021, 2021) and a member-only
    handbook; AMC x automation: one public handbook; EUR x human resources: a draft and a
    password-protected page only."""
    eur, amc = Region.objects.get(code="EUR"), Region.objects.get(code="AMC")
    automation, hr = Topic.objects.get(code="automation"), Topic.objects.get(code="human-resources")
    with django_capture_on_commit_callbacks(execute=True):
        for n, year in enumerate((2020, 2021, 2021)):
            CaseStudyPageFactory(
                parent=community_for(eur),
                title=f"Automated clearance {n}",
                regions=[eur],
                topics=[automation],
                published_date=datetime.date(year, 3, 1),
            )
        members = HandbookPageFactory(
            parent=community_for(eur),
            title="Members handbook",
            regions=[eur],
            topics=[automation],
            published_date=datetime.date(2022, 1, 1),
        )
        restrict_to_members(members)
        HandbookPageFactory(
            parent=community_for(amc),
            title="Americas handbook",
            regions=[amc],
            topics=[automation],
            published_date=datetime.date(2021, 1, 1),
        )
        CaseStudyPageFactory(
            parent=community_for(eur), regions=[eur], topics=[hr], title="Draft", publish=False
        )
        private = CaseStudyPageFactory(
            parent=community_for(eur), regions=[eur], topics=[hr], title="Private file"
        )
        PageViewRestriction.objects.create(
            page=private, restriction_type=PageViewRestriction.PASSWORD, password="x"
        )
    get_engine().refresh()
    yield
    get_engine().clear()


@pytest.fixture
def member(db):
    user = User.objects.create_user("member", password="pw")
    user.groups.add(members_group())
    return user


def cell(response, region, topic):
    (row,) = [r for r in response.context["rows"] if r.line.code == region]
    codes = [c.code for c in response.context["columns"]]
    return row.cells[codes.index(topic)]


def row_total(response, region):
    return next(r.line.total for r in response.context["rows"] if r.line.code == region)


def column_total(response, topic):
    return next(c.total for c in response.context["columns"] if c.code == topic)


def test_public_counts_for_anonymous(client, world):
    response = client.get("/coverage/")
    assert response.status_code == 200
    assert cell(response, "EUR", "automation").count == 3
    assert cell(response, "AMC", "automation").count == 1
    assert row_total(response, "EUR") == 3 and column_total(response, "automation") == 4
    assert response.context["total"] == 4
    html = response.content.decode()
    assert "Public items only" in html and "Includes member-only items" not in html
    # every region is a row and every topic a column, labelled, empty or not
    assert len(response.context["rows"]) == Region.objects.count()
    assert len(response.context["columns"]) == Topic.objects.count()
    assert '<th scope="row">Europe</th>' in html
    assert "<caption" in html and 'scope="col"' in html


def test_member_only_items_counted_for_members(client, world, member):
    client.force_login(member)
    response = client.get("/coverage/")
    assert cell(response, "EUR", "automation").count == 4
    assert response.context["total"] == 5
    assert "Includes member-only items" in response.content.decode()


def test_drafts_and_private_pages_never_counted(client, world, member):
    client.force_login(member)
    response = client.get("/coverage/")
    assert cell(response, "EUR", "human-resources").count == 0
    assert column_total(response, "human-resources") == 0


def test_one_engine_request_per_page(client, world, monkeypatch):
    engine, asked = get_engine(), []

    class Counting:
        def pivot(self, query, rows, columns):
            asked.append((rows, columns))
            return engine.pivot(query, rows, columns)

    monkeypatch.setattr(search.service, "get_engine", Counting)
    client.get("/coverage/")
    assert asked == [("region", "topic")]


def test_cells_and_totals_link_to_the_matching_search(client, world):
    html = client.get("/coverage/").content.decode()
    assert 'href="/search/?region=EUR&amp;topic=automation">3<' in html
    assert 'href="/search/?region=AMC&amp;topic=automation">1<' in html
    assert 'href="/search/?region=MENA&amp;topic=transparency">0<' in html  # empty cells too
    assert 'href="/search/?region=EUR">3<' in html  # the row total
    assert 'href="/search/?topic=automation">4<' in html  # the column total
    assert 'href="/search/">4<' in html
    assert 'href="/topics/automation/"' in html
    # the search behind a cell finds exactly what the cell counts
    listed = client.get("/search/", {"region": "EUR", "topic": "automation"})
    assert listed.context["outcome"].total == 3


def test_links_keep_the_filters_and_french_links_stay_french(client, world):
    html = client.get("/coverage/", {"type": "case_study", "year": "2021"}).content.decode()
    assert (
        'href="/search/?region=EUR&amp;topic=automation&amp;type=case_study&amp;year=2021">2<'
        in html
    )
    french = client.get("/fr/coverage/").content.decode()
    assert 'href="/fr/search/?region=EUR&amp;topic=automation">3<' in french
    assert "Automatisation" in french


def test_filters_narrow_every_count(client, world):
    response = client.get("/coverage/", {"type": "handbook"})
    assert cell(response, "EUR", "automation").count == 0
    assert cell(response, "AMC", "automation").count == 1
    response = client.get("/coverage/", {"year": "2021"})
    assert cell(response, "EUR", "automation").count == 2
    assert response.context["total"] == 3


def test_thin_cells_are_flagged_with_text_and_listed(client, world):
    response = client.get("/coverage/")
    assert coverage.THIN_AT_MOST == 2
    assert not cell(response, "EUR", "automation").thin  # 3 items
    amc = cell(response, "AMC", "automation")
    assert amc.thin and amc.count == 1
    html = response.content.decode()
    thin_amc = html[html.index('href="/search/?region=AMC&amp;topic=automation">') :]
    assert thin_amc.index("(thin)") < thin_amc.index("</td>")  # said, not only coloured
    assert "coverage__cell--thin" in html
    assert "Thinnest areas" in html and "Thin: at most 2 items" in html
    thinnest = response.context["thinnest"]
    assert len(thinnest) == coverage.THINNEST_LISTED
    assert [c.count for c in thinnest] == sorted(c.count for c in thinnest)
    cells = Region.objects.count() * Topic.objects.count()
    assert response.context["more_thin"] == cells - 1 - coverage.THINNEST_LISTED


def test_shading_levels():
    assert coverage.shade(0, 10) == 0
    assert coverage.shade(1, 10) == 1
    assert coverage.shade(10, 10) == coverage.SHADES
    assert coverage.shade(5, 10) == 2


def test_fullest_cell_is_darkest(client, world):
    response = client.get("/coverage/")
    assert cell(response, "EUR", "automation").level == coverage.SHADES
    assert cell(response, "MENA", "automation").level == 0
    html = response.content.decode()
    assert "style=" not in html  # strict CSP: shading is classes only


@pytest.mark.parametrize(
    "params",
    [
        {"type": "no-such-type"},
        {"year": "abcd"},
        {"year": "2021x", "type": "<script>"},
        {"year": "\x00"},
        {"region": "EUR", "q": "x" * 5000, "page": "-1", "sort": "nonsense"},
    ],
)
def test_bad_parameters_are_reported_never_a_500(client, world, params):
    response = client.get("/coverage/", params)
    assert response.status_code == 200
    assert response.context["total"] == 4  # nothing narrowed
    html = response.content.decode()
    if "type" in params or params.get("year", "").strip("\x00"):
        assert "Some filters were ignored" in html
    assert "<script>" not in html.split("<main", 1)[1]


def test_engine_down_renders_a_notice(client, world, monkeypatch):
    class Down:
        def pivot(self, query, rows, columns):
            raise EngineUnavailable("refused")

    monkeypatch.setattr(search.service, "get_engine", Down)
    response = client.get("/coverage/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "search index is unavailable" in html
    assert "<table" not in html


def test_linked_from_the_home_page_and_the_topic_index(client, world):
    assert 'href="/coverage/"' in client.get("/").content.decode()
    assert 'href="/coverage/"' in client.get("/topics/").content.decode()
    assert 'href="/es/coverage/"' in client.get("/es/topics/").content.decode()
