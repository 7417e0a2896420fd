"""The background worker survives what used to stop it (issue 9).

`manage.py db_worker` is django-tasks-db's worker with two additions:

- a locked database (a long write elsewhere outlasting the busy timeout) makes it wait and
  try again with a growing pause instead of exiting;
- a watchdog thread re-queues the outbox drain when index updates wait with no drain queued:
  a worker killed mid-drain leaves its task RUNNING for ever, so without this nothing sends
  those updates until someone runs `drain_index_updates` by hand. The watchdog checks at
  start-up (right after `bin/run` restarted a dead worker) and every WATCH_INTERVAL seconds,
  so queued updates are sent again within about a minute of any crash.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import timedelta

from django.db import close_old_connections
from django.db.utils import OperationalError
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from .models import IndexUpdate
from .tasks import drain_index_updates

logger = logging.getLogger(__name__)

STALE_AFTER = 30  # seconds an outbox row may wait before the watchdog queues a drain
WATCH_INTERVAL = 15  # seconds between watchdog checks
ORPHANED_AFTER = timedelta(hours=1)  # a task RUNNING this long lost its worker
LOCKED_PAUSES = (1, 2, 5, 10, 30)  # seconds; the last one repeats


def drain_waiting(due_now: bool = False) -> bool:
    """Whether a drain task is queued and not started yet: due now, or (by default) also one
    deferred as a retry while the engine is down."""
    tasks = DBTaskResult.objects.ready() if due_now else DBTaskResult.objects
    return tasks.filter(
        task_path=drain_index_updates.module_path, status=TaskResultStatus.READY
    ).exists()


def uses_database_queue() -> bool:
    return isinstance(drain_index_updates.get_backend(), DatabaseBackend)


def requeue_stale_drain(older_than: float = STALE_AFTER) -> bool:
    """Queue a drain when outbox rows have waited `older_than` seconds and none is queued.
    Returns whether it queued one. A drain still running elsewhere is no reason to wait: a
    second drain only finds fewer rows."""
    oldest = IndexUpdate.objects.order_by("pk").values_list("created_at", flat=True).first()
    if oldest is None or oldest > timezone.now() - timedelta(seconds=older_than):
        return False
    if drain_waiting():
        return False
    drain_index_updates.enqueue()
    logger.warning("index updates were waiting with no drain queued; queued one")
    return True


def fail_orphaned_tasks() -> int:
    """Mark tasks that have been RUNNING for over ORPHANED_AFTER as failed: their worker died
    (kill -9, power loss) and nothing else would ever finish them."""
    return DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING, started_at__lt=timezone.now() - ORPHANED_AFTER
    ).update(
        status=TaskResultStatus.FAILED,
        finished_at=timezone.now(),
        exception_class_path="search.worker.WorkerLost",
        traceback="The worker running this task stopped before it finished.",
    )


class Watchdog(threading.Thread):
    """Runs the recovery checks beside the worker loop, on its own database connection."""

    def __init__(self, interval: float = WATCH_INTERVAL):
        super().__init__(name="outbox-watchdog", daemon=True)
        self.interval = interval

    def run(self) -> None:
        older_than = 0.0  # at start-up any waiting row is a leftover: drain it now
        while True:
            try:
                fail_orphaned_tasks()
                requeue_stale_drain(older_than)
            except Exception:
                logger.exception("outbox watchdog check failed; trying again later")
            finally:
                close_old_connections()
            older_than = STALE_AFTER
            time.sleep(self.interval)


class ResilientWorker(Worker):
    """django-tasks-db's worker loop, restarted after a locked database instead of exiting."""

    def run(self) -> None:
        failures, last_failure = 0, 0.0
        while self.running:
            try:
                return super().run()
            except OperationalError as exc:
                if "locked" not in str(exc):
                    raise
                if time.monotonic() - last_failure > 60:  # a new episode starts short again
                    failures = 0
                pause = LOCKED_PAUSES[min(failures, len(LOCKED_PAUSES) - 1)]
                failures, last_failure = failures + 1, time.monotonic()
                logger.warning("database is locked; the worker tries again in %ss", pause)
                close_old_connections()
                time.sleep(pause)
