"""A search as people see it: chips, facet panels, the year chart, page links.

The last step of a request (views -> parse -> service -> engine -> here): it reads the
parsed search and the service's labelled outcome and adds links and layout, nothing else.
Facets are read from `schema.FACETS`, so a new facet needs no change here.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cms.charts import Bar, BarChart

from . import schema
from .export import EXPORT_LIMIT
from .links import SearchLinks
from .query import FacetVocabulary, ParsedSearch
from .service import FacetPanel, Option, SearchOutcome

# Long facets show this many values, the rest behind a <details> "show all" (no JS needed).
FACET_VISIBLE = 8
SORT_LABELS = {
    "relevance": _("Best match"),
    "newest": _("Newest first"),
    "oldest": _("Oldest first"),
    "title": _("Title (A–Z)"),
}
YEAR_FACET = "year"


@dataclass(frozen=True)
class Chip:
    """An active filter and the query string that removes it."""

    facet: str
    facet_label: str
    value: str
    label: str
    remove: str


@dataclass(frozen=True)
class PanelView:
    """A facet panel split for display: `head` always shown, `tail` behind "show all"."""

    panel: FacetPanel
    head: tuple[Option, ...]
    tail: tuple[Option, ...]


def year_bar_chart(title: str, counts: dict[int, int], url_for) -> BarChart | None:
    """Items per publication year as the shared vertical chart, oldest to newest, the years
    between without items kept at 0 so gaps show; each year with items links to
    `url_for(year)`. None below two years: one bar compares nothing."""
    counts = {year: count for year, count in counts.items() if count}
    if len(counts) < 2:
        return None
    bars = tuple(
        Bar(str(year), counts.get(year, 0), url_for(str(year)) if year in counts else "")
        for year in range(min(counts), max(counts) + 1)
    )
    return BarChart(title, gettext("Publication year"), gettext("Items"), bars, "vertical")


def year_counts(options) -> dict[int, int]:
    """{year: count} from the year facet's options (codes are the years as text)."""
    return {int(o.value): o.count for o in options if o.value.isdigit()}


def page_links(current: int, pages: int, around: int = 2) -> list[int | None]:
    """Page numbers to link: first, last and `around` either side of current; None = gap."""
    if pages <= 1:
        return []
    wanted = {1, pages, *range(current - around, current + around + 1)}
    numbers = sorted(n for n in wanted if 1 <= n <= pages)
    links: list[int | None] = []
    previous = 0
    for n in numbers:
        if n - previous > 1:
            links.append(None)
        links.append(n)
        previous = n
    return links


class SearchPresenter:
    """One request's search, ready for the page template and the feed."""

    def __init__(
        self, search: ParsedSearch, outcome: SearchOutcome, vocabulary: FacetVocabulary
    ) -> None:
        self.search = search
        self.outcome = outcome
        self.vocabulary = vocabulary
        self.links = SearchLinks(search)

    @cached_property
    def chips(self) -> tuple[Chip, ...]:
        """Every selected facet value, in schema order, shown even when the search failed."""
        return tuple(
            Chip(
                facet=facet.name,
                facet_label=facet.label,
                value=value,
                label=self.vocabulary.label(facet.name, value),
                remove=self.links.without(facet.name, value),
            )
            for facet in schema.FACETS
            for value in self.search.filters.get(facet.name, ())
        )

    @cached_property
    def panels(self) -> tuple[PanelView, ...]:
        """Panels with values; selected values always stay in view, the rest fill up to
        FACET_VISIBLE."""
        views = []
        for panel in self.outcome.facets:
            if not panel.options:
                continue
            head = tuple(o for i, o in enumerate(panel.options) if o.selected or i < FACET_VISIBLE)
            tail = tuple(o for o in panel.options if o not in head)
            views.append(PanelView(panel, head, tail))
        return tuple(views)

    @cached_property
    def year_chart(self) -> BarChart | None:
        """Results per publication year: the shape of the collection over time reads better
        as a chart than as a list. Each bar links to that year alone."""
        years = next((p.options for p in self.outcome.facets if p.name == YEAR_FACET), ())
        return year_bar_chart(
            gettext("Results by publication year"),
            year_counts(years),
            lambda year: reverse("search") + self.links.only(YEAR_FACET, year),
        )

    def pagination(self) -> dict:
        """Numbered page links (None marks a gap), previous and next."""
        page, pages = self.outcome.page, self.outcome.pages
        return {
            "pagination": [(n, self.links.page(n) if n else None) for n in page_links(page, pages)],
            "previous_page": self.links.page(page - 1) if page > 1 else None,
            "next_page": self.links.page(page + 1) if page < pages else None,
            "first_result": (page - 1) * self.search.page_size + 1,
        }

    def context(self) -> dict:
        """The search page template's context."""
        labels = {facet.name: facet.label for facet in schema.FACETS}
        search = self.search
        return {
            "search": search,
            "outcome": self.outcome,
            "links": self.links,
            "chips": self.chips,
            "panels": self.panels,
            "year_chart": self.year_chart,
            "ignored": [
                (labels[name], value) for name, values in search.ignored.items() for value in values
            ],
            **self.pagination(),
            "sorts": [
                (s, SORT_LABELS.get(s, s)) for s in schema.SORTS if search.text or s != "relevance"
            ],
            "max_query_length": schema.MAX_QUERY_LENGTH,
            "default_page_size": schema.PAGE_SIZE,
            "corrected": self.links.corrected(),
            # the CSV export of this whole search, from its first hit
            "export_querystring": self.links.querystring(page=1),
            "export_limit": EXPORT_LIMIT,
            # "did you mean": the suggested words with this search's filters and sort
            "suggestion": self.links.querystring(text=self.outcome.suggestion, page=1)
            if self.outcome.suggestion
            else "",
        }
