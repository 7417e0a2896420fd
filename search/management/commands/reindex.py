"""Rebuild the search index from the database, switching to it atomically when complete."""

import time

from django.core.management.base import BaseCommand, CommandError

from cms.progress import Progress
from search import documents, drain, engines, indexing
from search.engines.base import EngineUnavailable


class Command(BaseCommand):
    help = "Rebuild the search index from every live knowledge page (no downtime: atomic switch)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch-size",
            type=int,
            default=documents.BATCH_SIZE,
            help="Pages built per database batch (default %(default)s).",
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Drop every index of this engine first (searches fail until it finishes).",
        )
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args, batch_size, reset, no_progress, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        engine = engines.get_engine()
        queryset = documents.indexable_pages()
        total = queryset.count()
        started = time.monotonic()
        show = not no_progress and options["verbosity"] > 0
        progress = Progress(self.stderr, total) if show else None

        marker = indexing.change_marker()
        try:
            if reset:
                engine.clear()
            count = engine.rebuild(
                documents.iter_documents(queryset, batch_size=batch_size),
                progress=progress.update if progress else None,
            )
        except EngineUnavailable as exc:
            raise CommandError(f"Search engine unavailable: {exc}") from exc
        if progress:
            progress.finish()
        replayed = indexing.replay_changes_since(marker)
        # Also the updates queued before: kept while the index was missing or the engine down.
        result = drain.drain(engine)
        if replayed or result.indexed or result.deleted or result.failed:
            self.stdout.write(
                f"Re-applied {result.indexed + result.deleted} queued updates "
                f"({replayed} pages changed during the rebuild)"
                + (f"; {result.failed} still queued: {result.error}." if result.failed else ".")
            )
        elapsed = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Indexed {count} of {total} live items with {engine.name} in {elapsed:.1f}s."
            )
        )
        if count < total:
            self.stdout.write(f"{total - count} items are private and stay out of the index.")
