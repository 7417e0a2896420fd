"""GET parameters -> a validated `SearchQuery`: the one place search input is checked.

The search page and the JSON API both call `parse_search_params`, so they accept, correct,
ignore and refuse exactly the same input:

* `q`: trimmed, inner whitespace collapsed; longer than `MAX_QUERY_LENGTH` is an error.
  Reserved characters of any engine syntax are plain text here; the engine must treat them so.
* facets (`region`, `country`, `topic`, `partner`, `type`, `language`, `year`, `tag`):
  repeatable. Codes are matched case-insensitively against the vocabularies and normalised to
  their canonical spelling; duplicates and blanks are dropped; a value that names nothing is
  ignored and reported in `ignored` (a notice, never an error: an old bookmark whose topic was
  removed still finds the rest). Years are any four digits; tags are indexed by slug, and a
  tag's name or any slug-ish word is accepted as its slug.
* `sort`: one of `schema.SORTS`; default `relevance` with a query, `newest` without (and
  `relevance` without a query means `newest`). Anything else is an error.
* `page`: an integer >= 1 with page * size <= `MAX_RESULT_WINDOW`; otherwise an error.
* `size`: an integer >= 1, silently capped at `MAX_PAGE_SIZE`; default `PAGE_SIZE`.

Errors stop the search: the API answers 400 with them, the page shows them in words.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.http import QueryDict
from django.utils.functional import cached_property
from django.utils.text import slugify
from taggit.models import Tag

from knowledge import registry
from knowledge.audience import visible_audiences
from knowledge.pages import KNOWLEDGE_TYPES, KnowledgePage

from . import schema
from .engines.base import SearchQuery

_WHITESPACE = re.compile(r"\s+")
_YEAR = re.compile(r"^\d{4}$")
_TAG = re.compile(r"^\w[\w\- ]{0,99}$")
_CODE = re.compile(r"^[\w\-]{1,100}$")


def normalise_text(value: str) -> str:
    """Trim and collapse whitespace (including newlines and tabs) to single spaces."""
    return _WHITESPACE.sub(" ", value).strip()


class FacetVocabulary:
    """Valid codes and display labels of every facet, read once per request.

    Built per request rather than cached per process: the tables are small (a few hundred
    rows), and a per-process cache would go stale in the other workers when an editor renames
    a topic. Build one in the view and hand it to the parser and the service.
    """

    @cached_property
    def _labels(self) -> dict[str, dict[str, str]]:
        """facet -> code -> label, from each facet's source in the schema (years have none:
        any four digits is a year, shown as it is)."""
        return {facet.name: self._source_labels(facet.source) for facet in schema.FACETS}

    @cached_property
    def _folded(self) -> dict[str, dict[str, str]]:
        return {
            name: {code.casefold(): code for code in labels}
            for name, labels in self._labels.items()
        }

    @cached_property
    def _tag_names(self) -> dict[str, str]:
        return {name.casefold(): slug for slug, name in self._labels["tag"].items()}

    def canonical(self, facet: str, value: str) -> str | None:
        """The canonical spelling of `value` in `facet`, or None when it names nothing."""
        if facet == "year":
            return value if _YEAR.match(value) else None
        if facet == "tag":
            # Indexed by slug; a known slug or name, else any slug-ish word (finds nothing).
            if known := self._folded["tag"].get(value.casefold()):
                return known
            if known := self._tag_names.get(value.casefold()):
                return known
            if not _TAG.match(value):
                return None
            return slugify(value, allow_unicode=True) or None
        if not _CODE.match(value):
            return None
        return self._folded[facet].get(value.casefold())

    def label(self, facet: str, value: str) -> str:
        """Human label for a code (a tag's name for its slug); else the code itself."""
        return self._labels.get(facet, {}).get(value, value)

    @staticmethod
    def _source_labels(source: schema.FacetSource) -> dict[str, str]:
        if isinstance(source, schema.VocabularySource):
            entry = registry.vocabulary(source.vocabulary)
            return entry.choices(source.attribute) if source.attribute else entry.labels()
        if isinstance(source, schema.FieldSource):
            return {
                str(v): str(label)
                for v, label in KnowledgePage._meta.get_field(source.field).flatchoices
            }
        derived = {
            "type": lambda: {
                code: str(cls._meta.verbose_name).capitalize()
                for code, cls in KNOWLEDGE_TYPES.items()
            },
            "tag": lambda: dict(Tag.objects.values_list("slug", "name")),
            "year": dict,
        }
        return derived[source.name]()


@dataclass(frozen=True)
class ParsedSearch:
    """Outcome of parsing: the query to run (unless `errors`), notices, and the URL state."""

    text: str
    filters: dict[str, tuple[str, ...]]
    sort: str
    page: int
    page_size: int
    visibilities: tuple[str, ...]
    errors: dict[str, list[str]] = field(default_factory=dict)
    ignored: dict[str, list[str]] = field(default_factory=dict)

    @property
    def is_valid(self) -> bool:
        return not self.errors

    @property
    def default_sort(self) -> str:
        return "relevance" if self.text else "newest"

    @property
    def has_filters(self) -> bool:
        return any(self.filters.values())

    def to_query(self) -> SearchQuery:
        return SearchQuery(
            text=self.text,
            filters={name: values for name, values in self.filters.items() if values},
            sort=self.sort,
            page=self.page,
            page_size=self.page_size,
            visibilities=self.visibilities,
        )

    # --- the URL is the state: one canonical query string per search ----------------------

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
        text = self.text if text is None else text
        filters = self.filters if filters is None else filters
        sort = self.sort if sort is None else sort
        page = self.page if page is None else page
        pairs: list[tuple[str, str]] = [("q", text)] if text else []
        for name in schema.FACET_NAMES:
            pairs.extend((name, value) for value in sorted(filters.get(name, ())))
        if sort != ("relevance" if text else "newest"):
            pairs.append(("sort", sort))
        if page != 1:
            pairs.append(("page", str(page)))
        if self.page_size != schema.PAGE_SIZE:
            pairs.append(("size", str(self.page_size)))
        return pairs

    def querystring(self, **changes) -> str:
        """`?…` for this search with `changes` applied (see `params`); "" when empty."""
        encoded = urlencode(self.params(**changes))
        return f"?{encoded}" if encoded else ""

    def without(self, facet: str, value: str) -> str:
        """Query string with one facet value removed and the page reset."""
        filters = dict(self.filters)
        filters[facet] = tuple(v for v in filters.get(facet, ()) if v != value)
        return self.querystring(filters=filters, page=1)

    def without_text(self) -> str:
        sort = "newest" if self.sort == "relevance" else self.sort
        return self.querystring(text="", sort=sort, page=1)

    def without_filters(self) -> str:
        return self.querystring(filters={}, page=1)


def parse_search_params(
    params: QueryDict, user, vocabulary: FacetVocabulary | None = None
) -> ParsedSearch:
    """Validate and normalise search GET parameters for `user` (see the module docstring)."""
    vocabulary = vocabulary or FacetVocabulary()
    errors: dict[str, list[str]] = {}
    ignored: dict[str, list[str]] = {}

    text = normalise_text(params.get("q", ""))
    if len(text) > schema.MAX_QUERY_LENGTH:
        errors["q"] = [
            f"The search text is {len(text):,} characters long; "
            f"the limit is {schema.MAX_QUERY_LENGTH:,}."
        ]

    filters: dict[str, tuple[str, ...]] = {}
    for name in schema.FACET_NAMES:
        chosen: list[str] = []
        for raw in params.getlist(name):
            value = normalise_text(raw)
            if not value:
                continue
            code = vocabulary.canonical(name, value)
            if code is None:
                ignored.setdefault(name, []).append(value)
            elif code not in chosen:
                chosen.append(code)
        filters[name] = tuple(sorted(chosen))  # one canonical order for URL and chips

    default_sort = "relevance" if text else "newest"
    sort = params.get("sort", "").strip() or default_sort
    if sort not in schema.SORTS:
        errors["sort"] = [f"Sort by one of: {', '.join(schema.SORTS)}."]
        sort = default_sort
    elif sort == "relevance" and not text:
        sort = "newest"  # nothing to be relevant to when browsing

    page_size = _positive_int(params.get("size"), "size", schema.PAGE_SIZE, errors)
    page_size = min(page_size, schema.MAX_PAGE_SIZE)
    page = _positive_int(params.get("page"), "page", 1, errors)
    if "page" not in errors and page * page_size > schema.MAX_RESULT_WINDOW:
        errors["page"] = [
            f"Results can be browsed up to page {schema.MAX_RESULT_WINDOW // page_size:,}; "
            "add words or filters to narrow the search."
        ]
    if errors:
        page = 1  # the state links on an error page lead somewhere valid

    return ParsedSearch(
        text=text,
        filters=filters,
        sort=sort,
        page=page,
        page_size=page_size,
        visibilities=tuple(visible_audiences(user)),
        errors=errors,
        ignored=ignored,
    )


def _positive_int(raw: str | None, name: str, default: int, errors: dict) -> int:
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        errors[name] = [f"{name.capitalize()} must be a whole number, not “{raw[:20]}”."]
        return default
    if value < 1:
        errors[name] = [f"{name.capitalize()} must be 1 or more."]
        return default
    return value
