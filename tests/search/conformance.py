"""The engine conformance suite: every search engine answers these the same way.

A test module plugs an engine in by defining a class-scoped fixture named `engine` that
returns a `SearchEngine` writing to an index of its own (a temp directory, a test prefix),
and subclassing the two classes below:

    @pytest.fixture(scope="class")
    def engine(tmp_path_factory):
        return EmbeddedEngine(tmp_path_factory.mktemp("index"))

    class TestEmbeddedQueries(QueryConformance): ...
    class TestEmbeddedPipeline(PipelineConformance): ...

The suite clears the engine itself (`engine.clear()` then `ensure_index()`), builds the
corpus from factory pages through search.documents, and knows nothing of engine internals.
Expected hits and counts below are worked out by hand from CORPUS.
"""

from __future__ import annotations

import datetime
import io
import re
import threading
import time
from dataclasses import dataclass

import pytest
from django.core.management import call_command
from django.db import transaction
from wagtail.models import PageViewRestriction
from wagtail.rich_text import RichText

import search.engines
from knowledge.audience import lift_members_restriction, restrict_to_members
from knowledge.site_tree import ensure_site_tree
from knowledge.vocabularies import Country, PartnerOrganisation, Region, Topic
from knowledge.vocabulary_loader import load_vocabularies
from search import schema as S
from search import service
from search.documents import iter_documents
from search.engines.base import EngineUnavailable, IndexMissing, SearchEngine, SearchQuery
from search.models import IndexUpdate
from tests.factories import (
    CaseStudyPageFactory,
    HandbookPageFactory,
    PartnerStudyPageFactory,
    ProcedurePageFactory,
    StandardPageFactory,
    community_for,
)

PUBLIC = ("public",)
MEMBERS = ("public", "members")


def _build_corpus() -> dict[str, object]:
    """Nine pages: five public, one members-only, a draft, an unpublished one and a
    password-protected one. Keys are the short names the tests use."""
    load_vocabularies()
    ensure_site_tree()
    region = {r.code: r for r in Region.objects.all()}
    topic = {t.code: t for t in Topic.objects.all()}
    partner = {p.acronym: p for p in PartnerOrganisation.objects.all()}
    country = {c.code: c for c in Country.objects.filter(code__in=["FR", "DE"])}
    pages = {}
    pages["rotation"] = CaseStudyPageFactory(
        parent=community_for(region["EUR"]),
        title="Rotation of border inspectors",
        summary="Inspections at land borders were rotated every week.",
        what_happened="<p>Posts kept the same staff for years.</p>",
        lessons_learned="<p>Weekly rotation broke local ties.</p>",
        regions=[region["EUR"]],
        countries=[country["FR"]],
        topics=[topic["automation"]],
        partners=[partner["TI"]],
        tags=["rotation"],
        published_date=datetime.date(2021, 3, 1),
    )
    pages["handbook"] = HandbookPageFactory(
        parent=community_for(region["EUR"]),
        title="Customs inspection handbook",
        summary="How officers conduct an inspection with integrity.",
        chapters=[
            (
                "chapter",
                {
                    "title": "Staff rotation",
                    "summary": "Why rotation matters.",
                    "body": RichText("<p>Plan it yearly.</p>"),
                },
            )
        ],
        regions=[region["EUR"]],
        countries=[country["DE"]],
        topics=[topic["code-of-conduct"]],
        tags=["training", "risk management"],
        published_date=datetime.date(2022, 6, 1),
    )
    pages["procedure"] = ProcedurePageFactory(
        parent=community_for(region["WCA"]),
        title="Procédures douanières de contrôle",
        summary="Les contrôles douaniers sont renforcés contre la corruption.",
        owning_unit="Direction générale",
        regions=[region["WCA"]],
        topics=[topic["human-resources"]],
        language="fr",
        published_date=datetime.date(2020, 1, 15),
    )
    pages["standard"] = StandardPageFactory(
        parent=community_for(region["AP"]),
        title="Anti-corruption strategy",
        summary="A national strategy against corruption in customs.",
        body=[
            (
                "paragraph",
                RichText(
                    "<p>Customs inspection teams report corruption. "
                    "The unit investigated forty cases.</p>"
                ),
            )
        ],
        issuing_body="National Customs Board",
        regions=[region["AP"]],
        topics=[topic["code-of-conduct"]],
        partners=[partner["UNODC"]],
        tags=["risk management"],
        published_date=datetime.date(2023, 9, 10),
    )
    pages["study"] = PartnerStudyPageFactory(
        contributing_partner=partner["TI"],
        title="Corruption perceptions in ports",
        summary="Survey of officers & managers: <script>alert('x')</script> bribes.",
        regions=[region["ESA"]],
        topics=[topic["automation"]],
        partners=[],  # its partner is TI as the contributor only
        published_date=datetime.date(2024, 1, 20),
    )
    pages["members"] = CaseStudyPageFactory(
        parent=community_for(region["EUR"]),
        title="Internal affairs investigation",
        summary="Confidential corruption inquiry, codename zanzibar.",
        what_happened="",
        lessons_learned="",
        regions=[region["EUR"]],
        topics=[topic["automation"]],
        partners=[partner["TI"]],
        published_date=datetime.date(2022, 2, 2),
    )
    restrict_to_members(pages["members"])
    pages["draft"] = CaseStudyPageFactory(
        parent=community_for(region["EUR"]),
        title="Draft corruption memo zanzibar",
        regions=[region["EUR"]],
        topics=[topic["automation"]],
        publish=False,
    )
    pages["withdrawn"] = CaseStudyPageFactory(
        parent=community_for(region["AMC"]),
        title="Withdrawn corruption report zanzibar",
        regions=[region["AMC"]],
        topics=[topic["automation"]],
    )
    pages["withdrawn"].unpublish()
    pages["private"] = CaseStudyPageFactory(
        parent=community_for(region["EUR"]),
        title="Secret corruption file zanzibar",
        regions=[region["EUR"]],
        topics=[topic["automation"]],
    )
    PageViewRestriction.objects.create(
        page=pages["private"], restriction_type=PageViewRestriction.PASSWORD, password="x"
    )
    return pages


