"""Topic hubs, the topic index and region pages, through the views and the embedded engine."""

import datetime

import pytest
from django.contrib.auth.models import User
from wagtail.models import PageViewRestriction

import search.service
from knowledge.audience import members_group, restrict_to_members
from knowledge.pages import CommunityFeaturedItem
from knowledge.vocabularies import PartnerOrganisation, Region, Topic
from search.engines import get_engine
from search.engines.base import EngineUnavailable
from tests.factories import (
    CaseStudyPageFactory,
    HandbookPageFactory,
    PartnerStudyPageFactory,
    community_for,
)


@pytest.fixture
def world(site_tree, empty_index, django_capture_on_commit_callbacks):
    """On `automation`: two public EUR case studies (one with TI), one member-only AMC
    handbook, one draft; one public EUR item on another topic."""
    eur, amc = Region.objects.get(code="EUR"), Region.objects.get(code="AMC")
    automation, hr = Topic.objects.get(code="automation"), Topic.objects.get(code="human-resources")
    ti = PartnerOrganisation.objects.get(acronym="TI")
    with django_capture_on_commit_callbacks(execute=True):
        pages = {
            "old": CaseStudyPageFactory(
                parent=community_for(eur),
                title="Automated clearance at the port",
                regions=[eur],
                topics=[automation],
                partners=[ti],
                published_date=datetime.date(2020, 1, 1),
            ),
            "new": CaseStudyPageFactory(
                parent=community_for(eur),
                title="Single window and discretion",
                regions=[eur],
                topics=[automation],
                published_date=datetime.date(2023, 1, 1),
            ),
            "members": HandbookPageFactory(
                parent=community_for(amc),
                title="Members handbook on automation",
                regions=[amc],
                topics=[automation],
                published_date=datetime.date(2024, 1, 1),
            ),
            "draft": CaseStudyPageFactory(
                parent=community_for(eur),
                title="Draft on automation",
                regions=[eur],
                topics=[automation],
                publish=False,
            ),
            "other": CaseStudyPageFactory(
                parent=community_for(eur),
                title="Staff rotation",
                regions=[eur],
                topics=[hr],
                published_date=datetime.date(2022, 1, 1),
            ),
        }
        restrict_to_members(pages["members"])
    get_engine().refresh()
    yield pages
    get_engine().clear()


@pytest.fixture
def member(db):
    user = User.objects.create_user("member", password="pw")
    user.groups.add(members_group())
    return user


