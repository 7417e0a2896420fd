"""Who may fetch a document: anonymous visitors, members and editors against the attachments
of public, member-only, unpublished and deleted pages (issue 9, item 1)."""

import importlib
import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.test import Client
from django.urls import clear_url_caches, reverse
from wagtail.documents import get_document_model
from wagtail.models import Collection

import cms.urls
from editorial.role_setup import setup_roles
from editorial.roles import SECRETARIAT_GROUP_NAME, editor_group_name, partner_group_name
from knowledge.audience import MEMBERS_GROUP_NAME, members_group, restrict_to_members
from knowledge.document_collections import (
    MEMBERS_COLLECTION_NAME,
    partner_collection_name,
    region_collection_name,
)
from knowledge.pages import KnowledgeAttachment, KnowledgePage
from knowledge.vocabularies import PartnerOrganisation, Region, Topic
from tests.factories import CaseStudyPageFactory, PartnerStudyPageFactory, community_for

pytestmark = pytest.mark.django_db

Document = get_document_model()


@pytest.fixture
def roles(site_tree):
    setup_roles()


def _client(group_name: str | None = None, superuser: bool = False) -> Client:
    client = Client()
    if group_name is None and not superuser:
        return client
    User = get_user_model()
    name = "root" if superuser else group_name.lower().replace(" ", "")
    user = User.objects.create(username=name, is_superuser=superuser, is_staff=superuser)
    if group_name:
        user.groups.add(Group.objects.get(name=group_name))
    client.force_login(user)
    return client


@pytest.fixture
def clients(roles):
    return {
        "anonymous": _client(),
        "member": _client(MEMBERS_GROUP_NAME),
        "editor": _client(editor_group_name("EUR")),
        "other editor": _client(editor_group_name("AP")),
        "secretariat": _client(SECRETARIAT_GROUP_NAME),
    }


def _document(title: str, collection: Collection | None = None):
    document = Document(title=title, collection=collection or Collection.get_first_root_node())
    document.file.save(f"{title.lower().replace(' ', '-')}.txt", ContentFile(b"report text"))
    return document


def _eur_collection() -> Collection:
    return Collection.objects.get(name=region_collection_name("EUR"))


def _page(*documents, members_only=False, publish=True, **kwargs) -> KnowledgePage:
    """A case study in the EUR community attaching `documents`, published unless not."""
    eur = Region.objects.get(code="EUR")
    page = CaseStudyPageFactory(
        parent=community_for(eur),
        regions=[eur],
        topics=[Topic.objects.first()],
        publish=False,
        **kwargs,
    )
    page.attachments = [KnowledgeAttachment(document=d) for d in documents]
    page.save()
    if members_only:
        restrict_to_members(page)
    if publish:
        page.save_revision().publish()
    return KnowledgePage.objects.get(pk=page.pk).specific


def fetch(client: Client, document):
    return client.get(document.url)


def statuses(clients, document) -> dict[str, int]:
    return {who: fetch(client, document).status_code for who, client in clients.items()}


def test_documents_are_served_by_wagtails_view_only(settings):
    assert settings.WAGTAILDOCS_SERVE_METHOD == "serve_view"
    document = _document("Served")
    assert document.url == reverse("wagtaildocs_serve", args=(document.pk, document.filename))


def test_attachment_of_a_public_page_is_served_to_everyone(clients):
    document = _document("Public report", _eur_collection())
    _page(document)
    assert set(statuses(clients, document).values()) == {200}
    response = fetch(clients["anonymous"], document)
    assert b"".join(response.streaming_content) == b"report text"


def test_attachment_of_a_member_only_page(clients):
    document = _document("Member report")
    _page(document, members_only=True)
    assert statuses(clients, document) == {
        "anonymous": 302,
        "member": 200,
        "editor": 200,  # the editor of the page's region holds its collection permissions
        "other editor": 404,
        "secretariat": 200,
    }
    login = fetch(clients["anonymous"], document)
    assert login["Location"] == f"/accounts/login/?next={document.url}"


