"""`manage.py load_demo_content`: a realistic corpus that loads cleanly and idempotently."""

import html

import pytest
from django.core.management import call_command

from knowledge.audience import page_audience
from knowledge.pages import KnowledgePage

pytestmark = pytest.mark.django_db


def test_demo_loader_is_idempotent_and_covers_the_vocabularies(capsys):
    call_command("load_demo_content")
    first = capsys.readouterr().out
    pages = KnowledgePage.objects.all()
    count = pages.count()
    assert count >= 66 and f"{count} created" in first

    call_command("load_demo_content")
    assert f"0 created, 0 updated, {count} unchanged" in capsys.readouterr().out
    assert pages.count() == count

    live = pages.live()
    assert live.count() == count
    assert {p.specific.knowledge_type for p in pages} == {
        "case_study", "procedure", "standard", "handbook", "partner_study"
    }  # fmt: skip
    assert set(live.values_list("regions__code", flat=True)) == {
        "AMC", "AP", "ESA", "EUR", "MENA", "WCA"
    }  # fmt: skip
    assert len(set(live.values_list("topics__code", flat=True))) >= 13
    assert len(set(live.exclude(partners=None).values_list("partners__acronym", flat=True))) >= 8
    assert live.filter(language="fr").count() >= 8
    assert live.filter(language="es").count() >= 5
    years = {d.year for d in live.values_list("published_date", flat=True)}
    assert min(years) == 2012 and max(years) >= 2025
    assert 3 <= sum(page_audience(p) == "members" for p in live) < count // 4
    assert not live.filter(summary__icontains="lorem").exists()


def test_demo_pages_render(client):
    call_command("load_demo_content")
    for page in KnowledgePage.objects.live().public().order_by("pk")[::9]:
        response = client.get(page.url)
        assert response.status_code == 200
        assert html.escape(page.title) in response.content.decode()
