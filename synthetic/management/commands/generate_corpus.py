"""`manage.py generate_corpus --count N --seed S [--output FILE]`: a benchmark corpus."""

import json
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cms.progress import Progress
from knowledge.pages import CommunityPage
from synthetic.bulk_pages import bulk_create_pages
from synthetic.corpus import generate


class Command(BaseCommand):
    help = (
        "Generate N realistic synthetic knowledge items (deterministic for a seed). With "
        "--output, write JSON Lines for import_knowledge; otherwise bulk-insert live pages "
        "directly (no revisions, no publish signals: run `manage.py reindex` afterwards). "
        "Items already present (same seed and number) are skipped, so a larger run extends "
        "a smaller one."
    )

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, required=True)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--output", type=Path, help="write JSON Lines here instead")
        parser.add_argument("--batch-size", type=int, default=2000)

    def handle(self, *args, count: int, seed: int, output: Path | None, batch_size: int, **o):
        if count < 1:
            raise CommandError("--count must be at least 1")
        started = time.monotonic()
        if output:
            progress = Progress(self.stderr, count, "items written")
            with output.open("w", encoding="utf-8") as handle:
                for number, item in enumerate(generate(count, seed), start=1):
                    handle.write(json.dumps(item, ensure_ascii=False) + "\n")
                    progress.update(number)
            progress.finish()
            self.stdout.write(self.style.SUCCESS(f"Wrote {count} items to {output}"))
            return
        if not CommunityPage.objects.exists():
            raise CommandError("No community pages yet: run `manage.py load_demo_content` first.")

        progress = Progress(self.stderr, count, "pages created")
        created = bulk_create_pages(generate(count, seed), batch_size, progress.update)
        progress.finish()
        elapsed = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Created {created} pages ({count - created} already present) in {elapsed:.1f}s"
            )
        )