def test_member_only_document_is_never_cached_publicly(clients):
    document = _document("Member report")
    _page(document, members_only=True)
    response = fetch(clients["member"], document)
    assert response.status_code == 200
    assert "private" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]


@pytest.mark.parametrize("state", ["unpublished", "never published", "deleted"])
def test_attachment_of_a_page_no_one_can_read_is_for_editors_only(clients, state):
    document = _document("Withdrawn report", _eur_collection())  # as the editor uploaded it
    page = _page(document, publish=state != "never published")
    if state == "unpublished":
        page.unpublish()
    elif state == "deleted":
        page.delete()
    assert statuses(clients, document) == {
        "anonymous": 404,
        "member": 404,
        "editor": 200,
        "other editor": 404,
        "secretariat": 200,
    }


def test_attachment_of_an_unpublished_member_only_page_is_not_even_a_login_prompt(clients):
    document = _document("Withdrawn member report")
    page = _page(document, members_only=True)
    page.unpublish()
    assert fetch(clients["anonymous"], document).status_code == 404
    assert fetch(clients["member"], document).status_code == 404
    assert fetch(clients["editor"], document).status_code == 200


def test_document_shared_by_a_public_and_a_member_only_page_is_public(clients):
    document = _document("Shared report")
    _page(document, members_only=True)
    _page(document)
    assert set(statuses(clients, document).values()) == {200}
    document.refresh_from_db()
    assert document.collection == _eur_collection()


def test_document_used_by_no_page_is_for_admins_with_permission_on_its_collection(clients):
    in_root = _document("Loose file")
    in_eur = _document("Loose EUR file", _eur_collection())
    assert statuses(clients, in_root) == {
        "anonymous": 404,
        "member": 404,
        "editor": 404,
        "other editor": 404,
        "secretariat": 200,
    }
    assert statuses(clients, in_eur)["editor"] == 200
    assert statuses(clients, in_eur)["other editor"] == 404
    assert fetch(_client(superuser=True), in_root).status_code == 200


def test_document_linked_from_the_body_of_a_public_page_is_public(clients):
    document = _document("Linked report")
    _page(body=json.dumps([{"type": "document", "value": document.pk}]))
    assert fetch(clients["anonymous"], document).status_code == 200


def test_enumerating_ids_finds_only_public_documents(clients):
    public = _document("Public report")
    _page(public)
    for _ in range(2):
        _page(_document("Member report"), members_only=True)
    _page(_document("Draft report"), publish=False)
    _document("Loose file")
    anonymous = clients["anonymous"]
    found = {}
    for document in Document.objects.all():
        found[document.pk] = anonymous.get(document.url).status_code
        # a guessed file name for a real id is no better
        assert anonymous.get(f"/documents/{document.pk}/guess.pdf").status_code == 404
    assert {pk for pk, status in found.items() if status == 200} == {public.pk}
    assert set(found.values()) <= {200, 302, 404}


def test_media_documents_are_not_served_even_in_debug(settings, clients):
    document = _document("Public report")
    _page(document)
    settings.DEBUG = True
    importlib.reload(cms.urls)
    clear_url_caches()
    try:
        response = clients["anonymous"].get(f"{settings.MEDIA_URL}{document.file.name}")
    finally:
        settings.DEBUG = False
        importlib.reload(cms.urls)
        clear_url_caches()
    assert response.status_code == 404


def test_setup_roles_makes_a_members_collection_per_region_and_partner(roles):
    eur_members = _eur_collection().get_children().get(name=MEMBERS_COLLECTION_NAME)
    restriction = eur_members.view_restrictions.get()
    assert set(restriction.groups.values_list("name", flat=True)) == {
        MEMBERS_GROUP_NAME,
        SECRETARIAT_GROUP_NAME,
        editor_group_name("EUR"),
    }
    for base in Collection.get_first_root_node().get_children():
        assert base.get_children().filter(name=MEMBERS_COLLECTION_NAME).exists(), base.name


