"""`manage.py import_knowledge`: validation over the whole file, one transaction, re-import."""

import json

import pytest
from django.core.management import CommandError, call_command
from wagtail.models import PageLogEntry

from knowledge import importing
from knowledge.audience import page_audience
from knowledge.pages import (
    CaseStudyPage,
    CommunityPage,
    HandbookPage,
    HomePage,
    KnowledgePage,
    PartnerProfilePage,
    PartnerStudyPage,
    ProcedurePage,
    StandardPage,
)
from knowledge.registry import VOCABULARIES

pytestmark = pytest.mark.django_db

BASE = {
    "summary": "A short summary.",
    "body_html": "<p>Body text.</p>",
    "regions": ["WCA"],
    "topics": ["human-resources"],
    "published": "2021-03-04",
}


def item(external_id, type_="case_study", **extra):
    return {"external_id": external_id, "type": type_, "title": f"Item {external_id}"} | (
        BASE | extra
    )


GOOD = [
    item(
        "cs-1",
        regions=["WCA", "ESA"],
        countries=["CM", "ke"],
        topics=["human-resources", "automation"],
        partners=["TI", "UNODC"],
        tags=["rotation", "asset declaration"],
        language="fr",
        community="ESA",
        what_happened="<p>Facilitation payments at the border.</p>",
        lessons_learned="<p>Rotate staff.</p>",
    ),
    item(
        "pr-1",
        "procedure",
        scope="<p>All clearance officers.</p>",
        owning_unit="Internal Affairs",
        steps=[
            {"title": "Declare", "description": "<p>Fill the form.</p>", "responsible": "Officer"},
            {"title": "Verify"},
        ],
    ),
    item(
        "st-1",
        "standard",
        issuing_body="WCO",
        reference_number="RAD-2003",
        status="in_force",
        effective_date="2003-06-01",
        members_only=True,
    ),  # fmt: skip
    item("hb-1", "handbook", edition="2nd", chapters=[{"title": "Risk", "body": "<p>Map it.</p>"}]),
    item(
        "ps-1",
        "partner_study",
        partners=["MACN"],
        methodology="<p>Survey of captains.</p>",
        commissioning_body="MACN members",
    ),  # fmt: skip
]


