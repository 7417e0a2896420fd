"""The public pages render what a practitioner needs: the item, its metadata as links into
search, the sections of its type, and the landmarks and print stylesheet of the site."""

import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.urls import reverse
from wagtail.documents.models import Document
from wagtail.models import PageViewRestriction

from knowledge.audience import members_group, restrict_to_members
from knowledge.pages import CommunityPage, HomePage, PartnerProfilePage
from knowledge.vocabularies import Country, PartnerOrganisation, Region, Topic
from search.engines import get_engine
from tests.factories import (
    CaseStudyPageFactory,
    HandbookPageFactory,
    PartnerStudyPageFactory,
    ProcedurePageFactory,
    StandardPageFactory,
    community_for,
)

pytestmark = pytest.mark.django_db


def soup(response):
    return BeautifulSoup(response.content, "html.parser")


def search_links(page_soup) -> set[tuple[str, str]]:
    """(facet, value) pairs of every link into the search page inside the metadata panel."""
    pairs = set()
    for link in page_soup.select(".metadata a[href]"):
        parts = urlsplit(link["href"])
        if parts.path != reverse("search"):
            continue
        for name, values in parse_qs(parts.query).items():
            pairs.update((name, v) for v in values)
    return pairs


@pytest.fixture
def eur(site_tree):
    return Region.objects.get(code="EUR")


@pytest.fixture
def metadata(eur):
    return {
        "regions": [eur],
        "countries": [Country.objects.get(code="FR")],
        "topics": [Topic.objects.get(code="code-of-conduct")],
        "partners": [PartnerOrganisation.objects.get(acronym="TI")],
        "tags": ["border posts & rotation"],
        "language": "fr",
        "published_date": datetime.date(2021, 3, 9),
    }


def expected_links(knowledge_type: str) -> set[tuple[str, str]]:
    return {
        ("region", "EUR"),
        ("country", "FR"),
        ("topic", "code-of-conduct"),
        ("partner", "TI"),
        ("tag", "border posts & rotation"),
        ("language", "fr"),
        ("year", "2021"),
        ("type", knowledge_type),
    }


def test_case_study_renders_metadata_links_and_its_sections(client, eur, metadata):
    page = CaseStudyPageFactory(
        parent=community_for(eur),
        title="Rotation at the Lyon border post",
        measures_taken="<p>Staff rotated every six months.</p>",
        outcome="<p>Complaints fell by half.</p>",
        **metadata,
    )
    response = client.get(page.url)
    assert response.status_code == 200
    html = soup(response)
    assert html.h1.get_text(strip=True) == "Rotation at the Lyon border post"
    assert search_links(html) == expected_links("case_study")
    headings = [h.get_text(strip=True) for h in html.select("article h2")]
    for heading in ("What happened", "Measures taken", "Outcome", "Lessons learned"):
        assert heading in headings
    assert "Complaints fell by half." in html.get_text()
    # The content is marked as French; the interface around it stays in English.
    assert html.h1["lang"] == "fr" and html.select_one(".lead")["lang"] == "fr"
    assert html.select_one("#outcome + div")["lang"] == "fr"
    assert html.html["lang"] == "en" and not html.select_one(".metadata").find_parent(lang="fr")
    # The tag is URL-encoded in the link, not pasted raw into the query string.
    assert "tag=border+posts+%26+rotation" in response.content.decode()


def test_procedure_lists_its_steps_in_order(client, eur, metadata):
    page = ProcedurePageFactory(
        parent=community_for(eur),
        scope="<p>All declarations lodged at inland offices.</p>",
        steps=[
            ("step", {"title": "Receive the complaint", "responsible": "Duty officer"}),
            ("step", {"title": "Open an inquiry", "responsible": "Internal Affairs"}),
        ],
        **metadata,
    )
    html = soup(client.get(page.url))
    assert search_links(html) == expected_links("procedure")
    steps = html.select("ol.steps > li h3")
    assert [s.get_text(strip=True) for s in steps] == ["Receive the complaint", "Open an inquiry"]
    text = html.get_text()
    assert "Internal Affairs Unit" in text  # owning unit
    assert "All declarations lodged at inland offices." in text


