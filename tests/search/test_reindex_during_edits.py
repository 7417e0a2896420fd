"""Editors keep publishing while `reindex` rebuilds: their changes survive the switch."""

import io

import pytest
from django.core.management import call_command
from wagtail.log_actions import log

from knowledge.vocabularies import Region
from search import documents
from search.engines.base import SearchQuery
from tests.factories import CaseStudyPageFactory, community_for

pytestmark = pytest.mark.django_db


def test_changes_published_mid_rebuild_are_reapplied_after_the_switch(
    site_tree, embedded_engine, monkeypatch, django_capture_on_commit_callbacks
):
    eur = Region.objects.get(code="EUR")
    pages = [
        CaseStudyPageFactory(parent=community_for(eur), regions=[eur], title=f"Quokka {n}")
        for n in range(4)
    ]
    build = documents.iter_documents

    def build_while_an_editor_works(queryset=None, batch_size=documents.BATCH_SIZE):
        for n, document in enumerate(build(queryset, batch_size=batch_size)):
            if n == 1:  # mid-rebuild: retitle a page already read, unpublish another
                with django_capture_on_commit_callbacks(execute=True):
                    pages[0].title = "Wombat survey"
                    pages[0].save_revision().publish()
                    pages[3].unpublish()
            yield document

    monkeypatch.setattr(documents, "iter_documents", build_while_an_editor_works)
    out = io.StringIO()
    call_command("reindex", "--batch-size", "1", stdout=out, stderr=io.StringIO())

    monkeypatch.setattr(documents, "iter_documents", build)
    assert "Re-applied" in out.getvalue()
    embedded_engine.refresh()
    assert [h.id for h in embedded_engine.search(SearchQuery(text="wombat")).hits] == [pages[0].pk]
    quokkas = {h.id for h in embedded_engine.search(SearchQuery(text="quokka")).hits}
    assert quokkas == {pages[1].pk, pages[2].pk}
    check = io.StringIO()
    call_command("search_check", stdout=check)
    assert "match" in check.getvalue().lower()


def test_vocabulary_renamed_in_the_admin_mid_rebuild_is_reapplied(
    site_tree, embedded_engine, monkeypatch, django_capture_on_commit_callbacks
):
    eur = Region.objects.get(code="EUR")
    pages = [
        CaseStudyPageFactory(parent=community_for(eur), regions=[eur], title=f"Quokka {n}")
        for n in range(3)
    ]
    build = documents.iter_documents

    def build_while_the_secretariat_renames(queryset=None, batch_size=documents.BATCH_SIZE):
        for n, document in enumerate(build(queryset, batch_size=batch_size)):
            if n == 1:  # the snippet edit view saves and logs, as here
                with django_capture_on_commit_callbacks(execute=True):
                    eur.name = "Europe and the Caucasus"
                    eur.save()
                    log(instance=eur, action="wagtail.edit")
            yield document

    monkeypatch.setattr(documents, "iter_documents", build_while_the_secretariat_renames)
    call_command("reindex", "--batch-size", "1", stdout=io.StringIO(), stderr=io.StringIO())
    monkeypatch.setattr(documents, "iter_documents", build)

    embedded_engine.refresh()
    found = {h.id for h in embedded_engine.search(SearchQuery(text="caucasus")).hits}
    assert found == {p.pk for p in pages}
