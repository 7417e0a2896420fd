"""Knowledge pages as search documents (the dict shape declared in search.schema).

Built in batches for speed: one query per batch for the pages with their vocabularies, tags
and attachments prefetched, one query per page type for the type's own text fields (instead
of `.specific` per page), one query for cached attachment text, and a view-restriction
lookup only for pages below a restricted page.
"""

from __future__ import annotations

import hashlib
import html
import io
import json
import logging
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator

from django.db.models import Prefetch, QuerySet
from wagtail.models import PageViewRestriction

from knowledge.audience import page_audience
from knowledge.pages import (
    CaseStudyPage,
    HandbookPage,
    KnowledgeAttachment,
    KnowledgePage,
    PartnerStudyPage,
    ProcedurePage,
    StandardPage,
)

from . import schema as S
from .models import ExtractedText

logger = logging.getLogger(__name__)

BATCH_SIZE = 500
MAX_ATTACHMENT_CHARS = 200_000  # enough to find a report by its words; bounds index size

# Each type's own searchable fields, in reading order (rich text, plain text or StreamField).
TYPE_TEXT_FIELDS: dict[type[KnowledgePage], tuple[str, ...]] = {
    CaseStudyPage: ("what_happened", "measures_taken", "outcome", "lessons_learned"),
    ProcedurePage: ("scope", "owning_unit", "steps"),
    StandardPage: ("issuing_body", "reference_number"),
    HandbookPage: ("edition", "chapters"),
    PartnerStudyPage: ("commissioning_body", "methodology"),
}

_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")


def plain_text(value: str) -> str:
    """Words of an HTML fragment for indexing (never shown as HTML: snippets are escaped)."""
    if "<" in value:
        value = _TAG.sub(" ", value)
    return _SPACE.sub(" ", html.unescape(value)).strip()


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
    """Live knowledge pages with what a document needs prefetched."""
    return (
        KnowledgePage.objects.live()
        .select_related("content_type")
        .prefetch_related(
            "regions",
            "countries",
            "topics",
            "partners",
            "tags",
            Prefetch(
                "attachments",
                queryset=KnowledgeAttachment.objects.select_related("document").order_by(
                    "sort_order"
                ),
            ),
        )
        .order_by("pk")
    )


def build_document(page: KnowledgePage) -> dict | None:
    """The document for `page`, or None when it must not be in the index."""
    page = indexable_pages().filter(pk=page.pk).first()
    if page is None:
        return None
    return next(iter(build_documents([page])), None)


def iter_documents(
    queryset: QuerySet[KnowledgePage] | None = None, batch_size: int = BATCH_SIZE
) -> Iterator[dict]:
    """Documents of every indexable page (or of `queryset`), built batch by batch."""
    queryset = indexable_pages() if queryset is None else queryset
    batch: list[KnowledgePage] = []
    for page in queryset.iterator(chunk_size=batch_size):
        batch.append(page)
        if len(batch) >= batch_size:
            yield from build_documents(batch)
            batch = []
    if batch:
        yield from build_documents(batch)


def build_documents(pages: Iterable[KnowledgePage]) -> list[dict]:
    """Documents for pages from `indexable_pages()`; pages that must not be indexed are left
    out (not live, or private to a narrower audience than members)."""
    pages = [p for p in pages if p.live]
    type_text = _type_text(pages)
    attachment_text = _attachment_text(pages)
    restricted = _restricted_paths()
    documents = []
    for page in pages:
        audience = _audience(page, restricted)
        if audience is None:
            continue
        documents.append(
            _document(page, audience, type_text.get(page.pk, ""), attachment_text.get(page.pk, ""))
        )
    return documents


def fingerprint(document: dict) -> str:
    """A stable hash of everything in the document but the fingerprint itself."""
    content = {k: v for k, v in document.items() if k != S.FINGERPRINT_FIELD}
    encoded = json.dumps(content, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(encoded.encode()).hexdigest()[:32]


def _document(page: KnowledgePage, audience: str, type_text: str, attachments: str) -> dict:
    regions = list(page.regions.all())
    countries = list(page.countries.all())
    topics = list(page.topics.all())
    partners = list(page.partners.all())
    tags = sorted(page.tags.all(), key=lambda t: t.slug)
    body = " ".join(t for t in (stream_text(page.body), type_text) if t)
    vocabulary = [r.name for r in regions] + [r.short_name for r in regions]
    vocabulary += [c.name for c in countries] + [t.name for t in topics]
    vocabulary += [p.name for p in partners] + [p.acronym for p in partners]
    knowledge_type = page.content_type.model_class().knowledge_type
    document = {
        "id": page.pk,
        "url": page.get_url() or "",
        "title": page.title,
        "summary": page.summary,
        "body": body,
        "attachments": attachments,
        "tags_text": " ".join(t.name for t in tags),
        "vocabulary_text": " ".join(dict.fromkeys(vocabulary)),
        "language": page.language,
        S.PUBLISHED_FIELD: page.published_date.isoformat(),
        S.SORT_TITLE_FIELD: page.title.casefold(),
        S.VISIBILITY_FIELD: audience,
        "region": sorted(r.code for r in regions),
        "country": sorted(c.code for c in countries),
        "topic": sorted(t.code for t in topics),
        "partner": sorted(p.acronym for p in partners),
        "type": [knowledge_type],
        "year": [str(page.published_date.year)],
        "tag": [t.slug for t in tags],
    }
    document[S.FINGERPRINT_FIELD] = fingerprint(document)
    return document


def _type_text(pages: list[KnowledgePage]) -> dict[int, str]:
    """Plain text of each page's type-specific fields: one query per page type."""
    ids_by_model: dict[type, list[int]] = defaultdict(list)
    for page in pages:
        ids_by_model[page.content_type.model_class()].append(page.pk)
    text: dict[int, str] = {}
    for model, ids in ids_by_model.items():
        fields = TYPE_TEXT_FIELDS.get(model, ())
        if not fields:
            continue
        for pk, *values in model.objects.filter(pk__in=ids).values_list("pk", *fields):
            parts = [plain_text(v) if isinstance(v, str) else stream_text(v) for v in values if v]
            text[pk] = " ".join(p for p in parts if p)
    return text


def _attachment_text(pages: list[KnowledgePage]) -> dict[int, str]:
    """Title, caption and PDF text of each page's attachments, PDF text cached by file hash."""
    attachments = [(page.pk, a) for page in pages for a in page.attachments.all()]
    if not attachments:
        return {}
    hashes = {a.document.file_hash for _pk, a in attachments if a.document.file_hash}
    cached = dict(
        ExtractedText.objects.filter(file_hash__in=hashes).values_list("file_hash", "text")
    )
    text: dict[int, list[str]] = defaultdict(list)
    for pk, attachment in attachments:
        document = attachment.document
        text[pk] += [document.title, attachment.caption, _document_text(document, cached)]
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


def _restricted_paths() -> tuple[str, ...]:
    return tuple(PageViewRestriction.objects.values_list("page__path", flat=True))


def _audience(page: KnowledgePage, restricted: tuple[str, ...]) -> str | None:
    """page_audience(page), skipping its query for pages with no restricted ancestor."""
    if not any(page.path.startswith(path) for path in restricted):
        return "public"
    return page_audience(page)
