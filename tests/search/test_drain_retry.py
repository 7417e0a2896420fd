"""A drain that meets a dead engine schedules itself again, so queued updates are applied
once the engine returns even when nothing else changes."""

import pytest
from django.test import override_settings
from django.utils import timezone

import search.engines
from knowledge.vocabularies import Region, Topic
from search.models import IndexUpdate
from search.tasks import RETRY_DELAYS, drain_index_updates
from tests.factories import CaseStudyPageFactory, community_for
from tests.search.conformance import FailingEngine

pytestmark = pytest.mark.django_db

DEFERRING = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@override_settings(TASKS=DEFERRING)
def test_failed_drain_reschedules_itself_with_backoff(embedded_engine, monkeypatch, site_tree):
    eur = Region.objects.get(code="EUR")
    page = CaseStudyPageFactory(
        parent=community_for(eur), regions=[eur], topics=[Topic.objects.first()]
    )
    monkeypatch.setattr(search.engines, "get_engine", lambda: FailingEngine(embedded_engine))
    backend = drain_index_updates.get_backend()
    backend.clear()

    before = timezone.now()
    outcome = drain_index_updates.call(attempt=2)

    assert outcome["failed"] >= 1
    assert IndexUpdate.objects.filter(page_id=page.pk).exists()
    [retry] = backend.results
    assert retry.args == [] and retry.kwargs == {"attempt": 3}
    delay = (retry.task.run_after - before).total_seconds()
    assert RETRY_DELAYS[2] <= delay < RETRY_DELAYS[2] + 5

    monkeypatch.setattr(search.engines, "get_engine", lambda: embedded_engine)
    backend.clear()
    assert drain_index_updates.call(attempt=3)["failed"] == 0
    assert not IndexUpdate.objects.exists()
    assert backend.results == []


@override_settings(TASKS=DEFERRING)
def test_one_drain_task_per_transaction(site_tree, django_capture_on_commit_callbacks):
    eur = Region.objects.get(code="EUR")
    backend = drain_index_updates.get_backend()
    backend.clear()
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(3):
            CaseStudyPageFactory(
                parent=community_for(eur),
                title=f"Item {n}",
                regions=[eur],
                topics=[Topic.objects.first()],
            )
    assert IndexUpdate.objects.count() >= 3
    drains = [r for r in backend.results if r.task.func is drain_index_updates.func]
    assert len(drains) == 1
