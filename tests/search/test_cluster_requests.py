"""The Elasticsearch engine without a server: what it sends, and what it makes of answers.

The real elasticsearch-py client serialises and sends every request through
elastic_transport; only the network node is replaced (`ReplayNode`), answering with JSON
recorded from the real OpenSearch node (cluster_recordings.json, kept honest by
test_cluster_live.py) plus the `X-Elastic-Product` header an Elasticsearch server sends.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from urllib.parse import parse_qs, urlsplit

import elastic_transport
import pytest
from elastic_transport import ApiResponseMeta, BaseNode, HttpHeaders
from elastic_transport._node import NodeApiResponse

from search import schema
from search.engines.base import EngineUnavailable, IndexMissing, SearchQuery
from search.engines.cluster import OPENSEARCH, ElasticsearchEngine
from search.engines.cluster_queries import build_search
from search.engines.transports import ClusterSettings, ElasticsearchClient

from . import cluster_recording as rec

RECORDED = json.loads(rec.RECORDINGS.read_text())["answers"]
ALIAS = "recorded-knowledge"


@dataclass
class Sent:
    method: str
    path: str
    params: dict
    headers: dict
    body: object  # dict, list of NDJSON lines, or None


@dataclass
class Server:
    """Routes (method, path regex) to recorded answers; keeps every request it receives."""

    routes: list[tuple[str, str, object]] = field(default_factory=list)
    received: list[Sent] = field(default_factory=list)
    product: str | None = "Elasticsearch"
    down: bool = False

    def answer(self, method: str, target: str, body: bytes | None, headers) -> tuple[int, dict]:
        if self.down:
            raise elastic_transport.ConnectionError("connection refused")
        url = urlsplit(target)
        text = body.decode() if body else ""
        if "ndjson" in (headers or {}).get("content-type", ""):
            decoded: object = [json.loads(line) for line in text.splitlines() if line]
        else:
            decoded = json.loads(text) if text else None
        sent = Sent(method, url.path, parse_qs(url.query), dict(headers or {}), decoded)
        self.received.append(sent)
        for route_method, pattern, reply in self.routes:
            if route_method == method and re.fullmatch(pattern, url.path):
                recorded = RECORDED[reply] if isinstance(reply, str) else reply(sent)
                return recorded["status"], recorded["body"]
        raise AssertionError(f"unexpected request {method} {url.path}")

    def paths(self) -> list[tuple[str, str]]:
        return [(s.method, s.path) for s in self.received]


@pytest.fixture
def server():
    return Server()


@pytest.fixture
def replay_node(server) -> type[BaseNode]:
    """An elastic_transport node class whose network is `server`."""

    class ReplayNode(BaseNode):
        def perform_request(self, method, target, body=None, headers=None, request_timeout=None):
            status, payload = server.answer(method, target, body, headers)
            response_headers = {"content-type": "application/json"}
            if server.product:
                response_headers["x-elastic-product"] = server.product
            meta = ApiResponseMeta(
                status=status,
                http_version="1.1",
                headers=HttpHeaders(response_headers),
                duration=0.0,
                node=self.config,
            )
            return NodeApiResponse(meta, json.dumps(payload).encode())

    return ReplayNode


@pytest.fixture
def engine(replay_node):
    client = ElasticsearchClient(ClusterSettings(url="http://es.test:9200"), node_class=replay_node)
    return ElasticsearchEngine(client, prefix=rec.PREFIX)


def alias_listing() -> str:
    return rf"/{re.escape(ALIAS)}-(\*|%2A)/_alias"


# -- index creation --------------------------------------------------------------------


def test_ensure_index_creates_the_schema_index_behind_the_alias(server, engine):
    server.routes = [
        ("GET", alias_listing(), "aliases_none"),
        ("PUT", rf"/{ALIAS}-\d{{20}}", "create_index"),
    ]
    engine.ensure_index()

    (listing, create) = server.received
    assert listing.headers["accept"].startswith("application/vnd.elasticsearch+json")
    body = create.body
    assert body["aliases"] == {ALIAS: {}}
    analyzers = body["settings"]["analysis"]["analyzer"]
    assert {"folded", "english_folded", "french_folded", "spanish_folded"} <= set(analyzers)
    assert "asciifolding" in analyzers["english_folded"]["filter"]
    stemmers = body["settings"]["analysis"]["filter"]
    assert {f["language"] for f in stemmers.values()} == {"porter2", "french", "spanish"}
    properties = body["mappings"]["properties"]
    for facet in schema.FACETS:
        assert properties[facet.name] == {"type": "keyword"}
    for text in schema.TEXT_FIELDS:
        subfields = properties[text.name].get("fields", {})
        stemmed = text.analysis is schema.Analysis.STEMMED
        assert set(subfields) == ({"en", "fr", "es"} if stemmed else set())
        # highlighted fields keep offsets, so snippets need no re-analysis of the text
        offsets = [properties[text.name], *subfields.values()]
        assert {f.get("index_options") == "offsets" for f in offsets} == {text.highlight}
    assert body["mappings"]["dynamic"] == "strict"
    assert body["settings"]["max_result_window"] == schema.MAX_RESULT_WINDOW


def test_ensure_index_leaves_an_existing_alias_alone(server, engine):
    server.routes = [("GET", alias_listing(), "aliases_one")]
    engine.ensure_index()
    assert server.paths() == [("GET", server.received[0].path)]


# -- writes ----------------------------------------------------------------------------


def test_index_documents_sends_one_bulk_to_the_alias(server, engine):
    server.routes = [("GET", alias_listing(), "aliases_one"), ("PUT", "/_bulk", "bulk_ok")]
    assert engine.index_documents(rec.DOCUMENTS) == len(rec.DOCUMENTS)

    bulk = server.received[-1]
    assert bulk.headers["content-type"].startswith("application/vnd.elasticsearch+x-ndjson")
    actions, sources = bulk.body[::2], bulk.body[1::2]
    assert actions == [{"index": {"_index": ALIAS, "_id": str(d["id"])}} for d in rec.DOCUMENTS]
    assert sources == rec.DOCUMENTS
    # should the alias vanish after the check, the server refuses rather than creating an index
    assert bulk.params["require_alias"] == ["true"]


def test_a_rejected_document_raises_unavailable_so_the_outbox_keeps_it(server, engine):
    server.routes = [("GET", alias_listing(), "aliases_one"), ("PUT", "/_bulk", "bulk_mixed")]
    with pytest.raises(EngineUnavailable, match="strict_dynamic_mapping_exception"):
        engine.index_documents([rec.document(9, unknown_field="x")])


def test_deleting_unknown_ids_is_not_an_error(server, engine):
    answer = RECORDED["bulk_mixed"] | {
        "body": RECORDED["bulk_mixed"]["body"]
        | {"items": RECORDED["bulk_mixed"]["body"]["items"][1:]}
    }
    server.routes = [
        ("GET", alias_listing(), "aliases_one"),
        ("PUT", "/_bulk", lambda sent: answer),
    ]
    engine.delete_documents([404, 2])
    assert server.received[-1].body == [
        {"delete": {"_index": ALIAS, "_id": "404"}},
        {"delete": {"_index": ALIAS, "_id": "2"}},
    ]


def test_rebuild_fills_a_new_index_then_moves_the_alias_in_one_call(server, engine, monkeypatch):
    # the recorded cluster went from index "-0" to "-1"; name the new index like it
    monkeypatch.setattr("search.engines.cluster.new_index_name", lambda prefix: rec.INDEX)
    listings = iter(["aliases_one", "aliases_two"])
    server.routes = [
        ("PUT", f"/{rec.INDEX}", "create_new_index"),
        ("PUT", "/_bulk", "bulk_ok"),
        ("PUT", f"/{rec.INDEX}/_settings", "serving_settings"),
        ("POST", f"/{rec.INDEX}/_refresh", "refresh"),
        ("GET", alias_listing(), lambda sent: RECORDED[next(listings)]),
        ("POST", "/_aliases", "update_aliases"),
        ("DELETE", r"/[^/]+", "delete_index"),
    ]
    progress: list[int] = []
    assert engine.rebuild(rec.DOCUMENTS, progress.append) == 4
    assert progress == [1, 2, 3, 4]

    methods = [m for m, _ in server.paths()]
    assert methods == ["PUT", "PUT", "PUT", "POST", "GET", "POST", "GET", "DELETE"]
    new = server.received[0].path.lstrip("/")
    created = server.received[0].body
    assert "aliases" not in created  # invisible until complete
    # filled without periodic refreshes or a replica, then set up to serve before the swap
    assert created["settings"]["refresh_interval"] == "-1"
    assert created["settings"]["number_of_replicas"] == 0
    assert {a["index"]["_index"] for a in server.received[1].body[::2]} == {new}
    assert "require_alias" not in server.received[1].params  # the new index has no alias yet
    serving = server.received[2]
    assert serving.path == f"/{new}/_settings"
    assert serving.body["index"] == {"refresh_interval": None, "auto_expand_replicas": "0-1"}
    assert server.received[3].path == f"/{new}/_refresh"
    swap = server.received[5].body["actions"]
    assert swap == [
        {"remove": {"index": rec.OLD_INDEX, "alias": ALIAS}},
        {"add": {"index": new, "alias": ALIAS}},
    ]
    assert server.received[-1].path == f"/{rec.OLD_INDEX}"  # the old index goes last


def test_a_failed_rebuild_deletes_its_half_built_index_and_keeps_the_alias(server, engine):
    server.routes = [
        ("PUT", rf"/{ALIAS}-\d{{20}}", "create_new_index"),
        ("PUT", "/_bulk", "bulk_mixed"),
        ("DELETE", rf"/{ALIAS}-\d{{20}}", "delete_index"),
    ]
    with pytest.raises(EngineUnavailable):
        engine.rebuild([rec.document(9, unknown_field="x")])
    assert server.received[-1].path == server.received[0].path
    assert "/_aliases" not in [p for _, p in server.paths()]


def test_a_rebuild_whose_documents_fail_sends_no_half_batch(server, engine):
    def documents():
        yield rec.DOCUMENTS[0]
        raise RuntimeError("the database went away")

    server.routes = [
        ("PUT", rf"/{ALIAS}-\d{{20}}", "create_new_index"),
        ("DELETE", rf"/{ALIAS}-\d{{20}}", "delete_index"),
    ]
    with pytest.raises(RuntimeError, match="database went away"):
        engine.rebuild(documents())
    assert [m for m, _ in server.paths()] == ["PUT", "DELETE"]  # the gathered chunk is dropped
    assert server.received[1].path == server.received[0].path


# -- reads -----------------------------------------------------------------------------


def test_search_request_and_recorded_answer(server, engine):
    server.routes = [("POST", f"/{ALIAS}/_search", "search")]
    results = engine.search(rec.SEARCH)

    body = server.received[0].body
    query = body["query"]["bool"]
    assert query["filter"] == [{"terms": {"visibility": ["public"]}}]
    assert len(query["must"][0]["bool"]["must"]) == 2  # every word must match
    assert body["post_filter"] == {"bool": {"filter": [{"terms": {"region": ["EUR"]}}]}}
    # the region facet is counted without its own selection, the others with it
    assert body["aggs"]["region"]["filter"] == {"match_all": {}}
    assert body["aggs"]["country"]["filter"] == body["post_filter"]
    assert body["aggs"]["country"]["aggs"]["values"]["terms"]["size"] == 300
    assert body["aggs"]["year"]["aggs"]["values"]["terms"]["order"] == [{"_key": "desc"}]
    assert body["highlight"]["encoder"] == "html"
    assert body["highlight"]["pre_tags"] == ["<mark>"]
    assert "max_analyzed_offset" in body["highlight"]  # Elasticsearch's spelling
    assert (body["from"], body["size"], body["track_total_hits"]) == (0, 2, True)

    assert results.total == 2
    assert [h.id for h in results.hits] == [1, 3]
    first = results.hits[0]
    assert "<mark>integrity</mark>" in first.snippet.lower()
    assert first.regions == ("EUR",) and first.partners == ("TI",) and first.type == "case_study"
    assert str(first.published) == "2021-03-01"
    assert [(v.value, v.count) for v in results.facets["region"]] == [("AP", 2), ("EUR", 2)]
    assert [(v.value, v.count) for v in results.facets["country"]] == [("FR", 2)]
    assert [v.value for v in results.facets["year"]] == ["2023", "2021"]


def test_a_query_without_facets_asks_for_no_aggregations(server, engine):
    server.routes = [("POST", f"/{ALIAS}/_search", "search")]
    results = engine.search(replace(rec.SEARCH, facets=False))
    body = server.received[0].body
    assert "aggs" not in body and body["post_filter"]  # the selection still filters the hits
    assert results.total == 2 and [h.id for h in results.hits] == [1, 3]
    assert results.facets == {}


def test_snippets_are_escaped_with_only_mark_added(server, engine):
    server.routes = [("POST", f"/{ALIAS}/_search", "search")]
    for hit in engine.search(rec.SEARCH).hits:
        assert "<mark>" in hit.snippet
        assert "<" not in hit.snippet.replace("<mark>", "").replace("</mark>", "")


def test_without_a_highlight_the_snippet_is_the_escaped_summary(server, engine):
    recorded = RECORDED["search"]
    hits = [
        {k: v for k, v in hit.items() if k != "highlight"}
        for hit in recorded["body"]["hits"]["hits"]
    ]
    plain = recorded | {
        "body": recorded["body"] | {"hits": recorded["body"]["hits"] | {"hits": hits}}
    }
    server.routes = [("POST", f"/{ALIAS}/_search", lambda sent: plain)]
    snippet = engine.search(SearchQuery()).hits[0].snippet
    assert snippet == "Integrity &lt;risk&gt; &amp; controls"
    assert "highlight" not in server.received[0].body  # nothing to highlight without words


def test_selected_value_without_documents_is_kept_at_zero(server, engine):
    server.routes = [("POST", f"/{ALIAS}/_search", "search")]
    results = engine.search(SearchQuery(text="integrity", filters={"region": ("EUR", "WCA")}))
    assert ("WCA", 0) in [(v.value, v.count) for v in results.facets["region"]]


@pytest.mark.parametrize(
    "text",
    ['"unclosed phrase AND ((', "a:b OR title:/x/ ~2 ^3 \\", '-+!(){}[]^"~*?:\\/ && ||', "  "],
)
def test_reserved_characters_never_reach_a_query_parser(server, engine, text):
    server.routes = [("POST", f"/{ALIAS}/_search", "search")]
    engine.search(SearchQuery(text=text))
    sent = json.dumps(server.received[0].body)
    assert "query_string" not in sent


def test_pages_stay_inside_the_result_window(server, engine):
    server.routes = [("POST", f"/{ALIAS}/_search", "search")]
    engine.search(SearchQuery(page=10_000, page_size=20))
    body = server.received[0].body
    assert body["from"] + body["size"] <= schema.MAX_RESULT_WINDOW


@pytest.mark.parametrize(
    ("sort", "first_key"),
    [("newest", {"published": {"order": "desc", "missing": "_last"}}), ("title", "title_sort")],
)
def test_sorts(server, engine, sort, first_key):
    server.routes = [("POST", f"/{ALIAS}/_search", "search")]
    engine.search(SearchQuery(text="x", sort=sort))
    assert server.received[0].body["sort"][0] == first_key


def test_a_missing_alias_is_an_outage_not_an_empty_index(server, engine):
    server.routes = [
        ("POST", f"/{ALIAS}/_search", "search_missing_index"),
        ("POST", f"/{ALIAS}/_refresh", "search_missing_index"),
        ("GET", alias_listing(), "aliases_none"),
    ]
    with pytest.raises(IndexMissing, match=f"{ALIAS}; run manage.py reindex"):
        engine.search(SearchQuery(text="integrity"))
    with pytest.raises(IndexMissing):
        engine.fingerprints()
    with pytest.raises(IndexMissing):
        engine.index_documents(rec.DOCUMENTS)
    with pytest.raises(IndexMissing):
        engine.delete_documents([1])
    # nothing was written, and no index created: only `reindex` makes one
    assert {method for method, _ in server.paths()} == {"POST", "GET"}
    assert "/_bulk" not in [path for _, path in server.paths()]


def test_a_delete_refused_for_a_vanished_index_keeps_the_update(server, engine):
    missing = RECORDED["search_missing_index"]["body"]["error"]
    answer = {
        "status": 200,
        "body": {
            "errors": True,
            "items": [{"delete": {"_id": "2", "status": 404, "error": missing}}],
        },
    }
    server.routes = [
        ("GET", alias_listing(), "aliases_one"),
        ("PUT", "/_bulk", lambda sent: answer),
    ]
    with pytest.raises(EngineUnavailable, match="index_not_found_exception"):
        engine.delete_documents([2])


def test_fingerprints_page_with_search_after(server, engine, monkeypatch):
    monkeypatch.setattr("search.engines.cluster.FINGERPRINT_PAGE", rec.FINGERPRINT_PAGE)
    last = RECORDED["fingerprints_2"]
    past_the_end = last | {"body": last["body"] | {"hits": last["body"]["hits"] | {"hits": []}}}
    pages = iter([RECORDED["fingerprints_1"], last, past_the_end])
    server.routes = [
        ("POST", f"/{ALIAS}/_refresh", "refresh"),
        ("POST", f"/{ALIAS}/_search", lambda sent: next(pages)),
    ]
    found = engine.fingerprints()
    assert found == {1: "fp-1", 2: "fp-2", 3: "fp-3", 4: "fp-4"}
    assert server.received[0].path == f"/{ALIAS}/_refresh"  # the audit sees every write
    assert [s.body.get("search_after") for s in server.received[1:]] == [None, [2], [4]]


# -- failures --------------------------------------------------------------------------


def test_unreachable_server_raises_unavailable(server, engine):
    server.down = True
    with pytest.raises(EngineUnavailable):
        engine.index_documents(rec.DOCUMENTS)
    with pytest.raises(EngineUnavailable):
        engine.search(SearchQuery(text="x"))
    assert engine.ping() is False


def test_a_server_that_is_not_elasticsearch_is_unavailable(server, engine):
    server.product = None  # what an OpenSearch node answers to this client
    server.routes = [("POST", f"/{ALIAS}/_search", "search")]
    with pytest.raises(EngineUnavailable, match="not Elasticsearch"):
        engine.search(SearchQuery(text="x"))


# -- configuration and dialects ---------------------------------------------------------


def test_from_settings_sends_the_api_key(settings, server, replay_node, monkeypatch):
    dialect = replace(
        ElasticsearchEngine.dialect, client=lambda s: ElasticsearchClient(s, node_class=replay_node)
    )
    monkeypatch.setattr(ElasticsearchEngine, "dialect", dialect)
    settings.ELASTICSEARCH_URL = "https://es.example:9243"
    settings.ELASTICSEARCH_API_KEY = "a2V5"
    settings.SEARCH_INDEX_PREFIX = "recorded"
    server.routes = [("POST", f"/{ALIAS}/_search", "search")]
    ElasticsearchEngine.from_settings().search(SearchQuery(text="x"))
    assert server.received[0].headers["authorization"] == "ApiKey a2V5"


def test_from_settings_requires_the_url(settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.ELASTICSEARCH_URL = ""
    with pytest.raises(ImproperlyConfigured, match="ELASTICSEARCH_URL"):
        ElasticsearchEngine.from_settings()


def test_the_two_servers_get_the_same_body_but_for_the_named_differences():
    query = SearchQuery(text="integrity", filters={"topic": ("automation",)})
    es = build_search(query, ElasticsearchEngine.dialect.highlight_limit_key).to_dict()
    os_ = build_search(query, OPENSEARCH.highlight_limit_key).to_dict()
    assert es["highlight"].pop("max_analyzed_offset") == os_["highlight"].pop("max_analyzer_offset")
    assert es == os_


# -- related items ---------------------------------------------------------------------


def test_related_asks_for_the_item_then_more_like_it(server, engine):
    answers = iter(["related_lookup", "related"])
    server.routes = [("POST", f"/{ALIAS}/_search", lambda sent: RECORDED[next(answers)])]
    hits = engine.related(rec.RELATED_TO, ("public",))

    lookup, related = (sent.body for sent in server.received)
    assert lookup["query"]["bool"]["filter"] == [
        {"ids": {"values": ["1"]}},
        {"terms": {"visibility": ["public"]}},
    ]
    query = related["query"]["bool"]
    (like, *shared) = query["must"][0]["bool"]["should"]
    assert like["more_like_this"]["like"] == [{"_id": "1"}]
    assert {"term": {"topic": {"value": "code-of-conduct", "boost": 3.0}}} in shared
    assert {"term": {"partner": {"value": "TI", "boost": 1.5}}} in shared
    assert query["filter"] == [{"terms": {"visibility": ["public"]}}]
    assert query["must_not"] == [{"ids": {"values": ["1"]}}]
    assert related["size"] == 5

    assert hits and rec.RELATED_TO not in [h.id for h in hits]
    assert hits[0].id == 3  # same region and topic as item 1, and the same words
    assert hits[0].topics == ("code-of-conduct",) and hits[0].language == "en"
    assert hits[0].countries == ("FR",)


def test_related_to_an_unknown_or_hidden_item_is_one_request_and_nothing(server, engine):
    server.routes = [("POST", f"/{ALIAS}/_search", "related_lookup_unknown")]
    assert engine.related(404, ("public",)) == ()
    assert len(server.received) == 1


# -- pivots ----------------------------------------------------------------------------


def test_pivot_is_one_request_of_nested_terms(server, engine):
    server.routes = [("POST", f"/{ALIAS}/_search", "pivot")]
    counted = engine.pivot(rec.PIVOT, "region", "topic")

    (sent,) = server.received
    body = sent.body
    assert body["query"]["bool"]["filter"] == [
        {"terms": {"visibility": ["public"]}},
        {"bool": {"filter": [{"terms": {"year": ["2021", "2022", "2023"]}}]}},
    ]
    assert "post_filter" not in body  # selections filter the items counted
    assert (body["size"], body["track_total_hits"]) == (0, True)
    rows = body["aggs"]["rows"]
    region_size = next(f.size for f in schema.FACETS if f.name == "region")
    assert rows["terms"] == {"field": "region", "size": region_size}  # every region counted
    assert rows["aggs"]["columns"]["terms"]["field"] == "topic"
    assert body["aggs"]["columns"] == rows["aggs"]["columns"]

    # items 1 and 3 are EUR, 2 is AP, all on the code of conduct; 4 is of another year
    assert counted.cells == {("EUR", "code-of-conduct"): 2, ("AP", "code-of-conduct"): 1}
    assert counted.rows == {"EUR": 2, "AP": 1}
    assert counted.columns == {"code-of-conduct": 3}
    assert counted.total == 3


def test_pivot_refuses_unknown_facets_before_asking(server, engine):
    with pytest.raises(ValueError, match="not a facet: colour"):
        engine.pivot(SearchQuery(), "region", "colour")
    assert server.received == []


def test_pivot_on_an_unreachable_server_is_unavailable(server, engine):
    server.down = True
    with pytest.raises(EngineUnavailable):
        engine.pivot(SearchQuery(), "region", "topic")
