"""The two clients that carry cluster requests: elasticsearch-py and opensearch-py.

The cluster engine builds every request body once (elasticsearch-dsl) and hands it to a
`ClusterClient`; the two implementations only differ in which library sends it and how
that library spells its calls and failures. Every failure to reach or be answered by the
server becomes `EngineUnavailable`, so the indexing outbox keeps the update.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import Any, Protocol

from .base import EngineUnavailable

BULK_CHUNK = 500  # documents per _bulk request


@dataclass(frozen=True)
class ClusterSettings:
    url: str
    username: str = ""
    password: str = ""
    api_key: str = ""  # Elasticsearch only
    timeout: float = 10.0


class ClusterClient(Protocol):
    """The handful of calls the engine makes; bodies are plain dicts from `.to_dict()`."""

    def search(self, index: str, body: dict) -> dict | None:
        """The raw response, or None when `index` does not exist."""

    def bulk(self, actions: Iterable[dict]) -> Iterator[dict]:
        """Send helper-style actions in chunks; yield each item's result."""

    def create_index(self, name: str, body: dict) -> None: ...

    def aliases(self, pattern: str) -> dict[str, list[str]]:
        """index name -> its aliases, for every index matching `pattern`."""

    def update_aliases(self, actions: list[dict]) -> None: ...

    def delete_indices(self, names: list[str]) -> None: ...

    def refresh(self, index: str) -> None: ...

    def ping(self) -> bool: ...


class _LibraryClient:
    """Shared shape of both libraries (opensearch-py forked elasticsearch-py 7)."""

    client: Any
    helpers: Any
    unavailable: tuple[type[Exception], ...]
    not_found: type[Exception]

    @contextmanager
    def _guard(self) -> Iterator[None]:
        try:
            yield
        except self.not_found:
            raise
        except self.unavailable as exc:
            raise EngineUnavailable(f"{type(self).__name__}: {exc}") from exc

    def search(self, index: str, body: dict) -> dict | None:
        with self._guard():
            try:
                return _body(self.client.search(index=index, body=body))
            except self.not_found:
                return None

    def bulk(self, actions: Iterable[dict]) -> Iterator[dict]:
        with self._guard():
            for _ok, item in self.helpers.streaming_bulk(
                self.client,
                actions,
                chunk_size=BULK_CHUNK,
                raise_on_error=False,
                raise_on_exception=True,
            ):
                yield item

    def create_index(self, name: str, body: dict) -> None:
        with self._guard():
            self.client.indices.create(index=name, body=body)

    def aliases(self, pattern: str) -> dict[str, list[str]]:
        with self._guard():
            try:
                found = _body(self.client.indices.get_alias(index=pattern))
            except self.not_found:
                return {}
        return {name: sorted(entry.get("aliases", {})) for name, entry in found.items()}

    def delete_indices(self, names: list[str]) -> None:
        if names:
            with self._guard():
                self.client.indices.delete(index=",".join(names))

    def refresh(self, index: str) -> None:
        with self._guard(), suppress(self.not_found):
            self.client.indices.refresh(index=index)

    def ping(self) -> bool:
        try:
            with self._guard():
                return bool(self.client.ping())
        except EngineUnavailable:
            return False


def _body(response: Any) -> dict:
    """elasticsearch-py wraps bodies in ObjectApiResponse; opensearch-py returns dicts."""
    return getattr(response, "body", response)


class ElasticsearchClient(_LibraryClient):
    def __init__(self, settings: ClusterSettings, **client_options: Any) -> None:
        import elastic_transport
        from elasticsearch import ApiError, Elasticsearch, NotFoundError, helpers

        auth: dict[str, Any] = {}
        if settings.api_key:
            auth["api_key"] = settings.api_key
        elif settings.username:
            auth["basic_auth"] = (settings.username, settings.password)
        self.client = Elasticsearch(
            settings.url, request_timeout=settings.timeout, max_retries=1, **auth, **client_options
        )
        self.helpers = helpers
        self.not_found = NotFoundError
        # UnsupportedProductError (not an Elasticsearch server) is an ApiError too.
        self.unavailable = (elastic_transport.TransportError, ApiError, helpers.BulkIndexError)

    def update_aliases(self, actions: list[dict]) -> None:
        with self._guard():
            self.client.indices.update_aliases(actions=actions)


class OpenSearchClient(_LibraryClient):
    def __init__(self, settings: ClusterSettings, **client_options: Any) -> None:
        from opensearchpy import OpenSearch, helpers
        from opensearchpy.exceptions import NotFoundError, OpenSearchException

        auth: dict[str, Any] = {}
        if settings.username:
            auth["http_auth"] = (settings.username, settings.password)
        self.client = OpenSearch(
            hosts=[settings.url], timeout=settings.timeout, max_retries=1, **auth, **client_options
        )
        self.helpers = helpers
        self.not_found = NotFoundError
        self.unavailable = (OpenSearchException,)

    def update_aliases(self, actions: list[dict]) -> None:
        with self._guard():
            self.client.indices.update_aliases(body={"actions": actions})
