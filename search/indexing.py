"""Keeping the index true: page changes go into the outbox, the drain sends them to the engine.

The outbox rows are written inside the transaction that changes the page, so they exist
exactly when the change does; after commit a task drains them. When the engine is down the
rows stay (attempts and the error recorded) and the next drain (task, cron, operator) sends
them. Publishing never waits for the engine.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from wagtail.models import ModelLogEntry, Page, PageLogEntry

from knowledge.pages import KnowledgePage
from knowledge.vocabularies import Country, PartnerOrganisation, Region, Topic

from . import engines
from .documents import build_documents, indexable_pages
from .engines.base import EngineUnavailable, SearchEngine
from .models import IndexUpdate

logger = logging.getLogger(__name__)

DRAIN_BATCH = 500

# Which KnowledgePage relation each vocabulary is reached through.
VOCABULARY_RELATIONS = {
    Region: "regions",
    Country: "countries",
    Topic: "topics",
    PartnerOrganisation: "partners",
}


def queue(page_ids: Iterable[int], action: str = IndexUpdate.Action.INDEX) -> None:
    """Record that these pages' documents must be re-built (or removed), then drain after
    the current transaction commits."""
    rows = [IndexUpdate(page_id=pk, action=action) for pk in dict.fromkeys(page_ids)]
    if not rows:
        return
    IndexUpdate.objects.bulk_create(rows)
    if not _drain_already_pending():
        transaction.on_commit(_DrainAfterCommit())


class _DrainAfterCommit:
    """The on-commit hook that starts a drain. One per transaction is enough: an import
    publishing 1,000 pages in one transaction queues one task, not 1,000."""

    def __init__(self) -> None:
        self.done = False

    def __call__(self) -> None:
        self.done = True
        enqueue_drain()


def _drain_already_pending() -> bool:
    # A hook discarded by a rollback leaves the list; one that ran is marked done.
    return any(
        isinstance(entry[1], _DrainAfterCommit) and not entry[1].done
        for entry in transaction.get_connection().run_on_commit
    )


def enqueue_drain() -> None:
    """Start the drain task unless one is already waiting to start (it will see these rows
    too: an import committing in batches queues one drain, not one per batch); if even that
    fails, the rows wait for the next drain."""
    from .tasks import drain_index_updates
    from .worker import drain_waiting, uses_database_queue

    try:
        if uses_database_queue() and drain_waiting(due_now=True):
            return
        drain_index_updates.enqueue()
    except Exception:
        logger.exception("could not enqueue the search index drain; updates stay queued")


@dataclass
class DrainResult:
    indexed: int = 0
    deleted: int = 0
    failed: int = 0  # rows kept because the engine failed
    error: str = ""


def drain(engine: SearchEngine | None = None, batch_size: int = DRAIN_BATCH) -> DrainResult:
    """Apply queued updates batch by batch; stop at the first engine failure."""
    engine = engine or engines.get_engine()
    result = DrainResult()
    last_seen = 0
    while True:
        rows = list(IndexUpdate.objects.filter(pk__gt=last_seen).order_by("pk")[:batch_size])
        if not rows:
            return result
        last_seen = rows[-1].pk
        latest = {row.page_id: row.action for row in rows}  # later rows win
        try:
            if not engine.ping():  # cheap check first: building documents is the costly part
                raise EngineUnavailable(f"{engine.name} does not answer")
            indexed, deleted = _apply(engine, latest)
        except Exception as exc:  # engine down or refusing: keep every row for later
            if not isinstance(exc, EngineUnavailable):
                logger.exception("search index update failed")
            _record_failure(rows, exc)
            result.failed += len(rows)
            result.error = str(exc) or exc.__class__.__name__
            return result
        # Only the rows we applied: rows queued meanwhile have higher ids and stay.
        IndexUpdate.objects.filter(pk__in=[row.pk for row in rows]).delete()
        result.indexed += indexed
        result.deleted += deleted


def _apply(engine: SearchEngine, latest: dict[int, str]) -> tuple[int, int]:
    to_index = [pk for pk, action in latest.items() if action == IndexUpdate.Action.INDEX]
    documents = build_documents(indexable_pages().filter(pk__in=to_index))
    built = {d["id"] for d in documents}
    # Pages that are gone, unpublished or private leave the index.
    to_delete = [pk for pk in latest if pk not in built]
    if documents:
        engine.index_documents(documents)
    if to_delete:
        engine.delete_documents(to_delete)
    return len(documents), len(to_delete)


def _record_failure(rows: list[IndexUpdate], exc: Exception) -> None:
    message = f"{timezone.now():%Y-%m-%d %H:%M:%S} {exc.__class__.__name__}: {exc}"[:2000]
    for row in rows:
        row.attempts += 1
        row.last_error = message
    IndexUpdate.objects.bulk_update(rows, ["attempts", "last_error"])


@dataclass(frozen=True)
class ChangeMarker:
    """The newest audit-log entries (pages, snippets) when a rebuild starts."""

    page_log: int
    model_log: int


def change_marker() -> ChangeMarker:
    return ChangeMarker(
        page_log=PageLogEntry.objects.aggregate(newest=Max("pk"))["newest"] or 0,
        model_log=ModelLogEntry.objects.aggregate(newest=Max("pk"))["newest"] or 0,
    )


def replay_changes_since(marker: ChangeMarker) -> int:
    """Queue every page the audit log shows touched after `marker` (published, unpublished,
    moved, deleted, privacy changed...), the items beneath it, and the items using a
    vocabulary entry edited since. A rebuild reads the database while editors keep working;
    their changes went to the index being replaced, so they are applied again once the new
    index is live. Returns how many pages were queued."""
    touched = set(
        PageLogEntry.objects.filter(pk__gt=marker.page_log).values_list("page_id", flat=True)
    )
    page_ids = set(touched)  # deleted pages keep their id in the log: the drain removes them
    for page in Page.objects.filter(pk__in=touched).exclude(
        pk__in=KnowledgePage.objects.filter(pk__in=touched).values("pk")
    ):
        page_ids.update(KnowledgePage.objects.descendant_of(page).values_list("pk", flat=True))
    for model, relation in VOCABULARY_RELATIONS.items():
        edited = ModelLogEntry.objects.filter(
            pk__gt=marker.model_log, content_type=ContentType.objects.get_for_model(model)
        ).values_list("object_id", flat=True)
        if edited := [int(pk) for pk in edited if pk.isdigit()]:
            page_ids.update(
                KnowledgePage.objects.filter(**{f"{relation}__in": edited}).values_list(
                    "pk", flat=True
                )
            )
    queue(sorted(page_ids))
    return len(page_ids)
