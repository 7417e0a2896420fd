"""Engagement fixtures: the editorial roles and a way to build engagements."""

import datetime

import pytest

from knowledge.vocabularies import PartnerOrganisation, Region, Topic
from partnerships.models import Engagement
from tests.editorial.conftest import make_user, roles, superuser  # noqa: F401 (shared fixtures)


@pytest.fixture
def make_engagement(vocabularies):
    """make_engagement(regions=["EUR"], **fields) → a saved engagement covering those regions."""

    def make(regions=("EUR",), topics=(), partner="TI", **fields):
        values = {
            "title": "Integrity training for customs trainers",
            "kind": Engagement.Kind.TRAINING,
            "start_date": datetime.date(2024, 3, 1),
            "purpose": "Train trainers in integrity risk assessment.",
            "expected_outcomes": "Twenty trainers certified.",
            "status": Engagement.Status.ACTIVE,
        }
        values.update(fields)
        engagement = Engagement.objects.create(
            partner=PartnerOrganisation.objects.get(acronym=partner), **values
        )
        engagement.regions.set(Region.objects.filter(code__in=regions))
        engagement.topics.set(Topic.objects.filter(code__in=topics))
        return engagement

    return make
