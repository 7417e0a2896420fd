"""GET parameters -> a validated `SearchQuery`: the one place search input is checked.

The search page and the JSON API both call `parse_search_params`, so they accept, correct,
ignore and refuse exactly the same input:

* every value: control characters (C0, DEL, C1; surrogates, U+FFFE/U+FFFF) are dropped,
  then whitespace is trimmed and collapsed. Dropped, not refused: they are invisible, mean
  nothing in a search, arrive by copy and paste from PDFs, and XML (the feed) cannot carry
  them; refusing would fail a search over a character the user cannot see.
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
from dataclasses import dataclass, field

from django.http import QueryDict
from django.utils.formats import number_format
from django.utils.functional import cached_property
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from taggit.models import Tag

from knowledge import registry
from knowledge.audience import visible_audiences
from knowledge.pages import KNOWLEDGE_TYPES, KnowledgePage

from . import policy, schema
from .engines.base import SearchQuery

_WHITESPACE = re.compile(r"\s+")
# After whitespace is collapsed (tab, newline, \x1c-\x1f and NEL are whitespace to `\s`).
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_YEAR = re.compile(r"^\d{4}$")
_TAG = re.compile(r"^\w[\w\- ]{0,99}$")
_CODE = re.compile(r"^[\w\-]{1,100}$")


def normalise_text(value: str) -> str:
    """Collapse whitespace (including newlines and tabs) to single spaces, drop the other
    control characters, trim."""
    return _CONTROL.sub("", _WHITESPACE.sub(" ", value)).strip()


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
    """What was asked, validated: the query to run (unless `errors`) and the notices.

    Its links (the URL as the state of the search) are built by search.links.SearchLinks."""

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

    def to_query(self) -> SearchQuery:
        return SearchQuery(
            text=self.text,
            filters=self.filters,
            sort=self.sort,
            page=self.page,
            page_size=self.page_size,
            visibilities=self.visibilities,
        )


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
            _("The search text is %(length)s characters long; the limit is %(limit)s.")
            % {"length": _number(len(text)), "limit": _number(schema.MAX_QUERY_LENGTH)}
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

    sort = normalise_text(params.get("sort", "")) or policy.default_sort(bool(text))
    if sort not in schema.SORTS:
        errors["sort"] = [_("Sort by one of: %(sorts)s.") % {"sorts": ", ".join(schema.SORTS)}]
    sort = policy.effective_sort(sort, bool(text))  # nothing to be relevant to when browsing

    page_size = _positive_int(params.get("size"), "size", schema.PAGE_SIZE, errors)
    page_size = policy.clamp_page_size(page_size)
    page = _positive_int(params.get("page"), "page", 1, errors)
    if "page" not in errors and page > policy.last_page(page_size):
        errors["page"] = [
            _(
                "Results can be browsed up to page %(last)s; "
                "add words or filters to narrow the search."
            )
            % {"last": _number(policy.last_page(page_size))}
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


def _number(value: int) -> str:
    """A count in the active language's digits grouping: 1,000 / 1 000 / 1.000."""
    return number_format(value, force_grouping=True)


# Parameter names as people read them in an error message.
_PARAMETER_NAMES = {"page": gettext_lazy("Page"), "size": gettext_lazy("Size")}


def _positive_int(raw: str | None, name: str, default: int, errors: dict) -> int:
    text = normalise_text(raw or "")
    if not text:
        return default
    try:
        value = int(text)
    except ValueError:
        # Quoted shortened and cleaned; each surface escapes it for its own format.
        shown = text if len(text) <= 20 else text[:19] + "…"
        errors[name] = [
            _("%(name)s must be a whole number, not “%(value)s”.")
            % {"name": _PARAMETER_NAMES[name], "value": shown}
        ]
        return default
    if value < 1:
        errors[name] = [_("%(name)s must be 1 or more.") % {"name": _PARAMETER_NAMES[name]}]
        return default
    return value
