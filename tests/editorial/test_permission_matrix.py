"""The role matrix, exercised through the Wagtail admin views.

Each test is one (role, action) pair tried in four areas: the EUR and AP communities and the
TI and UNODC partner profiles (collections of the same names for uploads; for reviews, a TI
study covering EUR or AP). The acting users are an EUR editor and a TI contributor, so "own"
is EUR / TI and everything else is someone else's. An action counts as done only if its
effect is in the database afterwards; the admin's answer alone proves nothing.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from wagtail.documents import get_document_model
from wagtail.models import Collection

from knowledge.document_collections import partner_collection_name, region_collection_name
from knowledge.pages import CaseStudyPage, CommunityPage, PartnerProfilePage, PartnerStudyPage
from knowledge.vocabularies import PartnerOrganisation, Region, Topic
from tests.editorial.helpers import add_url, admin_form, client_for, edit_url, post_form
from tests.factories import CaseStudyPageFactory, PartnerStudyPageFactory

pytestmark = pytest.mark.django_db

ACTORS = {"secretariat": "", "editor": "EUR", "partner": "TI", "member": ""}
PAGE_AREAS = ("EUR", "AP", "TI", "UNODC")
REVIEW_AREAS = ("EUR", "AP")
PAGE_ACTIONS = ("create", "edit", "publish", "unpublish", "delete")

ALL = {a: set(PAGE_AREAS) for a in (*PAGE_ACTIONS, "upload")} | {"review": set(REVIEW_AREAS)}
ALLOWED: dict[str, dict[str, set[str]]] = {
    "secretariat": ALL,
    "editor": {a: {"EUR"} for a in (*PAGE_ACTIONS, "upload", "review")},
    # Contributors: create, edit their own studies, upload; publishing only through review.
    "partner": {"create": {"TI"}, "edit": {"TI"}, "upload": {"TI"}},
    "member": {},
}
CASES = [(actor, action) for actor in ACTORS for action in (*PAGE_ACTIONS, "upload", "review")]


def is_partner(code: str) -> bool:
    return PartnerOrganisation.objects.filter(acronym=code).exists()


def area_page(code: str):
    if is_partner(code):
        return PartnerProfilePage.objects.get(partner__acronym=code)
    return CommunityPage.objects.get(region__code=code)


def existing_item(code: str, make_user):
    """A live item in the area: a case study, or a study owned by the partner's contributor."""
    topic = Topic.objects.first()
    if is_partner(code):
        page = PartnerStudyPageFactory(
            contributing_partner=PartnerOrganisation.objects.get(acronym=code),
            regions=[Region.objects.get(code="EUR")],
            topics=[topic],
        )
        page.owner = make_user("partner", code)
        page.save(update_fields=["owner"])
        return page
    return CaseStudyPageFactory(
        parent=area_page(code), regions=[Region.objects.get(code=code)], topics=[topic]
    )


def try_create(client, superuser_client, code, make_user):
    parent = area_page(code)
    model = PartnerStudyPage if is_partner(code) else CaseStudyPage
    data = admin_form(superuser_client, add_url(model, parent))
    data["body-count"] = "0"
    data.update({"title": "Matrix item", "slug": "matrix-item", "summary": "Summary."})
    data.setlist("regions", [str(Region.objects.get(code="EUR").pk)])
    data.setlist("topics", [str(Topic.objects.first().pk)])
    if model is PartnerStudyPage:
        data["contributing_partner"] = str(parent.specific.partner_id)
    post_form(client, add_url(model, parent), data)
    return model.objects.child_of(parent).filter(slug="matrix-item").exists()


def _post_edit(client, superuser_client, page, title, *, publish):
    data = admin_form(superuser_client, edit_url(page))
    data["body-count"] = "0"
    data["title"] = title
    if publish:
        data["action-publish"] = "action-publish"
    post_form(client, edit_url(page), data)
    page.refresh_from_db()


def try_edit(client, superuser_client, code, make_user):
    page = existing_item(code, make_user)
    _post_edit(client, superuser_client, page, "Edited title", publish=False)
    return page.get_latest_revision().content["title"] == "Edited title"


def try_publish(client, superuser_client, code, make_user):
    page = existing_item(code, make_user)
    _post_edit(client, superuser_client, page, "Published title", publish=True)
    return page.live and page.title == "Published title"


def try_unpublish(client, superuser_client, code, make_user):
    page = existing_item(code, make_user)
    client.post(reverse("wagtailadmin_pages:unpublish", args=(page.pk,)))
    page.refresh_from_db()
    return not page.live


def try_delete(client, superuser_client, code, make_user):
    page = existing_item(code, make_user)
    client.post(reverse("wagtailadmin_pages:delete", args=(page.pk,)))
    return not type(page).objects.filter(pk=page.pk).exists()


def try_upload(client, superuser_client, code, make_user):
    name = partner_collection_name(code) if is_partner(code) else region_collection_name(code)
    collection = Collection.objects.get(name=name)
    client.post(
        reverse("wagtaildocs:add"),
        {
            "title": "Matrix report",
            "file": SimpleUploadedFile("report.txt", b"Findings."),
            "collection": collection.pk,
        },
    )
    documents = get_document_model().objects.filter(collection=collection)
    return documents.filter(title="Matrix report").exists()


def try_review(client, superuser_client, code, make_user):
    contributor = make_user("partner", "TI")
    study = PartnerStudyPageFactory(
        contributing_partner=PartnerOrganisation.objects.get(acronym="TI"),
        regions=[Region.objects.get(code=code)],
        topics=[Topic.objects.first()],
        owner=contributor,
        publish=False,
    )
    study.get_workflow().start(study, contributor)
    task_state = study.current_workflow_task_state
    client.post(
        reverse("wagtailadmin_pages:workflow_action", args=(study.pk, "approve", task_state.pk)),
        {"comment": ""},
    )
    study.refresh_from_db()
    return study.live


ATTEMPTS = {
    "create": try_create,
    "edit": try_edit,
    "publish": try_publish,
    "unpublish": try_unpublish,
    "delete": try_delete,
    "upload": try_upload,
    "review": try_review,
}


@pytest.mark.parametrize(("actor", "action"), CASES, ids=[f"{a}-{b}" for a, b in CASES])
def test_role_matrix_through_admin(actor, action, make_user, superuser):
    client = client_for(make_user(actor, ACTORS[actor]))
    superuser_client = client_for(superuser)
    areas = REVIEW_AREAS if action == "review" else PAGE_AREAS
    outcome = {area: ATTEMPTS[action](client, superuser_client, area, make_user) for area in areas}
    expected = {area: area in ALLOWED[actor].get(action, set()) for area in areas}
    assert outcome == expected


@pytest.mark.parametrize("actor", ["partner", "member"])
def test_no_publish_or_admin_beyond_role(actor, make_user):
    """Members never reach the admin; contributors reach it but have no explorer beyond
    their own profile (the admin redirects them away from other areas' listings)."""
    client = client_for(make_user(actor, ACTORS[actor]))
    response = client.get(reverse("wagtailadmin_explore", args=(area_page("EUR").pk,)))
    assert response.status_code == 302
    if actor == "member":
        assert reverse("wagtailadmin_login") in response["Location"]
