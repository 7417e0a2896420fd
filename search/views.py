"""The search page: a plain GET form whose URL is the whole state of the search."""

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.views.decorators.http import require_safe

from . import schema
from .query import FacetVocabulary, ParsedSearch, parse_search_params
from .service import SearchOutcome, build_chips, page_links, run_search

# Long facets show this many values, the rest behind a <details> "show all" (no JS needed).
FACET_VISIBLE = 8
SORT_LABELS = {
    "relevance": "Best match",
    "newest": "Newest first",
    "oldest": "Oldest first",
    "title": "Title (A–Z)",
}


@require_safe
def search_page(request: HttpRequest) -> HttpResponse:
    vocabulary = FacetVocabulary()
    search = parse_search_params(request.GET, request.user, vocabulary)
    if search.is_valid:
        outcome = run_search(search, vocabulary)
    else:
        outcome = SearchOutcome(search=search, chips=build_chips(search, vocabulary))

    panels = []
    for panel in outcome.facets:
        if not panel.options:
            continue
        # Selected values always stay in view; the rest fill up to FACET_VISIBLE.
        head = [o for i, o in enumerate(panel.options) if o.selected or i < FACET_VISIBLE]
        tail = [o for o in panel.options if o not in head]
        panels.append({"panel": panel, "head": head, "tail": tail})
    year_chart = publication_years_chart(search, outcome)

    labels = {facet.name: facet.label for facet in schema.FACETS}
    context = {
        "search": search,
        "outcome": outcome,
        "panels": panels,
        "year_chart": year_chart,
        "ignored": [
            (labels[name], value) for name, values in search.ignored.items() for value in values
        ],
        "pagination": [
            (n, search.querystring(page=n) if n else None)
            for n in page_links(outcome.page, outcome.pages)
        ],
        "previous_page": search.querystring(page=outcome.page - 1) if outcome.page > 1 else None,
        "next_page": (
            search.querystring(page=outcome.page + 1) if outcome.page < outcome.pages else None
        ),
        "first_result": (outcome.page - 1) * search.page_size + 1,
        "sorts": [
            (s, SORT_LABELS.get(s, s)) for s in schema.SORTS if search.text or s != "relevance"
        ],
        "max_query_length": schema.MAX_QUERY_LENGTH,
        "default_page_size": schema.PAGE_SIZE,
        "corrected": search.querystring(text="" if "q" in search.errors else None, page=1),
    }
    status = 503 if outcome.unavailable else 200
    return TemplateResponse(request, "search/search_page.html", context, status=status)


def publication_years_chart(search: ParsedSearch, outcome: SearchOutcome) -> list[dict]:
    """Bars for results per publication year, oldest to newest, empty years included: the
    shape of the collection over time reads better as a chart than as a list. Each bar with
    results links to that year alone."""
    years = next((p.options for p in outcome.facets if p.name == "year"), ())
    counts = {int(o.value): o for o in years if o.count and o.value.isdigit()}
    if len(counts) < 2:
        return []
    peak = max(o.count for o in counts.values())
    filters = dict(search.filters)
    bars = []
    for year in range(min(counts), max(counts) + 1):
        option = counts.get(year)
        bars.append(
            {
                "year": str(year),
                "count": option.count if option else 0,
                # in 5 % steps, drawn by a class in search.css: no style attribute, which the
                # Content-Security-Policy would refuse
                "height": 5 * round(20 * option.count / peak) if option else 0,
                "selected": bool(option and option.selected),
                "href": search.querystring(filters={**filters, "year": (str(year),)}, page=1)
                if option
                else "",
            }
        )
    return bars
