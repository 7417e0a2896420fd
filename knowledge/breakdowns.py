"""What a slice of the collection holds (a topic, a region), counted by the search engine.

Topic hubs, the topic index and region pages all show counts by region, topic, partner and
type and the newest items of one slice. They come from ONE engine search per view, filtered to
the slice and sorted newest first, whose facets are the counts: no loop of queries, no ORM
aggregation over items, and the viewer's audiences applied as everywhere in search (members
see member-only items counted, the public does not). An unreachable engine gives a breakdown
marked `unavailable`, so the page still renders around it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import QueryDict
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from cms.charts import Bar, BarChart
from search.query import FacetVocabulary, parse_search_params
from search.service import Result, SearchOutcome, run_search


@dataclass(frozen=True)
class Count:
    """One value of a facet in the slice: its code, label, count and the search listing it."""

    value: str
    label: str
    count: int
    url: str


@dataclass(frozen=True)
class Breakdown:
    """Counts and newest items of the items matching `filters`, as the viewer may see them."""

    filters: dict[str, str]
    outcome: SearchOutcome

    @property
    def unavailable(self) -> bool:
        return self.outcome.unavailable

    @property
    def total(self) -> int:
        return self.outcome.total

    @property
    def newest(self) -> tuple[Result, ...]:
        return self.outcome.results

    def search_url(self, **narrower: str) -> str:
        """The search page (in the active language) for this slice, narrowed further."""
        query = {**self.filters, **narrower}
        return f"{reverse('search')}?{urlencode(query)}" if query else reverse("search")

    def counts(self, facet: str) -> tuple[Count, ...]:
        """The facet's values with items in this slice, most first (as the engine orders),
        each linked to the search for the slice and that value."""
        panel = next((p for p in self.outcome.facets if p.name == facet), None)
        return tuple(
            Count(o.value, o.label, o.count, self.search_url(**{facet: o.value}))
            for o in (panel.options if panel else ())
            if o.count
        )

    @property
    def regions(self) -> tuple[Count, ...]:
        return self.counts("region")

    @property
    def topics(self) -> tuple[Count, ...]:
        return self.counts("topic")

    @property
    def partners(self) -> tuple[Count, ...]:
        return self.counts("partner")

    @property
    def types(self) -> tuple[Count, ...]:
        return self.counts("type")


def count_chart(title: str, x_label: str, counts: tuple[Count, ...]) -> BarChart:
    """A horizontal bar chart of `counts` (items), each bar linked to the search it counts."""
    return BarChart(
        title=title,
        x_label=x_label,
        y_label=str(_("Items")),
        bars=tuple(Bar(c.label, c.count, c.url) for c in counts),
    )


def breakdown(user, filters: dict[str, str], newest: int = 8) -> Breakdown:
    """One newest-first engine search of `filters` (facet -> code) for `user`, `newest` hits
    a page (at least one: the engine needs a page; callers that want only counts ignore it)."""
    params = QueryDict(mutable=True)
    params.update({**filters, "sort": "newest", "size": str(max(1, newest))})
    vocabulary = FacetVocabulary()
    search = parse_search_params(params, user, vocabulary)
    return Breakdown(filters=dict(filters), outcome=run_search(search, vocabulary))
