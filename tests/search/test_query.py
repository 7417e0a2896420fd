"""Parameter parsing (search.query) and result shaping (search.service), engine faked."""

from dataclasses import replace
from datetime import date
from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.http import QueryDict
from taggit.models import Tag

from knowledge.audience import members_group
from search import schema, service
from search.engines.base import (
    EngineUnavailable,
    FacetValue,
    Hit,
    SearchEngine,
    SearchQuery,
    SearchResults,
    facet_values,
)
from search.links import SearchLinks
from search.presenters import SearchPresenter, page_links
from search.query import FacetVocabulary, parse_search_params
from search.service import run_search

pytestmark = pytest.mark.django_db


def parse(querystring: str, user=None):
    return parse_search_params(QueryDict(querystring), user or AnonymousUser())


class FakeEngine(SearchEngine):
    """Answers every search with canned results and records the queries it received."""

    name = "fake"

    def __init__(self, results: SearchResults | None = None, down: bool = False):
        self.results = results or SearchResults(total=0, hits=(), facets={})
        self.down = down
        self.queries: list[SearchQuery] = []

    @classmethod
    def from_settings(cls):
        return cls()

    def search(self, query):
        self.queries.append(query)
        if self.down:
            raise EngineUnavailable("connection refused")
        # As every engine answers: facet values in display order, selected values kept.
        facets = {
            facet.name: facet_values(
                facet,
                {v.value: v.count for v in self.results.facets.get(facet.name, ())},
                query.filters.get(facet.name, ()),
            )
            for facet in schema.FACETS
        }
        return replace(self.results, facets=facets)

    def ensure_index(self): ...
    def index_documents(self, documents):
        return 0

    def delete_documents(self, ids): ...
    def rebuild(self, documents, progress=None):
        return 0

    def fingerprints(self):
        return {}

    def pivot(self, query, rows, columns):
        raise NotImplementedError

    def refresh(self): ...
    def clear(self): ...


@pytest.fixture
def engine(monkeypatch):
    fake = FakeEngine()
    monkeypatch.setattr(service, "get_engine", lambda: fake)
    return fake


class TestText:
    def test_trimmed_and_whitespace_collapsed(self, vocabularies):
        assert parse("q=%20%20border%0A%09bribery%20%20").text == "border bribery"

    def test_over_limit_is_an_error(self, vocabularies):
        search = parse("q=" + "a" * (schema.MAX_QUERY_LENGTH + 1))
        assert not search.is_valid
        assert "limit is 500" in search.errors["q"][0]

    def test_at_limit_is_fine(self, vocabularies):
        assert parse("q=" + "a" * schema.MAX_QUERY_LENGTH).is_valid

    def test_reserved_syntax_is_kept_as_text(self, vocabularies):
        raw = '"(AND OR:*~^[]{}\\/'
        search = parse(urlencode({"q": raw}))
        assert search.is_valid
        assert search.to_query().text == raw


class TestFacets:
    def test_codes_are_canonicalised_and_deduplicated(self, vocabularies):
        search = parse("region=eur&region=EUR&region=%20amc%20&topic=Automation&type=case_study")
        assert search.filters["region"] == ("AMC", "EUR")
        assert search.filters["topic"] == ("automation",)
        assert search.filters["type"] == ("case_study",)
        assert search.ignored == {}

    def test_unknown_values_are_ignored_with_a_notice(self, vocabularies):
        search = parse("region=XYZ&region=EUR&type=podcast&language=de&year=21&partner=TI")
        assert search.is_valid
        assert search.filters["region"] == ("EUR",)
        assert search.filters["partner"] == ("TI",)
        assert search.ignored == {
            "region": ["XYZ"],
            "type": ["podcast"],
            "language": ["de"],
            "year": ["21"],
        }

    def test_blank_values_are_dropped_silently(self, vocabularies):
        search = parse("q=&region=&tag=%20")
        assert search.filters["region"] == () and search.filters["tag"] == ()
        assert search.ignored == {}

    def test_years_and_tags(self, vocabularies):
        Tag.objects.create(name="Border Control", slug="border-control-2")
        search = parse("year=2021&year=1999&tag=border%20control&tag=Rotation&tag=%3Cscript%3E")
        assert search.filters["year"] == ("1999", "2021")
        # a known name finds its slug; an unknown slug-ish word is taken as a slug
        assert search.filters["tag"] == ("border-control-2", "rotation")
        assert search.ignored == {"tag": ["<script>"]}
        assert FacetVocabulary().label("tag", "border-control-2") == "Border Control"

    def test_empty_facets_are_not_sent_to_the_engine(self, vocabularies):
        assert parse("region=EUR").to_query().filters == {"region": ("EUR",)}