def test_making_a_page_private_in_the_admin_moves_its_attachments(clients):
    document = _document("Report", _eur_collection())
    page = _page(document)
    admin = _client(superuser=True)
    url = reverse("wagtailadmin_pages:set_privacy", args=(page.pk,))
    response = admin.post(url, {"restriction_type": "groups", "groups": [members_group().pk]})
    assert response.status_code == 200
    document.refresh_from_db()
    assert document.collection.name == MEMBERS_COLLECTION_NAME
    assert document.collection.get_parent() == _eur_collection()
    assert fetch(clients["anonymous"], document).status_code == 302
    assert fetch(clients["member"], document).status_code == 200

    response = admin.post(url, {"restriction_type": "none"})
    document.refresh_from_db()
    assert document.collection == _eur_collection()
    assert fetch(clients["anonymous"], document).status_code == 200


def test_editor_uploads_and_chooses_in_the_members_collection(clients):
    members_collection = _eur_collection().get_children().get(name=MEMBERS_COLLECTION_NAME)
    response = clients["editor"].get(reverse("wagtaildocs_chooser:choose"))
    assert response.status_code == 200
    document = _document("Member report", members_collection)
    _page(document, members_only=True)
    response = clients["editor"].get(reverse("wagtaildocs:edit", args=(document.pk,)))
    assert response.status_code == 200


def test_import_puts_member_only_attachments_in_the_members_collection(roles, tmp_path, clients):
    (tmp_path / "member-report.txt").write_text("members only")
    (tmp_path / "public-report.txt").write_text("for everyone")
    base = {
        "type": "case_study",
        "summary": "S.",
        "regions": ["EUR"],
        "topics": ["code-of-conduct"],
        "published": "2021-01-01",
    }
    lines = [
        {**base, "external_id": "m", "title": "Members", "members_only": True,
         "attachments": ["member-report.txt"]},
        {**base, "external_id": "p", "title": "Public", "attachments": ["public-report.txt"]},
    ]  # fmt: skip
    source = tmp_path / "items.jsonl"
    source.write_text("\n".join(json.dumps(line) for line in lines))
    call_command("import_knowledge", str(source), stdout=io.StringIO())

    member_doc = Document.objects.get(file__contains="member-report")
    public_doc = Document.objects.get(file__contains="public-report")
    assert member_doc.collection.name == MEMBERS_COLLECTION_NAME
    assert member_doc.collection.get_parent() == _eur_collection()
    assert public_doc.collection == _eur_collection()
    assert fetch(clients["anonymous"], member_doc).status_code == 302
    assert fetch(clients["member"], member_doc).status_code == 200
    assert fetch(clients["anonymous"], public_doc).status_code == 200


def test_member_only_attachment_text_stays_out_of_public_search(
    clients, empty_index, django_capture_on_commit_callbacks
):
    document = _document("Quokkafeld ledger")
    with django_capture_on_commit_callbacks(execute=True):
        _page(document, members_only=True, title="Members handbook")

    def total(client):
        return client.get("/api/search/?q=quokkafeld").json()["total"]

    assert total(clients["anonymous"]) == 0
    assert total(clients["member"]) == 1


def test_reviewers_of_a_submission_fetch_its_attachments(clients):
    ti = PartnerOrganisation.objects.get(acronym="TI")
    eur = Region.objects.get(code="EUR")
    contributor = get_user_model().objects.create(username="ti")
    contributor.groups.add(Group.objects.get(name=partner_group_name("TI")))
    document = _document("Draft study", Collection.objects.get(name=partner_collection_name("TI")))
    study = PartnerStudyPageFactory(
        contributing_partner=ti, regions=[eur], topics=[Topic.objects.first()], publish=False
    )
    study.attachments = [KnowledgeAttachment(document=document)]
    study.save()
    study.save_revision(user=contributor)  # what "Submit for moderation" submits
    study.get_workflow().start(study, contributor)
    assert statuses(clients, document) == {
        "anonymous": 404,
        "member": 404,
        "editor": 200,  # reviews studies covering EUR
        "other editor": 404,
        "secretariat": 200,
    }
