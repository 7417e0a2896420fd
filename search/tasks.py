"""Background work of the search app, run by the django-tasks worker (`manage.py db_worker`)."""

import logging
from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from . import drain

logger = logging.getLogger(__name__)

RETRY_DELAYS = (10, 30, 60, 120, 300)  # seconds; the last one repeats until the engine answers


@task()
def drain_index_updates(attempt: int = 0) -> dict:
    """Send queued page changes to the search engine. When the engine is down the updates stay
    queued and the task schedules itself again with a growing delay, so they are applied
    once the engine returns even if nothing else changes meanwhile."""
    result = drain.drain()
    if result.failed:
        schedule_retry(attempt + 1)
    return {"indexed": result.indexed, "deleted": result.deleted, "failed": result.failed}


def schedule_retry(attempt: int) -> None:
    """Queue a later drain where the task backend can defer work (the database queue);
    backends that run tasks at once (tests) leave the rows for the next change or operator."""
    if not drain_index_updates.get_backend().supports_defer:
        return
    delay = RETRY_DELAYS[min(attempt, len(RETRY_DELAYS)) - 1]
    drain_index_updates.using(run_after=timezone.now() + timedelta(seconds=delay)).enqueue(
        attempt=attempt
    )
    logger.warning("search engine unavailable; index updates retried in %ss", delay)
