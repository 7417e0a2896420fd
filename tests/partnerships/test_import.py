"""`manage.py import_engagements`: validated, atomic, idempotent by external_id."""

import json

import pytest
from django.core.management import CommandError, call_command
from wagtail.models import ModelLogEntry

from partnerships.models import Engagement

pytestmark = pytest.mark.django_db


def line(**fields) -> dict:
    values = {
        "external_id": "eng-ti-eur-1",
        "title": "Training of trainers on conflicts of interest",
        "partner": "TI",
        "kind": "training",
        "regions": ["EUR"],
        "topics": ["code-of-conduct"],
        "start_date": "2024-04-01",
        "end_date": "2025-03-31",
        "purpose": "Train integrity trainers.",
        "expected_outcomes": "Thirty certified trainers.",
        "status": "active",
        "assessment": "too_early",
        "assessment_justification": "Twelve certified so far.",
    }
    values.update(fields)
    return values


def write(tmp_path, *lines, name="engagements.jsonl"):
    path = tmp_path / name
    path.write_text("".join(json.dumps(item) + "\n" for item in lines), encoding="utf-8")
    return path


def test_import_creates_then_updates_without_duplicates(vocabularies, tmp_path, capsys):
    path = write(tmp_path, line(), line(external_id="eng-unodc-1", partner="UNODC", assessment=""))
    call_command("import_engagements", str(path))
    assert "2 created, 0 updated, 0 unchanged" in capsys.readouterr().out
    engagement = Engagement.objects.get(external_id="eng-ti-eur-1")
    assert engagement.partner.acronym == "TI"
    assert list(engagement.regions.values_list("code", flat=True)) == ["EUR"]
    assert engagement.latest_revision is not None
    assert ModelLogEntry.objects.filter(action="wagtail.create").count() == 2

    call_command("import_engagements", str(path))
    assert "0 created, 0 updated, 2 unchanged" in capsys.readouterr().out

    changed = write(
        tmp_path,
        line(status="completed", regions=["EUR", "AP"]),
        line(external_id="eng-unodc-1", partner="UNODC", assessment=""),
    )
    call_command("import_engagements", str(changed))
    assert "0 created, 1 updated, 1 unchanged" in capsys.readouterr().out
    assert Engagement.objects.count() == 2
    engagement.refresh_from_db()
    assert engagement.status == "completed"
    assert set(engagement.regions.values_list("code", flat=True)) == {"EUR", "AP"}


def test_outcome_items_by_external_id_or_page_id(site_tree, tmp_path, capsys):
    call_command("load_demo_content")
    from knowledge.pages import KnowledgePage

    by_id = KnowledgePage.objects.get(external_id="eur-gb-gifts-register")
    path = write(tmp_path, line(outcome_items=["eur-conflict-of-interest-guide", by_id.pk]))
    call_command("import_engagements", str(path))
    engagement = Engagement.objects.get(external_id="eng-ti-eur-1")
    assert set(engagement.outcome_items.values_list("external_id", flat=True)) == {
        "eur-conflict-of-interest-guide",
        "eur-gb-gifts-register",
    }


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        ({"partner": "NOPE"}, "unknown partner: NOPE"),
        ({"regions": ["XX"]}, "unknown regions code(s): XX"),
        ({"regions": []}, "regions needs at least one code"),
        ({"topics": ["no-such-topic"]}, "unknown topics code(s): no-such-topic"),
        ({"kind": "lunch"}, "unknown kind 'lunch'"),
        ({"status": "paused"}, "unknown status 'paused'"),
        ({"assessment": "great"}, "unknown assessment 'great'"),
        ({"assessment_justification": ""}, "an assessment needs an assessment_justification"),
        ({"start_date": "2024-13-01"}, "invalid date in start_date"),
        ({"end_date": "2024-01-01"}, "end_date is before start_date"),
        (
            {"outcome_items": ["no-such-item", 999999]},
            "unknown outcome item(s): no-such-item, 999999",
        ),
        ({"external_id": ""}, "missing external_id"),
        ({"colour": "red"}, "unknown key(s): colour"),
    ],
)
def test_a_bad_line_writes_nothing_and_names_its_line(vocabularies, tmp_path, capsys, bad, reason):
    path = write(tmp_path, line(external_id="good-1"), line(**({"external_id": "bad-2"} | bad)))
    with pytest.raises(CommandError, match="1 invalid line"):
        call_command("import_engagements", str(path))
    errors = capsys.readouterr().err
    assert "line 2:" in errors and reason in errors, errors
    assert not Engagement.objects.exists()


def test_invalid_json_duplicates_and_an_existing_register_unchanged(vocabularies, tmp_path, capsys):
    call_command("import_engagements", str(write(tmp_path, line(), name="first.jsonl")))
    path = tmp_path / "broken.jsonl"
    path.write_text(
        json.dumps(line(title="Renamed")) + "\n{not json\n" + json.dumps(line()) + "\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError, match="2 invalid line"):
        call_command("import_engagements", str(path))
    errors = capsys.readouterr().err
    assert "line 2: invalid JSON" in errors
    assert "line 3: duplicate external_id 'eng-ti-eur-1' (first on line 1)" in errors
    assert Engagement.objects.get().title == "Training of trainers on conflicts of interest"


def test_missing_file_is_a_friendly_error(vocabularies, tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        call_command("import_engagements", str(tmp_path / "none.jsonl"))
