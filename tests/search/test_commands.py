"""reindex and search_check, through call_command as an operator runs them."""

import io

import pytest
from django.core.management import CommandError, call_command

from knowledge.pages import KnowledgePage
from knowledge.vocabularies import Region
from search.engines.base import SearchQuery
from tests.factories import CaseStudyPageFactory, community_for


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.fixture
def pages(site_tree, embedded_engine):
    eur = Region.objects.get(code="EUR")
    # on-commit work does not run in these tests: the index starts empty
    return [
        CaseStudyPageFactory(parent=community_for(eur), regions=[eur], title=f"Quokka {n}")
        for n in range(3)
    ]


def test_reindex_builds_the_index(pages, embedded_engine):
    assert embedded_engine.search(SearchQuery(text="quokka")).total == 0
    output = run("reindex", "--batch-size", "2")
    assert "Indexed 3 of 3 live items" in output
    assert embedded_engine.search(SearchQuery(text="quokka")).total == 3


def test_reindex_rejects_a_bad_batch_size(pages):
    with pytest.raises(CommandError, match="batch-size"):
        run("reindex", "--batch-size", "0")


def test_search_check_finds_and_fixes_differences(pages, embedded_engine):
    run("reindex")
    assert "matches the database" in run("search_check")

    missing, stale, _ = pages
    embedded_engine.delete_documents([missing.pk])
    KnowledgePage.objects.filter(pk=stale.pk).update(title="Changed behind the index")
    embedded_engine.index_documents([{"id": 999999, "title": "Ghost", "visibility": "public"}])

    out = io.StringIO()
    with pytest.raises(CommandError, match="differs"):
        call_command("search_check", stdout=out)
    report = out.getvalue()
    assert f"Missing (1): {missing.pk}" in report
    assert f"Stale (1): {stale.pk}" in report
    assert "Extra (1): 999999" in report

    assert "Fixed: indexed 2, removed 1" in run("search_check", "--fix")
    assert "matches the database" in run("search_check")
    assert embedded_engine.search(SearchQuery(text="behind")).total == 1
