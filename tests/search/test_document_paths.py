"""The bulk document path (reindex) and the single-page path (outbox drain) build the same
documents, and those documents say what the pages say through Wagtail's own accessors."""

import datetime

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import translation
from wagtail.documents import get_document_model
from wagtail.models import PageViewRestriction, Site
from wagtail.rich_text import RichText

from knowledge.audience import restrict_to_members
from knowledge.pages import KnowledgeAttachment, KnowledgePage
from knowledge.vocabularies import Country, PartnerOrganisation, Region, Topic
from search.documents import build_document, build_documents, iter_documents, plain_text
from tests.factories import (
    CaseStudyPageFactory,
    HandbookPageFactory,
    PartnerStudyPageFactory,
    ProcedurePageFactory,
    StandardPageFactory,
    community_for,
)


@pytest.fixture
def pages(site_tree):
    """Every page type, several terms per vocabulary given out of order, tags, a text
    attachment, a members-only page, a private page and a draft."""
    region = {r.code: r for r in Region.objects.all()}
    topic = {t.code: t for t in Topic.objects.all()}
    partner = {p.acronym: p for p in PartnerOrganisation.objects.all()}
    country = {c.code: c for c in Country.objects.filter(code__in=["FR", "DE", "BE", "NG"])}
    eur = community_for(region["EUR"])
    made = {
        "case": CaseStudyPageFactory(
            parent=eur,
            title="Rotation of inspectors",
            regions=[region["WCA"], region["EUR"], region["AP"]],
            countries=[country["NG"], country["FR"], country["BE"]],
            topics=[topic["human-resources"], topic["automation"]],
            partners=[partner["UNODC"], partner["TI"], partner["WBG"]],
            tags=["Rotation", "border posts", "Anti-corruption"],
            body=[
                ("heading", "Context"),
                ("paragraph", RichText("<p>Gifts &amp; <b>hospitality</b>\u00a0rules.</p>")),
                ("quote", "Never alone."),
            ],
            published_date=datetime.date(2020, 2, 29),
        ),
        "procedure": ProcedurePageFactory(
            parent=eur,
            regions=[region["EUR"]],
            scope="<p>All staff.</p>",
            steps=[("step", {"title": "Declare", "description": RichText("<p>Form G1</p>")})],
            language="fr",
        ),
        "standard": StandardPageFactory(
            parent=eur, regions=[region["EUR"]], reference_number="R-9"
        ),
        "handbook": HandbookPageFactory(parent=eur, regions=[region["EUR"]]),
        "study": PartnerStudyPageFactory(
            contributing_partner=partner["U4"], regions=[region["ESA"]], partners=[partner["U4"]]
        ),
        "members": CaseStudyPageFactory(parent=eur, regions=[region["EUR"]], title="Members memo"),
        "private": CaseStudyPageFactory(parent=eur, regions=[region["EUR"]], title="Secret memo"),
        "draft": CaseStudyPageFactory(parent=eur, regions=[region["EUR"]], publish=False),
    }
    restrict_to_members(made["members"])
    PageViewRestriction.objects.create(
        page=made["private"], restriction_type=PageViewRestriction.PASSWORD, password="x"
    )
    notes = get_document_model()(title="Field notes")
    notes.file.save("notes.txt", ContentFile(b"plain text notes"))
    KnowledgeAttachment.objects.create(page=made["handbook"], document=notes, caption="Notes")
    return made


def test_bulk_and_single_page_documents_are_identical(pages):
    bulk = {d["id"]: d for d in iter_documents(batch_size=3)}  # several batches
    for name, page in pages.items():
        assert build_document(page) == bulk.get(page.pk), name
    drained = build_documents(KnowledgePage.objects.filter(pk__in=bulk))  # as the drain asks
    assert {d["id"]: d for d in drained} == bulk
    assert pages["private"].pk not in bulk and pages["draft"].pk not in bulk
    assert bulk[pages["members"].pk]["visibility"] == "members"
    assert bulk[pages["handbook"].pk]["attachments"] == "Field notes Notes"


def test_documents_say_what_the_pages_say(pages):
    """Checked against Wagtail's and Django's accessors on the page instances."""
    for page in KnowledgePage.objects.filter(pk__in=[p.pk for p in pages.values()]).live():
        document = build_document(page)
        if document is None:
            continue
        regions, countries = list(page.regions.all()), list(page.countries.all())
        topics, partners = list(page.topics.all()), list(page.partners.all())
        tags = sorted(page.tags.all(), key=lambda t: t.slug)
        names = set()
        for language, _name in settings.LANGUAGES:  # each name as that language reads it
            with translation.override(language):
                meta = page.specific_class._meta
                names |= {str(meta.verbose_name), str(meta.verbose_name_plural)}
                names |= {r.name for r in regions} | {r.short_name for r in regions}
                names |= {c.name for c in countries}
                names |= {t.name for t in topics} | {t.synonyms for t in topics}
                names |= {p.name for p in partners} | {p.acronym for p in partners}
        assert document["url"] == page.url == page.get_url()
        missing = [name for name in names if name and name not in document["vocabulary_text"]]
        assert not missing, page.title
        for country in countries:  # the columns themselves, not only the active language
            assert {country.name_fr, country.name_es} <= names
        assert document["region"] == sorted(r.code for r in regions)
        assert document["country"] == sorted(c.code for c in countries)
        assert document["partner"] == sorted(p.acronym for p in partners)
        assert document["tag"] == [t.slug for t in tags]
        assert document["tags_text"] == " ".join(t.name for t in tags)
        assert document["type"] == [page.specific_class.knowledge_type]
    case = build_document(pages["case"])
    assert case["body"].startswith("Context Gifts & hospitality rules. Never alone. Officers")


def test_urls_follow_wagtail_with_several_sites(pages):
    """With a second site Wagtail gives full URLs without a request; so do documents."""
    second = Site.objects.create(hostname="partners.example", port=443, root_page=pages["case"])
    try:
        page = KnowledgePage.objects.get(pk=pages["study"].pk)
        expected = "http://localhost" + page.url_path[5:]
        assert build_document(page)["url"] == page.get_url() == expected
    finally:
        second.delete()  # clears Wagtail's cached site roots, which a rollback would not


def test_plain_text_collapses_every_kind_of_whitespace():
    assert plain_text("<p>a\u00a0\u2003b</p>\n\t<p>c&nbsp;d</p> ") == "a b c d"
