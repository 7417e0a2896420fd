"""The engine interface: what the indexing pipeline and the query service may ask of an engine.

Every engine (embedded tantivy, Elasticsearch, OpenSearch) implements it and passes the same
conformance suite (tests/search/conformance.py).
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date

from search import policy, schema, suggestions
from search.query_plan import QueryPlan
from search.schema import Facet

logger = logging.getLogger(__name__)


class EngineUnavailable(Exception):
    """The engine cannot be reached or refused the request; the caller keeps the update."""


class IndexMissing(EngineUnavailable):
    """The engine answers but its index is gone. An outage, not an empty index: searches get
    503 and updates stay queued until `manage.py reindex` builds the index again."""

    def __init__(self, where: str):
        super().__init__(f"search index missing at {where}; run manage.py reindex")


@dataclass(frozen=True)
class SearchQuery:
    """A search request, normalised once on construction so engines can trust every field.

    Built by search.query from validated GET parameters, or directly by tests and commands.
    `filters` maps facet name -> selected codes (OR within a facet, AND across facets); only
    schema facets with a selection are kept. `visibilities` are the audiences the viewer may
    see ("public", and "members" for members). `sort` is one of `schema.SORTS` (an unknown one
    falls back to relevance); `page` is at least 1 and `page_size` within
    `policy.clamp_page_size`; `text` is cut at `schema.MAX_QUERY_LENGTH`. Only the engine knows
    whether the text holds words, so it applies `policy.effective_sort` itself. `facets=False`
    leaves the facet counts out (an export paging through every hit has no use for them).
    """

    text: str = ""
    filters: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    sort: str = "relevance"
    page: int = 1
    page_size: int = schema.PAGE_SIZE
    visibilities: tuple[str, ...] = ("public",)
    facets: bool = True

    def __post_init__(self) -> None:
        normalised = {
            "text": (self.text or "")[: schema.MAX_QUERY_LENGTH],
            "filters": {
                name: tuple(values)
                for name, values in self.filters.items()
                if name in schema.FACET_NAMES and values
            },
            "sort": self.sort if self.sort in schema.SORTS else "relevance",
            "page": max(1, self.page),
            "page_size": policy.clamp_page_size(self.page_size),
            "visibilities": tuple(self.visibilities),
        }
        for name, value in normalised.items():
            object.__setattr__(self, name, value)  # frozen: set once, here

    @property
    def window(self) -> tuple[int, int]:
        """(start, stop) offsets of the requested page's hits (see `policy.page_window`)."""
        return policy.page_window(self.page, self.page_size)


@dataclass(frozen=True)
class Hit:
    id: int
    title: str
    url: str
    type: str
    published: date | None
    regions: tuple[str, ...]
    topics: tuple[str, ...]
    partners: tuple[str, ...]
    snippet: str  # HTML-escaped text with <mark>…</mark> around matched words, nothing else
    summary: str = ""
    score: float = 0.0
    countries: tuple[str, ...] = ()
    language: str = ""


@dataclass(frozen=True)
class FacetValue:
    value: str
    count: int


def facet_values(
    facet: Facet, counts: Mapping[str, int], selected: Iterable[str] = ()
) -> tuple[FacetValue, ...]:
    """One facet's values as every engine returns them: selected values kept even at zero,
    most frequent first (ties by value), or by value newest first for years. The one place
    facet values are ordered: the service and the API show them in this order."""
    counts = dict(counts)
    for value in selected:
        counts.setdefault(value, 0)
    if facet.ordering == "value_desc":
        ordered = sorted(counts.items(), key=lambda kv: kv[0], reverse=True)
    else:
        ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return tuple(FacetValue(value, count) for value, count in ordered)


@dataclass(frozen=True)
class SearchResults:
    total: int
    hits: tuple[Hit, ...]
    # facet name -> values with disjunctive counts (each facet counted as if its own
    # selection were cleared), most frequent first (years newest first); empty when the
    # query asked for no facets
    facets: Mapping[str, tuple[FacetValue, ...]]
    relaxed: bool = False  # no item had every word: these have most of them
    suggestion: str = ""  # no result: the query with its unknown words spelled as indexed


@dataclass(frozen=True)
class Pivot:
    """Items counted by two facets at once (a coverage matrix): `cells[(row, column)]` items
    have both codes; `rows[row]` and `columns[column]` count the items with that code at all
    (an item with two topics counts once in its region's total); `total` every matching item.
    Only codes some item has appear; `count` reads any cell, zero when nothing has it."""

    cells: Mapping[tuple[str, str], int]
    rows: Mapping[str, int]
    columns: Mapping[str, int]
    total: int

    def count(self, row: str, column: str) -> int:
        return self.cells.get((row, column), 0)