class TestSortPageSize:
    def test_default_sort_depends_on_text(self, vocabularies):
        assert parse("q=bribery").sort == "relevance"
        assert parse("").sort == "newest"
        assert parse("sort=relevance").sort == "newest"
        assert parse("q=x&sort=title").sort == "title"

    def test_unknown_sort_is_an_error(self, vocabularies):
        assert "sort" in parse("sort=random").errors

    @pytest.mark.parametrize(
        "querystring, field",
        [
            ("page=0", "page"),
            ("page=-3", "page"),
            ("page=abc", "page"),
            ("page=10000", "page"),
            ("page=" + "9" * 5000, "page"),
            ("size=0", "size"),
            ("size=ten", "size"),
        ],
    )
    def test_bad_numbers_are_errors(self, vocabularies, querystring, field):
        search = parse(querystring)
        assert list(search.errors) == [field]
        assert search.page == 1

    def test_size_is_capped(self, vocabularies):
        assert parse("size=1000").page_size == schema.MAX_PAGE_SIZE

    def test_result_window_boundary(self, vocabularies):
        last = schema.MAX_RESULT_WINDOW // schema.PAGE_SIZE
        assert parse(f"page={last}").is_valid
        assert not parse(f"page={last + 1}").is_valid
        assert not parse(f"page={schema.MAX_RESULT_WINDOW // 50 + 1}&size=50").is_valid


class TestAudience:
    def test_anonymous_sees_public_only(self, vocabularies):
        assert parse("").visibilities == ("public",)

    def test_member_sees_members_content(self, vocabularies):
        user = User.objects.create_user("member")
        user.groups.add(members_group())
        assert parse("", user).visibilities == ("public", "members")

    def test_logged_in_non_member_sees_public_only(self, vocabularies):
        assert parse("", User.objects.create_user("reader")).visibilities == ("public",)


class TestCanonicalUrl:
    def test_order_is_canonical_and_defaults_left_out(self, vocabularies):
        a = parse("topic=automation&region=EUR&q=bribery&region=AMC&sort=relevance&page=1")
        b = parse("region=AMC&q=bribery&region=eur&topic=automation")
        expected = "?q=bribery&region=AMC&region=EUR&topic=automation"
        assert SearchLinks(a).querystring() == SearchLinks(b).querystring() == expected

    def test_removal_links_reset_the_page(self, vocabularies):
        search = SearchLinks(parse("q=x&region=EUR&region=AMC&sort=title&page=3&size=10"))
        assert search.without("region", "EUR") == "?q=x&region=AMC&sort=title&size=10"
        assert search.without_filters() == "?q=x&sort=title&size=10"
        assert search.without_text() == "?region=AMC&region=EUR&sort=title&size=10"
        assert SearchLinks(parse("q=x&region=EUR")).without_text() == "?region=EUR"


class TestService:
    def test_labels_selection_order_and_zero_count_selection(self, vocabularies, engine):
        engine.results = SearchResults(
            total=3,
            hits=(),
            facets={
                "region": (FacetValue("AMC", 1), FacetValue("EUR", 2)),
                "year": (FacetValue("2019", 5), FacetValue("2023", 1)),
            },
        )
        search, vocabulary = parse("region=AMC&topic=automation"), FacetVocabulary()
        outcome = run_search(search, vocabulary)
        panels = {p.name: p for p in outcome.facets}
        assert list(panels) == list(schema.FACET_NAMES)
        region = panels["region"].options
        assert [(o.value, o.count, o.selected) for o in region] == [
            ("EUR", 2, False),
            ("AMC", 1, True),
        ]
        assert region[0].label == "Europe"
        # selected topic had no hits, yet stays visible so it can be unticked
        assert [(o.value, o.count, o.selected) for o in panels["topic"].options] == [
            ("automation", 0, True)
        ]
        assert [o.value for o in panels["year"].options] == ["2023", "2019"]
        chips = SearchPresenter(search, outcome, vocabulary).chips
        assert [c.label for c in chips] == ["Americas and the Caribbean", "Automation"]

    def test_hits_get_labels(self, vocabularies, engine):
        engine.results = SearchResults(
            total=1,
            hits=(
                Hit(
                    id=7,
                    title="T",
                    url="/t/",
                    type="case_study",
                    published=date(2021, 3, 1),
                    regions=("EUR",),
                    topics=("automation",),
                    partners=("TI",),
                    snippet="a <mark>b</mark>",
                ),
            ),
            facets={},
        )
        result = run_search(parse("q=b"), FacetVocabulary()).results[0]
        assert result.type_label == "Case study"
        assert [b.label for b in result.partners] == ["Transparency International (TI)"]

    def test_engine_down_is_a_state(self, vocabularies, engine):
        engine.down = True
        outcome = run_search(parse("q=x"), FacetVocabulary())
        assert outcome.unavailable and outcome.total == 0

    def test_pages_never_pass_the_result_window(self, vocabularies, engine):
        engine.results = SearchResults(total=1_000_000, hits=(), facets={})
        outcome = run_search(parse(""), FacetVocabulary())
        assert outcome.pages == schema.MAX_RESULT_WINDOW // schema.PAGE_SIZE
        engine.results = SearchResults(total=41, hits=(), facets={})
        assert run_search(parse(""), FacetVocabulary()).pages == 3


def test_page_links():
    assert page_links(1, 1) == []
    assert page_links(1, 3) == [1, 2, 3]
    assert page_links(10, 20) == [1, None, 8, 9, 10, 11, 12, None, 20]
    assert page_links(3, 20) == [1, 2, 3, 4, 5, None, 20]
