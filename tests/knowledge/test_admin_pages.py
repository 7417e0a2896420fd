"""Editors create and edit every page type through Wagtail's admin, as a browser would post
it: StreamField and inline-panel management forms included. The page must come out live
with its metadata."""

import datetime

import pytest
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.urls import reverse
from wagtail.documents.models import Document
from wagtail.models import Page
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from knowledge.pages import (
    CaseStudyPage,
    HandbookPage,
    PartnerProfilePage,
    PartnerStudyPage,
    ProcedurePage,
    StandardPage,
)
from knowledge.vocabularies import Country, PartnerOrganisation, Region, Topic
from tests.factories import community_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, site_tree):
    admin = User.objects.create_superuser("admin", "admin@example.org", "pw")
    client.force_login(admin)
    return client


@pytest.fixture
def document(db):
    return Document.objects.create(
        title="Field guide", file=ContentFile(b"guide text", name="guide.txt")
    )


def common_fields(title: str, document: Document) -> dict:
    return {
        "title": title,
        "slug": title.lower().replace(" ", "-"),
        "summary": f"Summary of {title}.",
        "published_date": "2021-03-09",
        "language": "fr",
        "tags": "rotation, border posts",
        "body": streamfield(
            [
                ("heading", "Background"),
                ("paragraph", rich_text("<p>How it <b>started</b>.</p>")),
            ]
        ),
        "attachments": inline_formset([{"document": str(document.pk), "caption": "Annex"}]),
        "comments": inline_formset([]),
    }


TYPE_FIELDS = {
    CaseStudyPage: {
        "what_happened": rich_text("<p>Payments at the border.</p>"),
        "measures_taken": rich_text("<p>Rotation.</p>"),
        "outcome": rich_text("<p>Fewer complaints.</p>"),
        "lessons_learned": rich_text("<p>Automate.</p>"),
    },
    ProcedurePage: {
        "scope": rich_text("<p>Inland offices.</p>"),
        "owning_unit": "Internal Affairs",
        "steps": streamfield(
            [
                (
                    "step",
                    {
                        "title": "Receive",
                        "description": rich_text("<p>Log it.</p>"),
                        "responsible": "Duty officer",
                    },
                ),
                ("step", {"title": "Investigate", "description": rich_text(""), "responsible": ""}),
            ]
        ),
    },
    StandardPage: {
        "issuing_body": "European Union",
        "reference_number": "952/2013",
        "status": "in_force",
        "effective_date": "2016-05-01",
    },
    HandbookPage: {
        "edition": "3rd",
        "chapters": streamfield(
            [("chapter", {"title": "Why", "summary": "Costs", "body": rich_text("<p>x</p>")})]
        ),
    },
    PartnerStudyPage: {
        "commissioning_body": "WCO",
        "methodology": rich_text("<p>Interviews.</p>"),
    },
}


def post_data(page_class, name, document, **extra) -> dict:
    data = nested_form_data({**common_fields(name, document), **TYPE_FIELDS[page_class]})
    eur = Region.objects.get(code="EUR")
    data["regions"] = [str(eur.pk)]
    data["countries"] = [str(Country.objects.get(code="FR").pk)]
    data["topics"] = [str(Topic.objects.get(code="code-of-conduct").pk)]
    data["partners"] = [str(PartnerOrganisation.objects.get(acronym="TI").pk)]
    data.update(extra)
    return data


def parent_for(page_class):
    if page_class is PartnerStudyPage:
        return PartnerProfilePage.objects.get(partner__acronym="TI")
    return community_for(Region.objects.get(code="EUR"))


def type_extra(page_class) -> dict:
    if page_class is PartnerStudyPage:
        return {"contributing_partner": str(PartnerOrganisation.objects.get(acronym="TI").pk)}
    return {}


@pytest.mark.parametrize("page_class", list(TYPE_FIELDS))
def test_create_as_draft_then_edit_and_publish(admin_client, document, page_class):
    parent = parent_for(page_class)
    add_url = reverse(
        "wagtailadmin_pages:add",
        args=("knowledge", page_class._meta.model_name, parent.pk),
    )
    assert admin_client.get(add_url).status_code == 200

    data = post_data(page_class, "Lyon rotation", document, **type_extra(page_class))
    response = admin_client.post(add_url, data)
    page = page_class.objects.filter(slug="lyon-rotation").first()
    assert page is not None, response.context["form"].errors if response.context else response
    assert response.status_code == 302
    assert page.get_parent().pk == parent.pk
    assert not page.live and page.has_unpublished_changes

    edit_url = reverse("wagtailadmin_pages:edit", args=(page.pk,))
    assert admin_client.get(edit_url).status_code == 200
    data = post_data(
        page_class,
        "Lyon rotation",
        document,
        **type_extra(page_class),
        title="Lyon rotation, revised",
        **{"action-publish": "action-publish"},
    )
    # The attachment saved by the first post is sent back as an existing inline form.
    data["attachments-0-id"] = str(page.attachments.get().pk)
    data["attachments-INITIAL_FORMS"] = "1"
    response = admin_client.post(edit_url, data)
    assert response.status_code == 302, response.context["form"].errors

    page = page_class.objects.get(pk=page.pk)
    assert page.live and not page.has_unpublished_changes
    assert page.title == "Lyon rotation, revised"
    assert page.published_date == datetime.date(2021, 3, 9)
    assert page.language == "fr"
    assert list(page.regions.values_list("code", flat=True)) == ["EUR"]
    assert list(page.countries.values_list("code", flat=True)) == ["FR"]
    assert list(page.topics.values_list("code", flat=True)) == ["code-of-conduct"]
    assert list(page.partners.values_list("acronym", flat=True)) == ["TI"]
    assert sorted(t.name for t in page.tags.all()) == ["border posts", "rotation"]
    assert [a.document_id for a in page.attachments.all()] == [document.pk]
    assert [b.block_type for b in page.body] == ["heading", "paragraph"]

    public = admin_client.get(page.url)
    assert public.status_code == 200
    assert b"Lyon rotation, revised" in public.content


def test_type_specific_fields_are_saved(admin_client, document):
    parent = parent_for(ProcedurePage)
    url = reverse("wagtailadmin_pages:add", args=("knowledge", "procedurepage", parent.pk))
    data = post_data(ProcedurePage, "Complaints", document, **{"action-publish": "publish"})
    assert admin_client.post(url, data).status_code == 302
    page = ProcedurePage.objects.get(slug="complaints")
    assert page.live
    assert page.owning_unit == "Internal Affairs"
    assert [s.value["title"] for s in page.steps] == ["Receive", "Investigate"]
    assert "Log it." in page.steps[0].value["description"].source


def test_a_study_for_another_partner_is_refused_under_a_profile(admin_client, document):
    profile = PartnerProfilePage.objects.get(partner__acronym="TI")
    url = reverse("wagtailadmin_pages:add", args=("knowledge", "partnerstudypage", profile.pk))
    other = PartnerOrganisation.objects.get(acronym="OECD")
    data = post_data(PartnerStudyPage, "Borrowed", document, contributing_partner=str(other.pk))
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "contributing_partner" in response.context["form"].errors
    assert not Page.objects.filter(slug="borrowed").exists()


def test_missing_required_metadata_is_a_form_error_not_a_page(admin_client, document):
    parent = parent_for(CaseStudyPage)
    url = reverse("wagtailadmin_pages:add", args=("knowledge", "casestudypage", parent.pk))
    data = post_data(CaseStudyPage, "No topics", document)
    data["topics"] = []
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "topics" in response.context["form"].errors
    assert not Page.objects.filter(slug="no-topics").exists()
