"""Undo for an import that commits in batches: "a failed import changes nothing".

One transaction around a 20,000-item import would hold SQLite's write lock for the whole
import (many minutes: every item goes through Wagtail's revisions and publishing), so every
editor's publish and the worker would wait that long. The import commits in short batches
instead and keeps what it needs to take them back: the pages it created (deleted again) and,
for each page it updated, the revision that was live, its parent and its members-only
restriction (republished, moved back, restored). The audit log shows both the import and
its undo. A process killed outright (kill -9) cannot undo; re-running the import then
finishes the job, since items are keyed by external_id.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db import transaction
from wagtail.log_actions import log
from wagtail.models import Page, Revision

from .audience import (
    lift_members_restriction,
    page_audience_restriction_is_members,
    restrict_to_members,
)
from .pages import KnowledgePage

logger = logging.getLogger(__name__)

UNDO_BATCH = 200


@dataclass(frozen=True)
class _Before:
    live_revision_id: int | None
    content: dict | None  # the page's own data when it has no live revision to go back to
    parent_id: int
    members_only: bool


class ImportUndo:
    def __init__(self) -> None:
        self.created: list[str] = []  # external ids: the page ids exist only once written
        self.before: dict[int, _Before] = {}

    def remember(self, external_id: str, page: KnowledgePage | None) -> None:
        """Call before writing an item; `page` is the existing page or None."""
        if page is None:
            self.created.append(external_id)
        elif page.pk not in self.before:
            self.before[page.pk] = _Before(
                live_revision_id=page.live_revision_id,
                content=None if page.live_revision_id else page.serializable_data(),
                parent_id=page.get_parent().pk,
                members_only=any(
                    page_audience_restriction_is_members(r) for r in page.view_restrictions.all()
                ),
            )

    def undo(self) -> None:
        """Take back every committed batch, a few hundred pages per short transaction."""
        created = KnowledgePage.objects.filter(external_id__in=self.created)
        ids = list(created.values_list("pk", flat=True))
        for start in range(0, len(ids), UNDO_BATCH):
            with transaction.atomic():
                batch = Page.objects.filter(pk__in=ids[start : start + UNDO_BATCH])
                for page in batch.specific():  # as Wagtail's own delete action logs it
                    log(instance=page, action="wagtail.delete", deleted=True)
                batch.delete()
        for pk, before in self.before.items():
            with transaction.atomic():
                self._restore(pk, before)
        logger.warning(
            "import failed: removed %s created page(s), restored %s updated page(s)",
            len(ids),
            len(self.before),
        )

    def _restore(self, pk: int, before: _Before) -> None:
        page = KnowledgePage.objects.get(pk=pk).specific
        if page.get_parent().pk != before.parent_id:
            page.move(Page.objects.get(pk=before.parent_id), pos="last-child")
            page = KnowledgePage.objects.get(pk=pk).specific
        if before.members_only:
            restrict_to_members(page)
        else:
            lift_members_restriction(page)
        # As Wagtail's "revert to this revision": the old content becomes the newest revision.
        if before.live_revision_id is None:
            restored = page.with_content_json(before.content)
        elif page.live_revision_id != before.live_revision_id:
            restored = Revision.objects.get(pk=before.live_revision_id).as_object()
        else:
            return
        restored.save_revision().publish()
