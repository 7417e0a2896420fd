"""The drain: applies the outbox (search.indexing) to the engine, batch by batch.

Each page's document is built from the database as it is now, so a queued row only says
"look at this page again". When the engine is down the rows stay, with attempts and the error
recorded, for the next drain.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.utils import timezone

from . import engines
from .documents import build_documents, indexable_pages
from .engines.base import EngineUnavailable, SearchEngine
from .models import IndexUpdate

logger = logging.getLogger(__name__)

DRAIN_BATCH = 500


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
