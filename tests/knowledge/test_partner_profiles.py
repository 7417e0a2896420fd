"""Partner profile pages through the views: what the partner is, where and on what it works
(engine counts as the viewer may see them), its contributions over time, its studies and the
items citing it, and its engagements for staff only."""

import datetime
import re

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import User

import search.service
from knowledge.audience import members_group, restrict_to_members
from knowledge.pages import PartnerProfilePage
from knowledge.vocabularies import PartnerOrganisation, Region, Topic
from partnerships.models import Engagement
from search.engines import get_engine
from search.engines.base import EngineUnavailable
from tests.editorial.conftest import make_user, roles  # noqa: F401 (shared fixtures)
from tests.factories import (
    CaseStudyPageFactory,
    HandbookPageFactory,
    PartnerStudyPageFactory,
    community_for,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def ti_world(roles, empty_index, django_capture_on_commit_callbacks):  # noqa: F811
    """TI: a public study (EUR, automation, 2021), a public EUR case study citing it (2019),
    a member-only AMC handbook citing it (2023), a draft citing it; one engagement."""
    eur, amc = Region.objects.get(code="EUR"), Region.objects.get(code="AMC")
    automation, hr = Topic.objects.get(code="automation"), Topic.objects.get(code="human-resources")
    ti = PartnerOrganisation.objects.get(acronym="TI")
    ti.website = "https://www.transparency.org"
    ti.description = "Fights corruption worldwide."
    ti.save()
    with django_capture_on_commit_callbacks(execute=True):
        PartnerStudyPageFactory(
            contributing_partner=ti,
            title="Exporters survey",
            regions=[eur],
            topics=[automation],
            published_date=datetime.date(2021, 5, 1),
        )
        CaseStudyPageFactory(
            parent=community_for(eur),
            title="Port clearance with TI",
            regions=[eur],
            topics=[automation],
            partners=[ti],
            published_date=datetime.date(2019, 5, 1),
        )
        members = HandbookPageFactory(
            parent=community_for(amc),
            title="Members handbook with TI",
            regions=[amc],
            topics=[hr],
            partners=[ti],
            published_date=datetime.date(2023, 5, 1),
        )
        restrict_to_members(members)
        CaseStudyPageFactory(
            parent=community_for(eur),
            title="Draft with TI",
            regions=[eur],
            topics=[hr],
            partners=[ti],
            publish=False,
        )
    engagement = Engagement.objects.create(
        title="Integrity training for customs trainers",
        partner=ti,
        kind=Engagement.Kind.TRAINING,
        start_date=datetime.date(2024, 3, 1),
        end_date=datetime.date(2024, 9, 30),
        purpose="Train trainers.",
        expected_outcomes="Twenty trainers certified.",
        status=Engagement.Status.COMPLETED,
        assessment=Engagement.Assessment.PARTLY,
        assessment_justification="Twelve of twenty certified.",
    )
    engagement.regions.set([eur])
    get_engine().refresh()
    yield PartnerProfilePage.objects.get(partner=ti)
    get_engine().clear()


@pytest.fixture
def member(db):
    user = User.objects.create_user("member", password="pw")
    user.groups.add(members_group())
    return user


def main(response) -> BeautifulSoup:
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser").find("main")


def counts(html: BeautifulSoup, caption: str) -> dict[str, tuple[str, str]]:
    """{label: (count, link)} from the count table with that caption."""
    table = next(t for t in html.select("table.count-table") if caption in t.caption.get_text())
    return {
        row.th.get_text(strip=True): (row.td.get_text(strip=True), row.th.a["href"])
        for row in table.tbody.find_all("tr")
    }


def year_rows(html: BeautifulSoup) -> list[tuple[str, str, str]]:
    table = html.select_one("figure.chart--vertical table")
    return [
        (
            row.th.get_text(strip=True),
            row.td.get_text(strip=True),
            row.th.a["href"] if row.th.a else "",
        )
        for row in table.tbody.find_all("tr")
    ]


def test_the_kind_is_shown_once_with_description_and_website(client, ti_world):
    html = main(client.get(ti_world.url))
    assert html.get_text().count("NGO") == 1
    assert "Fights corruption worldwide." in html.get_text()
    assert html.find("a", href="https://www.transparency.org")


def test_anonymous_readers_see_public_counts_years_studies_and_citing_items(client, ti_world):
    html = main(client.get(ti_world.url))
    assert counts(html, "by region") == {"Europe": ("2", "/search/?partner=TI&region=EUR")}
    assert counts(html, "by topic") == {"Automation": ("2", "/search/?partner=TI&topic=automation")}
    assert year_rows(html) == [
        ("2019", "1", "/search/?partner=TI&year=2019"),
        ("2020", "0", ""),
        ("2021", "1", "/search/?partner=TI&year=2021"),
    ]
    studies = html.find("section", attrs={"aria-labelledby": "studies-heading"})
    assert [a.get_text() for a in studies.select(".item-list__item h3 a")] == ["Exporters survey"]
    citing = html.find("section", attrs={"aria-labelledby": "citing-heading"})
    assert [a.get_text() for a in citing.select(".item-list__item h3 a")] == [
        "Port clearance with TI"
    ]
    text = html.get_text()
    assert "Members handbook" not in text and "Draft with TI" not in text
    assert "Engagements" not in text and "Integrity training" not in text


def test_members_see_member_only_items_counted_but_no_engagements(client, ti_world, member):
    client.force_login(member)
    html = main(client.get(ti_world.url))
    assert counts(html, "by region") == {
        "Europe": ("2", "/search/?partner=TI&region=EUR"),
        "Americas and the Caribbean": ("1", "/search/?partner=TI&region=AMC"),
    }
    assert [year for year, _, _ in year_rows(html)] == ["2019", "2020", "2021", "2022", "2023"]
    assert "Integrity training" not in html.get_text()


def test_editors_see_the_engagements_with_their_assessment(client, ti_world, make_user):  # noqa: F811
    client.force_login(make_user("editor", "EUR"))
    html = main(client.get(ti_world.url))
    section = html.find("section", attrs={"aria-labelledby": "engagements-heading"})
    text = re.sub(r"\s+", " ", section.get_text(" "))
    assert "Integrity training for customs trainers" in text
    assert "Training delivered" in text and "Completed" in text
    assert "Partly achieved: Twelve of twenty certified." in text
    assert "Mar 2024 to Sep 2024" in text


def test_the_page_renders_without_counts_when_the_engine_is_unavailable(
    client, ti_world, monkeypatch
):
    def down(*args, **kwargs):
        raise EngineUnavailable("down")

    monkeypatch.setattr(search.service, "get_engine", lambda: type("E", (), {"search": down})())
    html = main(client.get(ti_world.url))
    assert "search index is unavailable" in html.get_text()
    assert not html.select("table.count-table") and not html.select("figure.chart")
    assert html.find("a", string="Exporters survey")