def test_hub_shows_public_counts_and_newest_to_anonymous(client, world):
    response = client.get("/topics/automation/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Automation</h1>" in html
    assert "Automated processing that reduces face-to-face contact" in html  # description
    assert "single window" in html  # synonyms
    assert "<strong>2</strong> items on this topic" in html
    assert html.index("Single window and discretion") < html.index("Automated clearance")
    assert "Members handbook" not in html and "Draft on automation" not in html
    assert "Staff rotation" not in html
    hub = response.context["hub"]
    assert [(c.value, c.count) for c in hub.regions] == [("EUR", 2)]
    assert [(c.value, c.count) for c in hub.partners] == [("TI", 1)]
    assert [(c.value, c.count) for c in hub.types] == [("case_study", 2)]
    assert 'href="/search/?topic=automation&amp;region=EUR"' in html


def test_hub_counts_member_only_items_for_members(client, world, member):
    client.force_login(member)
    response = client.get("/topics/automation/")
    html = response.content.decode()
    assert "<strong>3</strong> items on this topic" in html
    assert "Members handbook on automation" in html
    assert {c.value: c.count for c in response.context["hub"].regions} == {"EUR": 2, "AMC": 1}
    assert "Draft on automation" not in html


def test_hub_in_french_reads_the_french_vocabulary(client, world):
    response = client.get("/fr/topics/automation/")
    assert response.status_code == 200
    assert "<h1>Automatisation</h1>" in response.content.decode()


def test_unknown_topic_is_404(client, world):
    assert client.get("/topics/no-such-topic/").status_code == 404
    assert client.get("/es/topics/no-such-topic/").status_code == 404


def test_hub_without_engine_still_renders_description(client, world, monkeypatch):
    class Down:
        def search(self, query):
            raise EngineUnavailable("refused")

    monkeypatch.setattr(search.service, "get_engine", Down)
    response = client.get("/topics/automation/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Automated processing that reduces face-to-face contact" in html
    assert "search index is unavailable" in html
    assert client.get("/topics/").status_code == 200


def test_index_lists_every_topic_by_group_with_counts(client, world, member):
    html = client.get("/topics/").content.decode()
    assert html.count('class="topic-index__item"') == Topic.objects.count()
    assert "Revised Arusha Declaration key factors" in html and "Cross-cutting themes" in html
    assert 'href="/topics/automation/"' in html
    automation = html[html.index('href="/topics/automation/"') :]
    assert automation[: automation.index("</li>")].count("2 items") == 1
    client.force_login(member)
    html = client.get("/topics/").content.decode()
    automation = html[html.index('href="/topics/automation/"') :]
    assert "3 items" in automation[: automation.index("</li>")]


def test_topic_badges_link_to_the_hub(client, world):
    search = client.get("/search/", {"q": "single window"}).content.decode()
    assert 'href="/topics/automation/"' in search
    item = client.get(world["new"].url).content.decode()
    assert 'href="/topics/automation/"' in item and 'href="/search/?topic=automation"' in item


def test_home_page_browses_topics_by_their_hubs(client, world):
    home = client.get("/").content.decode()
    topics = home[home.index('id="topics-heading"') :]
    assert 'href="/topics/automation/"' in topics and 'href="/topics/"' in topics
    assert 'href="/coverage/"' in topics
    french = client.get("/fr/").content.decode()
    assert 'href="/fr/topics/automation/"' in french


def test_region_page_breakdown_and_partners(client, world, member):
    eur = community_for(Region.objects.get(code="EUR"))
    response = client.get(eur.url)
    assert response.status_code == 200
    topics = {c.value: c.count for c in response.context["breakdown"].topics}
    assert topics == {"automation": 2, "human-resources": 1}
    html = response.content.decode()
    ti_profile = PartnerOrganisation.objects.get(acronym="TI").profile
    assert f'href="{ti_profile.url}"' in html
    amc = community_for(Region.objects.get(code="AMC"))
    assert client.get(amc.url).context["breakdown"].total == 0
    client.force_login(member)
    assert client.get(amc.url).context["breakdown"].total == 1


def test_featured_items_follow_the_viewers_access(client, world, member):
    eur = community_for(Region.objects.get(code="EUR"))
    for order, key in enumerate(("members", "draft", "old")):
        CommunityFeaturedItem.objects.create(community=eur, page=world[key], sort_order=order)
    html = client.get(eur.url).content.decode()
    featured = html[html.index('id="featured-heading"') : html.index('id="breakdown-heading"')]
    assert "Automated clearance at the port" in featured
    assert "Members handbook" not in featured and "Draft on automation" not in featured
    client.force_login(member)
    html = client.get(eur.url).content.decode()
    featured = html[html.index('id="featured-heading"') : html.index('id="breakdown-heading"')]
    assert featured.index("Members handbook") < featured.index("Automated clearance")
    assert "Draft on automation" not in featured


@pytest.mark.parametrize("page", ["abc", "0", "-1", "999", "%00", "1.5", ""])
def test_region_item_list_page_input_never_fails(client, world, page):
    eur = community_for(Region.objects.get(code="EUR"))
    response = client.get(eur.url, {"page": page})
    assert response.status_code == 200
    assert "Staff rotation" in response.content.decode()


def test_items_in_another_language_are_marked_with_it(
    client, site_tree, empty_index, django_capture_on_commit_callbacks
):
    """Screen readers read a French title with French rules on an English page."""
    eur, automation = Region.objects.get(code="EUR"), Topic.objects.get(code="automation")
    with django_capture_on_commit_callbacks(execute=True):
        CaseStudyPageFactory(
            parent=community_for(eur),
            title="Dédouanement automatisé",
            regions=[eur],
            topics=[automation],
            language="fr",
        )
    get_engine().refresh()
    for url in ("/topics/automation/", "/search/?topic=automation"):
        html = client.get(url).content.decode()
        assert 'lang="fr"><a href=' in html, url
    get_engine().clear()


def test_region_list_and_home_list_what_the_counts_count(client, world, member):
    """The list under a region's counts holds the items counted: member-only ones for
    members, never for the public; a page behind a password for nobody."""
    amc = community_for(Region.objects.get(code="AMC"))
    hidden = HandbookPageFactory(parent=amc, title="Password handbook", regions=[amc.region])
    PageViewRestriction.objects.create(page=hidden, restriction_type="password", password="x")

    def listed(url):
        return [i.title for i in client.get(url).context["items" if url != "/" else "recent"]]

    assert listed(amc.url) == [] and "Members handbook on automation" not in listed("/")
    client.force_login(member)
    assert listed(amc.url) == ["Members handbook on automation"]
    assert "Members handbook on automation" in listed("/")
    assert "Password handbook" not in listed("/")


def test_community_and_partner_cards_count_what_their_pages_list(client, world, member):
    """A card's count is its page's list: member-only items for members only, drafts and
    password-protected items for nobody, and one query for all the cards."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    amc, eur = (community_for(Region.objects.get(code=c)) for c in ("AMC", "EUR"))
    hidden = HandbookPageFactory(parent=amc, title="Password handbook", regions=[amc.region])
    PageViewRestriction.objects.create(page=hidden, restriction_type="password", password="x")

    def cards(url="/"):
        return {card.pk: count for card, count in client.get(url).context["communities"]}

    assert cards()[amc.pk] == 0 and cards()[eur.pk] == 3
    client.force_login(member)
    assert cards()[amc.pk] == 1 and cards()[eur.pk] == 3
    with CaptureQueriesContext(connection) as queries:
        client.get("/")
    assert sum("COUNT(" in q["sql"] for q in queries.captured_queries) == 1

    ti = PartnerOrganisation.objects.get(acronym="TI")
    PartnerStudyPageFactory(contributing_partner=ti, title="Public study")
    restrict_to_members(PartnerStudyPageFactory(contributing_partner=ti, title="Members study"))
    PartnerStudyPageFactory(contributing_partner=ti, title="Draft study", publish=False)

    def studies():
        index = client.get("/partner-studies/").context["profiles"]
        return {profile.partner.acronym: count for profile, count in index}["TI"]

    assert studies() == 2
    client.logout()
    assert studies() == 1
