"""`manage.py ensure_admin`: a superuser for local use, with a fresh password printed."""

import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Create the superuser 'admin' if missing and give it a new random password, printed "
        "once. For local development and demos; production admins are created by hand."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")
        parser.add_argument("--email", default="admin@example.org")

    def handle(self, *args, username, email, **options):
        password = secrets.token_urlsafe(12)
        user, created = get_user_model().objects.get_or_create(
            username=username, defaults={"email": email}
        )
        user.is_staff = user.is_superuser = user.is_active = True
        user.set_password(password)
        user.save()
        verb = "created" if created else "password reset"
        self.stdout.write(
            self.style.SUCCESS(f"Admin login ({verb}): username {username}  password {password}")
        )