@dataclass
class Corpus:
    ids: dict[str, int]  # short name -> page id
    documents: list[dict]

    def names(self, results) -> list[str]:
        by_id = {v: k for k, v in self.ids.items()}
        return [by_id.get(hit.id, f"unknown:{hit.id}") for hit in results.hits]


def counts(results, facet: str) -> list[tuple[str, int]]:
    return [(v.value, v.count) for v in results.facets[facet]]


class QueryConformance:
    """Queries over a shared, read-only corpus indexed once per class."""

    @pytest.fixture(scope="class")
    @classmethod
    def corpus(cls, engine: SearchEngine, django_db_setup, django_db_blocker) -> Corpus:
        with django_db_blocker.unblock(), transaction.atomic():
            pages = _build_corpus()
            corpus = Corpus({k: p.pk for k, p in pages.items()}, list(iter_documents()))
            transaction.set_rollback(True)  # leave the test database as it was
        engine.clear()
        engine.ensure_index()
        engine.index_documents(corpus.documents)
        engine.refresh()
        return corpus

    @pytest.fixture
    def search(self, engine, corpus):
        def run(text="", visibilities=PUBLIC, **kwargs):
            return engine.search(SearchQuery(text=text, visibilities=visibilities, **kwargs))

        return run

    # --- what is indexed ---------------------------------------------------------------

    def test_only_live_readable_pages_are_documents(self, corpus):
        indexed = {d["id"] for d in corpus.documents}
        expected = {"rotation", "handbook", "procedure", "standard", "study", "members"}
        assert indexed == {corpus.ids[name] for name in expected}

    def test_fingerprints_match_the_documents(self, engine, corpus):
        assert engine.fingerprints() == {d["id"]: d[S.FINGERPRINT_FIELD] for d in corpus.documents}

    # --- matching ----------------------------------------------------------------------

    def test_empty_query_lists_public_items_newest_first(self, search, corpus):
        results = search()
        assert results.total == 5
        assert corpus.names(results) == ["study", "standard", "handbook", "rotation", "procedure"]

    def test_all_words_must_match(self, search, corpus):
        results = search("inspection corruption")
        assert corpus.names(results) == ["standard"]
        assert not results.relaxed

    def test_most_words_when_no_item_has_all(self, search, corpus):
        """No public item has both words: the items with one of them, flagged `relaxed`."""
        results = search("rotation zanzibar")
        # "procedure" by its topic: human resources has the synonym "staff rotation"
        assert set(corpus.names(results)) == {"rotation", "handbook", "procedure"}
        assert results.relaxed
        # three words: two of them will do; the item with all three is not there to outrank
        results = search("rotation inspectors zanzibar")
        assert corpus.names(results)[0] == "rotation" and results.relaxed
        assert search("zanzibar").total == 0  # one word: nothing to drop

    def test_title_match_ranks_first(self, search, corpus):
        results = search("rotation")  # "procedure" through its topic's synonyms
        assert set(corpus.names(results)) == {"rotation", "handbook", "procedure"}
        assert corpus.names(results)[0] == "rotation"
        scores = [h.score for h in results.hits]
        assert scores == sorted(scores, reverse=True)

    def test_quoted_phrase(self, search, corpus):
        assert corpus.names(search('"border inspectors"')) == ["rotation"]
        assert search('"inspectors border"').total == 0

    def test_english_stemming(self, search, corpus):
        assert set(corpus.names(search("inspections"))) == {"rotation", "handbook", "standard"}
        assert corpus.names(search("investigations")) == ["standard"]  # "investigated"

    def test_french_stemming(self, search, corpus):
        assert corpus.names(search("douanières")) == ["procedure"]
        assert corpus.names(search("douanier")) == ["procedure"]
        assert corpus.names(search("renforcement")) == ["procedure"]  # "renforcés"

    def test_typo_tolerance(self, search, corpus):
        assert set(corpus.names(search("corruptoin"))) == {"procedure", "standard", "study"}
        assert search("zbq").total == 0  # short words need to be exact

    def test_vocabulary_names_match(self, search, corpus):
        assert set(corpus.names(search("Transparency International"))) == {"rotation", "study"}
        assert set(corpus.names(search("europe"))) == {"rotation", "handbook"}

    @pytest.mark.parametrize(
        "text",
        [
            '"(AND OR:*~^[]{}\\/',
            "(",
            '"',
            '"unterminated phrase',
            "AND",
            "OR NOT",
            "title:corruption",
            "-corruption +",
            "*",
            "\\",
            "corruption~2^3",
            "x" * (S.MAX_QUERY_LENGTH + 50),
        ],
    )
    def test_reserved_characters_never_fail(self, search, text):
        results = search(text)
        assert results.total >= len(results.hits)

    def test_reserved_characters_are_ignored_around_words(self, search, corpus):
        expected = set(corpus.names(search("corruption")))
        assert expected == {"procedure", "standard", "study"}
        for text in ("corruption)*", "(corruption", "corruption^", "corruption:", "[corruption]"):
            assert set(corpus.names(search(text))) == expected, text

    # --- facets --------------------------------------------------------------------------

    def test_facet_counts_without_filters(self, search):
        results = search()
        assert counts(results, "region") == [("EUR", 2), ("AP", 1), ("ESA", 1), ("WCA", 1)]
        assert counts(results, "country") == [("DE", 1), ("FR", 1)]
        assert counts(results, "topic") == [
            ("automation", 2),
            ("code-of-conduct", 2),
            ("human-resources", 1),
        ]
        assert counts(results, "partner") == [("TI", 2), ("UNODC", 1)]
        assert counts(results, "type") == [
            ("case_study", 1),
            ("handbook", 1),
            ("partner_study", 1),
            ("procedure", 1),
            ("standard", 1),
        ]
        assert counts(results, "language") == [("en", 4), ("fr", 1)]
        assert counts(results, "year") == [
            ("2024", 1),
            ("2023", 1),
            ("2022", 1),
            ("2021", 1),
            ("2020", 1),
        ]
        assert counts(results, "tag") == [("risk-management", 2), ("rotation", 1), ("training", 1)]

    def test_disjunctive_counts(self, search, corpus):
        results = search(filters={"region": ("EUR",), "topic": ("automation",)})
        assert corpus.names(results) == ["rotation"]
        assert results.total == 1
        # each facet counted with the other facet's selection only
        assert counts(results, "region") == [("ESA", 1), ("EUR", 1)]
        assert counts(results, "topic") == [("automation", 1), ("code-of-conduct", 1)]
        # unselected facets counted with every selection
        assert counts(results, "partner") == [("TI", 1)]
        assert counts(results, "country") == [("FR", 1)]
        assert counts(results, "type") == [("case_study", 1)]
        assert counts(results, "language") == [("en", 1)]
        assert counts(results, "year") == [("2021", 1)]
        assert counts(results, "tag") == [("rotation", 1)]

    def test_values_within_a_facet_are_alternatives(self, search, corpus):
        results = search(filters={"region": ("EUR", "AP")})
        assert set(corpus.names(results)) == {"rotation", "handbook", "standard"}
        assert counts(results, "region") == [("EUR", 2), ("AP", 1), ("ESA", 1), ("WCA", 1)]
        assert counts(results, "topic") == [("code-of-conduct", 2), ("automation", 1)]
        assert counts(results, "year") == [("2023", 1), ("2022", 1), ("2021", 1)]

    def test_every_facet_filters(self, search, corpus):
        cases = {
            "country": ("DE", {"handbook"}),
            "partner": ("TI", {"rotation", "study"}),
            "type": ("standard", {"standard"}),
            "language": ("fr", {"procedure"}),
            "year": ("2022", {"handbook"}),
            "tag": ("risk-management", {"handbook", "standard"}),
        }
        for facet, (value, names) in cases.items():
            results = search(filters={facet: (value,)})
            assert set(corpus.names(results)) == names, facet
            assert results.total == len(names), facet

    def test_partner_facet_counts_the_contributing_partner(self, search, corpus):
        """A partner study whose `partners` list is empty is its contributor's all the same:
        found by the partner facet, counted in it, and carrying it in the hit."""
        results = search(filters={"partner": ("TI",)})
        assert set(corpus.names(results)) == {"rotation", "study"}
        assert ("TI", 2) in counts(search(), "partner")
        (hit,) = search(filters={"type": ("partner_study",)}).hits
        assert hit.partners == ("TI",)

    def test_partner_kind_facet(self, search, corpus):
        """Derived from the item's partners (contributors included): TI is an NGO, UNODC an
        international organisation; counted disjunctively like every facet."""
        assert counts(search(), "partner_kind") == [("ngo", 2), ("international_organisation", 1)]
        results = search(filters={"partner_kind": ("ngo",)})
        assert set(corpus.names(results)) == {"rotation", "study"}
        assert counts(results, "partner_kind") == [("ngo", 2), ("international_organisation", 1)]
        assert counts(results, "partner") == [("TI", 2)]
        results = search(filters={"partner_kind": ("ngo",), "region": ("ESA",)})
        assert corpus.names(results) == ["study"]
        assert counts(results, "partner_kind") == [("ngo", 1)]

    def test_selected_values_without_matches_count_zero(self, search):
        results = search(filters={"region": ("MENA",)})
        assert results.total == 0
        assert results.hits == ()
        assert counts(results, "region") == [
            ("EUR", 2),
            ("AP", 1),
            ("ESA", 1),
            ("WCA", 1),
            ("MENA", 0),
        ]
        assert counts(results, "topic") == []
        results = search(filters={"region": ("MENA",), "topic": ("automation",)})
        assert counts(results, "topic") == [("automation", 0)]
        assert counts(results, "region") == [("ESA", 1), ("EUR", 1), ("MENA", 0)]

    def test_a_query_without_facets_finds_the_same_hits(self, search):
        asked = {"text": "integrity", "filters": {"region": ("EUR", "ESA")}, "sort": "newest"}
        with_facets, without = search(**asked), search(**asked, facets=False)
        assert without.facets == {} and with_facets.facets
        assert without.total == with_facets.total > 0
        assert [h.id for h in without.hits] == [h.id for h in with_facets.hits]

    def test_facets_follow_the_text_query(self, search):
        results = search("corruption")
        assert counts(results, "region") == [("AP", 1), ("ESA", 1), ("WCA", 1)]

    # --- audiences -----------------------------------------------------------------------

    def test_members_only_items_hidden_from_the_public(self, search, corpus):
        results = search("zanzibar")
        assert results.total == 0
        assert results.hits == ()
        assert all(values == () for values in results.facets.values())
        results = search()
        assert "members" not in corpus.names(results)
        assert ("EUR", 2) in counts(results, "region")
        assert counts(search("investigations"), "region") == [("AP", 1)]

    def test_suggestions_never_reveal_members_only_words(self, search):
        assert search("zanzibxx").suggestion == ""  # "zanzibar" is in a members-only item
        assert search("zanzibxx", visibilities=MEMBERS).suggestion == "zanzibar"

    def test_members_see_members_only_items(self, search, corpus):
        results = search("zanzibar", visibilities=MEMBERS)
        assert corpus.names(results) == ["members"]
        assert "<mark>zanzibar</mark>" in results.hits[0].snippet
        all_items = search(visibilities=MEMBERS)
        assert all_items.total == 6
        assert ("EUR", 3) in counts(all_items, "region")
        assert counts(all_items, "year")[2] == ("2022", 2)
        assert set(corpus.names(search("investigations", visibilities=MEMBERS))) == {
            "standard",
            "members",
        }

    def test_drafts_unpublished_and_private_items_never_found(self, search, corpus):
        strict = search("zanzibar corruption", visibilities=MEMBERS)
        assert corpus.names(strict) == ["members"] and not strict.relaxed
        relaxed = search("zanzibar corruption")  # the public: items with "corruption" only
        assert set(corpus.names(relaxed)) == {"procedure", "standard", "study"}
        assert relaxed.relaxed
        for visibilities in (PUBLIC, MEMBERS):
            assert search("withdrawn", visibilities=visibilities).total == 0
            assert search("secret", visibilities=visibilities).total == 0
            assert search("memo", visibilities=visibilities).total == 0

    # --- results -------------------------------------------------------------------------

    def test_hits_carry_display_fields(self, search, corpus):
        (hit,) = search('"border inspectors"').hits
        assert hit.title == "Rotation of border inspectors"
        assert hit.url.endswith("/rotation-of-border-inspectors/")
        assert hit.type == "case_study"
        assert hit.published == datetime.date(2021, 3, 1)
        assert hit.regions == ("EUR",)
        assert hit.topics == ("automation",)
        assert hit.partners == ("TI",)
        assert hit.summary == "Inspections at land borders were rotated every week."

    def test_snippets_are_escaped_with_marks_only(self, search, corpus):
        (hit,) = search("alert").hits
        assert "<mark>alert</mark>" in hit.snippet
        assert "&lt;script&gt;" in hit.snippet
        assert "&amp;" in hit.snippet
        assert "<" not in re.sub(r"</?mark>", "", hit.snippet)
        assert ">" not in re.sub(r"</?mark>", "", hit.snippet)

    def test_snippets_mark_stemmed_and_typo_matches(self, search):
        snippet = search("renforcement").hits[0].snippet
        assert "<mark>renforcés</mark>" in snippet
        snippet = search("corruptoin", filters={"type": ("procedure",)}).hits[0].snippet
        assert "<mark>corruption</mark>" in snippet

    @pytest.mark.parametrize(
        "sort, expected",
        [
            ("newest", ["study", "standard", "handbook", "rotation", "procedure"]),
            ("oldest", ["procedure", "rotation", "handbook", "standard", "study"]),
            ("title", ["standard", "study", "handbook", "procedure", "rotation"]),
        ],
    )
    def test_sorts(self, search, corpus, sort, expected):
        assert corpus.names(search(sort=sort)) == expected

    def test_sort_applies_to_text_queries(self, search, corpus):
        assert corpus.names(search("corruption", sort="oldest")) == [
            "procedure",
            "standard",
            "study",
        ]

    def test_pagination(self, search, corpus):
        pages = [search(sort="newest", page=n, page_size=2) for n in (1, 2, 3, 4)]
        assert [corpus.names(p) for p in pages] == [
            ["study", "standard"],
            ["handbook", "rotation"],
            ["procedure"],
            [],
        ]
        assert {p.total for p in pages} == {5}

    def test_page_size_and_result_window_limits(self, search):
        assert len(search(page_size=S.MAX_PAGE_SIZE + 100).hits) == 5
        deep = search(page=S.MAX_RESULT_WINDOW // 2 + 1, page_size=2)
        assert deep.hits == ()
        assert deep.total == 5

    # --- rebuild -------------------------------------------------------------------------

    def test_rebuild_switches_while_searches_keep_answering(self, engine, corpus):
        answers, errors, done = [], [], threading.Event()

        def keep_searching():
            while not done.is_set():
                try:
                    answers.append(engine.search(SearchQuery()).total)
                except Exception as exc:  # any failure during the rebuild is a defect
                    errors.append(exc)
                time.sleep(0.005)

        def slowly(documents):
            for document in documents:
                time.sleep(0.02)
                yield document

        searcher = threading.Thread(target=keep_searching)
        searcher.start()
        try:
            reported = []
            written = engine.rebuild(slowly(corpus.documents), progress=reported.append)
        finally:
            done.set()
            searcher.join()
        engine.refresh()
        assert written == len(corpus.documents)
        assert errors == []
        assert answers and set(answers) == {5}
        assert engine.search(SearchQuery()).total == 5
        assert engine.fingerprints() == {d["id"]: d[S.FINGERPRINT_FIELD] for d in corpus.documents}


def _build_languages_corpus() -> dict[str, object]:
    """Seven public pages in English, French and Spanish for the cross-language tests."""
    load_vocabularies()
    ensure_site_tree()
    region = {r.code: r for r in Region.objects.all()}

    def page(title, summary, language="en", code="EUR"):
        return CaseStudyPageFactory(
            parent=community_for(region[code]),
            title=title,
            summary=summary,
            what_happened="",
            lessons_learned="",
            regions=[region[code]],
            language=language,
        )

    return {
        "bribery": page("Bribery at the border", "Officers who took bribes were dismissed."),
        "potsdevin": page("Les pots-de-vin aux frontières", "Une enquête interne.", "fr", "WCA"),
        "window": page("Single window for imports", "One portal for every trade document."),
        "aduana": page(
            "Integridad en la aduana", "Los controles se reforzaron en 2023.", "es", "AMC"
        ),
        "drugs": page("Drug trafficking in ports", "Seizures of cocaine in containers."),
        "risques": page(
            "Corruption : gestion des risques", "Cartographie des risques par bureau.", "fr"
        ),
        "seals": _vocabulary_only_page(region["EUR"]),
    }


def _vocabulary_only_page(region: Region):
    """An English page found in French or Spanish only through its vocabulary: a topic named
    in three languages (with synonyms) and a country whose names come from pycountry."""
    topic = Topic.objects.create(
        code="electronic-seals",
        name_en="Electronic seals",
        name_fr="Scellés électroniques",
        name_es="Precintos electrónicos",
        synonyms_fr="plombage",
        synonyms_es="marchamo",
    )
    return CaseStudyPageFactory(
        parent=community_for(region),
        title="Hamburg clears containers faster",
        summary="Checks happen on arrival.",
        what_happened="",
        lessons_learned="",
        regions=[region],
        countries=[Country.objects.get(code="DE")],
        topics=[topic],
        language="en",
    )


class LanguageConformance:
    """Stemming, stop words, the glossary and suggestions across English, French and Spanish,
    over a corpus of their own (indexed once per class)."""

    @pytest.fixture(scope="class")
    @classmethod
    def corpus(cls, engine: SearchEngine, django_db_setup, django_db_blocker) -> Corpus:
        with django_db_blocker.unblock(), transaction.atomic():
            pages = _build_languages_corpus()
            corpus = Corpus({k: p.pk for k, p in pages.items()}, list(iter_documents()))
            transaction.set_rollback(True)
        engine.clear()
        engine.ensure_index()
        engine.index_documents(corpus.documents)
        engine.refresh()
        return corpus

    @pytest.fixture
    def search(self, engine, corpus):
        def run(text="", **kwargs):
            return engine.search(SearchQuery(text=text, **kwargs))

        return run

    def test_spanish_stemming(self, search, corpus):
        assert corpus.names(search("reforzados")) == ["aduana"]  # "reforzaron"
        assert corpus.names(search("aduanas"))[0] == "aduana"  # "aduana"

    def test_stop_words_need_not_match(self, search, corpus):
        results = search("drug trafficking at ports")  # nothing has "at"
        assert corpus.names(results) == ["drugs"]
        assert not results.relaxed
        results = search("gestion des risques de corruption")  # nothing has "de"
        assert corpus.names(results) == ["risques"]
        assert not results.relaxed

    def test_a_query_of_stop_words_only_must_match_them(self, search, corpus):
        # "des", and "de" in "pots-de-vin" (the French stemmer makes "de" of both)
        assert corpus.names(search("des")) == ["risques", "potsdevin"]
        strict = search("at the")  # "Bribery at the border" only: both must match
        assert corpus.names(strict) == ["bribery"] and not strict.relaxed
        assert search("for the").relaxed  # none has both: the fallback, as for other words

    def test_glossary_finds_translations(self, search, corpus):
        assert set(corpus.names(search("pots-de-vin"))) == {"potsdevin", "bribery"}
        assert set(corpus.names(search("soborno"))) == {"potsdevin", "bribery"}
        assert corpus.names(search("guichet unique")) == ["window"]
        assert corpus.names(search("ventanilla única")) == ["window"]
        assert corpus.names(search("trafic de drogue")) == ["drugs"]

    def test_vocabulary_names_in_every_language_find_the_item(self, search, corpus):
        for text in ("Scellés électroniques", "precintos electronicos", "marchamo", "plombage"):
            assert corpus.names(search(text)) == ["seals"], text  # its topic, not its words
        for text in ("Allemagne", "Alemania", "Germany"):
            assert corpus.names(search(text)) == ["seals"], text  # its country (pycountry)

    def test_exact_words_rank_above_translations(self, search, corpus):
        assert corpus.names(search("pots-de-vin")) == ["potsdevin", "bribery"]
        assert corpus.names(search("bribery")) == ["bribery", "potsdevin"]

    def test_translations_are_marked_in_snippets(self, search, corpus):
        (hit,) = search("ventanilla única").hits  # found by "single window"
        marked = " ".join(re.findall(r"<mark>([^<]*)</mark>", hit.snippet))
        assert "Single" in marked and "window" in marked

    def test_unknown_words_get_a_suggestion(self, search, corpus):
        results = search("cartografie")  # two edits from "cartographie": no typo match
        assert results.total == 0
        assert results.suggestion == "cartographie"
        assert corpus.names(search(results.suggestion)) == ["risques"]
        results = search('Cartografie "single window"')  # the rest of the text is kept
        assert results.total == 1 and results.relaxed and results.suggestion == ""
        assert search("corruption cartografie").suggestion == ""  # results: nothing to fix

    def test_no_suggestion_without_a_near_term(self, search):
        results = search("xylophone")
        assert results.total == 0 and results.suggestion == ""

    def test_a_suggestion_must_find_something_for_the_viewer(self, search):
        results = search("cartografie", filters={"language": ("es",)})
        assert results.total == 0 and results.suggestion == ""


class FailingEngine(SearchEngine):
    """Wraps an engine; every write raises EngineUnavailable, as when the engine is down."""

    name = "failing"

    def __init__(self, inner: SearchEngine):
        self.inner = inner

    @classmethod
    def from_settings(cls):
        raise NotImplementedError

    def _down(self, *args, **kwargs):
        raise EngineUnavailable("connection refused (test)")

    ensure_index = index_documents = delete_documents = rebuild = clear = _down

    def search(self, query):
        return self.inner.search(query)

    def pivot(self, query, rows, columns):
        return self.inner.pivot(query, rows, columns)

    def fingerprints(self):
        return self.inner.fingerprints()

    def refresh(self):
        self.inner.refresh()

    def ping(self):
        return False


class PipelineConformance:
    """Page changes reach the engine through signals, the outbox and the drain task."""

    @pytest.fixture(scope="class")
    @classmethod
    def world(cls, django_db_setup, django_db_blocker):
        """Vocabularies and site tree built once per class (slow); each test's own
        transaction is a savepoint inside this one and rolls back to it."""
        with django_db_blocker.unblock():
            outer = transaction.atomic()
            outer.__enter__()
            load_vocabularies()
            ensure_site_tree()
        yield
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)

    @pytest.fixture
    def live(self, world, db, engine, monkeypatch, django_capture_on_commit_callbacks):
        engine.clear()
        engine.ensure_index()
        monkeypatch.setattr(search.engines, "get_engine", lambda: engine)

        class Live:
            def commit(self):
                """Run on-commit work (the drain task) as a real transaction would."""
                return django_capture_on_commit_callbacks(execute=True)

            def search(self, text="", visibilities=PUBLIC, **kwargs):
                engine.refresh()
                return engine.search(SearchQuery(text=text, visibilities=visibilities, **kwargs))

            def ids(self, text="", visibilities=PUBLIC, **kwargs):
                return [h.id for h in self.search(text, visibilities, **kwargs).hits]

        return Live()

    @staticmethod
    def eur():
        return Region.objects.get(code="EUR")

    def make(self, live, **kwargs):
        with live.commit():
            return CaseStudyPageFactory(
                parent=community_for(self.eur()), regions=[self.eur()], **kwargs
            )

    def test_index_creation_and_bulk_indexing(self, engine, live):
        assert engine.search(SearchQuery()).total == 0
        engine.ensure_index()  # idempotent
        page = self.make(live, title="Quokka survey")
        (document,) = [d for d in iter_documents() if d["id"] == page.pk]
        engine.clear()
        engine.ensure_index()
        assert live.search().total == 0
        assert engine.index_documents([document]) == 1
        assert engine.index_documents([dict(document, title="Quokka census")]) == 1  # replaces
        assert engine.index_documents([]) == 0
        engine.ensure_index()  # leaves existing documents alone
        assert live.ids("quokka") == [page.pk]
        assert live.ids("census") == [page.pk]
        assert live.search().total == 1

    def test_publish_update_unpublish(self, live):
        page = self.make(live, title="Quokka survey")
        assert live.ids("quokka") == [page.pk]
        page.title = "Wombat survey"
        with live.commit():
            page.save_revision().publish()
        assert live.ids("quokka") == []
        assert live.ids("wombat") == [page.pk]
        with live.commit():
            page.unpublish()
        assert live.ids("wombat") == []
        assert IndexUpdate.objects.count() == 0

    def test_drafts_and_private_pages_are_not_indexed(self, live):
        self.make(live, title="Quokka draft", publish=False)
        private = self.make(live, title="Quokka private")
        with live.commit():
            PageViewRestriction.objects.create(
                page=private, restriction_type=PageViewRestriction.PASSWORD, password="x"
            )
        assert live.ids("quokka", MEMBERS) == []

    def test_move(self, live):
        page = self.make(live, title="Quokka survey")
        target = community_for(Region.objects.get(code="AP"))
        with live.commit():
            page.move(target, pos="last-child")
        (hit,) = live.search("quokka").hits
        assert hit.url.startswith(target.url)

    def test_delete(self, live):
        page = self.make(live, title="Quokka survey")
        with live.commit():
            page.delete()
        assert live.ids("quokka") == []

    def test_view_restrictions(self, live):
        page = self.make(live, title="Quokka survey")
        with live.commit():
            restrict_to_members(page)
        assert live.ids("quokka") == []
        assert live.ids("quokka", MEMBERS) == [page.pk]
        with live.commit():
            lift_members_restriction(page)
        assert live.ids("quokka") == [page.pk]
        community = community_for(self.eur())
        with live.commit():
            restrict_to_members(community)
        assert live.ids("quokka") == []
        assert live.ids("quokka", MEMBERS) == [page.pk]

    def test_vocabulary_rename(self, live):
        page = self.make(live, title="Quokka survey")
        region = self.eur()
        region.name = "Europe and the Caucasus"
        with live.commit():
            region.save()
        assert live.ids("caucasus") == [page.pk]

    def test_a_deleted_index_is_an_outage_until_reindex(self, engine, live, client, monkeypatch):
        page = self.make(live, title="Quokka survey")
        engine.clear()  # the index (the alias, the folder) is deleted behind the site's back
        monkeypatch.setattr(service, "get_engine", lambda: engine)
        response = client.get("/api/search/", {"q": "quokka"})
        assert response.status_code == 503 and response["Retry-After"]
        with pytest.raises(IndexMissing, match="run manage.py reindex"):
            engine.fingerprints()
        page.title = "Wombat survey"
        with live.commit():  # publishing succeeds; the drain fails and keeps the update
            page.save_revision().publish()
        assert [row.page_id for row in IndexUpdate.objects.all()] == [page.pk]
        with pytest.raises(IndexMissing):  # neither the search nor the drain made an index
            engine.search(SearchQuery(text="wombat"))

        call_command("reindex", "--no-progress", stdout=io.StringIO())
        assert IndexUpdate.objects.count() == 0
        assert live.ids("wombat") == [page.pk]
        assert client.get("/api/search/", {"q": "wombat"}).json()["total"] == 1

    def test_contributing_partner_rename(self, live):
        """A study reaches its contributor by foreign key, not its partner list; renaming the
        contributor still re-indexes it."""
        partner = PartnerOrganisation.objects.get(acronym="TI")
        with live.commit():
            study = PartnerStudyPageFactory(
                contributing_partner=partner, regions=[self.eur()], title="Quokka study"
            )
        partner.name = "Transparency Wombats"
        with live.commit():
            partner.save()
        assert live.ids("wombats") == [study.pk]

    def test_engine_outage_loses_nothing(self, engine, live, monkeypatch):
        monkeypatch.setattr(search.engines, "get_engine", lambda: FailingEngine(engine))
        page = self.make(live, title="Quokka survey")  # publishing succeeds
        page.refresh_from_db()
        assert page.live
        queued = list(IndexUpdate.objects.all())
        assert [row.page_id for row in queued] == [page.pk]
        assert queued[0].attempts >= 1
        assert "EngineUnavailable" in queued[0].last_error
        assert live.ids("quokka") == []
        with pytest.raises(Exception, match="updates kept"):
            call_command("drain_index_updates", stdout=io.StringIO())

        monkeypatch.setattr(search.engines, "get_engine", lambda: engine)
        call_command("drain_index_updates", stdout=io.StringIO())
        assert IndexUpdate.objects.count() == 0
        assert live.ids("quokka") == [page.pk]
        call_command("search_check", stdout=io.StringIO())  # clean: no CommandError


