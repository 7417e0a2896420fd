"""Related items on the item page and at /api/items/<id>/related/, for each audience."""

import datetime

import pytest
from django.contrib.auth.models import User

import search.engines
from knowledge.audience import members_group, restrict_to_members
from knowledge.vocabularies import PartnerOrganisation, Region, Topic
from search.engines import get_engine
from search.engines.base import EngineUnavailable
from tests.factories import CaseStudyPageFactory, community_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def items(site_tree, empty_index, django_capture_on_commit_callbacks):
    eur = Region.objects.get(code="EUR")
    topic = Topic.objects.get(code="code-of-conduct")
    ti = PartnerOrganisation.objects.get(acronym="TI")

    def case(title, **kwargs):
        fields = dict(regions=[eur], topics=[topic], partners=[ti], summary="Gift registers.")
        return CaseStudyPageFactory(parent=community_for(eur), title=title, **fields | kwargs)

    with django_capture_on_commit_callbacks(execute=True):
        item = case("Gift register for border officers", published_date=datetime.date(2020, 1, 1))
        like = case("Gift register audits", published_date=datetime.date(2021, 1, 1))
        secret = case("Gift register investigation")
        restrict_to_members(secret)
        unrelated = CaseStudyPageFactory(
            parent=community_for(Region.objects.get(code="AP")),
            title="Scanner maintenance",
            summary="Machines.",
            regions=[Region.objects.get(code="AP")],
            topics=[Topic.objects.get(code="automation")],
        )
    get_engine().refresh()
    return item, like, secret, unrelated


@pytest.fixture
def member(db):
    user = User.objects.create_user("member", password="x")
    user.groups.add(members_group())
    return user


def test_item_page_lists_related_items_the_viewer_may_see(client, items, member):
    item, like, secret, unrelated = items
    html = client.get(item.url).content.decode()
    assert "Related items" in html
    assert f'href="{like.url}"' in html
    assert secret.title not in html
    client.force_login(member)
    assert secret.title in client.get(item.url).content.decode()


def test_editors_without_membership_see_public_related_only(client, items):
    item, like, secret, _ = items
    editor = User.objects.create_user("editor", password="x", is_staff=True)
    client.force_login(editor)
    html = client.get(item.url).content.decode()
    assert like.title in html and secret.title not in html


def test_unreachable_engine_hides_the_section(client, items, monkeypatch):
    class Down:
        def related(self, *args, **kwargs):
            raise EngineUnavailable("down (test)")

    monkeypatch.setattr(search.engines, "get_engine", lambda: Down())
    monkeypatch.setattr("search.service.get_engine", lambda: Down())
    response = client.get(items[0].url)
    assert response.status_code == 200
    assert "Related items" not in response.content.decode()


def test_related_api_is_access_aware(client, items, member):
    item, like, secret, _ = items
    response = client.get(f"/api/items/{item.pk}/related/")
    assert response.status_code == 200
    results = response.json()["results"]
    assert like.pk in [r["id"] for r in results]
    assert secret.pk not in [r["id"] for r in results] and item.pk not in [r["id"] for r in results]
    assert results[0]["topics"] == [{"value": "code-of-conduct", "label": "Code of conduct"}]
    assert client.get(f"/api/items/{secret.pk}/related/").status_code == 404
    assert client.get("/api/items/999999/related/").status_code == 404
    client.force_login(member)
    assert client.get(f"/api/items/{secret.pk}/related/").status_code == 200
    member_ids = [r["id"] for r in client.get(f"/api/items/{item.pk}/related/").json()["results"]]
    assert secret.pk in member_ids
