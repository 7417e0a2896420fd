"""Imports knowledge items from JSON Lines: validate the whole file, then write in one go.

Validation runs over every line before anything is written, so an editor sees all problems at
once; writing commits in short batches and a failure half-way takes them all back, so it
changes nothing. Items
are keyed by `external_id`: re-importing a file updates the pages it created. Pages are
published through revisions (as an editor would), so audit log and search signals follow.
The format is documented in the README ("Importing knowledge").
"""

import datetime
import json
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.files import File
from django.db import transaction
from django.utils.text import slugify
from wagtail.documents import get_document_model
from wagtail.models import Page
from wagtail.utils.file import hash_filelike

from .audience import lift_members_restriction, page_audience, restrict_to_members
from .import_undo import ImportUndo
from .pages import (
    KNOWLEDGE_TYPES,
    CommunityPage,
    KnowledgeAttachment,
    KnowledgePage,
    PartnerProfilePage,
    StandardPage,
)
from .sanitiser import sanitise_html
from .site_tree import ensure_partner_profile
from .vocabularies import Country, PartnerOrganisation, Region, Topic
from .wagtail_indexes import deferred_wagtail_indexing

COMMON_KEYS = {
    "external_id", "type", "title", "summary", "body_html", "regions", "countries", "topics",
    "partners", "tags", "published", "language", "community", "members_only", "attachments",
}  # fmt: skip
TYPE_KEYS = {
    "case_study": {"what_happened", "measures_taken", "outcome", "lessons_learned"},
    "procedure": {"scope", "steps", "owning_unit"},
    "standard": {"issuing_body", "reference_number", "status", "effective_date"},
    "handbook": {"edition", "chapters"},
    "partner_study": {"contributing_partner", "methodology", "commissioning_body"},
}
HTML_KEYS = {
    "what_happened",
    "measures_taken",
    "outcome",
    "lessons_learned",
    "scope",
    "methodology",
}
PLAIN_KEYS = {"owning_unit", "issuing_body", "reference_number", "edition", "commissioning_body"}
LANGUAGE_CODES = {"en", "fr", "es"}
MAX_LENGTHS = {
    "external_id": 100,
    "title": 255,
    "owning_unit": 200,
    "issuing_body": 200,
    "reference_number": 100,
    "edition": 60,
    "commissioning_body": 200,
    "tag": 100,
}


@dataclass
class LineError:
    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


@dataclass
class ImportItem:
    """One validated line, with HTML already sanitised and codes checked."""

    line: int
    external_id: str
    type: str
    fields: dict[str, Any]  # page field -> value (StreamFields as raw block lists)
    regions: list[str]
    countries: list[str]
    topics: list[str]
    partners: list[str]
    tags: list[str]
    community: str
    contributing_partner: str | None
    members_only: bool | None
    attachments: list[tuple[Path, str]]  # (file, title)


@dataclass
class ImportSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0

    def __str__(self) -> str:
        return (
            f"{self.created} created, {self.updated} updated, "
            f"{self.unchanged} unchanged, {self.skipped} skipped"
        )


@dataclass
class Vocabulary:
    """Known codes, fetched once per import."""

    regions: dict[str, Region] = field(default_factory=dict)
    countries: dict[str, Country] = field(default_factory=dict)
    topics: dict[str, Topic] = field(default_factory=dict)
    partners: dict[str, PartnerOrganisation] = field(default_factory=dict)

    @classmethod
    def load(cls) -> "Vocabulary":
        return cls(
            regions={r.code: r for r in Region.objects.all()},
            countries={c.code: c for c in Country.objects.all()},
            topics={t.code: t for t in Topic.objects.all()},
            partners={p.acronym: p for p in PartnerOrganisation.objects.all()},
        )


class _Invalid(Exception):
    pass


