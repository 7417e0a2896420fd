"""Search engines behind one interface; `get_engine()` returns the configured one."""

from functools import cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from .base import SearchEngine

ENGINES = {
    "embedded": "search.engines.embedded.EmbeddedEngine",
    "elasticsearch": "search.engines.cluster.ElasticsearchEngine",
    "opensearch": "search.engines.cluster.OpenSearchEngine",
}


@cache
def get_engine() -> SearchEngine:
    """The engine named by settings.SEARCH_ENGINE, built once per process."""
    from django.utils.module_loading import import_string

    try:
        path = ENGINES[settings.SEARCH_ENGINE]
    except KeyError:
        raise ImproperlyConfigured(
            f"SEARCH_ENGINE={settings.SEARCH_ENGINE!r}; expected one of {', '.join(ENGINES)}"
        ) from None
    return import_string(path).from_settings()
