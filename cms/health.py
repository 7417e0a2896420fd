"""Liveness and readiness for a proxy or an orchestrator: `/healthz` and `/readyz`.

`/healthz` answers 200 while the process serves requests; it touches nothing else, so an
outage of the database or the search engine never gets every web process restarted.
`/readyz` answers 200 only when this process can do its work: the database answers, the
search engine answers, and neither queue is stuck (the oldest task waiting for the worker,
and the oldest search-index update waiting to be drained, are younger than
`READY_QUEUE_MAX_AGE` seconds; a worker that died shows here). Otherwise 503, with the
failing checks named in the JSON body.

A middleware, first in the list, answers them before anything reads the Host header: probes
call an instance by its address, which ALLOWED_HOSTS rightly refuses, and over plain HTTP,
which SECURE_SSL_REDIRECT would redirect. django-health-check's views sit behind both, which
is why this is not it; the checks are this project's own (engine, outbox, django-tasks).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.db import connection
from django.http import HttpResponse
from django.utils import timezone

logger = logging.getLogger(__name__)

LIVE_PATH, READY_PATH = "/healthz", "/readyz"


class CheckFailed(Exception):
    """A failed check, with the figures that show why."""

    def __init__(self, message: str, details: dict | None = None):
        super().__init__(message)
        self.details = details or {}


def _database() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {}


def _search() -> dict:
    from search.engines import get_engine

    if not get_engine().ping():
        raise CheckFailed("the search engine does not answer")
    return {}


def _age(oldest) -> float:
    return round((timezone.now() - oldest).total_seconds(), 1) if oldest else 0.0


def _queues() -> dict:
    """Seconds the oldest waiting task and the oldest undrained index update have waited."""
    from django_tasks_db.models import DBTaskResult

    from search.models import IndexUpdate

    task = DBTaskResult.objects.ready().order_by("enqueued_at").first()
    update = IndexUpdate.objects.order_by("created_at").first()
    ages = {
        "oldest_task_seconds": _age(task.enqueued_at if task else None),
        "oldest_index_update_seconds": _age(update.created_at if update else None),
    }
    limit = float(settings.READY_QUEUE_MAX_AGE)
    if max(ages.values()) > limit:
        raise CheckFailed(f"work has waited more than {limit:.0f} s: is the worker running?", ages)
    return ages


CHECKS: dict[str, Callable[[], dict]] = {
    "database": _database,
    "search": _search,
    "queues": _queues,
}


def readiness() -> tuple[bool, dict]:
    """Every check with its outcome and time; ready when all passed."""
    results = {}
    for name, check in CHECKS.items():
        started = time.perf_counter()
        try:
            details, ok = check(), True
        except Exception as error:  # a probe reports any failure, it never raises
            details = {**getattr(error, "details", {}), "error": str(error)[:300]}
            ok = False
            logger.warning("readiness check %s failed: %s", name, error)
        elapsed = round((time.perf_counter() - started) * 1000, 1)
        results[name] = {"ok": ok, "ms": elapsed, **details}
    return all(r["ok"] for r in results.values()), results


def _json(status: int, body: dict) -> HttpResponse:
    response = HttpResponse(json.dumps(body), status=status, content_type="application/json")
    response["Cache-Control"] = "no-store"
    return response


class HealthMiddleware:
    """Answers the two probe paths (GET or HEAD) before the rest of the stack."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in ("GET", "HEAD"):
            if request.path == LIVE_PATH:
                return _json(200, {"status": "ok"})
            if request.path == READY_PATH:
                ready, checks = readiness()
                status = "ready" if ready else "not ready"
                return _json(200 if ready else 503, {"status": status, "checks": checks})
        return self.get_response(request)
