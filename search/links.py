"""The URL is the state of a search: one canonical query string per search, and its neighbours.

Every link the search page and the feed offer (pages, a removed filter, a year bar, the
search without its words) is a `SearchLinks` query string, so equal searches share one URL.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

from . import policy, schema
from .query import ParsedSearch


@dataclass(frozen=True)
class SearchLinks:
    """Query strings for `search` with changes applied."""

    search: ParsedSearch

    def params(
        self,
        *,
        text: str | None = None,
        filters: Mapping[str, tuple[str, ...]] | None = None,
        sort: str | None = None,
        page: int | None = None,
    ) -> list[tuple[str, str]]:
        """Canonical parameter list: q, facets in schema order (values sorted), then sort,
        page and size only when they differ from their defaults."""
        search = self.search
        text = search.text if text is None else text
        filters = search.filters if filters is None else filters
        sort = search.sort if sort is None else sort
        page = search.page if page is None else page
        pairs: list[tuple[str, str]] = [("q", text)] if text else []
        for name in schema.FACET_NAMES:
            pairs.extend((name, value) for value in sorted(filters.get(name, ())))
        if sort != policy.default_sort(bool(text)):
            pairs.append(("sort", sort))
        if page != 1:
            pairs.append(("page", str(page)))
        if search.page_size != schema.PAGE_SIZE:
            pairs.append(("size", str(search.page_size)))
        return pairs

    def querystring(self, **changes) -> str:
        """`?…` for this search with `changes` applied (see `params`); "" when empty."""
        encoded = urlencode(self.params(**changes))
        return f"?{encoded}" if encoded else ""

    def page(self, number: int) -> str:
        return self.querystring(page=number)

    def only(self, facet: str, value: str) -> str:
        """This search with `facet` narrowed to `value` alone, from the first page."""
        return self.querystring(filters={**self.search.filters, facet: (value,)}, page=1)

    def without(self, facet: str, value: str) -> str:
        """Query string with one facet value removed and the page reset."""
        filters = dict(self.search.filters)
        filters[facet] = tuple(v for v in filters.get(facet, ()) if v != value)
        return self.querystring(filters=filters, page=1)

    def without_text(self) -> str:
        sort = policy.effective_sort(self.search.sort, has_words=False)
        return self.querystring(text="", sort=sort, page=1)

    def without_filters(self) -> str:
        return self.querystring(filters={}, page=1)

    def corrected(self) -> str:
        """The first page of this search, without the words when they were the error."""
        return self.querystring(text="" if "q" in self.search.errors else None, page=1)
