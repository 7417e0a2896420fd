import pytest

from knowledge.pages import CaseStudyPage, CommunityPage, KnowledgePage
from knowledge.vocabularies import PartnerOrganisation, Region, Topic
from tests.factories import CaseStudyPageFactory, PartnerStudyPageFactory, community_for

pytestmark = pytest.mark.django_db


def test_factories_build_published_pages_with_metadata(site_tree):
    eur = Region.objects.get(code="EUR")
    page = CaseStudyPageFactory(
        parent=community_for(eur),
        regions=[eur],
        topics=[Topic.objects.get(code="automation")],
        tags=["rotation"],
    )
    page.refresh_from_db()
    assert page.live and page.live_revision_id
    assert list(page.regions.values_list("code", flat=True)) == ["EUR"]
    assert [t.name for t in page.tags.all()] == ["rotation"]
    ti = PartnerOrganisation.objects.get(acronym="TI")
    study = PartnerStudyPageFactory(contributing_partner=ti, regions=[eur])
    assert study.get_parent().specific.partner == ti
    assert KnowledgePage.objects.count() == 2
    assert CommunityPage.objects.count() == 6
    assert isinstance(page, CaseStudyPage)
