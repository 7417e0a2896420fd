"""`manage.py generate_corpus`: deterministic, realistic, and a valid Wagtail page tree."""

import json

import pytest
from django.core.management import call_command
from wagtail.models import Page

from knowledge.pages import KnowledgePage, PartnerStudyPage
from synthetic.corpus import generate

pytestmark = pytest.mark.django_db


def test_same_seed_same_items_and_larger_runs_extend_smaller():
    first = list(generate(50, seed=3))
    assert first == list(generate(50, seed=3))
    assert list(generate(80, seed=3))[:50] == first
    assert first != list(generate(50, seed=4))


def test_items_are_skewed_and_varied():
    items = list(generate(2000, seed=1))
    assert {i["type"] for i in items} == {
        "case_study", "procedure", "standard", "handbook", "partner_study"
    }  # fmt: skip
    assert all(1 <= len(i["regions"]) <= 3 and 1 <= len(i["topics"]) <= 4 for i in items)
    assert all(len(i["partners"]) <= 2 for i in items)
    english = sum(i["language"] == "en" for i in items)
    assert 0.75 * len(items) < english < len(items)
    years = [int(i["published"][:4]) for i in items]
    assert years.count(2025) > 2 * years.count(2013)
    codes = ["AMC", "AP", "ESA", "EUR", "MENA", "WCA"]
    regions = sorted(sum(code in i["regions"] for i in items) for code in codes)
    assert regions[-1] > 3 * regions[0]  # Zipf-like: the top region dwarfs the last
    lengths = sorted(len(i["body_html"]) for i in items)
    assert lengths[-1] > 5 * lengths[0]
    assert not any("lorem" in i["body_html"].lower() for i in items)


def test_output_file_imports_cleanly(site_tree, tmp_path):
    path = tmp_path / "corpus.jsonl"
    call_command("generate_corpus", "--count", "25", "--seed", "5", "--output", str(path))
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 25
    call_command("import_knowledge", str(path))
    assert KnowledgePage.objects.filter(external_id__startswith="gen-5-").count() == 25


def test_bulk_mode_builds_a_valid_live_tree(site_tree, client, capsys):
    call_command("generate_corpus", "--count", "120", "--seed", "2", "--batch-size", "50")
    assert "Created 120 pages" in capsys.readouterr().out
    assert all(not problems for problems in Page.find_problems())

    pages = KnowledgePage.objects.filter(external_id__startswith="gen-2-")
    assert pages.count() == 120 == pages.live().count()
    expected = {i["external_id"]: i for i in generate(120, seed=2)}
    for page in pages.specific()[:30]:
        item = expected[page.external_id]
        assert page.title == item["title"] and page.knowledge_type == item["type"]
        assert sorted(page.regions.values_list("code", flat=True)) == sorted(item["regions"])
        assert sorted(page.tags.names()) == sorted(item["tags"])
        assert client.get(page.url).status_code == 200
    for study in PartnerStudyPage.objects.filter(external_id__startswith="gen-2-"):
        assert study.get_parent().specific.partner == study.contributing_partner

    # A larger run with the same seed only adds the missing items, still a valid tree.
    call_command("generate_corpus", "--count", "150", "--seed", "2")
    assert pages.count() == 150
    assert all(not problems for problems in Page.find_problems())