class _LineValidator:
    """Collects every problem of one line instead of stopping at the first."""

    def __init__(self, data: dict, vocab: Vocabulary, base_dir: Path):
        self.data, self.vocab, self.base_dir = data, vocab, base_dir
        self.problems: list[str] = []

    def problem(self, reason: str) -> None:
        self.problems.append(reason)

    def string(self, key: str, required: bool = False) -> str:
        value = self.data.get(key)
        if value is None:
            if required:
                self.problem(f"missing {key}")
            return ""
        if not isinstance(value, str):
            self.problem(f"{key} must be a string")
            return ""
        value = value.strip()
        if required and not value:
            self.problem(f"missing {key}")
        limit = MAX_LENGTHS.get(key)
        if limit and len(value) > limit:
            self.problem(f"{key} is longer than {limit} characters")
        return value

    def html(self, key: str) -> str:
        return sanitise_html(self.string(key))

    def date(self, key: str, required: bool = False) -> datetime.date | None:
        raw = self.string(key, required=required)
        if not raw:
            return None
        try:
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
                raise ValueError(raw)
            return datetime.date.fromisoformat(raw)
        except ValueError:
            self.problem(f"invalid date in {key}: {raw!r} (expected YYYY-MM-DD)")
            return None

    def string_list(self, key: str) -> list[str]:
        value = self.data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.problem(f"{key} must be a list of strings")
            return []
        return list(dict.fromkeys(v.strip() for v in value if v.strip()))

    def codes(self, key: str, known: dict, required: bool = False, upper: bool = False) -> list:
        values = self.string_list(key)
        if upper:
            values = [v.upper() for v in values]
        unknown = [v for v in values if v not in known]
        if unknown:
            self.problem(f"unknown {key} code(s): {', '.join(unknown)}")
        if required and not values and not unknown:
            self.problem(f"{key} needs at least one code")
        return [v for v in values if v in known]

    def object_list(self, key: str, keys: dict[str, bool]) -> list[dict]:
        """A list of objects with the given string keys (True = required)."""
        value = self.data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            self.problem(f"{key} must be a list of objects")
            return []
        items = []
        for position, entry in enumerate(value, start=1):
            extra = set(entry) - set(keys)
            if extra:
                self.problem(f"{key}[{position}] has unknown key(s): {', '.join(sorted(extra))}")
            item = {}
            for name, required in keys.items():
                raw = entry.get(name, "")
                if not isinstance(raw, str) or (required and not raw.strip()):
                    need = "a non-empty string" if required else "a string"
                    self.problem(f"{key}[{position}].{name} must be {need}")
                    raw = ""
                item[name] = raw.strip()
            items.append(item)
        return items

    def attachments(self) -> list[tuple[Path, str]]:
        value = self.data.get("attachments", [])
        if not isinstance(value, list):
            self.problem("attachments must be a list")
            return []
        result = []
        root = self.base_dir.resolve()
        for entry in value:
            if isinstance(entry, str):
                entry = {"file": entry}
            if not isinstance(entry, dict) or not isinstance(entry.get("file"), str):
                self.problem("each attachment must be a path or an object with a 'file' path")
                continue
            path = (root / entry["file"]).resolve()
            if not path.is_relative_to(root) or not path.is_file():
                self.problem(f"attachment not found next to the file: {entry['file']}")
                continue
            title = entry.get("title") or path.stem.replace("-", " ").replace("_", " ")
            if not isinstance(title, str):
                self.problem("attachment title must be a string")
                continue
            result.append((path, title.strip()[:250]))
        return result


