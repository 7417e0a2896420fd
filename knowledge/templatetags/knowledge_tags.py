"""Template tags for the public pages: links into faceted search, site navigation,
breadcrumbs and list pagination. Templates stay declarative; lookups live here."""

from django import template
from django.core.paginator import Page as PaginatorPage
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import QueryDict
from django.urls import reverse
from django.utils.http import urlencode
from wagtail.models import Page, Site

from knowledge.pages import HomePage, PartnerStudiesIndexPage
from knowledge.vocabularies import Topic

register = template.Library()

LIST_PAGE_SIZE = 20


@register.simple_tag
def search_url(**params) -> str:
    """The search page URL filtered by facet values: `{% search_url region="EUR" %}`.

    Parameter names are the facet names of `search.schema.FACETS` (region, country, topic,
    partner, type, language, year, tag); values are the stored codes (tag: its name)."""
    url = reverse("search")
    query = {name: value for name, value in params.items() if value not in (None, "")}
    return f"{url}?{urlencode(query)}" if query else url


def _site_root(request) -> Page | None:
    site = Site.find_for_request(request) if request is not None else None
    if site is not None:
        return site.root_page
    return HomePage.objects.live().first()


@register.inclusion_tag("includes/primary_nav.html", takes_context=True)
def primary_nav(context) -> dict:
    """Site name and the three primary destinations; marks the current section."""
    request = context.get("request")
    page = context.get("page")
    home = _site_root(request)
    # by id, not Page's path order: SQLite would walk the path index of every page to find
    # the one index (tens of ms on every page at 100,000 items)
    partner_index = PartnerStudiesIndexPage.objects.live().public().order_by("pk").first()
    search = reverse("search")
    in_partner_area = bool(
        partner_index and isinstance(page, Page) and page.path.startswith(partner_index.path)
    )
    return {
        "home_url": home.url if home else "/",
        "partner_index": partner_index,
        "search_url": search,
        "in_partner_area": in_partner_area,
        "in_communities": isinstance(page, Page) and not in_partner_area and page.depth > 2,
        "in_search": request is not None and request.path == search,
    }


@register.inclusion_tag("includes/breadcrumbs.html")
def breadcrumbs(page: Page) -> dict:
    """Live ancestors from the site's home page down to (not including) `page`."""
    ancestors = page.get_ancestors().live().filter(depth__gt=1).specific()
    return {"ancestors": ancestors, "page": page}


@register.simple_tag(takes_context=True)
def paginate(context, items: QuerySet, per_page: int = LIST_PAGE_SIZE) -> PaginatorPage:
    """One page of `items` for `?page=`; a missing, malformed or out-of-range number gives
    the first or last page rather than an error."""
    request = context.get("request")
    number = request.GET.get("page") if request is not None else None
    return Paginator(items, per_page).get_page(number)


@register.simple_tag
def all_topics() -> QuerySet:
    return Topic.objects.order_by("name")


@register.simple_tag(takes_context=True)
def page_query(context, number: int) -> str:
    """The current query string with `page` replaced, for pagination links."""
    request = context.get("request")
    query = request.GET.copy() if request is not None else QueryDict(mutable=True)
    query["page"] = number
    return "?" + query.urlencode()
