"""Elasticsearch and OpenSearch engines: one implementation, two clients.

Bodies (mapping, queries, facets, highlight, alias moves) are built once with
elasticsearch-dsl (cluster_documents, cluster_queries); a `ServerDialect` names what the
two servers really do differently and which client library carries the request
(transports). Writes go through the alias `{prefix}-knowledge`; a rebuild fills a new
`{prefix}-knowledge-{timestamp}` index and moves the alias in one `_aliases` call, so
searches never see a half-built index.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.conf import settings

from search import policy, schema
from search.query_plan import QueryPlan

from .base import (
    EngineUnavailable,
    Hit,
    Pivot,
    ProgressCallback,
    SearchEngine,
    SearchQuery,
    SearchResults,
)
from .cluster_documents import (
    SERVING_SETTINGS,
    alias_name,
    index_definition,
    index_pattern,
    new_index_name,
)
from .cluster_queries import (
    build_search,
    pivot_search,
    read_candidates,
    read_hits,
    read_pivot,
    read_results,
    related_lookup,
    related_search,
    suggest_body,
)
from .transports import ClusterClient, ClusterSettings, ElasticsearchClient, OpenSearchClient

FINGERPRINT_PAGE = 1000


@dataclass(frozen=True)
class ServerDialect:
    """Everything that differs between Elasticsearch 8 and OpenSearch 2, in one place.

    Found so far (the request bodies are otherwise identical):
    * the client: elasticsearch-py 8 refuses servers that do not answer with
      `X-Elastic-Product: Elasticsearch` and sends `compatible-with=8` media types that
      OpenSearch rejects (406), so each server needs its own library;
    * the highlight length limit is `max_analyzed_offset` on Elasticsearch 8 and
      `max_analyzer_offset` on OpenSearch 2 (each rejects the other's spelling with 400);
    * API keys exist only on Elasticsearch.
    Avoided on purpose, so they need no entry: point-in-time APIs (different paths; we page
    with search_after) and wildcard index deletion (refused by default on Elasticsearch 8;
    we delete indices by name).
    """

    name: str
    client: Callable[[ClusterSettings], ClusterClient]
    highlight_limit_key: str


ELASTICSEARCH = ServerDialect("elasticsearch", ElasticsearchClient, "max_analyzed_offset")
OPENSEARCH = ServerDialect("opensearch", OpenSearchClient, "max_analyzer_offset")


class ClusterEngine(SearchEngine):
    dialect: ServerDialect

    def __init__(self, client: ClusterClient, prefix: str) -> None:
        self.client = client
        self.prefix = prefix
        self.alias = alias_name(prefix)

    @property
    def name(self) -> str:  # type: ignore[override]
        return self.dialect.name

    # -- index lifecycle -------------------------------------------------------------

    def ensure_index(self) -> None:
        if not self._alias_targets():
            self._create_index(aliased=True)

    def _alias_targets(self) -> list[str]:
        return [
            index
            for index, aliases in self.client.aliases(index_pattern(self.prefix)).items()
            if self.alias in aliases
        ]

    def _create_index(self, *, aliased: bool) -> str:
        """Behind the alias at once, or (for a rebuild) set up for a bulk load."""
        name = new_index_name(self.prefix)
        body = index_definition(name, bulk_load=not aliased).to_dict()
        if aliased:
            body["aliases"] = {self.alias: {}}
        self.client.create_index(name, body)
        return name

    def rebuild(self, documents: Iterable[dict], progress: ProgressCallback | None = None) -> int:
        new = self._create_index(aliased=False)
        try:
            written = self._write(self._index_actions(documents, new), progress)
            self.client.put_settings(new, SERVING_SETTINGS)
            self.client.refresh(new)
        except BaseException:
            self.client.delete_indices([new])
            raise
        # One _aliases call: searches see the old index until they see the complete new one.
        moves = [{"remove": {"index": i, "alias": self.alias}} for i in self._alias_targets()]
        self.client.update_aliases(moves + [{"add": {"index": new, "alias": self.alias}}])
        self.client.delete_indices(
            sorted(set(self.client.aliases(index_pattern(self.prefix))) - {new})
        )
        return written

    def clear(self) -> None:
        self.client.delete_indices(sorted(self.client.aliases(index_pattern(self.prefix))))

    def refresh(self) -> None:
        self.client.refresh(self.alias)

    def ping(self) -> bool:
        return self.client.ping()

    # -- documents -------------------------------------------------------------------

    def index_documents(self, documents: Iterable[dict]) -> int:
        self._require_alias()
        return self._write(self._index_actions(documents, self.alias), to_alias=True)

    def delete_documents(self, ids: Iterable[int]) -> None:
        self._require_alias()
        actions = ({"_op_type": "delete", "_index": self.alias, "_id": str(i)} for i in ids)
        self._write(actions, to_alias=True)

    def _require_alias(self) -> None:
        """Updates go only to the live alias. Were it gone, the server would take a write to
        its name for a new index with guessed mappings: the update must stay queued instead."""
        if not self._alias_targets():
            raise self._index_missing(self.alias)
        self._index_found()

    @staticmethod
    def _index_actions(documents: Iterable[dict], index: str) -> Iterator[dict]:
        for document in documents:
            yield {"_index": index, "_id": str(document["id"]), "_source": document}

    def _write(
        self,
        actions: Iterable[dict],
        progress: ProgressCallback | None = None,
        *,
        to_alias: bool = False,
    ) -> int:
        """Bulk-send actions; any rejected item raises (the outbox keeps the update).
        `to_alias`: the server refuses them should the alias vanish meanwhile."""
        written = 0
        for item in self.client.bulk(actions, require_alias=to_alias):
            ((operation, result),) = item.items()
            if operation == "delete" and result.get("result") == "not_found":
                continue  # an unknown id; a missing index (404 too) carries an error
            if result.get("error"):
                raise EngineUnavailable(
                    f"{self.name} rejected {operation} {result.get('_id')}: {result['error']}"
                )
            written += 1
            if progress:
                progress(written)
        return written

    # -- reading ---------------------------------------------------------------------

    def search(self, query: SearchQuery) -> SearchResults:
        return self._search_in_steps(query, self._run)

    def _run(self, query: SearchQuery, _plan: QueryPlan | None, relaxed: bool) -> SearchResults:
        search = build_search(query, self.dialect.highlight_limit_key, relaxed=relaxed)
        return read_results(query, search, self._search(search.to_dict()))

    def pivot(self, query: SearchQuery, rows: str, columns: str) -> Pivot:
        search = pivot_search(query, rows, columns)
        return read_pivot(search, self._search(search.to_dict()))

    def term_candidates(self, words: tuple[str, ...]) -> dict[str, dict[str, int]]:
        """One request: whether any item has each word (all items: terms, not results), and
        the term suggester's nearest terms per field."""
        raw = self._search(suggest_body(words))
        known = raw["aggregations"]["known"]["buckets"]
        return read_candidates(raw["suggest"], [w for w in words if not known[w]["doc_count"]])

    def _search(self, body: dict) -> dict:
        """The alias's answer; a missing alias is an outage (503), never an empty result."""
        raw = self.client.search(self.alias, body)
        if raw is None:
            raise self._index_missing(self.alias)
        self._index_found()
        return raw

    def fingerprints(self) -> dict[int, str]:
        self.refresh()  # an audit must see every write made so far
        found: dict[int, str] = {}
        body: dict = {
            "size": FINGERPRINT_PAGE,
            "sort": ["id"],
            "_source": ["id", schema.FINGERPRINT_FIELD],
            "query": {"match_all": {}},
        }
        while True:
            hits = self._search(body)["hits"]["hits"]
            for hit in hits:
                found[int(hit["_source"]["id"])] = hit["_source"].get(schema.FINGERPRINT_FIELD, "")
            if len(hits) < FINGERPRINT_PAGE:
                return found
            body = {**body, "search_after": hits[-1]["sort"]}

    # -- construction ----------------------------------------------------------------

    @classmethod
    def connect(cls, cluster: ClusterSettings, prefix: str) -> ClusterEngine:
        return cls(cls.dialect.client(cluster), prefix)

    # -- related items ---------------------------------------------------------------

    def related(
        self, item_id: int, visibilities: tuple[str, ...], size: int = policy.RELATED_SIZE
    ) -> tuple[Hit, ...]:
        """Two requests: the item's codes (if the viewer may see it), then more-like-this."""
        lookup = self._search(related_lookup(item_id, visibilities).to_dict())["hits"]["hits"]
        if not lookup:
            return ()
        codes = lookup[0].get("_source", {})
        search = related_search(item_id, codes, visibilities, size)
        return read_hits(search, self._search(search.to_dict()))


class ElasticsearchEngine(ClusterEngine):
    dialect = ELASTICSEARCH

    @classmethod
    def from_settings(cls) -> ElasticsearchEngine:
        return cls.connect(
            ClusterSettings(
                url=_required("ELASTICSEARCH_URL"),
                username=settings.ELASTICSEARCH_USERNAME,
                password=settings.ELASTICSEARCH_PASSWORD,
                api_key=settings.ELASTICSEARCH_API_KEY,
            ),
            settings.SEARCH_INDEX_PREFIX,
        )


class OpenSearchEngine(ClusterEngine):
    dialect = OPENSEARCH

    @classmethod
    def from_settings(cls) -> OpenSearchEngine:
        return cls.connect(
            ClusterSettings(
                url=_required("OPENSEARCH_URL"),
                username=settings.OPENSEARCH_USERNAME,
                password=settings.OPENSEARCH_PASSWORD,
            ),
            settings.SEARCH_INDEX_PREFIX,
        )


def _required(name: str) -> str:
    from django.core.exceptions import ImproperlyConfigured

    value = getattr(settings, name, "")
    if not value:
        raise ImproperlyConfigured(f"SEARCH_ENGINE={settings.SEARCH_ENGINE} needs {name}")
    return value
