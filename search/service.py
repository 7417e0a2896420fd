"""Run a parsed search on the configured engine and shape the answer for people and the API.

The engine returns codes and counts; this module adds labels from the vocabularies, marks
what is selected (keeping a selected value visible at count 0 so it can be unticked), orders
facet values, computes pages, and turns an unreachable engine into a state, not an error.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from datetime import date

from . import schema
from .engines import get_engine
from .engines.base import EngineUnavailable, Hit
from .query import FacetVocabulary, ParsedSearch

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Option:
    """One facet value as shown: code, label, count and whether it is selected."""

    value: str
    label: str
    count: int
    selected: bool


@dataclass(frozen=True)
class FacetPanel:
    name: str
    label: str
    options: tuple[Option, ...]

    @property
    def has_selection(self) -> bool:
        return any(o.selected for o in self.options)


@dataclass(frozen=True)
class Badge:
    facet: str
    value: str
    label: str


@dataclass(frozen=True)
class Result:
    id: int
    title: str
    url: str
    type: str
    type_label: str
    published: date | None
    regions: tuple[Badge, ...]
    topics: tuple[Badge, ...]
    partners: tuple[Badge, ...]
    snippet: str  # escaped by the engine, only <mark> added (engine contract)
    summary: str


@dataclass(frozen=True)
class Chip:
    """An active filter and the query string that removes it."""

    facet: str
    facet_label: str
    value: str
    label: str
    remove: str


@dataclass(frozen=True)
class SearchOutcome:
    search: ParsedSearch
    total: int = 0
    results: tuple[Result, ...] = ()
    facets: tuple[FacetPanel, ...] = ()
    unavailable: bool = False
    chips: tuple[Chip, ...] = field(default=())

    @property
    def pages(self) -> int:
        """Pages a reader may reach: all results, but never deeper than the result window."""
        size = self.search.page_size
        return min(math.ceil(self.total / size), schema.MAX_RESULT_WINDOW // size)

    @property
    def page(self) -> int:
        return self.search.page


def build_chips(search: ParsedSearch, vocabulary: FacetVocabulary) -> tuple[Chip, ...]:
    labels = {f.name: f.label for f in schema.FACETS}
    return tuple(
        Chip(
            facet=name,
            facet_label=labels[name],
            value=value,
            label=vocabulary.label(name, value),
            remove=search.without(name, value),
        )
        for name in schema.FACET_NAMES
        for value in search.filters.get(name, ())
    )


def run_search(search: ParsedSearch, vocabulary: FacetVocabulary) -> SearchOutcome:
    """Search the engine for a valid `search`; an unreachable engine gives `unavailable`."""
    chips = build_chips(search, vocabulary)
    try:
        found = get_engine().search(search.to_query())
    except EngineUnavailable:
        logger.warning("search engine unavailable", exc_info=True)
        return SearchOutcome(search=search, unavailable=True, chips=chips)

    facets = tuple(
        FacetPanel(
            name=facet.name,
            label=facet.label,
            options=_options(facet, found.facets.get(facet.name, ()), search, vocabulary),
        )
        for facet in schema.FACETS
    )
    return SearchOutcome(
        search=search,
        total=found.total,
        results=tuple(_result(hit, vocabulary) for hit in found.hits),
        facets=facets,
        chips=chips,
    )


def _options(facet: schema.Facet, values, search: ParsedSearch, vocabulary) -> tuple[Option, ...]:
    selected = set(search.filters.get(facet.name, ()))
    counts = {v.value: v.count for v in values}
    for value in selected:
        counts.setdefault(value, 0)
    options = [
        Option(value, vocabulary.label(facet.name, value), count, value in selected)
        for value, count in counts.items()
    ]
    if facet.ordering == "value_desc":
        options.sort(key=lambda o: o.value, reverse=True)
    else:
        options.sort(key=lambda o: (-o.count, o.label.casefold()))
    return tuple(options)


def _badges(facet: str, codes: tuple[str, ...], vocabulary: FacetVocabulary) -> tuple[Badge, ...]:
    return tuple(Badge(facet, code, vocabulary.label(facet, code)) for code in codes)


def _result(hit: Hit, vocabulary: FacetVocabulary) -> Result:
    return Result(
        id=hit.id,
        title=hit.title,
        url=hit.url,
        type=hit.type,
        type_label=vocabulary.label("type", hit.type),
        published=hit.published,
        regions=_badges("region", hit.regions, vocabulary),
        topics=_badges("topic", hit.topics, vocabulary),
        partners=_badges("partner", hit.partners, vocabulary),
        snippet=hit.snippet,
        summary=hit.summary,
    )


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
