"""Fixtures for tests whose data must really commit (browser tests, worker processes, imports
committing in batches).

They use `transactional_db`: each test's data is committed and the database is flushed
afterwards. A flush also removes what
the migrations created (Wagtail's root page, locale, root collection, groups), which the shared
`site_tree` fixture cannot rebuild, so this module snapshots the session's database before its
first test and restores it after every flush; later tests start exactly where they would have.
"""

import json
from collections.abc import Iterator

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from wagtail.models import Page

FIRST_MODELS = ("contenttypes.contenttype", "auth.permission")


def _restore(snapshot: str) -> None:
    if Page.objects.exists():
        return  # not flushed: the session's data is still there
    # The flush's post_migrate re-created content types and permissions under new ids; the
    # snapshot's own rows (which groups and page permissions point at) replace them.
    Permission.objects.all().delete()
    ContentType.objects.all().delete()
    ContentType.objects.clear_cache()
    connection.creation.deserialize_db_from_string(snapshot)


@pytest.fixture(scope="module")
def session_snapshot(django_db_setup, django_db_blocker) -> Iterator[str]:
    """The session's database (migrations' data, vocabularies, site tree), restored once the
    module's last flush has run so no later test sees an empty database."""
    with django_db_blocker.unblock():
        rows = json.loads(connection.creation.serialize_db_to_string())
    # Content types and permissions first: saving some rows looks their content type up, and
    # would otherwise create it under a new id before the snapshot's own row arrives.
    rows.sort(key=lambda row: row["model"] not in FIRST_MODELS)
    snapshot = json.dumps(rows)
    yield snapshot
    with django_db_blocker.unblock():
        _restore(snapshot)


@pytest.fixture
def restored_db(transactional_db, session_snapshot) -> None:
    """A committed-data database in the session's state, even after an earlier test's flush."""
    _restore(session_snapshot)
