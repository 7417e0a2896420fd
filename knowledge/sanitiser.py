"""The one gate for HTML that enters outside Wagtail's rich-text editor: every HTML key of an
import line (knowledge/importing.py). Built on bleach with an explicit allow-list: no
script, style, event handlers, iframes, or URLs other than http(s), mailto and relative
links. (The search index takes plain text from search/documents.py, never from here.)"""

import bleach

ALLOWED_TAGS = frozenset(
    {
        "p", "br", "h2", "h3", "h4", "strong", "b", "em", "i", "u", "sub", "sup",
        "ul", "ol", "li", "blockquote", "a", "abbr", "code", "pre", "hr",
        "table", "thead", "tbody", "tr", "th", "td", "caption",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": ["href", "title"],
    "abbr": ["title"],
    "th": ["scope", "colspan", "rowspan"],
    "td": ["colspan", "rowspan"],
}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})

_cleaner = bleach.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    protocols=ALLOWED_PROTOCOLS,
    strip=True,
    strip_comments=True,
)


def sanitise_html(html: str) -> str:
    """Return `html` with everything outside the allow-list removed (text kept, escaped)."""
    return _cleaner.clean(html or "")
