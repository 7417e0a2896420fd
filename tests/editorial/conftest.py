"""Editorial fixtures: roles applied to the site tree, one user per role, admin form helpers."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from editorial.role_setup import setup_roles
from editorial.roles import SECRETARIAT_GROUP_NAME, editor_group_name, partner_group_name
from knowledge.audience import MEMBERS_GROUP_NAME


@pytest.fixture
def roles(site_tree):
    setup_roles()
    return site_tree


def group_for(role: str, code: str = "") -> str:
    return {
        "secretariat": lambda: SECRETARIAT_GROUP_NAME,
        "editor": lambda: editor_group_name(code),
        "partner": lambda: partner_group_name(code),
        "member": lambda: MEMBERS_GROUP_NAME,
    }[role]()


@pytest.fixture
def make_user(roles):
    """make_user("editor", "EUR") → an active user in that role's group, with an e-mail."""

    def make(role: str, code: str = "", username: str | None = None):
        username = username or f"{role}-{code or 'x'}".lower()
        user, _ = get_user_model().objects.get_or_create(
            username=username, defaults={"email": f"{username}@example.org"}
        )
        user.groups.add(Group.objects.get(name=group_for(role, code)))
        return user

    return make


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser("root", "root@example.org", "pw")
