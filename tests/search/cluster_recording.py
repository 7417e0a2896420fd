"""Real server answers for the request-level tests, recorded from the OpenSearch node.

`record(send)` issues a fixed sequence of requests (bodies built by the cluster engine's own
declarations) and returns every answer by name. The answers are stored in
`cluster_recordings.json`, replayed without a server by test_cluster_requests.py, and
re-recorded against the live node by test_cluster_live.py, which fails when the stored
answers no longer match what the server says.

Regenerate:  OPENSEARCH_URL=http://127.0.0.1:9250 python -m tests.search.cluster_recording
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

from search import schema
from search.engines.base import SearchQuery
from search.engines.cluster import OPENSEARCH
from search.engines.cluster_documents import SERVING_SETTINGS, alias_name, index_definition
from search.engines.cluster_queries import (
    build_search,
    pivot_search,
    related_lookup,
    related_search,
)

RECORDINGS = Path(__file__).with_name("cluster_recordings.json")
PREFIX = "recorded"
INDEX = f"{alias_name(PREFIX)}-1"
OLD_INDEX = f"{alias_name(PREFIX)}-0"

# send(method, path, body) -> (status, json body); body is a dict, a list (NDJSON) or None
Send = Callable[[str, str, object], tuple[int, dict]]


def document(id_: int, **changes) -> dict:
    """A document in the shape search/schema.py describes (every facet, empty by default)."""
    base = {facet.name: [] for facet in schema.FACETS} | {
        "id": id_,
        "url": f"/case-{id_}/",
        "title": f"Customs procedures review {id_}",
        "summary": "Integrity <risk> & controls",
        "body": "Officers followed the integrity procedures at the border post.",
        "attachments": "",
        "tags_text": "ethics",
        "vocabulary_text": "Europe",
        "language": ["en"],
        "published": f"202{id_}-03-0{id_}",
        "title_sort": f"customs procedures review {id_}",
        "visibility": "public",
        "fingerprint": f"fp-{id_}",
        "region": ["EUR"] if id_ % 2 else ["AP"],
        "country": ["FR"] if id_ % 2 else ["JP"],
        "topic": ["code-of-conduct"],
        "partner": ["TI"] if id_ == 1 else [],
        "type": ["case_study"],
        "year": [f"202{id_}"],
        "tag": ["ethics"],
    }
    return base | changes


DOCUMENTS = [document(1), document(2), document(3, title="Handbook on ethics"), document(4)]
SEARCH = SearchQuery(text="integrity procedures", filters={"region": ("EUR",)}, page_size=2)
PIVOT = SearchQuery(filters={"year": ("2021", "2022", "2023")})  # region x topic, public
RELATED_TO = 1  # the item whose related items are recorded, for the public
FINGERPRINT_PAGE = 2


def _bulk_index(index: str, documents: list[dict]) -> list[dict]:
    lines: list[dict] = []
    for doc in documents:
        lines += [{"index": {"_index": index, "_id": str(doc["id"])}}, doc]
    return lines


def fingerprint_body(after: list | None = None) -> dict:
    body = {
        "size": FINGERPRINT_PAGE,
        "sort": ["id"],
        "_source": ["id", "fingerprint"],
        "query": {"match_all": {}},
    }
    return body | ({"search_after": after} if after else {})


def record(send: Send) -> dict[str, dict]:
    """Run the sequence against a server and return {name: {"status", "body"}}."""
    answers: dict[str, dict] = {}

    def ask(name: str, method: str, path: str, body: object = None) -> dict:
        status, answer = send(method, path, body)
        answers[name] = {"method": method, "path": path, "status": status, "body": answer}
        return answer

    send("DELETE", f"/{alias_name(PREFIX)}-*", None)
    ask("aliases_none", "GET", f"/{alias_name(PREFIX)}-*/_alias")
    definition = index_definition(OLD_INDEX).to_dict() | {"aliases": {alias_name(PREFIX): {}}}
    ask("create_index", "PUT", f"/{OLD_INDEX}", definition)
    ask("aliases_one", "GET", f"/{alias_name(PREFIX)}-*/_alias")
    ask("bulk_ok", "POST", "/_bulk", _bulk_index(alias_name(PREFIX), DOCUMENTS))
    rejected = [
        {"index": {"_index": alias_name(PREFIX), "_id": "9"}},
        document(9, unknown_field="x"),
        {"delete": {"_index": alias_name(PREFIX), "_id": "404"}},
        {"delete": {"_index": alias_name(PREFIX), "_id": "2"}},
    ]
    ask("bulk_mixed", "POST", "/_bulk", rejected)
    send("POST", "/_bulk", _bulk_index(alias_name(PREFIX), [DOCUMENTS[1]]))
    ask("refresh", "POST", f"/{alias_name(PREFIX)}/_refresh")
    body = build_search(SEARCH, OPENSEARCH.highlight_limit_key).to_dict()
    ask("search", "POST", f"/{alias_name(PREFIX)}/_search", body)
    body = pivot_search(PIVOT, "region", "topic").to_dict()
    ask("pivot", "POST", f"/{alias_name(PREFIX)}/_search", body)
    first = ask("fingerprints_1", "POST", f"/{alias_name(PREFIX)}/_search", fingerprint_body())
    after = first["hits"]["hits"][-1]["sort"]
    ask("fingerprints_2", "POST", f"/{alias_name(PREFIX)}/_search", fingerprint_body(after))
    lookup = related_lookup(RELATED_TO, ("public",)).to_dict()
    found = ask("related_lookup", "POST", f"/{alias_name(PREFIX)}/_search", lookup)
    codes = found["hits"]["hits"][0]["_source"]
    body = related_search(RELATED_TO, codes, ("public",), 5).to_dict()
    ask("related", "POST", f"/{alias_name(PREFIX)}/_search", body)
    unknown = related_lookup(404, ("public",)).to_dict()
    ask("related_lookup_unknown", "POST", f"/{alias_name(PREFIX)}/_search", unknown)
    ask("search_missing_index", "POST", "/recorded-missing/_search", {"size": 0})
    rebuilt = index_definition(INDEX, bulk_load=True).to_dict()
    ask("create_new_index", "PUT", f"/{INDEX}", rebuilt)
    ask("serving_settings", "PUT", f"/{INDEX}/_settings", {"index": SERVING_SETTINGS})
    moves = [
        {"remove": {"index": OLD_INDEX, "alias": alias_name(PREFIX)}},
        {"add": {"index": INDEX, "alias": alias_name(PREFIX)}},
    ]
    ask("update_aliases", "POST", "/_aliases", {"actions": moves})
    ask("aliases_two", "GET", f"/{alias_name(PREFIX)}-*/_alias")
    ask("delete_index", "DELETE", f"/{OLD_INDEX}")
    send("DELETE", f"/{INDEX}", None)
    return answers


def normalised(answers: dict[str, dict]) -> dict:
    """The answers without what varies between runs (timings, generated ids)."""

    def strip(value):
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k not in {"took", "index_uuid"}}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    return strip(answers)


def opensearch_sender(url: str) -> Send:
    from opensearchpy import OpenSearch
    from opensearchpy.exceptions import TransportError

    client = OpenSearch(hosts=[url])

    def send(method: str, path: str, body: object) -> tuple[int, dict]:
        if isinstance(body, list):
            body = "\n".join(json.dumps(line) for line in body) + "\n"
        try:
            return 200, client.transport.perform_request(method, path, body=body)
        except TransportError as exc:
            return int(exc.status_code), exc.info if isinstance(exc.info, dict) else {}

    return send


def server_version(url: str) -> str:
    from opensearchpy import OpenSearch

    return OpenSearch(hosts=[url]).info()["version"]["number"]


if __name__ == "__main__":
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.test")
    django.setup()
    url = os.environ["OPENSEARCH_URL"]
    recorded = {
        "server": f"OpenSearch {server_version(url)}",
        "answers": record(opensearch_sender(url)),
    }
    RECORDINGS.write_text(json.dumps(recorded, indent=1, ensure_ascii=False) + "\n")
    print(f"wrote {RECORDINGS}")
