"""Wagtail's own indexes (admin search, reference index) for pages written in bulk.

Every page save queues two django-tasks per save for Wagtail (its search index through
modelsearch, its reference index), about six per imported page. An import of 20,000 items
queued over 100,000 tasks that kept the worker busy long after. During an import those
per-save tasks are suspended and ONE task afterwards brings both indexes up to date for the
pages the import touched, in short transactions.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import transaction
from django.db.models import Max
from django.db.models.signals import post_save
from django_tasks import task
from modelsearch import index as search_index
from modelsearch.backends import get_search_backends
from modelsearch.signal_handlers import post_save_signal_handler
from wagtail.models import Page, ReferenceIndex
from wagtail.signal_handlers import disable_reference_index_auto_update

REFRESH_CHUNK = 200


@contextmanager
def deferred_wagtail_indexing(page_ids: set[int]) -> Iterator[None]:
    """Suspend Wagtail's per-save index tasks for pages; on exit queue one refresh for the pages
    created meanwhile plus `page_ids` (the caller adds the pages it updated as it goes).
    Page saves only: deletes still update both indexes at once."""
    newest = Page.objects.aggregate(newest=Max("pk"))["newest"] or 0
    page_models = [m for m in search_index.get_indexed_models() if issubclass(m, Page)]
    suspended = [m for m in page_models if post_save.disconnect(post_save_signal_handler, m)]
    try:
        with disable_reference_index_auto_update():
            yield
    finally:
        for model in suspended:
            post_save.connect(post_save_signal_handler, sender=model)
        created = Page.objects.filter(pk__gt=newest).values_list("pk", flat=True)
        if touched := sorted(page_ids.union(created)):
            refresh_wagtail_indexes.enqueue(touched)


@task()
def refresh_wagtail_indexes(page_ids: list[int]) -> int:
    """Update Wagtail's search index and reference index for these pages (those still there)."""
    refreshed = 0
    for start in range(0, len(page_ids), REFRESH_CHUNK):
        pages = list(Page.objects.filter(pk__in=page_ids[start : start + REFRESH_CHUNK]).specific())
        by_model = defaultdict(list)
        for page in pages:
            by_model[type(page)].append(page)
        for backend in get_search_backends(with_auto_update=True):
            for model, objects in by_model.items():
                if search_index.class_is_indexed(model):
                    backend.add_bulk(model, objects)
        with transaction.atomic():
            for page in pages:
                ReferenceIndex.create_or_update_for_object(page)
        refreshed += len(pages)
    return refreshed