def pivot_facets(rows: str, columns: str) -> tuple[Facet, Facet]:
    """The two schema facets a pivot counts by; anything else is a caller's mistake."""
    by_name = {facet.name: facet for facet in schema.FACETS}
    unknown = [name for name in (rows, columns) if name not in by_name]
    if unknown:
        raise ValueError(f"not a facet: {', '.join(unknown)}")
    if rows == columns:
        raise ValueError(f"a pivot needs two different facets, got {rows} twice")
    return by_name[rows], by_name[columns]


# Runs one plan (None: no words) for a query, all required clauses or (relaxed) most of them.
PlanRunner = Callable[[SearchQuery, "QueryPlan | None", bool], SearchResults]

ProgressCallback = Callable[[int], None]


class SearchEngine(ABC):
    """Small on purpose: add, delete, search, rebuild, and enough to audit the index."""

    name: str

    @classmethod
    @abstractmethod
    def from_settings(cls) -> SearchEngine: ...

    @abstractmethod
    def ensure_index(self) -> None:
        """Create the index (and alias) if missing; leave an existing one alone.

        With `rebuild` the only way an index comes to exist: searches and writes on a missing
        index raise IndexMissing rather than create an empty one that would hide the loss."""

    @abstractmethod
    def index_documents(self, documents: Iterable[dict]) -> int:
        """Insert or replace documents by id, in bulk. Returns how many were written."""

    @abstractmethod
    def delete_documents(self, ids: Iterable[int]) -> None:
        """Remove documents by id; unknown ids are ignored."""

    @abstractmethod
    def search(self, query: SearchQuery) -> SearchResults: ...

    @abstractmethod
    def rebuild(self, documents: Iterable[dict], progress: ProgressCallback | None = None) -> int:
        """Build a fresh index from `documents` and switch to it atomically (no downtime)."""

    @abstractmethod
    def fingerprints(self) -> dict[int, str]:
        """id -> fingerprint of every indexed document, for `search_check`."""

    @abstractmethod
    def refresh(self) -> None:
        """Make every write so far visible to searches (tests call it after writes)."""

    @abstractmethod
    def clear(self) -> None:
        """Drop all documents and indexes of this engine (tests and `reindex --reset`)."""

    @abstractmethod
    def pivot(self, query: SearchQuery, rows: str, columns: str) -> Pivot:
        """Items matching `query` counted by the facets `rows` and `columns` together, in one
        engine request. Text, filters and visibilities apply as in `search` (every word must
        match: there is no relaxed retry, which would be a second request); selections
        filter the items, whose codes are then all counted. Terms sizes are the facets'
        `size` (at least their vocabulary), so every code is counted. Unknown facets raise
        ValueError (see `pivot_facets`); `query`'s sort and page are ignored."""

    def ping(self) -> bool:
        """True when the engine answers."""
        return True

    def _search_in_steps(self, query: SearchQuery, run: PlanRunner) -> SearchResults:
        """The steps every engine takes: items with all the words; if none, items with most of
        them (`relaxed`); if still none, a "did you mean" that finds something."""
        plan = QueryPlan.parse(query.text)
        results = run(query, plan, False)
        if results.total or plan is None:
            return results
        if plan.relaxable:
            results = replace(run(query, plan, True), relaxed=True)
            if results.total:
                return results
        return replace(results, suggestion=self._suggestion(query, plan, run))

    def _suggestion(self, query: SearchQuery, plan: QueryPlan, run: PlanRunner) -> str:
        words = plan.correctable()
        fixes = suggestions.corrections(self.term_candidates(words)) if words else {}
        if not fixes:
            return ""
        text = suggestions.corrected_text(query.text, fixes)
        corrected, again = replace(query, text=text), QueryPlan.parse(text)
        if run(corrected, again, False).total:
            return text
        return text if again.relaxable and run(corrected, again, True).total else ""

    def term_candidates(self, words: tuple[str, ...]) -> suggestions.Candidates:
        """For each of `words` (folded) that no indexed item has in `policy.SUGGEST_FIELDS`:
        index terms of those fields near it, with their document counts (summed over the
        fields). Known words are left out. An engine without a term dictionary offers none."""
        return {}

    _missing_logged = False

    def _index_missing(self, where: str) -> IndexMissing:
        """The error for a missing index, logged once per outage (each request still fails)."""
        error = IndexMissing(where)
        if not self._missing_logged:
            logger.error("%s engine: %s", self.name, error)
            self._missing_logged = True
        return error

    def _index_found(self) -> None:
        self._missing_logged = False  # the next loss is a new outage, logged again

    def related(
        self, item_id: int, visibilities: tuple[str, ...], size: int = policy.RELATED_SIZE
    ) -> tuple[Hit, ...]:
        """Up to `size` items like `item_id` ("more like this"), best first: the words they
        share (`policy.RELATED_FIELDS`) and their shared topics, regions and partners
        (`policy.RELATED_VOCABULARY_WEIGHTS`). Never the item itself, only items whose
        visibility is in `visibilities`; nothing when the item is unknown or not visible to
        the viewer itself (its neighbours would tell what it is about)."""
        raise NotImplementedError(f"the {self.name} engine has no related items")
