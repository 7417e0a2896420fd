"""Renaming a community's slug changes the URL of every item beneath it; the index follows."""

import pytest

from knowledge.vocabularies import Region, Topic
from search.engines.base import SearchQuery
from tests.factories import CaseStudyPageFactory, community_for

pytestmark = pytest.mark.django_db


def test_new_community_slug_reaches_the_indexed_urls(
    site_tree, empty_index, django_capture_on_commit_callbacks
):
    engine = empty_index
    eur = Region.objects.get(code="EUR")
    community = community_for(eur)
    with django_capture_on_commit_callbacks(execute=True):
        item = CaseStudyPageFactory(
            parent=community,
            title="Quokka border post",
            regions=[eur],
            topics=[Topic.objects.get(code="automation")],
        )
    engine.refresh()
    [hit] = engine.search(SearchQuery(text="quokka")).hits
    assert hit.url == "/eur/quokka-border-post/"

    community.slug = "europe"
    with django_capture_on_commit_callbacks(execute=True):
        community.save_revision().publish()
    engine.refresh()

    [hit] = engine.search(SearchQuery(text="quokka")).hits
    item.refresh_from_db()
    assert hit.url == item.url == "/europe/quokka-border-post/"
