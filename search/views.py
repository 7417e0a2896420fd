"""The search page: a plain GET form whose URL is the whole state of the search."""

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.views.decorators.http import require_safe

from .presenters import SearchPresenter
from .query import FacetVocabulary, parse_search_params
from .service import SearchOutcome, run_search


@require_safe
def search_page(request: HttpRequest) -> HttpResponse:
    vocabulary = FacetVocabulary()
    search = parse_search_params(request.GET, request.user, vocabulary)
    outcome = run_search(search, vocabulary) if search.is_valid else SearchOutcome(search=search)
    context = SearchPresenter(search, outcome, vocabulary).context()
    if not outcome.unavailable:
        return TemplateResponse(request, "search/search_page.html", context)
    response = TemplateResponse(request, "search/search_page.html", context, status=503)
    response["Retry-After"] = "30"  # as the API and the feed say
    return response
