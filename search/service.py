"""Run a parsed search on the configured engine and label the answer for people and the API.

The engine returns codes and counts, facet values already in display order with every
selected value kept (at count 0 if nothing has it, so it can be unticked); this module adds
labels from the vocabularies, marks what is selected, counts pages, and turns an unreachable
engine into a state, not an error. Links and layout are search.presenters' business.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date

from cms.languages import localised_url

from . import policy, schema
from .engines import get_engine
from .engines.base import EngineUnavailable, FacetValue, Hit, Pivot, SearchResults
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


@dataclass(frozen=True)
class Badge:
    facet: str
    value: str
    label: str


@dataclass(frozen=True)
class Result:
    """An engine `Hit` labelled for people: engines deal in codes (the conformance suite
    checks them) and know no labels, which are read from the database per request."""

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
    language: str = ""  # the item's own language, for `lang` on its title and summary


@dataclass(frozen=True)
class SearchOutcome:
    search: ParsedSearch
    total: int = 0
    results: tuple[Result, ...] = ()
    facets: tuple[FacetPanel, ...] = ()
    unavailable: bool = False
    relaxed: bool = False  # no item had all the words; these have most of them
    suggestion: str = ""  # no results: the words spelled as the index has them

    @property
    def pages(self) -> int:
        """Pages a reader may reach: all results, but never deeper than the result window."""
        size = self.search.page_size
        return min(math.ceil(self.total / size), policy.last_page(size))

    @property
    def page(self) -> int:
        return self.search.page


def run_search(search: ParsedSearch, vocabulary: FacetVocabulary) -> SearchOutcome:
    """Search the engine for a valid `search`; an unreachable engine gives `unavailable`."""
    try:
        found = get_engine().search(search.to_query())
    except EngineUnavailable:
        logger.warning("search engine unavailable", exc_info=True)
        return SearchOutcome(search=search, unavailable=True)

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
        relaxed=found.relaxed,
        suggestion=found.suggestion,
    )


def _options(
    facet: schema.Facet,
    values: tuple[FacetValue, ...],
    search: ParsedSearch,
    vocabulary: FacetVocabulary,
) -> tuple[Option, ...]:
    """Labelled options in the engine's order (`engines.base.facet_values`)."""
    selected = set(search.filters.get(facet.name, ()))
    return tuple(
        Option(v.value, vocabulary.label(facet.name, v.value), v.count, v.value in selected)
        for v in values
    )


def _badges(facet: str, codes: tuple[str, ...], vocabulary: FacetVocabulary) -> tuple[Badge, ...]:
    return tuple(Badge(facet, code, vocabulary.label(facet, code)) for code in codes)


def _result(hit: Hit, vocabulary: FacetVocabulary) -> Result:
    return Result(
        id=hit.id,
        title=hit.title,
        url=localised_url(hit.url),  # the index keeps default-language URLs
        type=hit.type,
        type_label=vocabulary.label("type", hit.type),
        published=hit.published,
        regions=_badges("region", hit.regions, vocabulary),
        topics=_badges("topic", hit.topics, vocabulary),
        partners=_badges("partner", hit.partners, vocabulary),
        snippet=hit.snippet,
        summary=hit.summary,
        language=hit.language,
    )


def related_results(
    item_id: int, visibilities: tuple[str, ...], vocabulary: FacetVocabulary
) -> tuple[Result, ...] | None:
    """Items like `item_id` that the viewer may see, labelled; None when the engine cannot
    be reached (the item page then leaves the section out)."""
    try:
        hits = get_engine().related(item_id, tuple(visibilities))
    except EngineUnavailable:
        logger.warning("search engine unavailable for related items", exc_info=True)
        return None
    return tuple(_result(hit, vocabulary) for hit in hits)


def all_hits(search: ParsedSearch, limit: int) -> tuple[SearchResults, Iterator[Hit]]:
    """Every hit of a valid `search` up to `limit`, paging through the engine a full page
    at a time (the page and size asked for are ignored). The first page is fetched now, so
    an unreachable engine raises `EngineUnavailable` before anything is sent; the others as
    the iterator is read, so an export never holds more than one page."""
    query = replace(search.to_query(), page=1, page_size=schema.MAX_PAGE_SIZE, facets=False)
    engine = get_engine()
    first = engine.search(query)

    def hits() -> Iterator[Hit]:
        found, page, given = first, 1, 0
        while True:
            for hit in found.hits[: limit - given]:
                yield hit
                given += 1
            if given >= limit or len(found.hits) < query.page_size:
                return
            page += 1
            found = engine.search(replace(query, page=page))

    return first, hits()


def run_pivot(search: ParsedSearch, rows: str, columns: str) -> Pivot | None:
    """A valid `search`'s items counted by two facets (`SearchEngine.pivot`); None when the
    engine cannot be reached (the page then says so around what it can show)."""
    try:
        return get_engine().pivot(search.to_query(), rows, columns)
    except EngineUnavailable:
        logger.warning("search engine unavailable for a pivot", exc_info=True)
        return None
