"""Knowledge pages as search documents (the dict shape declared in search.schema).

Built in batches for speed, from rows rather than page instances: one `values()` query per
batch for the pages' own columns, one per page type for the type's text fields (its
`search_text_fields`), one per way a page reaches a vocabulary of knowledge.registry and
one for tags (ids resolved through vocabularies loaded once per build), one for
attachments, and a view-restriction lookup only for pages below a restricted page. Facet
values follow each facet's source in search.schema. A single page (`build_document`) and
the outbox drain (`build_documents`) go through the same code as a rebuild
(`iter_documents`), so every path gives identical documents.
"""

from __future__ import annotations

import hashlib
import html
import io
import json
import logging
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from wagtail.models import PageViewRestriction, Site

from knowledge.audience import page_audience
from knowledge.pages import KNOWLEDGE_TYPES, KnowledgeAttachment, KnowledgePage, KnowledgePageTag
from knowledge.registry import VOCABULARIES, VocabularyEntry

from . import schema as S
from .models import ExtractedText

logger = logging.getLogger(__name__)

BATCH_SIZE = 500
MAX_ATTACHMENT_CHARS = 200_000  # enough to find a report by its words; bounds index size

_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")


def plain_text(value: str) -> str:
    """Words of an HTML fragment for indexing (never shown as HTML: snippets are escaped)."""
    if "<" in value:
        value = _TAG.sub(" ", value)
    return " ".join(html.unescape(value).split())  # split() splits where \s+ matches


def stream_text(stream_value) -> str:
    """Every string inside a StreamField value (headings, rich text, struct fields)."""
    if not stream_value:
        return ""
    parts: list[str] = []

    def walk(node) -> None:
        if isinstance(node, str):
            parts.append(plain_text(node))
        elif isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for block in stream_value.raw_data:
        walk(block.get("value"))
    return " ".join(p for p in parts if p)


def indexable_pages() -> QuerySet[KnowledgePage]:
    """Live knowledge pages in id order (private ones are left out when documents are built)."""
    return KnowledgePage.objects.live().order_by("pk")


def build_document(page: KnowledgePage) -> dict | None:
    """The document for `page` as the database has it, or None when it must not be indexed."""
    return next(iter(build_documents([page])), None)


def iter_documents(
    queryset: QuerySet[KnowledgePage] | None = None, batch_size: int = BATCH_SIZE
) -> Iterator[dict]:
    """Documents of every indexable page (or of `queryset`), built batch by batch."""
    queryset = indexable_pages() if queryset is None else queryset
    builder = _Builder()
    batch: list[int] = []
    for pk in queryset.values_list("pk", flat=True).iterator(chunk_size=batch_size):
        batch.append(pk)
        if len(batch) >= batch_size:
            yield from builder.build(batch)
            batch = []
    if batch:
        yield from builder.build(batch)


def build_documents(pages: Iterable[KnowledgePage] | QuerySet[KnowledgePage]) -> list[dict]:
    """Documents for `pages`, read afresh from the database, in the order given; pages that
    must not be indexed are left out (not live, or private to a narrower audience than
    members)."""
    if isinstance(pages, QuerySet):
        ids = list(pages.values_list("pk", flat=True))
    else:
        ids = [page.pk for page in pages]
    return _Builder().build(ids)


