"""The demo engagements load with the demo content, consistent with it, and idempotently."""

import pytest
from django.core.management import call_command

from partnerships.models import Engagement

pytestmark = pytest.mark.django_db


def test_demo_engagements_load_consistently_and_idempotently(site_tree, capsys):
    call_command("load_demo_content")
    out = capsys.readouterr().out
    engagements = Engagement.objects.all()
    count = engagements.count()
    assert 15 <= count <= 25 and f"Demo engagements: {count} created" in out

    call_command("load_demo_content")
    assert f"Demo engagements: 0 created, 0 updated, {count} unchanged" in capsys.readouterr().out
    assert engagements.count() == count

    assert len(set(engagements.values_list("partner__acronym", flat=True))) >= 9
    assert set(engagements.values_list("kind", flat=True)) == set(Engagement.Kind.values)
    assert {"planned", "active", "completed", "cancelled"} <= set(
        engagements.values_list("status", flat=True)
    )
    assessments = set(engagements.values_list("assessment", flat=True))
    assert assessments == {"", *Engagement.Assessment.values}
    for engagement in engagements.prefetch_related("outcome_items__partners", "regions"):
        assert engagement.assessment == "" or engagement.assessment_justification
        regions = set(engagement.regions.all())
        for item in engagement.outcome_items.all():
            # an outcome item is the partner's and shares a region with the engagement
            assert engagement.partner in item.partners.all() or engagement.partner == getattr(
                item.specific, "contributing_partner", None
            ), (engagement.external_id, item.external_id)
            assert regions & set(item.regions.all()), (engagement.external_id, item.external_id)
