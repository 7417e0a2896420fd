"""`{% bar_chart chart %}`: a `cms.charts.BarChart` as SVG with its numbers as a table."""

from django import template

from cms.charts import BarChart

register = template.Library()


@register.inclusion_tag("includes/bar_chart.html")
def bar_chart(chart: BarChart, chart_id: str = "chart") -> dict:
    """`chart_id` keeps the ids of two charts on one page apart."""
    return {"chart": chart, "chart_id": chart_id}
