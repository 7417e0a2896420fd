"""`manage.py load_demo_content`: vocabularies, site tree, the demo corpus and the demo
engagements (partnerships), idempotently."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from knowledge.importing import import_items, parse_file
from knowledge.site_tree import ensure_site_tree
from knowledge.vocabulary_loader import load_vocabularies
from partnerships.importing import load_demo_engagements

DEMO_FILE = Path(__file__).resolve().parents[2] / "demo" / "demo.jsonl"


class Command(BaseCommand):
    help = "Load vocabularies, build the site tree and import the demo corpus (safe to re-run)."

    def handle(self, *args, **options):
        self.stdout.write(f"Vocabularies: {load_vocabularies()}")
        ensure_site_tree()
        items, errors = parse_file(DEMO_FILE)
        if errors:  # the demo file ships with the code: any error is a bug, say which line
            raise CommandError("; ".join(str(e) for e in errors))
        summary = import_items(items)
        self.stdout.write(self.style.SUCCESS(f"Demo content: {summary}"))
        try:
            engagements = load_demo_engagements()
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"Demo engagements: {engagements}"))