class RelatedConformance:
    """ "More like this" (`SearchEngine.related`) over the QueryConformance corpus."""

    corpus = QueryConformance.__dict__["corpus"]

    @pytest.fixture
    def related(self, engine, corpus):
        def run(name, visibilities=PUBLIC, **kwargs):
            hits = engine.related(corpus.ids[name], visibilities, **kwargs)
            return corpus.names(SearchResultsOf(hits))

        return run

    def test_the_item_itself_is_never_related(self, related, corpus):
        for name in ("rotation", "handbook", "procedure", "standard", "study", "members"):
            assert name not in related(name, MEMBERS), name

    def test_shared_topic_and_words_rank_above_an_unrelated_item(self, related):
        """The handbook and the standard share a topic (code of conduct) and words (customs,
        inspection); the French procedure shares nothing with the handbook."""
        names = related("handbook")
        assert "standard" in names
        assert "procedure" not in names or names.index("standard") < names.index("procedure")

    def test_shared_vocabulary_alone_relates(self, related):
        """The study shares no telling word with the rotation case but its topic and partner."""
        assert "study" in related("rotation")

    def test_members_only_items_only_for_members(self, related):
        assert "members" not in related("rotation")
        assert "members" in related("rotation", MEMBERS)
        assert related("members") == []  # a hidden item's neighbours would tell its subject
        assert "rotation" in related("members", MEMBERS)

    def test_unknown_and_unindexed_items_have_none(self, engine, related, corpus):
        assert engine.related(999_999, MEMBERS) == ()
        for name in ("draft", "withdrawn", "private"):
            assert related(name, MEMBERS) == [], name

    def test_size_and_display_fields(self, engine, related, corpus):
        assert len(related("rotation", MEMBERS, size=1)) == 1
        hits = engine.related(corpus.ids["handbook"], PUBLIC)
        (standard,) = [h for h in hits if h.id == corpus.ids["standard"]]
        assert standard.title == "Anti-corruption strategy"
        assert standard.topics == ("code-of-conduct",) and standard.regions == ("AP",)
        assert standard.url.endswith("/anti-corruption-strategy/")
        scores = [h.score for h in hits]
        assert scores == sorted(scores, reverse=True)


