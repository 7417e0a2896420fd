"""The engagement model's own rules: dates in order, no assessment without its reasons."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from knowledge.vocabularies import PartnerOrganisation, Region
from partnerships.models import Engagement

pytestmark = pytest.mark.django_db


def engagement(**fields) -> Engagement:
    values = {
        "title": "Integrity training for customs officers",
        "partner": PartnerOrganisation.objects.get(acronym="TI"),
        "kind": Engagement.Kind.TRAINING,
        "start_date": datetime.date(2024, 3, 1),
        "purpose": "Train trainers.",
        "expected_outcomes": "Twenty trainers certified.",
    }
    values.update(fields)
    return Engagement(**values)


def test_a_valid_engagement_saves_with_regions(vocabularies):
    item = engagement()
    item.full_clean(exclude=["regions"])
    item.save()
    item.regions.set(Region.objects.filter(code="EUR"))
    assert str(item) == "Integrity training for customs officers (TI)"
    assert list(item.partner.engagements.all()) == [item]


def test_end_before_start_is_invalid(vocabularies):
    with pytest.raises(ValidationError) as error:
        engagement(end_date=datetime.date(2024, 2, 1)).full_clean()
    assert "end_date" in error.value.message_dict


def test_assessment_needs_a_justification(vocabularies):
    with pytest.raises(ValidationError) as error:
        engagement(assessment=Engagement.Assessment.ACHIEVED).full_clean()
    assert "assessment_justification" in error.value.message_dict
    engagement(
        assessment=Engagement.Assessment.ACHIEVED, assessment_justification="Done."
    ).full_clean()
