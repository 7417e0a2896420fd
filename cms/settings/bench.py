"""Benchmarks (bench/search_bench.py): development settings with two changes that keep the
measurement honest. Wagtail's own search index is filled only by `update_index`, so its cost
shows up there and not inside corpus generation; DEBUG is off so Django does not record
every SQL statement while we time queries."""

from .dev import *  # noqa: F401,F403

DEBUG = False
WAGTAILSEARCH_BACKENDS = {
    "default": {"BACKEND": "wagtail.search.backends.database", "AUTO_UPDATE": False}
}
