"""The results-by-year chart on /search/ (the shared vertical chart): every year between the
first and the last labelled with its count, bars scaled to the busiest year, each a link that
filters to that year, the numbers as a table, and no chart when there is nothing to compare."""

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


def chart(html: str) -> str:
    """The year chart's <figure>, or "" when the page has none."""
    found = re.search(r'<figure class="chart chart--vertical".*?</figure>', html, re.S)
    return found.group(0) if found else ""


def svg_texts(html: str) -> list[str]:
    svg = re.search(r"<svg.*?</svg>", chart(html), re.S).group(0)
    return re.findall(r"<text[^>]*>([^<]*)</text>", svg)


def table_rows(html: str) -> list[tuple[str, str, str]]:
    """(link, year, count) per row of the chart's table; link "" for a year without items."""
    table = re.search(r"<table.*?</table>", chart(html), re.S).group(0)
    return [
        (href or "", year or plain, count)
        for href, year, plain, count in re.findall(
            r'<th scope="row">(?:<a href="([^"]+)">(\d{4})</a>|(\d{4}))</th><td>(\d+)</td>', table
        )
    ]


def test_every_year_is_labelled_with_its_count_and_links_to_that_year(client, items_by_year):
    html = client.get("/search/?q=scanner").content.decode()
    assert "Results by publication year" in chart(html)
    texts = svg_texts(html)
    # every year between the first and the last is written out with its count, gaps at 0
    for year, count in [("2019", "1"), ("2020", "0"), ("2021", "3"), ("2022", "0"), ("2023", "1")]:
        assert year in texts
        assert texts[texts.index(year) - 1] == count  # the value is drawn just before its label
    assert table_rows(html) == [
        ("/search/?q=scanner&amp;year=2019", "2019", "1"),
        ("", "2020", "0"),
        ("/search/?q=scanner&amp;year=2021", "2021", "3"),
        ("", "2022", "0"),
        ("/search/?q=scanner&amp;year=2023", "2023", "1"),
    ]
    assert re.findall(r'<a href="(/search/[^"]+)" tabindex="-1">', chart(html)) == [
        "/search/?q=scanner&amp;year=2019",
        "/search/?q=scanner&amp;year=2021",
        "/search/?q=scanner&amp;year=2023",
    ]


def test_bars_scale_to_the_busiest_year(client, items_by_year):
    html = client.get("/search/?q=scanner").content.decode()
    heights = re.findall(
        r'<rect class="chart__fill" x="[^"]+" y="[^"]+" width="\d+" '
        r'height="([\d.]+)"',
        chart(html),
    )
    assert [float(h) for h in heights] == [
        pytest.approx(160 / 3, abs=0.1),
        0,
        160,
        0,
        pytest.approx(160 / 3, abs=0.1),
    ]


def test_no_chart_for_a_single_year(client, items_by_year):
    html = client.get("/search/?year=2019").content.decode()
    # the year facet is disjunctive, so the other years still count: the chart stays
    assert [year for _, year, _ in table_rows(html)] == ["2019", "2020", "2021", "2022", "2023"]
    html = client.get("/search/?q=scanner+programme+0").content.decode()
    assert chart(html) == ""
    assert "Results by publication year" not in html
