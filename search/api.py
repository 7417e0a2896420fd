"""`/api/search/`: the search page's parameters and results as JSON, for scripts and widgets.

Body on success is exactly {total, page, pages, relaxed, suggestion, results, facets}:
`relaxed` is true when no item had all the words and the results have most of them,
`suggestion` (or null) the query spelled as the index has it when nothing was found; errors are
{error, details} with 400 (bad parameters) or 503 (engine unreachable). Values ignored as
unknown are listed in the `Search-Ignored` header (URL-encoded), so the body keeps its shape.
"""

from urllib.parse import urlencode

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _

from knowledge.audience import readable_item, visible_audiences

from .query import FacetVocabulary, parse_search_params
from .service import Result, SearchOutcome, related_results, run_search


def search_api(request: HttpRequest) -> JsonResponse:
    if request.method not in ("GET", "HEAD"):
        response = _error(405, _("Use GET."), {"method": [request.method]})
        response["Allow"] = "GET, HEAD"
        return response
    vocabulary = FacetVocabulary()
    search = parse_search_params(request.GET, request.user, vocabulary)
    if not search.is_valid:
        response = _error(400, _("Invalid search parameters."), search.errors)
    else:
        outcome = run_search(search, vocabulary)
        if outcome.unavailable:
            response = _error(503, _("Search is temporarily unavailable; try again shortly."), {})
            response["Retry-After"] = "30"
        else:
            response = JsonResponse(_body(outcome))
    if search.ignored:
        response["Search-Ignored"] = urlencode(
            [(name, value) for name, values in search.ignored.items() for value in values]
        )
    response["Cache-Control"] = "private, no-store"
    return response


def _error(status: int, message: str, details: dict) -> JsonResponse:
    return JsonResponse({"error": message, "details": details}, status=status)


def _body(outcome: SearchOutcome) -> dict:
    return {
        "total": outcome.total,
        "page": outcome.page,
        "pages": outcome.pages,
        "relaxed": outcome.relaxed,
        "suggestion": outcome.suggestion or None,
        "results": [_result(r) for r in outcome.results],
        "facets": {
            panel.name: [
                {"value": o.value, "label": o.label, "count": o.count, "selected": o.selected}
                for o in panel.options
            ]
            for panel in outcome.facets
        },
    }


def _result(result: Result) -> dict:
    def badges(items):
        return [{"value": b.value, "label": b.label} for b in items]

    return {
        "id": result.id,
        "title": result.title,
        "url": result.url,
        "type": result.type,
        "published": result.published.isoformat() if result.published else None,
        "regions": badges(result.regions),
        "topics": badges(result.topics),
        "partners": badges(result.partners),
        "snippet": result.snippet,
    }


def related_api(request: HttpRequest, pk: int) -> JsonResponse:
    """`/api/items/<id>/related/`: {"results": [...]} as in a search, without snippets; 404
    for an item the caller may not read (member-only ones to the public), as for none."""
    if request.method not in ("GET", "HEAD"):
        response = _error(405, _("Use GET."), {"method": [request.method]})
        response["Allow"] = "GET, HEAD"
        return response
    if readable_item(request.user, pk) is None:
        response = _error(404, _("No such item."), {})
    else:
        related = related_results(pk, visible_audiences(request.user), FacetVocabulary())
        if related is None:
            response = _error(503, _("Search is temporarily unavailable; try again shortly."), {})
            response["Retry-After"] = "30"
        else:
            results = [{k: v for k, v in _result(r).items() if k != "snippet"} for r in related]
            response = JsonResponse({"results": results})
    response["Cache-Control"] = "private, no-store"
    return response