def fingerprint(document: dict) -> str:
    """A stable hash of everything in the document but the fingerprint itself."""
    content = {k: v for k, v in document.items() if k != S.FINGERPRINT_FIELD}
    encoded = json.dumps(content, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(encoded.encode()).hexdigest()[:32]


PAGE_COLUMNS = (
    "pk",
    "title",
    "path",
    "url_path",
    "content_type_id",
    "summary",
    "body",
    "published_date",
    *dict.fromkeys(f.source.field for f in S.FACETS if isinstance(f.source, S.FieldSource)),
)


@dataclass(frozen=True)
class _Term:
    """A vocabulary entry as documents use it: facet code, the names that match it, and the
    attributes facets are derived from."""

    code: str
    names: tuple[str, ...]
    attributes: dict[str, str]


def _attributes(entry: VocabularyEntry) -> tuple[str, ...]:
    """The entry fields that facets are derived from (a partner's kind)."""
    return tuple(
        f.source.attribute
        for f in S.FACETS
        if isinstance(f.source, S.VocabularySource)
        and f.source.vocabulary == entry.key
        and f.source.attribute
    )


class _Builder:
    """Builds documents batch by batch; holds what every batch shares (vocabularies, site
    roots, restricted paths), read once per build."""

    def __init__(self) -> None:
        # Each vocabulary in its model's ordering: a page lists its terms in that order, as
        # `page.regions.all()` would. They are small (hundreds of rows): loaded once per
        # build, ids resolved in memory. Names are every language's columns (an empty
        # translation reads None); the ordering is English whoever triggers the build.
        self.terms: dict[str, dict[int, _Term]] = {}
        for entry in VOCABULARIES:
            attributes = _attributes(entry)
            with translation.override(settings.LANGUAGE_CODE):
                rows = list(entry.model.objects.values("pk", entry.code, *entry.names, *attributes))
            self.terms[entry.key] = {
                row["pk"]: _Term(
                    code=row[entry.code],
                    names=tuple(row[name] for name in entry.names),
                    attributes={attribute: row[attribute] for attribute in attributes},
                )
                for row in rows
            }
        self.type_names = _type_names()
        self.url = _url_builder()
        self.restricted = tuple(PageViewRestriction.objects.values_list("page__path", flat=True))

    def build(self, ids: list[int]) -> list[dict]:
        rows = {
            row["pk"]: row
            for row in KnowledgePage.objects.filter(pk__in=ids, live=True).values(*PAGE_COLUMNS)
        }
        ids = [pk for pk in dict.fromkeys(ids) if pk in rows]
        audiences = self._audiences([rows[pk] for pk in ids])
        ids = [pk for pk in ids if audiences[pk] is not None]
        if not ids:
            return []
        models = {pk: _model(rows[pk]["content_type_id"]) for pk in ids}
        type_text = _type_text(models)
        attachment_text = _attachment_text(ids)
        related = {entry.key: self._related(entry, ids) for entry in VOCABULARIES}
        tags = _tags(ids)
        return [
            _document(
                _Item(
                    row=rows[pk],
                    knowledge_type=models[pk].knowledge_type,
                    type_names=self.type_names[models[pk].knowledge_type],
                    url=self.url(rows[pk]["url_path"]),
                    audience=audiences[pk],
                    related={key: terms.get(pk, []) for key, terms in related.items()},
                    tags=tags.get(pk, []),
                    type_text=type_text.get(pk, ""),
                    attachments=attachment_text.get(pk, ""),
                )
            )
            for pk in ids
        ]

    def _related(self, entry: VocabularyEntry, ids: list[int]) -> dict[int, list[_Term]]:
        """Each page's terms of one vocabulary, through every way a page reaches it (the
        many-to-many, a partner study's contributing partner), in the vocabulary's order."""
        terms = self.terms[entry.key]
        order = {pk: rank for rank, pk in enumerate(terms)}
        by_page: dict[int, set[int]] = defaultdict(set)
        pages = KnowledgePage.objects.filter(pk__in=ids).order_by()
        for lookup in entry.lookups():
            for page_id, term_id in pages.values_list("pk", lookup):
                if term_id is not None:
                    by_page[page_id].add(term_id)
        return {
            page_id: [terms[t] for t in sorted(term_ids, key=order.__getitem__)]
            for page_id, term_ids in by_page.items()
        }

    def _audiences(self, rows: list[dict]) -> dict[int, str | None]:
        """page_audience() of each page; its queries only for pages below a restriction."""
        audiences: dict[int, str | None] = {}
        below = []
        for row in rows:
            if any(row["path"].startswith(path) for path in self.restricted):
                below.append(row["pk"])
            else:
                audiences[row["pk"]] = "public"
        for page in KnowledgePage.objects.filter(pk__in=below):
            audiences[page.pk] = page_audience(page)
        return audiences


def _model(content_type_id: int) -> type[KnowledgePage]:
    return ContentType.objects.get_for_id(content_type_id).model_class()


def _url_builder() -> Callable[[str], str]:
    """url_path -> what `page.get_url()` gives without a request (or "" when the page is not
    routable), with the site roots read once instead of per page. Mirrors Wagtail's
    Page.get_url_parts/get_url for sites without wagtail i18n (knowledge pages override
    neither); tests/search/test_document_paths.py compares them."""
    roots = Site.get_site_root_paths()
    single_site = len({root.site_id for root in roots}) == 1
    append_slash = getattr(settings, "WAGTAIL_APPEND_SLASH", True)

    def url(url_path: str) -> str:
        root = next((r for r in roots if url_path.startswith(r.root_path)), None)
        if root is None:
            return ""
        try:
            # In the default language (unprefixed) whoever publishes, an editor in a French
            # admin included; result lists put each URL in the visitor's language.
            with translation.override(settings.LANGUAGE_CODE):
                path = reverse("wagtail_serve", args=(url_path[len(root.root_path) :],))
        except NoReverseMatch:
            return ""
        if not append_slash and path != "/":
            path = path.rstrip("/")
        return path if single_site else root.root_url + path

    return url


@dataclass(frozen=True)
class _Item:
    """Everything read about one page that its document is made from."""

    row: dict
    knowledge_type: str
    type_names: tuple[str, ...]  # its content type's names in every language
    url: str
    audience: str
    related: dict[str, list[_Term]]  # vocabulary key -> the page's terms
    tags: list[tuple[str, str]]  # (name, slug)
    type_text: str
    attachments: str


def _document(item: _Item) -> dict:
    row = item.row
    body = " ".join(t for t in (stream_text(row["body"]), item.type_text) if t)
    vocabulary = list(item.type_names)
    for entry in VOCABULARIES:  # all names of a vocabulary's terms, name by name
        terms = item.related[entry.key]
        for position in range(len(entry.names)):
            vocabulary += [term.names[position] for term in terms if term.names[position]]
    document = {
        "id": row["pk"],
        "url": item.url,
        "title": row["title"],
        "summary": row["summary"],
        "body": body,
        "attachments": item.attachments,
        "tags_text": " ".join(name for name, _slug in item.tags),
        "vocabulary_text": " ".join(dict.fromkeys(vocabulary)),
        S.PUBLISHED_FIELD: row["published_date"].isoformat(),
        S.SORT_TITLE_FIELD: row["title"].casefold(),
        S.VISIBILITY_FIELD: item.audience,
    }
    for facet in S.FACETS:
        document[facet.name] = _facet_values(facet.source, item)
    document[S.FINGERPRINT_FIELD] = fingerprint(document)
    return document


def _facet_values(source: S.FacetSource, item: _Item) -> list[str] | str:
    """An item's values of one facet, as its source in search.schema says."""
    if isinstance(source, S.VocabularySource):
        terms = item.related[source.vocabulary]
        if not source.attribute:
            return sorted(t.code for t in terms)
        return sorted({t.attributes[source.attribute] for t in terms} - {""})
    if isinstance(source, S.FieldSource):
        return item.row[source.field]  # a single value, stored as it is
    derived = {
        "type": lambda: [item.knowledge_type],
        "year": lambda: [str(item.row["published_date"].year)],
        "tag": lambda: [slug for _name, slug in item.tags],
    }
    return derived[source.name]()


def _type_names() -> dict[str, tuple[str, ...]]:
    """Each content type's names, singular and plural, in every language of the site, so an
    item is found by its type in any of them (`étude de cas` finds the case studies)."""
    names: dict[str, dict[str, None]] = defaultdict(dict)
    for code, _language in settings.LANGUAGES:
        with translation.override(code):
            for knowledge_type, model in KNOWLEDGE_TYPES.items():
                for name in (model._meta.verbose_name, model._meta.verbose_name_plural):
                    names[knowledge_type][str(name)] = None
    return {knowledge_type: tuple(found) for knowledge_type, found in names.items()}


def _tags(ids: list[int]) -> dict[int, list[tuple[str, str]]]:
    """(name, slug) of each page's tags, by slug."""
    tags: dict[int, list[tuple[str, str]]] = defaultdict(list)
    rows = KnowledgePageTag.objects.filter(content_object_id__in=ids).values_list(
        "content_object_id", "tag__name", "tag__slug"
    )
    for page_id, name, slug in rows:
        tags[page_id].append((name, slug))
    return {pk: sorted(pairs, key=lambda pair: pair[1]) for pk, pairs in tags.items()}


def _type_text(models: dict[int, type[KnowledgePage]]) -> dict[int, str]:
    """Plain text of each page's type-specific fields: one query per page type."""
    ids_by_model: dict[type, list[int]] = defaultdict(list)
    for pk, model in models.items():
        ids_by_model[model].append(pk)
    text: dict[int, str] = {}
    for model, ids in ids_by_model.items():
        fields = model.search_text_fields
        if not fields:
            continue
        for pk, *values in model.objects.filter(pk__in=ids).values_list("pk", *fields):
            parts = [plain_text(v) if isinstance(v, str) else stream_text(v) for v in values if v]
            text[pk] = " ".join(p for p in parts if p)
    return text


def _attachment_text(ids: list[int]) -> dict[int, str]:
    """Title, caption and PDF text of each page's attachments, PDF text cached by file hash."""
    attachments = list(
        KnowledgeAttachment.objects.filter(page_id__in=ids)
        .select_related("document")
        .order_by("sort_order")
    )
    if not attachments:
        return {}
    hashes = {a.document.file_hash for a in attachments if a.document.file_hash}
    cached = dict(
        ExtractedText.objects.filter(file_hash__in=hashes).values_list("file_hash", "text")
    )
    text: dict[int, list[str]] = defaultdict(list)
    for attachment in attachments:
        document = attachment.document
        text[attachment.page_id] += [
            document.title,
            attachment.caption,
            _document_text(document, cached),
        ]
    return {pk: " ".join(p for p in parts if p) for pk, parts in text.items()}


def _document_text(document, cached: dict[str, str]) -> str:
    if not document.filename.lower().endswith(".pdf"):
        return ""
    file_hash = document.get_file_hash()
    if file_hash not in cached:
        cached[file_hash] = _extract_pdf(document)
        ExtractedText.objects.update_or_create(
            file_hash=file_hash, defaults={"text": cached[file_hash]}
        )
    return cached[file_hash]


def _extract_pdf(document) -> str:
    """The PDF's text, or "" when it cannot be read (stored too: we do not retry every build)."""
    from pypdf import PdfReader

    try:
        with document.open_file() as handle:
            reader = PdfReader(io.BytesIO(handle.read()))
            parts, size = [], 0
            for pdf_page in reader.pages:
                chunk = pdf_page.extract_text() or ""
                parts.append(chunk)
                size += len(chunk)
                if size >= MAX_ATTACHMENT_CHARS:
                    break
    except Exception:  # a damaged or encrypted PDF must not stop indexing
        logger.warning("could not extract text from document %s", document.pk, exc_info=True)
        return ""
    return _SPACE.sub(" ", " ".join(parts)).strip()[:MAX_ATTACHMENT_CHARS]
