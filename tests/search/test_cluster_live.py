"""Live OpenSearch checks beyond the conformance suite: the index as the server sees it,
a rebuild under search load, the engine down during publishing, and the recordings that
the offline request tests replay."""

from __future__ import annotations

import io
import threading
import time

import pytest
from django.core.management import call_command
from opensearchpy import OpenSearch

import search.engines
from knowledge.vocabularies import Region
from search import drain, schema
from search.engines.base import SearchQuery
from search.engines.cluster import ClusterEngine, OpenSearchEngine
from search.engines.transports import ClusterSettings
from search.models import IndexUpdate
from tests import live_node
from tests.factories import CaseStudyPageFactory, community_for

from . import cluster_recording as rec
from .test_cluster_conformance import test_prefix

PAGES_DURING_OUTAGE = 100
SLOWEST_PUBLISH_SECONDS = 5  # creating + publishing one page here takes ~0.5 s
OUTAGE_ENGINE_BUDGET_SECONDS = 5  # all refused engine calls together


def timed(function, seconds: list[float]):
    """`function`, appending each call's duration to `seconds`."""

    def wrapper(*args, **kwargs):
        started = time.monotonic()
        try:
            return function(*args, **kwargs)
        finally:
            seconds.append(time.monotonic() - started)

    return wrapper


@pytest.fixture(scope="session")
def opensearch_url() -> str:
    return live_node.url_or_skip()


@pytest.fixture
def engine(opensearch_url):
    engine = OpenSearchEngine.connect(ClusterSettings(opensearch_url), test_prefix())
    yield engine
    engine.clear()


@pytest.fixture
def raw(opensearch_url) -> OpenSearch:
    return OpenSearch(hosts=[opensearch_url])


def test_index_is_created_from_the_schema(engine, raw):
    engine.ensure_index()
    (name,) = raw.indices.get_alias(name=engine.alias)
    assert name.startswith(f"{engine.alias}-")
    mapping = raw.indices.get_mapping(index=engine.alias)[name]["mappings"]
    properties = mapping["properties"]
    for facet in schema.FACETS:
        assert properties[facet.name]["type"] == "keyword"
    for text in schema.TEXT_FIELDS:
        assert properties[text.name]["analyzer"] == "folded"
        if text.analysis is schema.Analysis.STEMMED:
            assert properties[text.name]["fields"]["en"]["analyzer"] == "english_folded"
            assert properties[text.name]["fields"]["fr"]["analyzer"] == "french_folded"
    assert mapping["dynamic"] == "strict"
    analysis = raw.indices.get_settings(index=name)[name]["settings"]["index"]["analysis"]
    assert {"folded", "english_folded", "french_folded"} <= set(analysis["analyzer"])

    def tokens(analyzer: str, text: str) -> list[str]:
        answer = raw.indices.analyze(index=name, body={"analyzer": analyzer, "text": text})
        return [t["token"] for t in answer["tokens"]]

    assert tokens("folded", "Contrôles l'intégrité") == ["controles", "l", "integrite"]
    assert tokens("english_folded", "procedures inspections") == ["procedur", "inspect"]
    assert tokens("french_folded", "contrôles douanières") == ["control", "douanier"]


def test_rebuild_moves_the_alias_while_searches_keep_answering(engine, raw):
    old = [rec.document(i % 4 + 1) | {"id": i} for i in range(1, 301)]
    new = old + [rec.document(i % 4 + 1) | {"id": i} for i in range(301, 1201)]
    engine.ensure_index()
    engine.index_documents(old)
    engine.refresh()
    (before,) = raw.indices.get_alias(name=engine.alias)

    totals, errors, done = [], [], threading.Event()

    def keep_searching():
        query = SearchQuery(text="integrity", filters={"region": ("EUR",)})
        while not done.is_set():
            try:
                totals.append(engine.search(SearchQuery()).total)
                engine.search(query)
            except Exception as exc:  # any failure during the switch is a defect
                errors.append(exc)

    def slowly(documents):  # a rebuild long enough for many searches to overlap it
        for document in documents:
            time.sleep(0.002)
            yield document

    searcher = threading.Thread(target=keep_searching)
    searcher.start()
    try:
        assert engine.rebuild(slowly(new)) == len(new)
        time.sleep(0.3)  # and a few searches after the switch
    finally:
        done.set()
        searcher.join()
    assert errors == []
    assert set(totals) == {len(old), len(new)}  # the old index, then the new one: never less
    assert totals == sorted(totals)  # and never back
    (after,) = raw.indices.get_alias(name=engine.alias)
    assert after != before and not raw.indices.exists(index=before)
    assert engine.search(SearchQuery()).total == len(new)


