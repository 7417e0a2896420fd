"""The results-by-year chart on /search/: bars in year order, scaled to the busiest year,
each a link that filters to that year, and absent when there is nothing to compare."""

import datetime
import re

import pytest

from knowledge.vocabularies import Region, Topic
from search.engines import get_engine
from tests.factories import CaseStudyPageFactory, community_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def items_by_year(site_tree, empty_index, django_capture_on_commit_callbacks):
    eur = Region.objects.get(code="EUR")
    topic = Topic.objects.get(code="automation")
    with django_capture_on_commit_callbacks(execute=True):
        for n, year in enumerate((2021, 2019, 2021, 2021, 2023)):
            CaseStudyPageFactory(
                parent=community_for(eur),
                title=f"Scanner programme {n}",
                regions=[eur],
                topics=[topic],
                published_date=datetime.date(year, 3, 1),
            )
    get_engine().refresh()


def bars(html: str) -> list[tuple[str, str, str]]:
    return re.findall(
        r'href="/search/\?([^"]*)" class="year-chart__bar[^"]*" data-height="(\d+)" '
        r'title="(\d{4}): ',
        html,
    )


def test_chart_orders_years_and_scales_to_the_busiest(client, items_by_year):
    html = client.get("/search/?q=scanner").content.decode()
    assert [(year, height) for _, height, year in bars(html)] == [
        ("2019", "35"),
        ("2021", "100"),
        ("2023", "35"),
    ]
    # years without results keep their place on the axis, as empty bars without a link
    assert html.count('title="2020: no results"') == 1
    assert html.count('title="2022: no results"') == 1
    links = [query for query, _, _ in bars(html)]
    assert links[0] == "q=scanner&amp;year=2019"  # escaped in the attribute


def test_no_chart_for_a_single_year(client, items_by_year):
    html = client.get("/search/?year=2019").content.decode()
    # the year facet is disjunctive, so the other years still count: the chart stays
    assert len(bars(html)) == 3
    html = client.get("/search/?q=scanner+programme+0").content.decode()
    assert bars(html) == []
    assert "Results by publication year" not in html