def test_standard_shows_issuing_body_reference_status_and_date(client, eur, metadata):
    page = StandardPageFactory(
        parent=community_for(eur),
        reference_number="EU 952/2013",
        status="superseded",
        effective_date=datetime.date(2016, 5, 1),
        **metadata,
    )
    html = soup(client.get(page.url))
    assert search_links(html) == expected_links("standard")
    facts = {
        dt.get_text(strip=True): dt.find_next_sibling("dd").get_text(strip=True)
        for dt in html.select(".facts dt")
    }
    assert facts["Issuing body"] == "World Customs Organization"
    assert facts["Reference"] == "EU 952/2013"
    assert facts["Status"] == "Superseded"
    assert facts["Effective date"] == "1 May 2016"


def test_handbook_has_a_table_of_contents_linking_to_its_chapters(client, eur, metadata):
    page = HandbookPageFactory(
        parent=community_for(eur),
        chapters=[
            ("chapter", {"title": "Why integrity matters", "summary": "The costs."}),
            ("chapter", {"title": "Building a code of conduct"}),
        ],
        **metadata,
    )
    html = soup(client.get(page.url))
    assert search_links(html) == expected_links("handbook")
    assert "2nd edition" in html.get_text()
    toc = html.select(".toc a")
    assert [a.get_text(strip=True) for a in toc] == [
        "Why integrity matters",
        "Building a code of conduct",
    ]
    for link in toc:
        assert html.find(id=link["href"].lstrip("#")) is not None


def test_partner_study_links_to_its_contributing_partner_profile(client, metadata):
    ti = PartnerOrganisation.objects.get(acronym="TI")
    page = PartnerStudyPageFactory(
        contributing_partner=ti,
        commissioning_body="WCO Secretariat",
        methodology="<p>Interviews with 40 officers.</p>",
        **metadata,
    )
    html = soup(client.get(page.url))
    assert search_links(html) == expected_links("partner_study")
    profile = PartnerProfilePage.objects.get(partner=ti)
    assert html.find("a", href=profile.url, string="Transparency International")
    text = html.get_text()
    assert "WCO Secretariat" in text and "Interviews with 40 officers." in text


def test_body_and_attachments_render_with_file_type_and_size(client, eur):
    document = Document.objects.create(
        title="Annual integrity report",
        file=ContentFile(b"%PDF-1.4 " + b"x" * 2048, name="report.pdf"),
    )
    page = CaseStudyPageFactory(
        parent=community_for(eur),
        regions=[eur],
        body=[("heading", "Background"), ("paragraph", "<p>Long <b>story</b>.</p>")],
    )
    page.attachments.create(document=document, caption="Full report")
    page.save_revision().publish()
    html = soup(client.get(page.url))
    attachment = html.select_one(".attachments li")
    link = attachment.find("a")
    assert link.get_text(strip=True) == "Annual integrity report"
    assert link["href"] == document.url
    meta = attachment.select_one(".attachment__meta").get_text(" ", strip=True)
    assert "PDF" in meta and "2.0" in meta and "KB" in meta and "Full report" in meta
    assert html.find("h3", string="Background")
    assert html.find("b", string="story")


def test_text_from_editors_is_escaped(client, eur):
    page = CaseStudyPageFactory(
        parent=community_for(eur),
        regions=[eur],
        title="<script>alert(1)</script> Bribes",
        summary='<img src=x onerror="alert(2)">',
        tags=['"><script>alert(3)</script>'],
    )
    body = client.get(page.url).content.decode()
    assert "<script>alert" not in body
    assert "<img src=x" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Bribes" in body


def test_layout_has_landmarks_skip_link_breadcrumbs_and_print_css(client, eur):
    page = CaseStudyPageFactory(parent=community_for(eur), regions=[eur])
    html = soup(client.get(page.url))
    assert html.html["lang"] == "en"
    skip = html.find("a", class_="skip-link")
    assert skip["href"] == "#main" and html.find("main", id="main")
    assert html.find("header") and html.find("footer")
    assert html.find("nav", attrs={"aria-label": "Primary"})
    search_form = html.find("form", attrs={"role": "search"})
    assert search_form["action"] == reverse("search") and search_form["method"] == "get"
    assert html.find("label", attrs={"for": search_form.find("input")["id"]})
    crumbs = html.find("nav", attrs={"aria-label": "Breadcrumb"})
    assert [a["href"] for a in crumbs.find_all("a")] == ["/", community_for(eur).url]
    stylesheets = {
        link["href"]: link.get("media") for link in html.find_all("link", rel="stylesheet")
    }
    assert stylesheets == {"/static/css/site.css": None, "/static/css/print.css": "print"}