def test_engine_down_publishing_succeeds_quickly_and_nothing_is_lost(
    opensearch_url, site_tree, settings, django_capture_on_commit_callbacks, monkeypatch
):
    """Publish 100 pages through the real pipeline (signals, outbox, drain task) while the
    engine's port is closed, then bring it back, drain, and audit."""
    prefix = test_prefix()
    OpenSearchEngine.connect(ClusterSettings(opensearch_url), prefix).ensure_index()  # the site's
    settings.SEARCH_ENGINE = "opensearch"
    settings.SEARCH_INDEX_PREFIX = prefix
    settings.OPENSEARCH_URL = f"http://127.0.0.1:{live_node.free_port()}"  # nothing listens
    search.engines.get_engine.cache_clear()
    in_drain, in_engine = [], []
    monkeypatch.setattr(drain, "drain", timed(drain.drain, in_drain))
    for method in ("index_documents", "delete_documents"):
        monkeypatch.setattr(ClusterEngine, method, timed(getattr(ClusterEngine, method), in_engine))
    europe = Region.objects.get(code="EUR")
    parent = community_for(europe)
    try:
        each = []
        for n in range(PAGES_DURING_OUTAGE):
            started = time.monotonic()
            with django_capture_on_commit_callbacks(execute=True):
                page = CaseStudyPageFactory(parent=parent, regions=[europe], title=f"Outage {n}")
            each.append(time.monotonic() - started)
            assert page.live
        print(
            f"\n{PAGES_DURING_OUTAGE} pages published with the engine down: "
            f"{sum(each):.1f}s in all, slowest {max(each):.2f}s, "
            f"{sum(in_drain):.1f}s of it in {len(in_drain)} failed drains, "
            f"{sum(in_engine):.2f}s of that in {len(in_engine)} refused engine calls"
        )
        assert max(each) < SLOWEST_PUBLISH_SECONDS  # nobody waits on the dead engine
        assert sum(in_engine) < OUTAGE_ENGINE_BUDGET_SECONDS
        assert IndexUpdate.objects.count() >= PAGES_DURING_OUTAGE
        assert "EngineUnavailable" in IndexUpdate.objects.first().last_error

        settings.OPENSEARCH_URL = opensearch_url  # the engine is back
        search.engines.get_engine.cache_clear()
        call_command("drain_index_updates", stdout=io.StringIO())
        assert IndexUpdate.objects.count() == 0
        out = io.StringIO()
        call_command("search_check", stdout=out)  # CommandError (exit 1) if anything is off
        assert "matches the database" in out.getvalue()
        engine = search.engines.get_engine()
        engine.refresh()
        assert engine.search(SearchQuery(text="outage")).total == PAGES_DURING_OUTAGE
    finally:
        OpenSearchEngine.connect(ClusterSettings(opensearch_url), prefix).clear()
        search.engines.get_engine.cache_clear()


def test_recorded_answers_still_match_the_server(opensearch_url):
    """The request tests replay cluster_recordings.json; the node must still say the same."""
    stored = rec.normalised(__import__("json").loads(rec.RECORDINGS.read_text())["answers"])
    assert rec.normalised(rec.record(rec.opensearch_sender(opensearch_url))) == stored
