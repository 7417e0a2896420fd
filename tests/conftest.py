"""Shared fixtures: the reference vocabularies and the community page tree.

Both are built once per test session, right after the test database is created, so each
test starts from them inside its own rolled-back transaction. The fixtures re-create them
when a transactional test has flushed the database.
"""

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import translation

from knowledge.pages import HomePage
from knowledge.site_tree import ensure_site_tree
from knowledge.vocabularies import Region
from knowledge.vocabulary_loader import load_vocabularies
from search.engines import get_engine
from tests.committed_db import restored_db, session_snapshot  # noqa: F401 (shared fixtures)


@pytest.fixture(scope="session", autouse=True)
def compiled_catalogues():
    """The translation catalogues compiled as bin/setup-env compiles them, for a test run
    that did not start from bin/test (only missing or stale ones are compiled)."""
    call_command("compilemessages", ignore_patterns=[".venv", "var", "search-node"], verbosity=0)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        load_vocabularies()
        ensure_site_tree()


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts in the default language: a request under /fr/ leaves French active in
    the thread (LocaleMiddleware activates, nothing deactivates), which would prefix the URLs
    the next test builds."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def vocabularies(db):
    if not Region.objects.exists():
        load_vocabularies()


@pytest.fixture
def site_tree(vocabularies) -> HomePage:
    """Home, six regional communities, partner-studies area and one profile per partner."""
    return ensure_site_tree()


@pytest.fixture
def empty_index():
    """The configured engine with a new, empty index. Created explicitly, as `reindex` does:
    engines never create a missing index on a search or a write."""
    engine = get_engine()
    engine.clear()
    engine.ensure_index()
    return engine


CONFORMANCE_ENGINES = {
    "TestEmbedded": "embedded (tantivy)",
    "TestOpenSearch": "OpenSearch (live node)",
    "TestElasticsearch": "Elasticsearch (ELASTICSEARCH_URL)",
}


def pytest_terminal_summary(terminalreporter):
    """One line per engine saying how the shared conformance suite went on it."""
    tally: dict[str, dict[str, int]] = {}
    for outcome in ("passed", "failed", "error", "skipped"):
        for report in terminalreporter.stats.get(outcome, []):
            parts = getattr(report, "nodeid", "").split("::")
            if len(parts) < 3 or report.when not in ("call", "setup"):
                continue
            if report.when == "setup" and outcome == "passed":
                continue
            engine = next(
                (n for p, n in CONFORMANCE_ENGINES.items() if parts[1].startswith(p)), None
            )
            if engine is None:
                continue
            counts = tally.setdefault(engine, {})
            counts[outcome] = counts.get(outcome, 0) + 1
    if not tally:
        return
    terminalreporter.section("engine conformance suite")
    for engine, counts in tally.items():
        summary = ", ".join(f"{n} {outcome}" for outcome, n in counts.items())
        terminalreporter.write_line(f"{engine}: {summary}")
