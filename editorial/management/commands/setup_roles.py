"""`manage.py setup_roles [--demo-accounts]`: groups, permissions, collections, workflow."""

from django.core.management.base import BaseCommand

from editorial.role_setup import setup_roles


class Command(BaseCommand):
    help = (
        "Create or update the editorial groups (Secretariat, regional editors, partner "
        "contributors, Members), their page/collection/model permissions, the per-region and "
        "per-partner collections and the partner study review workflow. Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--demo-accounts",
            action="store_true",
            help="Also create one demo user per role, with a new random password (printed).",
        )

    def handle(self, *args, demo_accounts=False, **options):
        report = setup_roles(demo_accounts=demo_accounts)
        self.stdout.write(
            f"setup_roles: {len(report.groups)} groups; "
            f"{report.added} permissions added, {report.removed} removed."
        )
        if report.retired_groups:
            self.stdout.write(f"Removed Wagtail starter groups: {', '.join(report.retired_groups)}")
        for name in report.kept_groups:
            self.stderr.write(
                f"Kept starter group {name!r}: it still has members; move them to a role group."
            )
        if report.demo_passwords:
            self.stdout.write("Demo accounts (username, password):")
            for username, password in report.demo_passwords.items():
                self.stdout.write(f"  {username:<15} {password}")