class PivotConformance:
    """Counts by two facets at once (`SearchEngine.pivot`) over the QueryConformance corpus:
    public items are rotation (EUR, automation), handbook (EUR, code of conduct), procedure
    (WCA, human resources), standard (AP, code of conduct) and study (ESA, automation); the
    members-only case is EUR, automation too."""

    corpus = QueryConformance.__dict__["corpus"]

    @pytest.fixture
    def pivot(self, engine, corpus):
        def run(text="", visibilities=PUBLIC, rows="region", columns="topic", **kwargs):
            query = SearchQuery(text=text, visibilities=visibilities, **kwargs)
            return engine.pivot(query, rows, columns)

        return run

    def test_public_items_by_region_and_topic(self, pivot):
        counted = pivot()
        assert counted.cells == {
            ("EUR", "automation"): 1,
            ("EUR", "code-of-conduct"): 1,
            ("WCA", "human-resources"): 1,
            ("AP", "code-of-conduct"): 1,
            ("ESA", "automation"): 1,
        }
        assert counted.rows == {"EUR": 2, "WCA": 1, "AP": 1, "ESA": 1}
        assert counted.columns == {"automation": 2, "code-of-conduct": 2, "human-resources": 1}
        assert counted.total == 5
        assert counted.count("EUR", "automation") == 1
        assert counted.count("MENA", "automation") == 0

    def test_members_count_members_only_items(self, pivot):
        counted = pivot(visibilities=MEMBERS)
        assert counted.count("EUR", "automation") == 2
        assert counted.rows["EUR"] == 3 and counted.columns["automation"] == 3
        assert counted.total == 6

    def test_drafts_unpublished_and_private_items_never_counted(self, pivot):
        """Each of them is EUR or AMC and automation, and says "zanzibar"."""
        counted = pivot("zanzibar", visibilities=MEMBERS)
        assert counted.cells == {("EUR", "automation"): 1}
        assert "AMC" not in pivot(visibilities=MEMBERS).rows
        hidden = pivot("zanzibar")
        assert (hidden.cells, hidden.rows, hidden.columns, hidden.total) == ({}, {}, {}, 0)

    def test_selections_filter_the_items(self, pivot):
        counted = pivot(visibilities=MEMBERS, filters={"type": ("case_study",)})
        assert counted.cells == {("EUR", "automation"): 2}
        assert counted.total == 2
        counted = pivot(filters={"region": ("EUR",)})  # its items' other codes still count
        assert counted.rows == {"EUR": 2}
        assert counted.columns == {"automation": 1, "code-of-conduct": 1}

    def test_text_query(self, pivot):
        counted = pivot("corruption")
        assert counted.cells == {
            ("WCA", "human-resources"): 1,
            ("AP", "code-of-conduct"): 1,
            ("ESA", "automation"): 1,
        }
        assert counted.total == 3

    def test_any_two_facets(self, pivot):
        """Partners by region, the contributing partner of a study included."""
        counted = pivot(rows="partner", columns="region")
        assert counted.cells == {("TI", "EUR"): 1, ("TI", "ESA"): 1, ("UNODC", "AP"): 1}
        assert counted.rows == {"TI": 2, "UNODC": 1}
        assert pivot(rows="year", columns="type").count("2022", "handbook") == 1

    def test_unknown_facets_are_refused(self, pivot):
        for rows, columns in [("region", "colour"), ("visibility", "topic"), ("topic", "topic")]:
            with pytest.raises(ValueError):
                pivot(rows=rows, columns=columns)


@dataclass
class SearchResultsOf:
    """Hits in the shape `Corpus.names` reads."""

    hits: tuple
