"""The coverage matrix (`/coverage/`): how many items each region has on each topic.

Every count comes from ONE engine pivot (region x topic) with the viewer's audiences, as
search applies them: the public sees public items counted, members member-only ones too;
drafts and private pages are never indexed, so never counted. Each cell, row and column
links to the search that lists what it counts. Cells are shaded by their share of the
fullest cell and thin ones (at most `THIN_AT_MOST` items) are flagged, so editors and
partners see where knowledge is missing. Optional `type` and `year` filters narrow every
count; values that name nothing are ignored and reported, as the search page does.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.contrib.humanize.templatetags.humanize import intcomma
from django.http import HttpRequest, HttpResponse, QueryDict
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_safe

from search.query import FacetVocabulary, ParsedSearch, parse_search_params
from search.service import run_pivot

from . import registry
from .pages import KNOWLEDGE_TYPES

THIN_AT_MOST = 2  # a cell with this many items or fewer is flagged as thin
SHADES = 4  # shading levels above the unshaded empty cell (the legend names four)
THINNEST_LISTED = 10  # thin cells named under "Thinnest areas", fewest items first
FILTERS = ("type", "year")  # the only search parameters the matrix takes


@dataclass(frozen=True)
class Cell:
    region: str  # label
    topic: str  # label
    count: int
    url: str
    level: int  # 0 (no item) to SHADES (the fullest cells)

    @property
    def thin(self) -> bool:
        return self.count <= THIN_AT_MOST

    @property
    def shown(self) -> str:
        return intcomma(self.count)

    @property
    def described(self) -> str:
        """What the cell's link says to a screen reader after its number (worded here, not
        in the template: a translation tag per cell costs more than the whole pivot)."""
        return ngettext(
            "item on %(topic)s in %(region)s", "items on %(topic)s in %(region)s", self.count
        ) % {"topic": self.topic, "region": self.region}


@dataclass(frozen=True)
class Line:
    """A row (region) or column (topic) of the matrix with its total."""

    code: str
    label: str
    total: int
    url: str


@dataclass(frozen=True)
class Row:
    line: Line
    cells: tuple[Cell, ...]


def shade(count: int, fullest: int) -> int:
    """0 for an empty cell, else 1..SHADES by the count's share of the fullest cell."""
    if not count or not fullest:
        return 0
    return max(1, math.ceil(SHADES * count / fullest))


def _search_url(page: str, filters: dict[str, tuple[str, ...]], **narrower: str) -> str:
    """The search `page` (its URL in the active language) listing what a count counts."""
    query = urlencode({**narrower, **{k: v for k, v in filters.items() if v}}, doseq=True)
    return f"{page}?{query}" if query else page


def _filters(request: HttpRequest, vocabulary: FacetVocabulary) -> ParsedSearch:
    """The viewer's audiences and the validated `type` and `year` filters (nothing else)."""
    params = QueryDict(mutable=True)
    for name in FILTERS:
        params.setlist(name, request.GET.getlist(name))
    return parse_search_params(params, request.user, vocabulary)


@require_safe
def coverage(request: HttpRequest) -> HttpResponse:
    vocabulary = FacetVocabulary()
    search = _filters(request, vocabulary)
    filters = {name: search.filters.get(name, ()) for name in FILTERS}
    regions = registry.vocabulary("regions").labels()
    topics = registry.vocabulary("topics").labels()
    pivot = run_pivot(search, "region", "topic")
    search_page = reverse("search")
    context = {
        "filters": filters,
        "ignored": search.ignored,
        "members": "members" in search.visibilities,
        "types": [(code, vocabulary.label("type", code)) for code in KNOWLEDGE_TYPES],
        "thin_at_most": THIN_AT_MOST,
        "thin_said": _("(thin)"),
        "levels": range(1, SHADES + 1),
        "unavailable": pivot is None,
    }
    if pivot is not None:
        fullest = max(pivot.cells.values(), default=0)
        rows = tuple(
            Row(
                Line(
                    region,
                    label,
                    pivot.rows.get(region, 0),
                    _search_url(search_page, filters, region=region),
                ),
                tuple(
                    Cell(
                        label,
                        topic_label,
                        pivot.count(region, topic),
                        _search_url(search_page, filters, region=region, topic=topic),
                        shade(pivot.count(region, topic), fullest),
                    )
                    for topic, topic_label in topics.items()
                ),
            )
            for region, label in regions.items()
        )
        thin = sorted(
            (cell for row in rows for cell in row.cells if cell.thin), key=lambda c: c.count
        )
        context |= {
            "rows": rows,
            "columns": [
                Line(
                    topic,
                    label,
                    pivot.columns.get(topic, 0),
                    _search_url(search_page, filters, topic=topic),
                )
                for topic, label in topics.items()
            ],
            "total": pivot.total,
            "total_url": _search_url(search_page, filters),
            "thinnest": thin[:THINNEST_LISTED],
            "more_thin": max(0, len(thin) - THINNEST_LISTED),
        }
    return TemplateResponse(request, "knowledge/coverage.html", context)