def test_home_lists_communities_with_counts_recent_items_and_topics(client, eur):
    CaseStudyPageFactory(parent=community_for(eur), regions=[eur], title="Fresh case")
    ProcedurePageFactory(parent=community_for(eur), regions=[eur], publish=False, title="Hidden")
    response = client.get(HomePage.objects.get().url)
    assert response.status_code == 200
    html = soup(response)
    cards = {
        card.h3.get_text(strip=True): card.select_one(".card__count").get_text(strip=True)
        for card in html.select("#communities + .cards .card")
    }
    assert len(cards) == 6
    assert cards["Europe"] == "1 item"
    assert cards["Asia/Pacific"] == "0 items"
    assert html.find("a", string="Fresh case")
    assert "Hidden" not in html.get_text()
    topic_links = html.select(".topic-list a")
    assert len(topic_links) == 16
    assert html.find("a", string="Automation")["href"] == "/topics/automation/"  # its hub


def test_community_page_paginates_and_never_fails_on_a_bad_page_number(client, eur):
    community = community_for(eur)
    for n in range(21):
        CaseStudyPageFactory(
            parent=community,
            regions=[eur],
            title=f"Case {n:02d}",
            published_date=datetime.date(2020, 1, 1) + datetime.timedelta(days=n),
        )
    first = soup(client.get(community.url))
    assert len(first.select(".item-list__item")) == 20
    assert first.find("a", string="Case 20")  # newest first
    assert first.find("a", href=f"{reverse('search')}?region=EUR")
    assert first.find("a", rel="next")["href"] == "?page=2"
    second = soup(client.get(community.url, {"page": 2}))
    assert [a.get_text() for a in second.select(".item-list__title a")] == ["Case 00"]
    for bad in ("abc", "0", "-1", "999999", "1e9"):
        response = client.get(community.url, {"page": bad})
        assert response.status_code == 200
        assert soup(response).select(".item-list__item")


def test_partner_pages_show_kind_website_regions_and_contributions(
    client, eur, empty_index, django_capture_on_commit_callbacks
):
    ti = PartnerOrganisation.objects.get(acronym="TI")
    ti.website = "https://www.transparency.org"
    ti.description = "Fights corruption worldwide."
    ti.save()
    ti.regions.set([eur])
    with django_capture_on_commit_callbacks(execute=True):
        PartnerStudyPageFactory(contributing_partner=ti, regions=[eur], title="Exporters survey")
    get_engine().refresh()
    index = soup(client.get("/partner-studies/"))
    cards = index.select(".card")
    assert len(cards) == 12
    ti_card = next(c for c in cards if "Transparency International" in c.get_text())
    assert "NGO" in ti_card.get_text() and "1 study" in ti_card.get_text()

    profile = PartnerProfilePage.objects.get(partner=ti)
    html = soup(client.get(profile.url))
    assert html.h1.get_text(" ", strip=True).startswith("Transparency International")
    assert html.find("a", href="https://www.transparency.org")
    europe = urlsplit(html.find("a", string="Europe")["href"])
    assert (europe.path, parse_qs(europe.query)) == (
        "/search/",
        {"region": ["EUR"], "partner": ["TI"]},
    )
    assert html.find("a", string="Exporters survey")
    assert "Fights corruption worldwide." in html.get_text()


def test_drafts_are_not_found_and_the_404_page_is_friendly(client, eur):
    draft = CaseStudyPageFactory(parent=community_for(eur), regions=[eur], publish=False)
    response = client.get(f"/{eur.code.lower()}/{draft.slug}/")
    assert response.status_code == 404
    assert b"Page not found" in response.content
    assert soup(response).find("main", id="main")


def test_members_only_page_sends_anonymous_readers_to_log_in(client, eur):
    page = CaseStudyPageFactory(parent=community_for(eur), regions=[eur], title="Internal")
    restrict_to_members(page)
    response = client.get(page.url)
    assert response.status_code == 302
    assert "login" in response["Location"] and "next=" in response["Location"]
    assert PageViewRestriction.objects.filter(page=page).exists()

    member = User.objects.create_user("member", password="pw")
    member.groups.add(members_group())
    client.force_login(member)
    assert client.get(page.url).status_code == 200


def test_unpublished_community_is_hidden_from_home(client, eur):
    CommunityPage.objects.get(region=eur).unpublish()
    html = soup(client.get("/"))
    assert len(html.select("#communities + .cards .card")) == 5


def test_page_titles_name_the_site_once(client, eur):
    assert soup(client.get("/")).title.string == "Integrity Commons"
    community = community_for(eur)
    assert soup(client.get(community.url)).title.string == f"{community.title} · Integrity Commons"
    assert soup(client.get("/search/")).title.string == "Search · Integrity Commons"
