"""/search/export.csv: a search's hits as CSV, streamed, for the viewer's audiences only."""

import csv
import datetime
import io

import pytest
from django.contrib.auth.models import User

import search.service
from knowledge.audience import members_group, restrict_to_members
from knowledge.vocabularies import Country, PartnerOrganisation, Region, Topic
from search import schema
from search.engines import get_engine
from search.engines.base import EngineUnavailable
from tests.factories import CaseStudyPageFactory, community_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def items(site_tree, empty_index, django_capture_on_commit_callbacks):
    eur, wca = Region.objects.get(code="EUR"), Region.objects.get(code="WCA")
    topic = Topic.objects.get(code="code-of-conduct")
    ti = PartnerOrganisation.objects.get(acronym="TI")
    pages = {}
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(5):
            pages[f"eur{n}"] = CaseStudyPageFactory(
                parent=community_for(eur),
                title=f"Gift register {n}",
                summary="Declaring gifts, early.",
                regions=[eur],
                countries=[Country.objects.get(code="FR")],
                topics=[topic],
                partners=[ti],
                published_date=datetime.date(2020 + n, 1, 1),
            )
        pages["formula"] = CaseStudyPageFactory(
            parent=community_for(eur),
            title='=HYPERLINK("http://evil")',
            summary="@SUM(A1:A9) and more",
            regions=[eur],
            topics=[topic],
            published_date=datetime.date(2010, 1, 1),
        )
        pages["secret"] = CaseStudyPageFactory(
            parent=community_for(eur),
            title="Gift register investigation",
            regions=[eur],
            topics=[topic],
            published_date=datetime.date(2011, 1, 1),
        )
        restrict_to_members(pages["secret"])
        pages["wca"] = CaseStudyPageFactory(
            parent=community_for(wca), title="Gift policy in West Africa", regions=[wca]
        )
    get_engine().refresh()
    return pages


@pytest.fixture
def member(db):
    user = User.objects.create_user("member", password="x")
    user.groups.add(members_group())
    return user


def read(response) -> list[list[str]]:
    assert response.streaming
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_export_has_the_documented_columns_and_labelled_values(client, items):
    response = client.get("/search/export.csv", {"region": "EUR", "q": "register 3"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="integrity-commons-search.csv"'
    )
    assert response["Cache-Control"] == "private, no-store"
    header, *rows = read(response)
    assert header == [
        "id",
        "title",
        "type",
        "regions",
        "countries",
        "topics",
        "partners",
        "language",
        "year",
        "url",
        "summary",
    ]
    page = items["eur3"]
    row = next(r for r in rows if r[0] == str(page.pk))
    assert row[1:] == [
        "Gift register 3",
        "Case study",
        "Europe",
        "France",
        "Code of conduct",
        "Transparency International (TI)",
        "English",
        "2023",
        f"http://testserver/items/{page.pk}/",
        "Declaring gifts, early.",
    ]


def test_rows_are_the_search_hits_in_order(client, items):
    params = {"region": "EUR", "sort": "oldest"}
    api = client.get("/api/search/", {**params, "size": 50}).json()
    rows = read(client.get("/search/export.csv", params))[1:]
    assert [int(r[0]) for r in rows] == [r["id"] for r in api["results"]]
    assert len(rows) == api["total"] == 6  # five registers and the formula item, no secret


def test_member_only_rows_only_for_members(client, items, member):
    secret = str(items["secret"].pk)
    assert secret not in [r[0] for r in read(client.get("/search/export.csv"))]
    client.force_login(User.objects.create_user("trader", password="x"))
    assert secret not in [r[0] for r in read(client.get("/search/export.csv"))]
    client.force_login(member)
    assert secret in [r[0] for r in read(client.get("/search/export.csv"))]


def test_cells_that_look_like_formulas_are_kept_as_text(client, items):
    rows = read(client.get("/search/export.csv", {"year": "2010"}))[1:]
    assert rows[0][1] == '\'=HYPERLINK("http://evil")'
    assert rows[0][10] == "'@SUM(A1:A9) and more"
    assert rows[0][0] == str(items["formula"].pk)  # plain cells untouched


def test_formula_guard_covers_every_risky_start():
    from search.export import guard

    for start in ("=", "+", "-", "@", "\t", "\r"):
        assert guard(f"{start}1") == f"'{start}1"
    assert guard("Gift") == "Gift" and guard("") == ""


def test_pages_through_the_engine_and_streams(client, items, monkeypatch):
    """Pages of the engine's size are fetched as the body is read, not up front, and
    without facet counts, which an export never shows."""
    monkeypatch.setattr(schema, "MAX_PAGE_SIZE", 2)
    engine = get_engine()
    calls = []
    real = engine.search

    def counting(query):
        calls.append((query.page, query.page_size))
        assert not query.facets
        return real(query)

    monkeypatch.setattr(engine, "search", counting)
    monkeypatch.setattr(search.service, "get_engine", lambda: engine)
    response = client.get("/search/export.csv", {"region": "EUR"})
    assert calls == [(1, 2)]  # only the first page before the body is read
    rows = read(response)[1:]
    assert len(rows) == 6
    assert calls == [(1, 2), (2, 2), (3, 2), (4, 2)]


def test_limit_cuts_the_export_and_says_so(client, items, monkeypatch):
    monkeypatch.setattr("search.export.EXPORT_LIMIT", 4)
    response = client.get("/search/export.csv", {"region": "EUR"})
    assert response["Export-Total"] == "6"
    assert response["Export-Truncated"] == "4"
    header, *rows = read(response)
    assert len(rows) == 5
    assert rows[-1] == ["# Truncated: the first 4 of 6 matching items."]

    monkeypatch.setattr("search.export.EXPORT_LIMIT", 6)  # exactly enough: no note
    complete = client.get("/search/export.csv", {"region": "EUR"})
    assert "Export-Truncated" not in complete
    rows = read(complete)[1:]
    assert len(rows) == 6 and not rows[-1][0].startswith("#")


@pytest.mark.parametrize(
    "params",
    [{"page": "abc"}, {"size": "0"}, {"sort": "cheapest"}, {"q": "x" * 501}],
)
def test_bad_parameters_are_a_400(client, items, params):
    response = client.get("/search/export.csv", params)
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "Invalid search parameters" in response.content.decode()


def test_unreachable_engine_is_a_503_and_a_failure_midway_is_marked(client, items, monkeypatch):
    class Down:
        def search(self, query):
            raise EngineUnavailable("down (test)")

    monkeypatch.setattr(search.service, "get_engine", lambda: Down())
    response = client.get("/search/export.csv")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"

    monkeypatch.setattr(schema, "MAX_PAGE_SIZE", 2)
    engine = get_engine()
    real = engine.search

    class Flaky:
        def search(self, query):
            if query.page > 1:
                raise EngineUnavailable("gone (test)")
            return real(query)

    monkeypatch.setattr(search.service, "get_engine", lambda: Flaky())
    rows = read(client.get("/search/export.csv", {"region": "EUR"}))[1:]
    assert len(rows) == 3
    assert rows[-1] == ["# Incomplete: search became unavailable after 2 rows."]


def test_search_page_links_the_export_with_its_filters(client, items):
    html = client.get("/search/", {"region": "EUR", "q": "gift", "page": "1"}).content.decode()
    assert 'href="/search/export.csv?q=gift&amp;region=EUR"' in html
    assert "Download these results (CSV)" in html
