"""`manage.py setup_roles`: idempotent, removes what the matrix no longer grants, demo users;
and the members-only privacy control an editor uses in the admin."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import reverse
from wagtail.models import (
    Collection,
    GroupCollectionPermission,
    GroupPagePermission,
    PageViewRestriction,
    WorkflowPage,
)

from editorial.roles import editor_group_name
from knowledge.audience import MEMBERS_GROUP_NAME, page_audience
from knowledge.pages import CommunityPage, PartnerProfilePage, PartnerStudiesIndexPage
from knowledge.vocabularies import Region, Topic
from tests.editorial.helpers import client_for
from tests.factories import CaseStudyPageFactory, community_for

pytestmark = pytest.mark.django_db


def snapshot() -> dict:
    return {
        "groups": sorted(Group.objects.values_list("name", flat=True)),
        "model": sorted(
            Group.permissions.through.objects.values_list("group__name", "permission_id")
        ),
        "pages": sorted(
            GroupPagePermission.objects.values_list("group__name", "page_id", "permission_id")
        ),
        "collections": sorted(
            GroupCollectionPermission.objects.values_list(
                "group__name", "collection_id", "permission_id"
            )
        ),
        "collection_names": sorted(Collection.objects.values_list("name", flat=True)),
        "workflow_pages": sorted(WorkflowPage.objects.values_list("page_id", "workflow__name")),
    }


def test_setup_roles_is_idempotent_and_prunes(site_tree):
    call_command("setup_roles", stdout=io.StringIO())
    first = snapshot()
    call_command("setup_roles", stdout=io.StringIO())
    assert snapshot() == first

    # Grants the matrix does not define are removed on the next run.
    editors = Group.objects.get(name=editor_group_name("EUR"))
    ap = CommunityPage.objects.get(region__code="AP")
    GroupPagePermission.objects.create(
        group=editors, page=ap, permission=Permission.objects.get(codename="publish_page")
    )
    editors.permissions.add(Permission.objects.get(codename="delete_topic"))
    call_command("setup_roles", stdout=io.StringIO())
    assert snapshot() == first

    assert "Editors" not in first["groups"] and "Moderators" not in first["groups"]
    index = PartnerStudiesIndexPage.objects.get()
    assert first["workflow_pages"] == [(index.pk, "Partner study review")]
    assert {"Region EUR", "Partner TI"} <= set(first["collection_names"])
    # Editors' page permissions are on their own community only.
    eur = CommunityPage.objects.get(region__code="EUR")
    assert {page for name, page, _ in first["pages"] if name == editors.name} == {eur.pk}
    ti = PartnerProfilePage.objects.get(partner__acronym="TI")
    assert {
        (page, Permission.objects.get(pk=perm).codename)
        for name, page, perm in first["pages"]
        if name == "Partner – TI"
    } == {(ti.pk, "add_page")}


def test_demo_accounts_printed_and_usable(site_tree, client):
    out = io.StringIO()
    call_command("setup_roles", "--demo-accounts", stdout=out)
    passwords = dict(line.split() for line in out.getvalue().splitlines() if line.startswith("  "))
    assert {"secretariat", "editor-eur", "partner-ti", "member"} <= passwords.keys()
    # django-axes needs the request (to count failures per address)
    assert client.login(
        request=RequestFactory().post("/accounts/login/"),
        username="editor-eur",
        password=passwords["editor-eur"],
    )
    user = get_user_model().objects.get(username="member")
    assert list(user.groups.values_list("name", flat=True)) == [MEMBERS_GROUP_NAME]
    assert not user.has_perm("wagtailadmin.access_admin")


def test_editor_marks_an_item_members_only_through_the_privacy_control(make_user):
    eur = Region.objects.get(code="EUR")
    page = CaseStudyPageFactory(
        parent=community_for(eur), regions=[eur], topics=[Topic.objects.first()]
    )
    members = Group.objects.get(name=MEMBERS_GROUP_NAME)
    url = reverse("wagtailadmin_pages:set_privacy", args=(page.pk,))

    editor = client_for(make_user("editor", "EUR"))
    assert f'value="{members.pk}"' in editor.get(url).json()["html"]
    editor.post(url, {"restriction_type": PageViewRestriction.GROUPS, "groups": [members.pk]})
    assert page_audience(page) == "members"

    other_page = CaseStudyPageFactory(
        parent=community_for(Region.objects.get(code="AP")),
        regions=[Region.objects.get(code="AP")],
        topics=[Topic.objects.first()],
    )
    other_url = reverse("wagtailadmin_pages:set_privacy", args=(other_page.pk,))
    editor.post(other_url, {"restriction_type": PageViewRestriction.GROUPS, "groups": [members.pk]})
    assert page_audience(other_page) == "public"
