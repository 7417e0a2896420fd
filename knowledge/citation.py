"""Cite this: a knowledge item's citation, its RIS and BibTeX downloads, and its permanent
link by id (`/items/<pk>/`), which redirects to wherever the item lives now.

A citation names the permanent link, not the page's address, so it survives an editor
moving the item or changing its slug. All three answer only for items the viewer may read
(`knowledge.audience`); anything else is a 404 that says nothing about the item.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe
from wagtail.wagtail_hooks import require_wagtail_login

from .audience import readable_item, requires_login_for_item

# RIS reference types and BibTeX entry types by content type: studies are reports.
RIS_TYPES = {
    "case_study": "RPRT",
    "procedure": "GEN",
    "standard": "STAND",
    "handbook": "BOOK",
    "partner_study": "RPRT",
}
BIBTEX_TYPES = {"case_study": "techreport", "partner_study": "techreport"}  # others: misc

SITE_NAME = "Integrity Commons"  # the name the site is published under (knowledge.site_tree)


@dataclass(frozen=True)
class Citation:
    """What a citation says about one item, in every format."""

    pk: int
    title: str
    publisher: str  # the community (region), or the contributing partner of a study
    by_partner: bool  # a partner study: its partner is the author, not only the publisher
    year: int
    url: str  # the absolute permanent link
    accessed: date
    language: str  # the item's own language code
    keywords: tuple[str, ...]  # topic names in the active language
    summary: str
    knowledge_type: str

    @property
    def key(self) -> str:
        """A BibTeX key that never changes: by id, not by title or year."""
        return f"integritycommons-{self.pk}"


def citation_for(page, request: HttpRequest) -> Citation:
    """The citation of `page`, a knowledge item, as read today."""
    partner = getattr(page, "contributing_partner", None)
    if partner is not None:
        publisher = partner.name
    else:
        community = page.get_parent().specific
        region = getattr(community, "region", None)
        publisher = community.title if region is not None else SITE_NAME
    return Citation(
        pk=page.pk,
        title=_one_line(page.title),
        publisher=_one_line(publisher),
        by_partner=partner is not None,
        year=page.published_date.year,
        url=request.build_absolute_uri(reverse("item-permalink", args=[page.pk])),
        accessed=timezone.localdate(),
        language=page.language,
        keywords=tuple(_one_line(topic.name) for topic in page.topics.all()),
        summary=_one_line(page.summary),
        knowledge_type=page.knowledge_type,
    )


_SPACE = re.compile(r"\s+")


def _one_line(text: str) -> str:
    """Both formats are line-based: a newline inside a value would end it."""
    return _SPACE.sub(" ", str(text)).strip()


def ris(citation: Citation) -> str:
    """RIS, one `TAG  - value` a line, CRLF as the format expects, ending with ER."""
    lines = [
        ("TY", RIS_TYPES.get(citation.knowledge_type, "GEN")),
        ("TI", citation.title),
        *([("AU", citation.publisher)] if citation.by_partner else []),
        ("PB", citation.publisher),
        ("PY", str(citation.year)),
        ("UR", citation.url),
        ("Y2", citation.accessed.strftime("%Y/%m/%d")),
        ("LA", citation.language),
        *(("KW", keyword) for keyword in citation.keywords),
        ("AB", citation.summary),
        ("DB", SITE_NAME),
        ("ER", ""),
    ]
    return "".join(f"{tag}  - {value}\r\n" for tag, value in lines)


# TeX's special characters, each replaced in one pass (a backslash first would double them).
_TEX = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "%": r"\%",
    "&": r"\&",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_TEX_SPECIAL = re.compile("|".join(re.escape(c) for c in _TEX))


def tex_escape(text: str) -> str:
    return _TEX_SPECIAL.sub(lambda m: _TEX[m.group()], text)


def bibtex(citation: Citation) -> str:
    """One BibTeX entry (UTF-8, for biber or bibtex8). The organisation is a corporate
    author in double braces so it is not split into first and last names, and the title is
    braced so its capitals are kept."""
    entry_type = BIBTEX_TYPES.get(citation.knowledge_type, "misc")
    publisher = tex_escape(citation.publisher)
    fields = [
        ("author", f"{{{publisher}}}"),
        ("title", f"{{{tex_escape(citation.title)}}}"),
        ("institution" if entry_type == "techreport" else "publisher", publisher),
        ("year", str(citation.year)),
        ("url", citation.url.replace("{", "%7B").replace("}", "%7D")),
        ("urldate", citation.accessed.isoformat()),
        ("language", tex_escape(citation.language)),
        ("keywords", tex_escape(", ".join(citation.keywords))),
        ("abstract", tex_escape(citation.summary)),
    ]
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields if value)
    return f"@{entry_type}{{{citation.key},\n{body}\n}}\n"


def _readable_or_404(request: HttpRequest, pk: int):
    page = readable_item(request.user, pk)
    if page is None:
        raise Http404("No such item.")  # the same for hidden and missing items
    return page


def _private(response: HttpResponse) -> HttpResponse:
    """What the viewer may read decides the answer, so no shared cache may keep it."""
    response["Cache-Control"] = "private, no-store"
    return response


@require_safe
def item_permalink(request: HttpRequest, pk: int) -> HttpResponse:
    """`/items/<pk>/`: 302 to the item's current address. A visitor who is not logged in
    and asks for a member-only item is sent to log in, as the item page sends them, and
    back to this link (not to the item's address, which would show its slug)."""
    if readable_item(request.user, pk) is None and requires_login_for_item(request.user, pk):
        return _private(require_wagtail_login(next=request.get_full_path()))
    page = _readable_or_404(request, pk)
    return _private(HttpResponseRedirect(page.get_url(request=request)))


def _download(request: HttpRequest, pk: int, render, content_type: str, extension: str):
    citation = citation_for(_readable_or_404(request, pk), request)
    response = HttpResponse(render(citation), content_type=f"{content_type}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{citation.key}.{extension}"'
    return _private(response)


@require_safe
def cite_ris(request: HttpRequest, pk: int) -> HttpResponse:
    return _download(request, pk, ris, "application/x-research-info-systems", "ris")


@require_safe
def cite_bibtex(request: HttpRequest, pk: int) -> HttpResponse:
    return _download(request, pk, bibtex, "application/x-bibtex", "bib")