def validate_line(line_no: int, data: Any, vocab: Vocabulary, base_dir: Path) -> ImportItem:
    """Return the validated item or raise _Invalid with every problem found on the line."""
    if not isinstance(data, dict):
        raise _Invalid("expected a JSON object")
    v = _LineValidator(data, vocab, base_dir)
    external_id = v.string("external_id", required=True)
    kind = v.string("type", required=True)
    if kind and kind not in KNOWLEDGE_TYPES:
        v.problem(f"unknown type {kind!r} (expected one of {', '.join(KNOWLEDGE_TYPES)})")
    allowed = COMMON_KEYS | TYPE_KEYS.get(kind, set())
    stray = sorted(set(data) - allowed)
    if stray:
        v.problem(f"unknown key(s) for type {kind or '?'}: {', '.join(stray)}")

    fields: dict[str, Any] = {
        "title": v.string("title", required=True),
        "summary": v.string("summary", required=True),
        "published_date": v.date("published", required=True),
    }
    body = v.html("body_html")
    fields["body"] = [{"type": "paragraph", "value": body}] if body else []
    language = v.string("language") or "en"
    if language not in LANGUAGE_CODES:
        v.problem(f"unknown language {language!r} (expected en, fr or es)")
    fields["language"] = language

    regions = v.codes("regions", vocab.regions, required=True)
    countries = v.codes("countries", vocab.countries, upper=True)
    topics = v.codes("topics", vocab.topics, required=True)
    partners = v.codes("partners", vocab.partners)
    tags = v.string_list("tags")
    if any(len(t) > MAX_LENGTHS["tag"] for t in tags):
        v.problem(f"tags are limited to {MAX_LENGTHS['tag']} characters")

    community = v.string("community") or (regions[0] if regions else "")
    if community and community not in vocab.regions:
        v.problem(f"unknown community region code: {community}")

    members_only = data.get("members_only")
    if members_only is not None and not isinstance(members_only, bool):
        v.problem("members_only must be true or false")

    for key in TYPE_KEYS.get(kind, ()):
        if key in HTML_KEYS:
            fields[key] = v.html(key)
        elif key in PLAIN_KEYS:
            fields[key] = v.string(key, required=key == "issuing_body")
    contributing = None
    if kind == "procedure":
        steps = v.object_list("steps", {"title": True, "description": False, "responsible": False})
        for step in steps:
            step["description"] = sanitise_html(step["description"])
        fields["steps"] = [{"type": "step", "value": s} for s in steps]
    elif kind == "handbook":
        chapters = v.object_list("chapters", {"title": True, "summary": False, "body": False})
        for chapter in chapters:
            chapter["body"] = sanitise_html(chapter["body"])
        fields["chapters"] = [{"type": "chapter", "value": c} for c in chapters]
    elif kind == "standard":
        status = v.string("status") or StandardPage.Status.IN_FORCE
        if status not in StandardPage.Status.values:
            v.problem(f"unknown status {status!r} (expected {', '.join(StandardPage.Status)})")
        fields["status"] = status
        fields["effective_date"] = v.date("effective_date")
    elif kind == "partner_study":
        contributing = v.string("contributing_partner") or (partners[0] if partners else "")
        if not contributing:
            v.problem("partner_study needs contributing_partner (or at least one partner)")
        elif contributing not in vocab.partners:
            v.problem(f"unknown contributing_partner: {contributing}")
        elif contributing not in partners:
            partners.append(contributing)
    attachments = v.attachments()

    if v.problems:
        raise _Invalid("; ".join(v.problems))
    return ImportItem(
        line=line_no, external_id=external_id, type=kind, fields=fields, regions=regions,
        countries=countries, topics=topics, partners=partners, tags=tags, community=community,
        contributing_partner=contributing, members_only=members_only, attachments=attachments,
    )  # fmt: skip


def parse_lines(
    lines: Iterable[bytes | str], base_dir: Path, vocab: Vocabulary | None = None
) -> tuple[list[ImportItem], list[LineError]]:
    """Validate every line; return the good items and a list of all bad lines."""
    vocab = vocab or Vocabulary.load()
    items: list[ImportItem] = []
    errors: list[LineError] = []
    seen: dict[str, int] = {}
    for line_no, raw in enumerate(lines, start=1):
        try:
            text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        except UnicodeDecodeError:
            errors.append(LineError(line_no, "not valid UTF-8"))
            continue
        if not text.strip():
            continue
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            errors.append(LineError(line_no, f"invalid JSON: {exc.msg} at column {exc.colno}"))
            continue
        try:
            item = validate_line(line_no, data, vocab, base_dir)
        except _Invalid as exc:
            errors.append(LineError(line_no, str(exc)))
            continue
        if item.external_id in seen:
            errors.append(
                LineError(
                    line_no,
                    f"duplicate external_id {item.external_id!r} "
                    f"(first on line {seen[item.external_id]})",
                )  # fmt: skip
            )
            continue
        seen[item.external_id] = line_no
        items.append(item)

    existing = _existing_pages([i.external_id for i in items])
    for item in list(items):
        page = existing.get(item.external_id)
        if page is not None and page.knowledge_type != item.type:
            errors.append(
                LineError(
                    item.line,
                    f"external_id {item.external_id!r} already exists as "
                    f"{page.knowledge_type}, cannot become {item.type}",
                )  # fmt: skip
            )
            items.remove(item)
    errors.sort(key=lambda e: e.line)
    return items, errors


