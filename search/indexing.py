"""The outbox: page changes queued for the index, and a drain task started after commit.

The outbox rows are written inside the transaction that changes the page, so they exist
exactly when the change does; after commit a task drains them (search.drain applies them).
When the engine is down the rows stay and the next drain (task, cron, operator) sends them.
Publishing never waits for the engine.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Max
from wagtail.models import ModelLogEntry, Page, PageLogEntry

from knowledge.pages import KnowledgePage
from knowledge.registry import VOCABULARIES

from .models import IndexUpdate
from .tasks import drain_index_updates

logger = logging.getLogger(__name__)


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
    from .worker import drain_waiting, uses_database_queue

    try:
        if uses_database_queue() and drain_waiting(due_now=True):
            return
        drain_index_updates.enqueue()
    except Exception:
        logger.exception("could not enqueue the search index drain; updates stay queued")


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
    for vocabulary in VOCABULARIES:
        edited = ModelLogEntry.objects.filter(
            pk__gt=marker.model_log,
            content_type=ContentType.objects.get_for_model(vocabulary.model),
        ).values_list("object_id", flat=True)
        if edited := [int(pk) for pk in edited if pk.isdigit()]:
            page_ids.update(vocabulary.pages_using(edited).values_list("pk", flat=True))
    queue(sorted(page_ids))
    return len(page_ids)
