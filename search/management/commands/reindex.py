"""Rebuild the search index from the database, switching to it atomically when complete."""

import sys
import time

from django.core.management.base import BaseCommand, CommandError

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

        def progress(done: int) -> None:
            if not show:
                return
            elapsed = max(time.monotonic() - started, 1e-6)
            width = 30
            filled = int(width * done / total) if total else width
            bar = "#" * filled + "-" * (width - filled)
            sys.stderr.write(f"\r[{bar}] {done}/{total} items  {done / elapsed:,.0f}/s")
            sys.stderr.flush()

        marker = indexing.change_marker()
        try:
            if reset:
                engine.clear()
            count = engine.rebuild(
                documents.iter_documents(queryset, batch_size=batch_size), progress=progress
            )
        except EngineUnavailable as exc:
            raise CommandError(f"Search engine unavailable: {exc}") from exc
        if show:
            sys.stderr.write("\n")
        if replayed := indexing.replay_changes_since(marker):
            result = drain.drain(engine)
            self.stdout.write(
                f"Re-applied {replayed} page changes made during the rebuild"
                + (f" ({result.failed} still queued: {result.error})." if result.failed else ".")
            )
        elapsed = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Indexed {count} of {total} live items with {engine.name} in {elapsed:.1f}s."
            )
        )
        if count < total:
            self.stdout.write(f"{total - count} items are private and stay out of the index.")
