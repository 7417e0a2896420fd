"""The page tree mirrors the programme: knowledge lives in a community, partner studies
under their partner's profile, one community per region, one home. Checked on the models
and through the admin add view, which is where an editor would try to break them."""

import pytest
from django.contrib.auth.models import User
from django.contrib.messages import get_messages
from django.urls import reverse
from wagtail.models import Page
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

from knowledge.pages import (
    KNOWLEDGE_TYPES,
    CaseStudyPage,
    CommunityPage,
    HomePage,
    KnowledgePage,
    PartnerProfilePage,
    PartnerStudiesIndexPage,
    PartnerStudyPage,
)
from knowledge.vocabularies import Region

pytestmark = pytest.mark.django_db

EDITORIAL_TYPES = [cls for code, cls in KNOWLEDGE_TYPES.items() if code != "partner_study"]


@pytest.fixture
def pages(site_tree):
    return {
        "root": Page.get_first_root_node(),
        "home": site_tree,
        "community": CommunityPage.objects.get(region__code="EUR"),
        "index": PartnerStudiesIndexPage.objects.get(),
        "profile": PartnerProfilePage.objects.get(partner__acronym="TI"),
    }


@pytest.fixture
def admin_client(client, db):
    client.force_login(User.objects.create_superuser("admin", "a@example.org", "pw"))
    return client


@pytest.mark.parametrize("page_class", EDITORIAL_TYPES)
def test_editorial_types_live_only_in_a_community(pages, page_class):
    assert page_class.can_create_at(pages["community"])
    for place in ("home", "index", "profile"):
        assert not page_class.can_create_at(pages[place]), place


def test_partner_studies_live_only_under_a_partner_profile(pages):
    assert PartnerStudyPage.can_create_at(pages["profile"])
    for place in ("home", "community", "index"):
        assert not PartnerStudyPage.can_create_at(pages[place]), place


def test_knowledge_page_itself_is_never_created(pages):
    assert not any(KnowledgePage.can_create_at(p) for p in pages.values())


def test_only_one_home_and_one_partner_area(pages):
    assert not HomePage.can_create_at(pages["root"])
    assert not PartnerStudiesIndexPage.can_create_at(pages["home"])
    assert CommunityPage.can_create_at(pages["home"])
    assert not CommunityPage.can_create_at(pages["community"])
    assert PartnerProfilePage.can_create_at(pages["index"])
    assert not PartnerProfilePage.can_create_at(pages["home"])


def test_existing_pages_may_only_be_moved_where_they_could_be_created(pages):
    case = CaseStudyPage(title="x", slug="x", summary="s")
    pages["community"].add_child(instance=case)
    assert case.can_move_to(pages["community"])
    assert not case.can_move_to(pages["home"])
    assert not case.can_move_to(pages["profile"])


def add_url(page_class, parent) -> str:
    return reverse(
        "wagtailadmin_pages:add",
        args=(page_class._meta.app_label, page_class._meta.model_name, parent.pk),
    )


@pytest.mark.parametrize(
    ("page_class", "place"),
    [
        (CaseStudyPage, "home"),
        (CaseStudyPage, "profile"),
        (PartnerStudyPage, "community"),
        (PartnerStudyPage, "home"),
        (HomePage, "root"),
        (PartnerStudiesIndexPage, "home"),
    ],
)
def test_admin_refuses_to_add_a_page_where_it_may_not_live(admin_client, pages, page_class, place):
    # Wagtail's admin turns the view's PermissionDenied into a redirect to the dashboard
    # with a "permission" error message.
    url = add_url(page_class, pages[place])
    for response in (
        admin_client.get(url),
        admin_client.post(url, {"title": "Sneaky", "slug": "sneaky"}),
    ):
        assert response.status_code == 302
        assert response["Location"] == reverse("wagtailadmin_home")
        messages = [str(m) for m in get_messages(response.wsgi_request)]
        assert any("permission" in m for m in messages), messages
    assert not Page.objects.filter(slug="sneaky").exists()


def test_admin_offers_only_the_allowed_types_under_a_community(admin_client, pages):
    url = reverse("wagtailadmin_pages:add_subpage", args=(pages["community"].pk,))
    html = admin_client.get(url).content.decode()
    for cls in EDITORIAL_TYPES:
        assert add_url(cls, pages["community"]) in html
    assert add_url(PartnerStudyPage, pages["community"]) not in html


def test_a_second_community_for_the_same_region_is_refused(admin_client, pages):
    eur = Region.objects.get(code="EUR")
    data = nested_form_data(
        {
            "title": "Another Europe",
            "slug": "another-europe",
            "region": str(eur.pk),
            "intro": rich_text("<p>Duplicate</p>"),
            "comments": inline_formset([]),
        }
    )
    response = admin_client.post(add_url(CommunityPage, pages["home"]), data)
    assert response.status_code == 200
    assert "region" in response.context["form"].errors
    assert CommunityPage.objects.filter(region=eur).count() == 1
    assert not Page.objects.filter(slug="another-europe").exists()
