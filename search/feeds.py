"""`/search/feed/`: any search as an Atom feed, so a practitioner can follow new items on a
topic or region in a feed reader. Feed readers carry no session, so a feed always shows the
public audience, whoever asks.

Summaries are plain text and go out as Atom `type="text"` (Django writes `type="html"`, which
would make a reader render a summary's `<img onerror=…>` as markup). Errors are plain text.
"""

from dataclasses import replace
from datetime import UTC, datetime, time

from django.contrib.auth.models import AnonymousUser
from django.contrib.syndication.views import Feed
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from .presenters import SearchPresenter
from .query import FacetVocabulary, ParsedSearch, normalise_text, parse_search_params
from .service import Result, run_search

FEED_SIZE = 30
PLAIN_TEXT = "text/plain; charset=utf-8"


class TextSummaryAtomFeed(Atom1Feed):
    """Atom whose entry summaries are text, not HTML."""

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, {**item, "description": None})
        if item["description"] is not None:
            handler.addQuickElement("summary", item["description"], {"type": "text"})


class SearchFeed(Feed):
    feed_type = TextSummaryAtomFeed

    def get_object(self, request: HttpRequest) -> SearchPresenter:
        return request.feed_search

    def title(self, found: SearchPresenter) -> str:
        chips = ", ".join(f"{c.facet_label}: {c.label}" for c in found.chips)
        words = _("“%(words)s”") % {"words": found.search.text} if found.search.text else ""
        return " · ".join(part for part in (_("Integrity Commons"), words, chips) if part)

    def link(self, found: SearchPresenter) -> str:
        return reverse("search") + found.links.querystring(page=1, sort="newest")

    def subtitle(self, found: SearchPresenter) -> str:
        return _("The newest knowledge items matching this search.")

    def items(self, found: SearchPresenter) -> tuple[Result, ...]:
        return found.outcome.results

    # Content too goes through `normalise_text`: a vertical tab pasted from a word processor
    # into a title is legal in a page but not in XML, and would fail the whole feed.
    def item_title(self, item: Result) -> str:
        return normalise_text(item.title)

    def item_description(self, item: Result) -> str:
        return normalise_text(item.summary)

    def item_link(self, item: Result) -> str:
        return item.url

    def item_pubdate(self, item: Result) -> datetime | None:
        if item.published is None:
            return None
        return datetime.combine(item.published, time(), tzinfo=UTC)

    def item_categories(self, item: Result) -> list[str]:
        return [item.type_label, *(b.label for b in item.regions + item.topics)]


def search_feed(request: HttpRequest) -> HttpResponse:
    vocabulary = FacetVocabulary()
    parsed: ParsedSearch = parse_search_params(request.GET, AnonymousUser(), vocabulary)
    if not parsed.is_valid:
        messages = "; ".join(m for ms in parsed.errors.values() for m in ms)
        return HttpResponse(
            _("Invalid search parameters: %(messages)s") % {"messages": messages},
            status=400,
            content_type=PLAIN_TEXT,
        )
    parsed = replace(parsed, sort="newest", page=1, page_size=FEED_SIZE)
    outcome = run_search(parsed, vocabulary)
    if outcome.unavailable:
        response = HttpResponse(
            _("Search is temporarily unavailable."), status=503, content_type=PLAIN_TEXT
        )
        response["Retry-After"] = "30"
        return response
    request.feed_search = SearchPresenter(parsed, outcome, vocabulary)
    return SearchFeed()(request)
