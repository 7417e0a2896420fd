"""`manage.py import_knowledge FILE`: load knowledge items from JSON Lines (see README)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cms.progress import Progress
from knowledge.importing import NotReady, import_items, parse_file


class Command(BaseCommand):
    help = (
        "Import knowledge items from a JSON Lines file. The whole file is validated first; "
        "with any invalid line nothing is written unless --skip-invalid. Re-importing updates "
        "the items with the same external_id."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="JSON Lines file, one item per line")
        parser.add_argument(
            "--skip-invalid", action="store_true", help="import the valid lines, skip the rest"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="validate and report, write nothing"
        )

    def handle(self, *args, file: Path, skip_invalid: bool, dry_run: bool, **options):
        if not file.is_file():
            raise CommandError(f"No such file: {file}")
        try:
            items, errors = parse_file(file)
        except NotReady as exc:
            raise CommandError(str(exc)) from exc
        for error in errors:
            self.stderr.write(f"{file.name}: {error}")
        if errors and not skip_invalid:
            raise CommandError(
                f"{len(errors)} invalid line(s), {len(items)} valid; nothing imported. "
                "Fix the lines above or use --skip-invalid."
            )
        progress = Progress(self.stderr, len(items), "items written")
        summary = import_items(
            items, dry_run=dry_run, progress=lambda done, _: progress.update(done)
        )
        progress.finish()
        summary.skipped = len(errors)
        prefix = "Dry run (nothing written): would have " if dry_run else "Imported: "
        self.stdout.write(self.style.SUCCESS(f"{prefix}{summary}"))
