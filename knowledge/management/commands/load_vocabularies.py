"""`manage.py load_vocabularies`: create or refresh regions, countries, topics and partners."""

from django.core.management.base import BaseCommand

from knowledge.vocabulary_loader import load_vocabularies


class Command(BaseCommand):
    help = (
        "Load the reference vocabularies (WCO regions, ISO 3166 countries in their WCO "
        "region, Arusha topics, partner organisations). Safe to run again: entries are "
        "matched by their stable code and refreshed, never duplicated."
    )

    def handle(self, *args, **options):
        report = load_vocabularies()
        self.stdout.write(self.style.SUCCESS(f"Vocabularies loaded: {report}"))
