"""The probes in-process: what /readyz reports when a part of the system fails."""

from datetime import timedelta

import pytest
from django.utils import timezone

from search.engines.base import EngineUnavailable
from search.models import IndexUpdate

pytestmark = pytest.mark.django_db


def ready(client, **headers):
    response = client.get("/readyz", **headers)
    return response.status_code, response.json()


def test_liveness_answers_on_any_host_without_touching_the_database(
    client, django_assert_num_queries
):
    with django_assert_num_queries(0):
        response = client.get("/healthz", HTTP_HOST="10.1.2.3:8000")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert response["Cache-Control"] == "no-store"


def test_ready_when_database_engine_and_queues_are_fine(client, empty_index):
    status, body = ready(client, HTTP_HOST="10.1.2.3:8000")
    assert status == 200 and body["status"] == "ready"
    assert set(body["checks"]) == {"database", "search", "queues"}
    assert all(check["ok"] for check in body["checks"].values())


def test_an_unreachable_engine_is_not_ready(client, empty_index, monkeypatch):
    def down(self):
        raise EngineUnavailable("connection refused")

    monkeypatch.setattr(type(empty_index), "ping", down)
    status, body = ready(client)
    assert status == 503 and body["status"] == "not ready"
    assert body["checks"]["search"] == {
        "ok": False, "ms": body["checks"]["search"]["ms"], "error": "connection refused"
    }  # fmt: skip
    assert body["checks"]["database"]["ok"]


def test_work_waiting_on_a_stopped_worker_is_not_ready(client, empty_index, settings):
    settings.READY_QUEUE_MAX_AGE = 60
    update = IndexUpdate.objects.create(page_id=1, action=IndexUpdate.Action.INDEX)
    assert ready(client)[0] == 200  # just queued: the worker has a minute
    IndexUpdate.objects.filter(pk=update.pk).update(
        created_at=timezone.now() - timedelta(minutes=5)
    )
    status, body = ready(client)
    assert status == 503 and not body["checks"]["queues"]["ok"]
    assert body["checks"]["queues"]["oldest_index_update_seconds"] >= 300
    assert "worker" in body["checks"]["queues"]["error"]


def test_probes_answer_only_reads(client):
    assert client.post("/healthz").status_code != 200
