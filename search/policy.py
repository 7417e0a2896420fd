"""Search policy: how words match and weigh, what a snippet is, how sorting and paging behave.

Declared once and read by the parser (search.query), `SearchQuery` and both engines, so the
embedded and the cluster engine cannot drift apart on a number. The limits a request may
ask for (sorts, page sizes, result window, query length) are in search.schema.
"""

from __future__ import annotations

from . import schema

FUZZY_MIN_LENGTH = 5  # words this long tolerate one typo
FUZZY_WEIGHT = 0.3  # a typo match counts less than an exact one
STEM_WEIGHT = 0.8  # a stem match counts less than the exact word
TRANSLATION_WEIGHT = 0.4  # a glossary translation counts less than the words typed
GLOSSARY_EXPANSION = True  # off only to measure what the expansion costs (bench/)

# Stop words (search.languages) need not match but still add to the score, unless the query
# has nothing else. When no item has every other word, search falls back to items that have
# `minimum_should_match` of them and says so (SearchResults.relaxed).
RELAX_ALL_BUT_ONE_UP_TO = 4  # up to this many words, all but one must match
RELAX_SHARE = 0.75  # above it, this share of them (rounded down)

# "Did you mean": for a search without results, each word of at least SUGGEST_MIN_LENGTH
# letters that no item has is replaced by the commonest index term at most SUGGEST_MAX_EDITS
# edits away that begins with the same SUGGEST_PREFIX letters, taken from SUGGEST_FIELDS;
# the corrected search is offered only if it finds something for the same viewer.
SUGGEST_FIELDS = ("title", "summary", "body")
SUGGEST_MIN_LENGTH = 4
SUGGEST_MAX_EDITS = 2
SUGGEST_PREFIX = 1
SUGGEST_CANDIDATES = 10  # nearest terms considered per word and field

SNIPPET_CHARS = 220  # longest snippet shown under a result
SNIPPET_SOURCES = ("body", "summary", "title")  # where a snippet is taken from, in turn


def minimum_should_match(clauses: int) -> int:
    """How many of `clauses` required words an item needs in the fallback search (at least
    one): all but one up to RELAX_ALL_BUT_ONE_UP_TO, RELAX_SHARE of them above."""
    if clauses <= RELAX_ALL_BUT_ONE_UP_TO:
        return max(1, clauses - 1)
    return int(clauses * RELAX_SHARE)


def default_sort(has_words: bool) -> str:
    """Best match when there are words to match; newest first when browsing."""
    return "relevance" if has_words else "newest"


def effective_sort(sort: str, has_words: bool) -> str:
    """The order actually applied: without words every score is equal, so relevance means
    newest first. An unknown sort falls back to the default."""
    if sort not in schema.SORTS:
        sort = "relevance"
    return default_sort(has_words) if sort == "relevance" else sort


def clamp_page_size(size: int) -> int:
    """At least one result a page, at most `schema.MAX_PAGE_SIZE`."""
    return max(1, min(size, schema.MAX_PAGE_SIZE))


def page_window(page: int, size: int) -> tuple[int, int]:
    """(start, stop) offsets of a page's hits, never past `schema.MAX_RESULT_WINDOW`;
    start == stop when the page lies beyond it."""
    start = min((max(1, page) - 1) * size, schema.MAX_RESULT_WINDOW)
    return start, min(start + size, schema.MAX_RESULT_WINDOW)


def last_page(size: int) -> int:
    """The deepest page a reader may reach with `size` results a page."""
    return schema.MAX_RESULT_WINDOW // size


# "Related items" (SearchEngine.related): the words an item shares with others, found by the
# engine's more-like-this (its RELATED_MAX_TERMS most telling terms of RELATED_FIELDS, each
# in at least RELATED_MIN_DOC_FREQUENCY items: the item itself and one other), plus a bonus
# per shared vocabulary code, weighed by facet. A shared topic says most about relatedness.
RELATED_FIELDS = ("title", "summary", "body")
RELATED_MAX_TERMS = 25
RELATED_MIN_DOC_FREQUENCY = 2
RELATED_VOCABULARY_WEIGHTS = {"topic": 3.0, "region": 1.0, "partner": 1.5}
RELATED_SIZE = 5
