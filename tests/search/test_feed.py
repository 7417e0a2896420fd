"""/search/feed/: a search as an Atom feed, public items only, newest first."""

import datetime
from xml.etree import ElementTree

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import User

from knowledge.audience import members_group, restrict_to_members
from knowledge.vocabularies import Region, Topic
from search.engines import get_engine
from tests.factories import CaseStudyPageFactory, community_for

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def items(site_tree, empty_index, django_capture_on_commit_callbacks):
    eur, wca = Region.objects.get(code="EUR"), Region.objects.get(code="WCA")
    topic = Topic.objects.get(code="code-of-conduct")
    with django_capture_on_commit_callbacks(execute=True):
        older = CaseStudyPageFactory(
            parent=community_for(eur),
            title="Gift register for border officers",
            summary="Declaring gifts <b>early</b>.",
            regions=[eur],
            topics=[topic],
            published_date=datetime.date(2019, 1, 5),
        )
        newer = CaseStudyPageFactory(
            parent=community_for(eur),
            title="Code of conduct workshops",
            regions=[eur],
            topics=[topic],
            published_date=datetime.date(2024, 6, 1),
        )
        secret = CaseStudyPageFactory(
            parent=community_for(eur),
            title="Internal investigation of a gift scheme",
            regions=[eur],
            topics=[topic],
            published_date=datetime.date(2025, 2, 1),
        )
        restrict_to_members(secret)
        CaseStudyPageFactory(
            parent=community_for(wca),
            title="Gift policy in West Africa",
            regions=[wca],
            topics=[topic],
        )
    get_engine().refresh()
    return older, newer, secret


def entries(response):
    root = ElementTree.fromstring(response.content)
    return root, [
        (e.find(f"{ATOM}title").text, e.find(f"{ATOM}link").get("href"))
        for e in root.iter(f"{ATOM}entry")
    ]


def test_feed_follows_the_search_newest_first_public_only(client, items):
    older, newer, secret = items
    member = User.objects.create_user("m", password="x")
    member.groups.add(members_group())
    client.force_login(member)  # even a member's feed is the public one

    response = client.get("/search/feed/?region=EUR&topic=code-of-conduct")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root, found = entries(response)
    assert [title for title, _ in found] == [newer.title, older.title]
    assert found[0][1] == f"http://testserver{newer.url}"
    title = root.find(f"{ATOM}title").text
    assert title == "Integrity Commons: items on Code of conduct in Europe"
    assert b"Internal investigation" not in response.content
    assert b"<b>early" not in response.content  # summaries are escaped text


def test_feed_rejects_bad_parameters_clearly(client, items):
    response = client.get("/search/feed/?q=" + "x" * 5000)
    assert response.status_code == 400
    assert b"limit is 500" in response.content


def test_search_page_links_its_feed(client, items):
    html = client.get("/search/?q=gift&region=EUR").content.decode()
    assert 'type="application/atom+xml"' in html
    assert "/search/feed/?q=gift&amp;region=EUR" in html


def test_feed_title_names_the_filters_in_words(client, items):
    root, _ = entries(client.get("/search/feed/?type=case_study&topic=code-of-conduct&region=EUR"))
    assert root.find(f"{ATOM}title").text == (
        "Integrity Commons: case studies on Code of conduct in Europe"
    )
    root, _ = entries(client.get("/search/feed/"))
    assert root.find(f"{ATOM}title").text == "Integrity Commons: all items"
    root, _ = entries(client.get("/search/feed/?q=gift&year=2019"))
    assert root.find(f"{ATOM}title").text == (
        "Integrity Commons: items matching “gift” · Publication year: 2019"
    )


def test_hostile_query_stays_text_in_the_title(client, items):
    hostile = '</title><script>alert(1)</script><title x="'
    response = client.get("/search/feed/", {"q": hostile})
    root, _ = entries(response)
    assert root.find(f"{ATOM}title").text == f"Integrity Commons: items matching “{hostile}”"
    assert b"<script>" not in response.content
    assert b"&lt;script&gt;" in response.content


def test_feed_links_its_stylesheet_before_the_feed(client, items):
    content = client.get("/fr/search/feed/?region=EUR").content.decode()
    css = '<?xml-stylesheet href="/static/css/feed.css" media="screen" type="text/css"?>'
    assert content.index(css) < content.index("<feed")
    assert "text/xsl" not in content  # Chromium is removing XSLT and warns on pages using it
    # The address to copy into a reader is this feed's, with its filters.
    assert '<link href="http://testserver/fr/search/feed/?region=EUR" rel="self"/>' in content


BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def test_browser_gets_a_page_saying_how_to_follow_the_search(client, items):
    response = client.get("/fr/search/feed/?region=EUR", headers={"accept": BROWSER})
    assert response["Content-Type"].startswith("text/html")
    assert "Accept" in response["Vary"]
    page = BeautifulSoup(response.content, "html.parser")
    feed, _ = entries(client.get("/fr/search/feed/?region=EUR"))
    assert page.h1.get_text() == feed.find(f"{ATOM}title").text
    assert page.find("title").get_text().count("Integrity Commons") == 1
    address = page.find("input", id="feed-address")
    assert address["value"] == "http://testserver/fr/search/feed/?region=EUR"
    assert page.find("label", attrs={"for": "feed-address"})
    titles = [a.get_text() for a in page.select(".item-list__title a")]
    assert titles == [e.find(f"{ATOM}title").text for e in feed.iter(f"{ATOM}entry")]
    assert page.find("link", rel="alternate", type="application/atom+xml")
    for reader in ("application/atom+xml, application/xml;q=0.9", "*/*", ""):
        response = client.get("/search/feed/", headers={"accept": reader} if reader else {})
        assert response["Content-Type"].startswith("application/atom+xml")


def test_hostile_query_stays_text_on_the_browser_page(client, items):
    hostile = '</title><script>alert(1)</script><title x="'
    response = client.get("/search/feed/", {"q": hostile}, headers={"accept": BROWSER})
    assert b"<script>alert" not in response.content
    assert BeautifulSoup(response.content, "html.parser").h1.get_text() == (
        f"Integrity Commons: items matching “{hostile}”"
    )
