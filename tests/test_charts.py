"""The shared SVG bar chart: every bar carries its label and value, the numbers are also a
table, links lead where the bars count, and geometry follows the values."""

import re

import pytest
from django.template import Context, Template
from django.utils import translation

from cms.charts import Bar, BarChart


def render(chart: BarChart) -> str:
    return Template("{% load charts %}{% bar_chart chart 'c' %}").render(Context({"chart": chart}))


def svg_of(html: str) -> str:
    return re.search(r"<svg.*?</svg>", html, re.S).group(0)


YEARS = tuple(
    Bar(str(year), count, f"/search/?year={year}")
    for year, count in [(2018, 3), (2019, 0), (2020, 1), (2021, 12), (2022, 6)]
)


def test_every_year_and_count_is_written_in_the_svg_not_only_the_first_and_last():
    svg = svg_of(render(BarChart("Items by year", "Year", "Items", YEARS, "vertical")))
    for bar in YEARS:
        assert f">{bar.label}</text>" in svg
        assert f">{bar.value}</text>" in svg
    assert ">Year</text>" in svg and ">Items</text>" in svg  # both axes labelled


def test_the_numbers_are_a_table_with_links_to_what_each_bar_counts():
    html = render(BarChart("Items by year", "Year", "Items", YEARS, "vertical"))
    table = re.search(r"<table.*?</table>", html, re.S).group(0)
    rows = re.findall(r'<th scope="row"><a href="([^"]+)">(\d{4})</a></th><td>(\d+)</td>', table)
    assert rows == [(b.url, b.label, str(b.value)) for b in YEARS]
    assert 'aria-hidden="true"' in svg_of(html)  # read once, from the table


def test_bar_lengths_follow_the_values_and_zero_draws_nothing():
    chart = BarChart(
        "Types",
        "Type",
        "Items",
        (Bar("Case studies", 8), Bar("Procedures", 2), Bar("Handbooks", 0)),
    )
    widths = [d.width for d in chart.drawn]
    assert widths == ["100.00%", "25.00%", "0.00%"]
    vertical = BarChart("Years", "Year", "Items", YEARS, "vertical").drawn
    heights = {d.bar.label: float(d.height) for d in vertical}
    assert heights["2021"] == 160 and heights["2019"] == 0
    assert heights["2022"] == pytest.approx(80)


def test_values_follow_the_locale():
    chart = BarChart("Items", "Region", "Items", (Bar("Europe", 12345),))
    with translation.override("fr"):
        assert "12\xa0345" in render(chart)
    with translation.override("en"):
        assert "12,345" in render(chart)


def test_labels_are_escaped_and_an_empty_chart_says_so():
    html = render(BarChart("Topics", "Topic", "Items", (Bar("<script>x</script>", 1),)))
    assert "<script>x" not in html and "&lt;script&gt;" in html
    assert "Nothing to count yet" in render(BarChart("Topics", "Topic", "Items", ()))
