"""The two clients that carry cluster requests: elasticsearch-py and opensearch-py.

The cluster engine builds every request body once (elasticsearch-dsl) and hands it to a
`ClusterClient`; the two implementations only differ in which library sends it and how
that library spells its calls and failures. Every failure to reach or be answered by the
server becomes `EngineUnavailable`, so the indexing outbox keeps the update.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import Any, Protocol

from .base import EngineUnavailable

# A _bulk request carries up to this many documents or bytes, whichever comes first
# (~1,300 knowledge documents of ~3.7 kB: few round trips, modest node heap per request).
BULK_CHUNK = 2000
BULK_CHUNK_BYTES = 5 * 1024 * 1024
# Actions buffered between the caller (building documents) and the sending thread.
BULK_QUEUE = 2 * BULK_CHUNK
BULK_TIMEOUT = 60.0  # seconds for one _bulk request: a busy node may take a while to index one
_END = object()
_ABORT = object()


class _Aborted(Exception):
    """The caller stopped a pipelined bulk: the sending thread drops what it holds."""


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

    def bulk(self, actions: Iterable[dict], require_alias: bool = False) -> Iterator[dict]:
        """Send helper-style actions in chunks; yield each item's result. `require_alias`:
        the server refuses items whose `_index` is not an alias (rather than create one)."""

    def create_index(self, name: str, body: dict) -> None: ...

    def put_settings(self, index: str, settings: dict) -> None: ...

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
    bulk_client: Any  # `client` with BULK_TIMEOUT, and the keywords its bulk() needs for it
    bulk_options: dict[str, Any]
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

    def bulk(self, actions: Iterable[dict], require_alias: bool = False) -> Iterator[dict]:
        """Pipelined: the caller's thread iterates `actions` (building documents, often from
        the database, which must stay in the caller's thread) while one sending thread
        serialises and sends the previous chunk and the server indexes it. Stopping early
        (an error on either side) abandons the chunk being gathered."""
        pending: queue.Queue = queue.Queue(maxsize=BULK_QUEUE)
        results: queue.Queue = queue.Queue()

        def queued() -> Iterator[dict]:
            while (action := pending.get()) is not _END:
                if action is _ABORT:
                    raise _Aborted
                yield action

        def send() -> None:
            try:
                with self._guard():
                    for _ok, item in self.helpers.streaming_bulk(
                        self.bulk_client,
                        queued(),
                        chunk_size=BULK_CHUNK,
                        max_chunk_bytes=BULK_CHUNK_BYTES,
                        raise_on_error=False,
                        raise_on_exception=True,
                        **self.bulk_options,
                        **({"require_alias": True} if require_alias else {}),
                    ):
                        results.put(item)
            except BaseException as exc:  # handed to the caller's thread
                results.put(exc)
            results.put(_END)

        sender = threading.Thread(target=send, name="cluster-bulk", daemon=True)
        sender.start()
        finished = False
        try:
            for action in actions:
                if not _put(pending, action, sender):
                    break  # the sender failed; its error is in `results`
                yield from _arrived(results)
            else:
                _put(pending, _END, sender)
            while (item := results.get()) is not _END:
                yield _raised(item)
            finished = True
        finally:
            if not finished:
                _drain(pending)
                pending.put(_ABORT)
            sender.join()

    def create_index(self, name: str, body: dict) -> None:
        with self._guard():
            self.client.indices.create(index=name, body=body)

    def put_settings(self, index: str, settings: dict) -> None:
        with self._guard():
            self.client.indices.put_settings(index=index, body={"index": settings})

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


def _put(pending: queue.Queue, action: object, sender: threading.Thread) -> bool:
    """Queue `action` for the sending thread, waiting for room while it is alive."""
    while True:
        try:
            pending.put(action, timeout=0.1)
            return True
        except queue.Full:
            if not sender.is_alive():
                return False


def _arrived(results: queue.Queue) -> Iterator[dict]:
    """The results that have arrived so far, without waiting."""
    while True:
        try:
            item = results.get_nowait()
        except queue.Empty:
            return
        if item is _END:
            results.put(_END)  # seen again by the final wait
            return
        yield _raised(item)


def _raised(item: Any) -> dict:
    if isinstance(item, BaseException):
        raise item
    return item


def _drain(pending: queue.Queue) -> None:
    with suppress(queue.Empty):
        while True:
            pending.get_nowait()


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
        self.bulk_client = self.client.options(request_timeout=BULK_TIMEOUT)
        self.bulk_options = {}
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
        self.bulk_client = self.client
        self.bulk_options = {"request_timeout": BULK_TIMEOUT}
        self.helpers = helpers
        self.not_found = NotFoundError
        self.unavailable = (OpenSearchException,)

    def update_aliases(self, actions: list[dict]) -> None:
        with self._guard():
            self.client.indices.update_aliases(body={"actions": actions})
