"""A deleted index folder is an outage, not an empty index: 503 and an error in the log until
`manage.py reindex`, and page changes made meanwhile wait in the outbox instead of going into
a new empty index."""

import io
import logging
import shutil

import pytest
import tantivy
from django.core.management import call_command

from knowledge.vocabularies import Region
from search.engines.base import SearchQuery
from search.models import IndexUpdate
from tests.factories import CaseStudyPageFactory, community_for
from tests.search import test_views

world = test_views.world  # five items published and indexed through the pipeline


@pytest.fixture
def index_deleted(world, empty_index):
    shutil.rmtree(empty_index.path)
    return empty_index


def test_search_page_api_and_feed_answer_503_and_log_it(client, index_deleted, caplog):
    with caplog.at_level(logging.ERROR, logger="search.engines"):
        page = client.get("/search/", {"q": "officers"})
        api = client.get("/api/search/", {"q": "officers"})
        feed = client.get("/search/feed/", {"q": "officers"})

    assert page.status_code == 503 and page["Retry-After"] == "30"
    assert "temporarily unavailable" in page.content.decode()
    assert api.status_code == 503 and api["Retry-After"] == "30"
    assert feed.status_code == 503 and feed["Retry-After"] == "30"
    errors = [r for r in caplog.records if r.name.startswith("search.engines")]
    assert len(errors) == 1 and errors[0].levelno == logging.ERROR  # once, not per request
    assert f"search index missing at {index_deleted.path}" in errors[0].getMessage()
    assert "manage.py reindex" in errors[0].getMessage()
    assert not index_deleted.path.exists()  # no empty index took its place


def test_search_check_reports_the_missing_index(index_deleted):
    with pytest.raises(Exception, match="search index missing.*run manage.py reindex"):
        call_command("search_check", stdout=io.StringIO())
    assert not index_deleted.path.exists()


def test_changes_made_meanwhile_stay_queued_and_apply_after_reindex(
    client, index_deleted, django_capture_on_commit_callbacks
):
    eur = Region.objects.get(code="EUR")
    with django_capture_on_commit_callbacks(execute=True):  # the drain runs and fails
        new = CaseStudyPageFactory(parent=community_for(eur), regions=[eur], title="Quokka post")
    assert list(IndexUpdate.objects.values_list("page_id", flat=True)) == [new.pk]
    assert not index_deleted.path.exists()
    assert client.get("/search/", {"q": "quokka"}).status_code == 503

    out = io.StringIO()
    call_command("reindex", "--no-progress", stdout=out)
    assert IndexUpdate.objects.count() == 0
    assert "Re-applied 1 queued updates" in out.getvalue()
    assert [h.id for h in index_deleted.search(SearchQuery(text="quokka")).hits] == [new.pk]
    assert client.get("/api/search/", {"q": "quokka"}).json()["total"] == 1


def test_an_index_of_an_older_layout_is_an_outage_until_reindex(client, world, empty_index):
    """An index built before a field was added (the Spanish-stemmed one) would fail every
    query on the missing field: it answers 503 like a missing index until `reindex`."""
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("title", stored=True)
    old = empty_index.path / "gen-older"
    old.mkdir()
    tantivy.Index(builder.build(), path=str(old)).writer(15_000_000, 1).commit()
    (empty_index.path / "CURRENT").write_text("gen-older")
    assert client.get("/api/search/", {"q": "officers"}).status_code == 503

    call_command("reindex", "--no-progress", stdout=io.StringIO())
    assert client.get("/api/search/", {"q": "officers"}).json()["total"] == 2
