"""Send queued index updates to the search engine (cron, or after an engine outage)."""

from django.core.management.base import BaseCommand, CommandError

from search import drain
from search.models import IndexUpdate


class Command(BaseCommand):
    help = "Apply the queued search index updates; exits non-zero if the engine fails."

    def handle(self, *args, **options):
        queued = IndexUpdate.objects.count()
        result = drain.drain()
        self.stdout.write(
            f"{queued} queued: indexed {result.indexed}, removed {result.deleted}, "
            f"{IndexUpdate.objects.count()} still queued."
        )
        if result.failed:
            raise CommandError(f"Search engine failed, updates kept: {result.error}")
        self.stdout.write(self.style.SUCCESS("Search index updates applied."))
