"""`/search/export.csv`: every item a search finds, as a spreadsheet.

It takes the search page's parameters (parsed by search.query, so what the page refuses is
refused here, with a plain-text 400 as the feed gives) and counts the viewer's audiences
exactly as the page does: members get member-only rows, nobody gets drafts or private items.
Rows are streamed a page of hits at a time (search.service.all_hits), in the search's order,
up to EXPORT_LIMIT; when the search finds more, the `Export-Truncated` header says so and a
final comment row gives the numbers. If the engine fails after the download has started, a
final comment row says the export is incomplete.

UTF-8 with a byte-order mark, so spreadsheets read accents; a cell that begins with a
character a spreadsheet would take for a formula gets a leading apostrophe.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils import translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from .engines.base import EngineUnavailable, Hit
from .query import FacetVocabulary, parse_search_params
from .service import all_hits

EXPORT_LIMIT = 10_000  # rows at most; also the deepest hit a search may reach
PLAIN_TEXT = "text/plain; charset=utf-8"
FILENAME = "integrity-commons-search.csv"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class _Line:
    """csv.writer writes to this and gets the line back, so rows can be streamed."""

    def write(self, value: str) -> str:
        return value


def guard(value: str) -> str:
    """A cell a spreadsheet would run as a formula, kept as text (OWASP's CSV injection)."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _labels(vocabulary: FacetVocabulary, facet: str, codes: Iterable[str]) -> str:
    return "; ".join(vocabulary.label(facet, code) for code in codes)


# Column names stay the same in every language, like the API's keys, so a script that reads
# an export keeps working; the values are labelled in the reader's language.
COLUMNS = (
    "id",
    "title",
    "type",
    "regions",
    "countries",
    "topics",
    "partners",
    "language",
    "year",
    "url",
    "summary",
)


def _row(hit: Hit, vocabulary: FacetVocabulary, request: HttpRequest) -> list[str]:
    return [
        str(hit.id),
        hit.title,
        vocabulary.label("type", hit.type),
        _labels(vocabulary, "region", hit.regions),
        _labels(vocabulary, "country", hit.countries),
        _labels(vocabulary, "topic", hit.topics),
        _labels(vocabulary, "partner", hit.partners),
        vocabulary.label("language", hit.language) if hit.language else "",
        str(hit.published.year) if hit.published else "",
        request.build_absolute_uri(reverse("item-permalink", args=[hit.id])),
        hit.summary,
    ]


def _lines(
    hits: Iterator[Hit], total: int, vocabulary: FacetVocabulary, request: HttpRequest
) -> Iterator[str]:
    """The file line by line, in the request's language (the body is read after the view
    has returned, so the language is held here)."""
    language = translation.get_language()
    writer = csv.writer(_Line())
    yield "\ufeff" + writer.writerow(COLUMNS)
    written = 0
    try:
        for hit in hits:
            with translation.override(language):
                row = _row(hit, vocabulary, request)
            yield writer.writerow([guard(cell) for cell in row])
            written += 1
    except EngineUnavailable:
        with translation.override(language):
            note = _("# Incomplete: search became unavailable after %(rows)s rows.") % {
                "rows": number_format(written, force_grouping=True)
            }
        yield writer.writerow([note])
        return
    if total > EXPORT_LIMIT:
        with translation.override(language):
            note = _("# Truncated: the first %(rows)s of %(total)s matching items.") % {
                "rows": number_format(written, force_grouping=True),
                "total": number_format(total, force_grouping=True),
            }
        yield writer.writerow([note])


@require_safe
def search_export(request: HttpRequest) -> HttpResponse:
    vocabulary = FacetVocabulary()
    search = parse_search_params(request.GET, request.user, vocabulary)
    if not search.is_valid:
        messages = "; ".join(m for ms in search.errors.values() for m in ms)
        return HttpResponse(
            _("Invalid search parameters: %(messages)s") % {"messages": messages},
            status=400,
            content_type=PLAIN_TEXT,
        )
    try:
        first, hits = all_hits(search, EXPORT_LIMIT)
    except EngineUnavailable:
        response = HttpResponse(
            _("Search is temporarily unavailable."), status=503, content_type=PLAIN_TEXT
        )
        response["Retry-After"] = "30"
        return response
    response = StreamingHttpResponse(
        _lines(hits, first.total, vocabulary, request), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{FILENAME}"'
    response["Cache-Control"] = "private, no-store"  # rows depend on who asks
    response["Export-Total"] = str(first.total)
    if first.total > EXPORT_LIMIT:
        response["Export-Truncated"] = str(EXPORT_LIMIT)
    return response
