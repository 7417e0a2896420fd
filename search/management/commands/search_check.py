"""Compare the search index with the database: missing, stale and extra documents."""

from django.core.management.base import BaseCommand, CommandError

from search import documents, engines
from search.engines.base import EngineUnavailable

SHOWN = 20  # ids listed per problem before "…"


class Command(BaseCommand):
    help = (
        "List items missing from the search index, stale (changed since indexed) or extra "
        "(no longer live or visible). Exits with status 1 when any are found."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--fix", action="store_true", help="Index missing and stale items, remove extra ones."
        )

    def handle(self, *args, fix, **options):
        engine = engines.get_engine()
        try:
            indexed = engine.fingerprints()
        except EngineUnavailable as exc:
            raise CommandError(f"Search engine unavailable: {exc}") from exc
        expected = {d["id"]: d for d in documents.iter_documents()}
        missing = sorted(set(expected) - set(indexed))
        extra = sorted(set(indexed) - set(expected))
        stale = sorted(
            pk
            for pk, doc in expected.items()
            if pk in indexed and indexed[pk] != doc[documents.S.FINGERPRINT_FIELD]
        )
        self.stdout.write(
            f"{len(expected)} items should be indexed; the index holds {len(indexed)}."
        )
        for label, ids in (("Missing", missing), ("Stale", stale), ("Extra", extra)):
            if ids:
                shown = ", ".join(str(i) for i in ids[:SHOWN]) + (" …" if len(ids) > SHOWN else "")
                self.stdout.write(self.style.WARNING(f"{label} ({len(ids)}): {shown}"))
        if not (missing or stale or extra):
            self.stdout.write(self.style.SUCCESS("The search index matches the database."))
            return
        if not fix:
            raise CommandError("The search index differs from the database (see above).")
        try:
            engine.index_documents([expected[pk] for pk in missing + stale])
            engine.delete_documents(extra)
            engine.refresh()
        except EngineUnavailable as exc:
            raise CommandError(f"Search engine unavailable: {exc}") from exc
        self.stdout.write(
            self.style.SUCCESS(f"Fixed: indexed {len(missing) + len(stale)}, removed {len(extra)}.")
        )
