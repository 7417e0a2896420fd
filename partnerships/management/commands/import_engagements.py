"""`manage.py import_engagements FILE`: load engagements from JSON Lines (see README)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from knowledge.importing import NotReady
from partnerships.importing import import_engagements, parse_file


class Command(BaseCommand):
    help = (
        "Import partner engagements from a JSON Lines file. Every line is validated first; "
        "with any invalid line nothing is written. Re-importing updates the engagements with "
        "the same external_id."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="JSON Lines file, one engagement per line")
        parser.add_argument(
            "--dry-run", action="store_true", help="validate and report, write nothing"
        )

    def handle(self, *args, file: Path, dry_run: bool, **options):
        if not file.is_file():
            raise CommandError(f"No such file: {file}")
        try:
            items, errors = parse_file(file)
        except NotReady as exc:
            raise CommandError(str(exc)) from exc
        for error in errors:
            self.stderr.write(f"{file.name}: {error}")
        if errors:
            raise CommandError(
                f"{len(errors)} invalid line(s), {len(items)} valid; nothing imported. "
                "Fix the lines above."
            )
        summary = import_engagements(items, dry_run=dry_run)
        prefix = "Dry run (nothing written): would have " if dry_run else "Engagements: "
        self.stdout.write(self.style.SUCCESS(f"{prefix}{summary}"))
