"""The interface languages of the public site: the same address in each language.

The language is the URL's prefix (cms.urls), so moving between languages is moving between
addresses: `in_language` turns any site path (with its query string, so a search keeps its
words and filters) into the same path in another language. The header's language switcher
and the `hreflang` alternates come from `language_links`; search hits, whose URLs the index
keeps unprefixed, are turned into the visitor's language by `localised_url`.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest
from django.urls import translate_url
from django.utils import translation
from django.utils.functional import SimpleLazyObject


def in_language(url: str, language: str, current: str | None = None) -> str:
    """`url`, an address of this site in language `current` (default: the active one), as
    the address of the same view in `language`. Query and fragment are kept; an address
    that is not a per-language one (documents, admin) comes back unchanged."""
    with translation.override(current or translation.get_language()):
        return translate_url(url, language)


def localised_url(url: str) -> str:
    """A page URL built in the default language (as the search index stores them) in the
    active language: `/eur/rotation/` is `/fr/eur/rotation/` while French is active."""
    language = translation.get_language() or settings.LANGUAGE_CODE
    if not url or language == settings.LANGUAGE_CODE:
        return url
    return in_language(url, language, current=settings.LANGUAGE_CODE)


@dataclass(frozen=True)
class LanguageLink:
    code: str
    name: str  # in its own language: "Français"
    url: str  # this page in that language, with the query string
    absolute_url: str  # for <link rel="alternate" hreflang>
    current: bool


def _links(request: HttpRequest) -> tuple[LanguageLink, ...]:
    here = request.get_full_path()
    active = translation.get_language()
    links = []
    for code, name in settings.LANGUAGES:
        url = in_language(here, code, current=active)
        links.append(LanguageLink(code, name, url, request.build_absolute_uri(url), code == active))
    return tuple(links)


def language_links(request: HttpRequest) -> dict:
    """Context processor: `language_links` (one per language, current marked) and
    `default_language_link` (the x-default alternate). Computed only when a template reads
    them, so the admin's pages pay nothing."""
    links = SimpleLazyObject(lambda: _links(request))
    default = SimpleLazyObject(
        lambda: next(link for link in links if link.code == settings.LANGUAGE_CODE)
    )
    return {"language_links": links, "default_language_link": default}