def parse_file(path: Path) -> tuple[list[ImportItem], list[LineError]]:
    with Path(path).open("rb") as handle:
        return parse_lines(handle, Path(path).parent)


def _existing_pages(external_ids: list[str]) -> dict[str, KnowledgePage]:
    pages: dict[str, KnowledgePage] = {}
    ids = list(external_ids)
    for start in range(0, len(ids), 500):  # stay below SQLite's parameter limit
        chunk = KnowledgePage.objects.filter(external_id__in=ids[start : start + 500])
        pages.update((p.external_id, p) for p in chunk.specific())
    return pages


class _Writer:
    """Creates or updates pages; caches parents and sibling slugs so each item stays cheap."""

    def __init__(self, vocab: Vocabulary, dry_run: bool):
        self.vocab, self.dry_run = vocab, dry_run
        self.communities = {
            c.region.code: c for c in CommunityPage.objects.select_related("region")
        }
        self.profiles: dict[str, Page] = {}
        self.slugs: dict[int, set[str]] = {}

    def parent_for(self, item: ImportItem) -> Page:
        if item.type != "partner_study":
            return self.communities[item.community]
        code = item.contributing_partner
        if code not in self.profiles:
            self.profiles[code] = (
                ensure_partner_profile(self.vocab.partners[code])
                if not self.dry_run
                else Page(pk=None)
            )
        return self.profiles[code]

    def unique_slug(self, parent: Page, title: str) -> str:
        taken = self.slugs.get(parent.pk)
        if taken is None:
            taken = (
                set(parent.get_children().values_list("slug", flat=True)) if parent.pk else set()
            )
            self.slugs[parent.pk] = taken
        base = slugify(title)[:70].strip("-") or "item"
        slug, n = base, 2
        while slug in taken:
            slug, n = f"{base}-{n}", n + 1
        taken.add(slug)
        return slug

    def apply(self, page: KnowledgePage, item: ImportItem) -> None:
        for name, value in item.fields.items():
            setattr(page, name, value)
        page.external_id = item.external_id
        page.regions = [self.vocab.regions[c] for c in item.regions]
        page.countries = [self.vocab.countries[c] for c in item.countries]
        page.topics = [self.vocab.topics[c] for c in item.topics]
        page.partners = [self.vocab.partners[c] for c in item.partners]
        page.tags.set(item.tags)
        if item.contributing_partner:
            page.contributing_partner = self.vocab.partners[item.contributing_partner]
        page.attachments = [
            KnowledgeAttachment(document=_document_for(path), caption=title, sort_order=i)
            for i, (path, title) in enumerate(item.attachments)
        ]

    def write(self, item: ImportItem, page: KnowledgePage | None) -> str:
        """Returns "created", "updated" or "unchanged"."""
        if page is not None and _state(page) == _desired_state(item, page):
            return "unchanged"
        if self.dry_run:
            return "created" if page is None else "updated"
        parent = self.parent_for(item)
        if page is None:
            page = KNOWLEDGE_TYPES[item.type](title=item.fields["title"], live=False)
            page.slug = self.unique_slug(parent, item.fields["title"])
            self.apply(page, item)
            parent.add_child(instance=page)
            outcome = "created"
        else:
            if page.get_parent().pk != parent.pk:
                if parent.get_children().filter(slug=page.slug).exists():
                    page.slug = self.unique_slug(parent, page.title)
                    page.save(update_fields=["slug"], clean=False)
                page.move(parent, pos="last-child")
                page = KnowledgePage.objects.get(pk=page.pk).specific
            self.apply(page, item)
            outcome = "updated"
        # Audience first, so the page is never public for a moment before it is restricted.
        if item.members_only is True:
            restrict_to_members(page)
        elif item.members_only is False:
            lift_members_restriction(page)
        page.save_revision().publish()
        return outcome


def _document_for(path: Path):
    """The Wagtail document with this file's content, uploaded once and reused after."""
    Document = get_document_model()
    with path.open("rb") as handle:
        digest = hash_filelike(handle)
    existing = Document.objects.filter(file_hash=digest).first()
    if existing:
        return existing
    document = Document(title=path.stem.replace("-", " ").replace("_", " ").capitalize())
    with path.open("rb") as handle:
        document.file.save(path.name, File(handle), save=False)
        document._set_document_file_metadata()
    document.save()
    return document


