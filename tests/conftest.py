"""Shared fixtures: the reference vocabularies and the community page tree.

Both are built once per test session, right after the test database is created, so each
test starts from them inside its own rolled-back transaction. The fixtures re-create them
when a transactional test has flushed the database.
"""

import pytest

from knowledge.pages import HomePage
from knowledge.site_tree import ensure_site_tree
from knowledge.vocabularies import Region
from knowledge.vocabulary_loader import load_vocabularies


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        load_vocabularies()
        ensure_site_tree()


@pytest.fixture
def vocabularies(db):
    if not Region.objects.exists():
        load_vocabularies()


@pytest.fixture
def site_tree(vocabularies) -> HomePage:
    """Home, six regional communities, partner-studies area and one profile per partner."""
    return ensure_site_tree()
