"""`/search/feed/`: any search as an Atom feed, so a practitioner can follow new items on a
topic or region in a feed reader. Feed readers carry no session, so a feed always shows the
public audience, whoever asks.

Summaries are plain text and go out as Atom `type="text"` (Django writes `type="html"`, which
would make a reader render a summary's `<img onerror=…>` as markup). Errors are plain text.

A practitioner who clicks "Follow this search" lands on the feed's address, so the feed names
its filters in its title and the address answers by what the client prefers: a browser (which
asks for HTML first) gets a page of the site saying how to subscribe, with the same entries; a
feed reader gets Atom. The Atom carries a CSS stylesheet so that a browser shown the raw XML
anyway still reads it. (Not XSLT: Chromium is removing it and warns on every page using it.)
"""

from dataclasses import replace
from datetime import UTC, datetime, time

from django.contrib.auth.models import AnonymousUser
from django.contrib.syndication.views import Feed
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.feedgenerator import Atom1Feed, Stylesheet
from django.utils.translation import gettext as _
from django.utils.xmlutils import SimplerXMLGenerator

from knowledge.pages import KNOWLEDGE_TYPES

from .presenters import SearchPresenter
from .query import FacetVocabulary, ParsedSearch, normalise_text, parse_search_params
from .service import Result, run_search

FEED_SIZE = 30
PLAIN_TEXT = "text/plain; charset=utf-8"
ATOM = "application/atom+xml"


class TextSummaryAtomFeed(Atom1Feed):
    """Atom whose entry summaries are text, not HTML, with its stylesheets (Django writes
    them for RSS only)."""

    def write(self, outfile, encoding):
        handler = SimplerXMLGenerator(outfile, encoding, short_empty_elements=True)
        handler.startDocument()
        for stylesheet in self.feed["stylesheets"] or []:
            handler.processingInstruction("xml-stylesheet", stylesheet)
        handler.startElement("feed", self.root_attributes())
        self.add_root_elements(handler)
        self.write_items(handler)
        handler.endElement("feed")

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, {**item, "description": None})
        if item["description"] is not None:
            handler.addQuickElement("summary", item["description"], {"type": "text"})


class SearchFeed(Feed):
    feed_type = TextSummaryAtomFeed

    def get_object(self, request: HttpRequest) -> SearchPresenter:
        self.subscribe_path = request.get_full_path()  # one instance per request
        return request.feed_search

    def stylesheets(self, found: SearchPresenter) -> list[Stylesheet]:
        return [Stylesheet(static("css/feed.css"), mimetype="text/css")]

    def title(self, found: SearchPresenter) -> str:
        return _("Integrity Commons: %(search)s") % {"search": describe_search(found)}

    def link(self, found: SearchPresenter) -> str:
        return reverse("search") + found.links.querystring(page=1, sort="newest")

    def feed_url(self, found: SearchPresenter) -> str:
        """The address to subscribe to: this one with its query (Django's default drops it)."""
        return self.subscribe_path

    def subtitle(self, found: SearchPresenter) -> str:
        return _(
            "The newest public knowledge items matching this search. To follow it, copy this "
            "feed's address into a feed reader."
        )

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


def describe_search(found: SearchPresenter) -> str:
    """The search in words, from the registry's labels: "case studies on Procurement in
    Europe", "all items" when nothing narrows it. Facets without a phrase of their own
    (language, tag, kind of partner, year) follow as "Label: value"."""
    values: dict[str, list[str]] = {}
    for chip in found.chips:
        values.setdefault(chip.facet, []).append(chip.label)
    either = _(" or ").join
    types = [
        str(KNOWLEDGE_TYPES[chip.value]._meta.verbose_name_plural)
        for chip in found.chips
        if chip.facet == "type" and chip.value in KNOWLEDGE_TYPES
    ]
    narrowed = bool(found.chips or found.search.text)
    phrase = either(types) if types else (_("items") if narrowed else _("all items"))
    if found.search.text:
        words = _("“%(words)s”") % {"words": found.search.text}
        phrase = _("%(items)s matching %(words)s") % {"items": phrase, "words": words}
    phrases = {
        "topic": _("%(items)s on %(topics)s"),
        "region": _("%(items)s in %(places)s"),
        "country": _("%(items)s in %(places)s"),
        "partner": _("%(items)s from %(partners)s"),
    }
    for facet, pattern in phrases.items():
        if facet in values:
            key = {"topic": "topics", "partner": "partners"}.get(facet, "places")
            phrase = pattern % {"items": phrase, key: either(values[facet])}
    labels = {chip.facet: chip.facet_label for chip in found.chips}
    rest = [
        f"{labels[facet]}: {either(shown)}"
        for facet, shown in values.items()
        if facet not in phrases and facet != "type"
    ]
    return " · ".join([phrase, *rest])


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
    found = SearchPresenter(parsed, outcome, vocabulary)
    if request.get_preferred_type([ATOM, "text/html"]) == "text/html":
        response = feed_page(request, found)
    else:  # feed readers ask for Atom, or for anything
        request.feed_search = found
        response = SearchFeed()(request)
    patch_vary_headers(response, ["Accept"])
    return response


def feed_page(request: HttpRequest, found: SearchPresenter) -> HttpResponse:
    """The feed as a browser shows it: the Atom feed's title, subtitle and entries."""
    feed = SearchFeed()
    return render(
        request,
        "search/feed_page.html",
        {
            "title": feed.title(found),
            "described": describe_search(found),
            "subtitle": feed.subtitle(found),
            "feed_address": request.build_absolute_uri(),
            "search_link": feed.link(found),
            "entries": feed.items(found),
        },
    )
