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

SNIPPET_CHARS = 220  # longest snippet shown under a result
SNIPPET_SOURCES = ("body", "summary", "title")  # where a snippet is taken from, in turn


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