def _file_hash(path: Path) -> str:
    with path.open("rb") as handle:
        return hash_filelike(handle)


def _stream(value) -> list:
    return [{"type": b["type"], "value": b["value"]} for b in value.get_prep_value()]


def _state(page: KnowledgePage) -> dict:
    """What an import controls of an existing page, in the shape `_desired_state` builds."""
    state = {name: getattr(page, name) for name in ("title", "summary", "published_date",
             "language")}  # fmt: skip
    state["body"] = _stream(page.body)
    for name in TYPE_KEYS[page.knowledge_type]:
        if name in ("steps", "chapters"):
            state[name] = _stream(getattr(page, name))
        elif name == "contributing_partner":
            state[name] = page.contributing_partner.acronym
        elif hasattr(page, name):
            value = getattr(page, name)
            state[name] = value.source if hasattr(value, "source") else value
    state["regions"] = sorted(page.regions.values_list("code", flat=True))
    state["countries"] = sorted(page.countries.values_list("code", flat=True))
    state["topics"] = sorted(page.topics.values_list("code", flat=True))
    state["partners"] = sorted(page.partners.values_list("acronym", flat=True))
    state["tags"] = sorted(page.tags.names())
    state["parent"] = page.get_parent().pk
    state["members_only"] = page_audience(page) == "members"
    state["attachments"] = [
        (a.document.file_hash, a.caption) for a in page.attachments.select_related("document")
    ]
    return state


def _desired_state(item: ImportItem, page: KnowledgePage) -> dict:
    state = {k: v for k, v in item.fields.items()}
    if item.contributing_partner:
        state["contributing_partner"] = item.contributing_partner
        profile = PartnerProfilePage.objects.filter(partner__acronym=item.contributing_partner)
        state["parent"] = profile.values_list("pk", flat=True).first()
    else:
        state["parent"] = CommunityPage.objects.get(region__code=item.community).pk
    state["regions"] = sorted(item.regions)
    state["countries"] = sorted(item.countries)
    state["topics"] = sorted(item.topics)
    state["partners"] = sorted(item.partners)
    state["tags"] = sorted(item.tags)
    state["members_only"] = (
        item.members_only if item.members_only is not None else page_audience(page) == "members"
    )
    state["attachments"] = [(_file_hash(p), t) for p, t in item.attachments]
    return state


BATCH_SECONDS = 1.0  # each batch commits after this long, so others wait at most about this
BATCH_ITEMS = 200
# Between batches the import steps aside this long: a writer waiting on SQLite's busy timeout
# polls every 100 ms, and without the pause the import takes the lock again first every time.
BATCH_PAUSE = 0.15


def import_items(
    items: list[ImportItem],
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> ImportSummary:
    """Write validated items: all of them, or (on any error) none.

    Batches of at most BATCH_SECONDS commit one after the other, so SQLite's write lock is
    never held for long; if any item fails, the batches already committed are taken back
    (knowledge.import_undo). Wagtail's admin search and reference index are refreshed by one
    task afterwards instead of several per page (knowledge.wagtail_indexes)."""
    summary = ImportSummary()
    vocab = Vocabulary.load()
    existing = _existing_pages([i.external_id for i in items])
    writer = _Writer(vocab, dry_run)
    if dry_run:
        for item in items:
            outcome = writer.write(item, existing.get(item.external_id))
            setattr(summary, outcome, getattr(summary, outcome) + 1)
        return summary
    undo, updated = ImportUndo(), set()
    done = 0
    try:
        with deferred_wagtail_indexing(updated):
            while done < len(items):
                with transaction.atomic():
                    started, end = time.monotonic(), min(done + BATCH_ITEMS, len(items))
                    while done < end and time.monotonic() - started < BATCH_SECONDS:
                        item = items[done]
                        page = existing.get(item.external_id)
                        undo.remember(item.external_id, page)
                        outcome = writer.write(item, page)
                        if outcome == "updated":
                            updated.add(page.pk)
                        setattr(summary, outcome, getattr(summary, outcome) + 1)
                        done += 1
                        if progress:
                            progress(done, len(items))
                if done < len(items):
                    time.sleep(BATCH_PAUSE)
    except BaseException:
        undo.undo()
        raise
    return summary
