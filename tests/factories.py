"""Factories for every snippet and page type; tests build their world with these."""

import datetime

import factory
import wagtail_factories
from factory.django import DjangoModelFactory

from knowledge.pages import (
    CaseStudyPage,
    CommunityPage,
    HandbookPage,
    PartnerStudyPage,
    ProcedurePage,
    StandardPage,
)
from knowledge.site_tree import ensure_partner_profile
from knowledge.vocabularies import Country, PartnerOrganisation, Region, Topic


class RegionFactory(DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"R{n}")
    name = factory.LazyAttribute(lambda o: f"Region {o.code}")
    short_name = factory.LazyAttribute(lambda o: f"Region {o.code}")


class CountryFactory(DjangoModelFactory):
    class Meta:
        model = Country
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"{chr(65 + n // 26 % 26)}{chr(65 + n % 26)}")
    name = factory.LazyAttribute(lambda o: f"Country {o.code}")
    region = factory.SubFactory(RegionFactory)


class TopicFactory(DjangoModelFactory):
    class Meta:
        model = Topic
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"topic-{n}")
    name = factory.LazyAttribute(lambda o: o.code.replace("-", " ").capitalize())


class PartnerOrganisationFactory(DjangoModelFactory):
    class Meta:
        model = PartnerOrganisation
        django_get_or_create = ("acronym",)

    acronym = factory.Sequence(lambda n: f"P{n}")
    name = factory.LazyAttribute(lambda o: f"Partner {o.acronym}")
    abbreviation = factory.LazyAttribute(lambda o: o.acronym)
    kind = PartnerOrganisation.Kind.NGO


class KnowledgePageFactory(wagtail_factories.PageFactory):
    """Base for the five types; pass `parent=`, `tags=[...]` and any vocabulary of
    knowledge.registry by its key (`regions=[...]`, `topics=[...]`: modelcluster keeps them
    until the page is saved). Pages are published through a revision, so publish signals
    fire."""

    class Meta:
        abstract = True
        skip_postgeneration_save = True  # the `publish` hook saves, then publishes

    title = factory.Sequence(lambda n: f"Knowledge item {n}")
    summary = "A short summary of the item."
    published_date = datetime.date(2022, 5, 1)
    language = "en"

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        if extracted:
            self.tags.set(extracted)

    @factory.post_generation
    def publish(self, create, extracted, **kwargs):
        """Save the relations, then publish a revision (as an editor would) unless
        `publish=False`, which leaves a draft that was never live."""
        if not create:
            return
        if extracted is False:
            self.live = False
            self.save()
            self.save_revision()
        else:
            self.save()
            self.save_revision().publish()
            self.refresh_from_db()


class CaseStudyPageFactory(KnowledgePageFactory):
    class Meta:
        model = CaseStudyPage

    what_happened = "<p>Officers at a border post accepted payments to speed clearance.</p>"
    lessons_learned = "<p>Rotation and automated risk selection reduce discretion.</p>"


class ProcedurePageFactory(KnowledgePageFactory):
    class Meta:
        model = ProcedurePage

    owning_unit = "Internal Affairs Unit"


class StandardPageFactory(KnowledgePageFactory):
    class Meta:
        model = StandardPage

    issuing_body = "World Customs Organization"
    status = StandardPage.Status.IN_FORCE


class HandbookPageFactory(KnowledgePageFactory):
    class Meta:
        model = HandbookPage

    edition = "2nd edition"


class PartnerStudyPageFactory(KnowledgePageFactory):
    class Meta:
        model = PartnerStudyPage

    contributing_partner = factory.SubFactory(PartnerOrganisationFactory)

    @classmethod
    def _create(cls, model_class, *args, parent=None, **kwargs):
        # A study lives under its partner's profile page unless a parent is given.
        if parent is None:
            parent = ensure_partner_profile(kwargs["contributing_partner"])
        return super()._create(model_class, *args, parent=parent, **kwargs)


def community_for(region: Region) -> CommunityPage:
    return CommunityPage.objects.get(region=region)
