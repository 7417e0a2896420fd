"""The search document: the one place that says what is indexed, how, and what is faceted.

Engines translate these declarations into their own mappings (tantivy schema, the
elasticsearch-dsl `Document`); the document builder, the query service, the views and the
API read the facet list from here. Change a field here and every engine follows.
"""

from dataclasses import dataclass
from enum import Enum

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Analysis(Enum):
    """How a text field is analysed."""

    STEMMED = "stemmed"  # language-aware: English and French stemmed sub-fields, folded
    PLAIN = "plain"  # lower-cased, ASCII-folded words, no stemming (names, tags)


@dataclass(frozen=True)
class TextField:
    """A full-text field: matched by the query, weighted by `boost`, maybe highlighted."""

    name: str
    boost: float = 1.0
    analysis: Analysis = Analysis.STEMMED
    highlight: bool = False


@dataclass(frozen=True)
class VocabularySource:
    """Codes of the item's entries in a vocabulary of knowledge.registry (by key), or, with
    `attribute`, the distinct values of one choice field of those entries (a partner's kind)."""

    vocabulary: str
    attribute: str = ""


@dataclass(frozen=True)
class FieldSource:
    """The value of a knowledge page field with choices (its choices give codes and labels)."""

    field: str


@dataclass(frozen=True)
class DerivedSource:
    """A value the document builder and the parser compute under this name: "type" (the
    page class), "year" (of the publication date), "tag" (tag slugs)."""

    name: str


FacetSource = VocabularySource | FieldSource | DerivedSource


@dataclass(frozen=True)
class Facet:
    """A keyword field that can be filtered (OR within, AND across) and counted."""

    name: str  # URL/API parameter and document field: ?region=EUR
    label: str | Promise  # lazy: shown in the interface language of each request
    size: int  # most buckets a response carries; at least the vocabulary's size
    source: FacetSource  # where an item's values and the valid codes and labels come from
    ordering: str = "count"  # "count" (most first) or "value_desc" (years, newest first)


TEXT_FIELDS: tuple[TextField, ...] = (
    TextField("title", boost=5.0, highlight=True),
    TextField("summary", boost=2.0, highlight=True),
    TextField("body", boost=1.0, highlight=True),
    TextField("attachments", boost=0.8),
    TextField("tags_text", boost=1.5, analysis=Analysis.PLAIN),
    TextField("vocabulary_text", boost=1.0, analysis=Analysis.PLAIN),
)

FACETS: tuple[Facet, ...] = (
    Facet("region", _("Region"), size=10, source=VocabularySource("regions")),
    Facet("country", _("Country"), size=300, source=VocabularySource("countries")),
    Facet("topic", _("Topic"), size=50, source=VocabularySource("topics")),
    Facet("partner", _("Partner organisation"), size=100, source=VocabularySource("partners")),
    Facet(
        "partner_kind", _("Kind of partner"), size=10, source=VocabularySource("partners", "kind")
    ),
    Facet("type", _("Content type"), size=10, source=DerivedSource("type")),
    Facet("language", _("Language"), size=10, source=FieldSource("language")),
    Facet(
        "year", _("Publication year"), size=100, source=DerivedSource("year"), ordering="value_desc"
    ),
    Facet("tag", _("Tag"), size=50, source=DerivedSource("tag")),
)
FACET_NAMES: tuple[str, ...] = tuple(f.name for f in FACETS)

# Keyword fields that are neither searched nor faceted.
VISIBILITY_FIELD = "visibility"  # "public" or "members"; private pages are never indexed
FINGERPRINT_FIELD = "fingerprint"  # hash of the document, to find stale entries
SORT_TITLE_FIELD = "title_sort"  # lower-cased title for the title sort
PUBLISHED_FIELD = "published"  # ISO date; sorts newest/oldest

# Stored for display, not searched: what a result needs without a database query.
STORED_FIELDS: tuple[str, ...] = ("id", "url", "title", "summary", "published", "type")

SORTS = ("relevance", "newest", "oldest", "title")
PAGE_SIZE = 20
MAX_PAGE_SIZE = 50
MAX_RESULT_WINDOW = 10_000  # deepest hit a page may reach (page * size)
MAX_QUERY_LENGTH = 500

# A document is a plain dict: {"id": int, "url": str, "title": str, "summary": str,
# "body": str, "attachments": str, "tags_text": str, "vocabulary_text": str,
# "language": "en"|"fr"|"es", "published": "YYYY-MM-DD", "title_sort": str,
# "visibility": "public"|"members", "fingerprint": str, and one list of codes per facet
# ("region": ["EUR"], "year": ["2021"], "type": ["case_study"], ...)}.
