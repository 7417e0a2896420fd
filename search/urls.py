"""Search URLs, included at the site root before Wagtail's page tree."""

from django.urls import path

from .api import related_api, search_api
from .export import search_export
from .feeds import search_feed
from .views import search_page

urlpatterns = [
    path("search/", search_page, name="search"),
    path("search/feed/", search_feed, name="search-feed"),
    path("search/export.csv", search_export, name="search-export"),
    path("api/search/", search_api, name="search-api"),
    path("api/items/<int:pk>/related/", related_api, name="related-api"),
]
