"""A search as people see it: chips, facet panels, the year chart, page links.

The last step of a request (views -> parse -> service -> engine -> here): it reads the
parsed search and the service's labelled outcome and adds links and layout, nothing else.
Facets are read from `schema.FACETS`, so a new facet needs no change here.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from django.utils.formats import number_format
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from . import schema
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


@dataclass(frozen=True)
class YearBar:
    year: str
    count: int
    height: int  # percent of the busiest year, in 5 % steps
    selected: bool
    href: str  # "" for a year without results

    @property
    def label(self) -> str:
        """What the bar says to a screen reader and in its tooltip: "2021: 3 results"."""
        if not self.count:
            return gettext("%(year)s: no results") % {"year": self.year}
        return ngettext("%(year)s: %(count)s result", "%(year)s: %(count)s results", self.count) % {
            "year": self.year,
            "count": number_format(self.count, force_grouping=True),
        }


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
    def year_chart(self) -> tuple[YearBar, ...]:
        """Bars for results per publication year, oldest to newest, empty years included:
        the shape of the collection over time reads better as a chart than as a list. Each
        bar with results links to that year alone."""
        years = next((p.options for p in self.outcome.facets if p.name == YEAR_FACET), ())
        counts = {int(o.value): o for o in years if o.count and o.value.isdigit()}
        if len(counts) < 2:
            return ()
        peak = max(o.count for o in counts.values())
        return tuple(
            self._year_bar(str(year), counts.get(year), peak)
            for year in range(min(counts), max(counts) + 1)
        )

    def _year_bar(self, year: str, option: Option | None, peak: int) -> YearBar:
        if option is None:
            return YearBar(year=year, count=0, height=0, selected=False, href="")
        return YearBar(
            year=year,
            count=option.count,
            # in 5 % steps, drawn by a class in search.css: no style attribute, which the
            # Content-Security-Policy would refuse
            height=5 * round(20 * option.count / peak),
            selected=option.selected,
            href=self.links.only(YEAR_FACET, year),
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
            # "did you mean": the suggested words with this search's filters and sort
            "suggestion": self.links.querystring(text=self.outcome.suggestion, page=1)
            if self.outcome.suggestion
            else "",
        }