def write(tmp_path, rows, name="items.jsonl"):
    path = tmp_path / name
    lines = [r if isinstance(r, str) else json.dumps(r) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run(path, *args):
    call_command("import_knowledge", str(path), *args)


def test_imports_all_five_types_with_metadata(site_tree, tmp_path, capsys, client):
    run(write(tmp_path, GOOD))
    assert "5 created, 0 updated, 0 unchanged, 0 skipped" in capsys.readouterr().out

    case = CaseStudyPage.objects.get(external_id="cs-1")
    assert case.live and case.first_published_at
    assert case.get_parent().specific.region.code == "ESA"
    assert sorted(case.regions.values_list("code", flat=True)) == ["ESA", "WCA"]
    assert sorted(case.countries.values_list("code", flat=True)) == ["CM", "KE"]
    assert sorted(case.topics.values_list("code", flat=True)) == ["automation", "human-resources"]
    assert sorted(case.partners.values_list("acronym", flat=True)) == ["TI", "UNODC"]
    assert sorted(case.tags.names()) == ["asset declaration", "rotation"]
    assert case.language == "fr"
    assert case.what_happened == "<p>Facilitation payments at the border.</p>"
    assert [b.block_type for b in case.body] == ["paragraph"]
    assert case.body[0].value.source == "<p>Body text.</p>"
    assert PageLogEntry.objects.filter(page=case, action="wagtail.publish").exists()

    procedure = ProcedurePage.objects.get(external_id="pr-1")
    assert procedure.get_parent().specific.region.code == "WCA"  # default: first region
    assert [s.value["title"] for s in procedure.steps] == ["Declare", "Verify"]
    assert procedure.steps[0].value["description"].source == "<p>Fill the form.</p>"
    assert procedure.owning_unit == "Internal Affairs"

    standard = StandardPage.objects.get(external_id="st-1")
    assert (standard.issuing_body, standard.reference_number) == ("WCO", "RAD-2003")
    assert str(standard.effective_date) == "2003-06-01"
    assert page_audience(standard) == "members"
    assert page_audience(procedure) == "public"

    handbook = HandbookPage.objects.get(external_id="hb-1")
    assert handbook.edition == "2nd" and handbook.chapters[0].value["title"] == "Risk"

    study = PartnerStudyPage.objects.get(external_id="ps-1")
    assert study.contributing_partner.acronym == "MACN"
    assert study.get_parent().specific == PartnerProfilePage.objects.get(partner__acronym="MACN")
    assert study.methodology == "<p>Survey of captains.</p>"

    response = client.get(study.url)
    assert response.status_code == 200
    assert "Survey of captains." in response.content.decode()


def test_reimport_updates_instead_of_duplicating(site_tree, tmp_path, capsys):
    path = write(tmp_path, GOOD)
    run(path)
    run(path)
    assert "0 created, 0 updated, 5 unchanged" in capsys.readouterr().out
    assert KnowledgePage.objects.count() == 5

    changed = [dict(r) for r in GOOD]
    changed[0] = changed[0] | {"title": "Renamed", "tags": ["rotation"], "community": "WCA"}
    changed[2] = changed[2] | {"members_only": False}
    run(write(tmp_path, changed))
    assert "0 created, 2 updated, 3 unchanged" in capsys.readouterr().out
    assert KnowledgePage.objects.count() == 5
    case = CaseStudyPage.objects.get(external_id="cs-1")
    assert case.title == "Renamed" and list(case.tags.names()) == ["rotation"]
    assert case.get_parent().specific.region.code == "WCA"
    assert page_audience(StandardPage.objects.get(external_id="st-1")) == "public"


def test_changed_type_for_existing_id_is_an_error(site_tree, tmp_path):
    run(write(tmp_path, GOOD[:1]))
    with pytest.raises(CommandError):
        run(write(tmp_path, [item("cs-1", "handbook")]))
    assert CaseStudyPage.objects.filter(external_id="cs-1").exists()


BAD_LINES = [
    (item("ok-1"), None),
    ("{not json", "invalid JSON"),
    (item("b-2", regions=["XX"]), "unknown regions code(s): XX"),
    (item("b-3", title=""), "missing title"),
    (item("b-4", published="2021-02-30"), "invalid date in published"),
    (item("b-5", "video"), "unknown type 'video'"),
    (item("b-6", tags="rotation"), "tags must be a list of strings"),
    (item("b-7", topics=["nope"], countries=["ZZ"]), "unknown topics code(s): nope"),
    (item("b-8", "standard"), "missing issuing_body"),
    (item("b-9", "partner_study"), "needs contributing_partner"),
    (item("b-10", members_only="yes"), "members_only must be true or false"),
    (item("ok-1"), "duplicate external_id 'ok-1'"),
    (item("b-12", outcome="<p>x</p>", steps=[]), "unknown key(s) for type case_study: steps"),
    (item("ok-13", "handbook"), None),
]


def test_bad_lines_are_all_reported_and_nothing_is_written(site_tree, tmp_path, capsys):
    path = write(tmp_path, [row for row, _ in BAD_LINES])
    with pytest.raises(CommandError, match="12 invalid line"):
        run(path)
    err = capsys.readouterr().err
    for number, (_, reason) in enumerate(BAD_LINES, start=1):
        if reason:
            assert f"line {number}: " in err and reason in err, (number, reason)
    assert "unknown countries code(s): ZZ" in err  # several problems of one line all listed
    assert "line 1:" not in err and "line 14:" not in err
    assert not KnowledgePage.objects.exists()


def test_skip_invalid_writes_the_good_lines(site_tree, tmp_path, capsys):
    run(write(tmp_path, [row for row, _ in BAD_LINES]), "--skip-invalid")
    assert "2 created, 0 updated, 0 unchanged, 12 skipped" in capsys.readouterr().out
    assert set(KnowledgePage.objects.values_list("external_id", flat=True)) == {"ok-1", "ok-13"}


def test_dry_run_writes_nothing(site_tree, tmp_path, capsys):
    run(write(tmp_path, GOOD), "--dry-run")
    assert "would have 5 created" in capsys.readouterr().out
    assert not KnowledgePage.objects.exists()


def test_html_is_sanitised(site_tree, tmp_path):
    evil = (
        '<p onclick="steal()">Hi<script>alert(1)</script>'
        '<img src=x onerror="alert(2)"><a href="javascript:alert(3)">link</a></p>'
    )
    run(write(tmp_path, [item("x-1", body_html=evil, what_happened=evil)]))
    page = CaseStudyPage.objects.get(external_id="x-1")
    for stored in (page.body[0].value.source, page.what_happened):
        assert "Hi" in stored and "link" in stored
        for bad in ("<script", "onerror", "onclick", "javascript:", "<img"):
            assert bad not in stored


def test_failure_mid_way_rolls_back_everything(site_tree, tmp_path, monkeypatch):
    original = importing._Writer.write
    calls = []

    def failing(self, item, page):
        calls.append(item.external_id)
        if len(calls) == 3:
            raise RuntimeError("disk full")
        return original(self, item, page)

    def logged(action):
        return set(PageLogEntry.objects.filter(action=action).values_list("page_id", flat=True))

    published_before = logged("wagtail.publish")  # the site tree's own pages
    monkeypatch.setattr(importing, "BATCH_ITEMS", 2)  # the first batch commits, then a failure
    monkeypatch.setattr(importing._Writer, "write", failing)
    with pytest.raises(RuntimeError):
        run(write(tmp_path, GOOD))
    assert not KnowledgePage.objects.exists()

    # The audit log keeps the truth: whatever a committed batch published, the undo deleted.
    published = logged("wagtail.publish") - published_before
    assert published, "the first batch committed before the failure"
    assert published <= logged("wagtail.delete")


def test_attachments_become_documents_once(site_tree, tmp_path):
    (tmp_path / "files").mkdir()
    (tmp_path / "files" / "note.pdf").write_bytes(b"%PDF-1.4\n% test\n")
    rows = [item("a-1", attachments=["files/note.pdf"]), item("a-2", attachments=[
        {"file": "files/note.pdf", "title": "Same note"}])]  # fmt: skip
    run(write(tmp_path, rows))
    run(write(tmp_path, rows))
    from wagtail.documents.models import Document

    assert Document.objects.count() == 1
    page = KnowledgePage.objects.get(external_id="a-2")
    assert [a.caption for a in page.attachments.all()] == ["Same note"]

    with pytest.raises(CommandError):
        run(write(tmp_path, [item("a-3", attachments=["../../etc/passwd"])]))


def test_a_freshly_migrated_database_gets_the_tree_it_needs(vocabularies, tmp_path, capsys):
    """Vocabularies loaded, no page tree yet: the communities and partner profiles follow
    from the vocabularies, so the import builds them instead of failing on a missing one."""
    HomePage.objects.get().delete()
    assert not CommunityPage.objects.exists()
    run(write(tmp_path, GOOD))
    assert "5 created" in capsys.readouterr().out
    case = CaseStudyPage.objects.get(external_id="cs-1")
    assert case.get_parent().specific.region.code == "ESA"
    study = PartnerStudyPage.objects.get(external_id="ps-1")
    assert study.get_parent().specific == PartnerProfilePage.objects.get(partner__acronym="MACN")


def test_without_vocabularies_one_message_names_the_command(vocabularies, tmp_path, capsys):
    HomePage.objects.get().delete()
    for entry in VOCABULARIES:
        entry.model.objects.all().delete()
    with pytest.raises(CommandError, match="run `manage.py load_vocabularies` first"):
        run(write(tmp_path, GOOD))
    assert "unknown" not in capsys.readouterr().err
    assert not KnowledgePage.objects.exists()
