"""Imports knowledge items from JSON Lines: validate the whole file, then write in one go.

Validation runs over every line before anything is written, so an editor sees all problems at
once; writing commits in short batches and a failure half-way takes them all back, so it
changes nothing. Items
are keyed by `external_id`: re-importing a file updates the pages it created. Pages are
published through revisions (as an editor would), so audit log and search signals follow.
The vocabulary keys come from knowledge.registry and each type's keys from its
`import_fields` (pages.py). The format is documented in the README ("Importing knowledge").
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
from django.db import models, transaction
from django.utils.text import slugify
from taggit.models import Tag
from wagtail.documents import get_document_model
from wagtail.models import Page
from wagtail.utils.file import hash_filelike

from . import import_fields as spec
from .audience import lift_members_restriction, page_audience, restrict_to_members
from .document_collections import audience_collection, home_collection
from .import_fields import ImportField, Kind
from .import_undo import ImportUndo
from .pages import (
    KNOWLEDGE_TYPES,
    CommunityPage,
    KnowledgeAttachment,
    KnowledgePage,
    PartnerProfilePage,
    PartnerStudiesIndexPage,
)
from .registry import VOCABULARIES, VocabularyEntry, vocabulary
from .sanitiser import sanitise_html
from .site_tree import ensure_partner_profile, ensure_site_tree
from .wagtail_indexes import deferred_wagtail_indexing

COMMON_KEYS = {
    "external_id", "type", "title", "summary", "body_html", "tags", "published", "language",
    "community", "members_only", "attachments", *(entry.key for entry in VOCABULARIES),
}  # fmt: skip
COMMON_FIELDS = ("title", "summary", "published_date", "language")  # as the page has them
PROFILE_PARENT = "knowledge.PartnerProfilePage"  # types published under a partner's profile


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
    terms: dict[str, list[str]]  # vocabulary key -> codes ({"regions": ["EUR"], ...})
    references: dict[str, str]  # foreign key to a vocabulary -> code (contributing_partner)
    tags: list[str]
    community: str
    members_only: bool | None
    attachments: list[tuple[Path, str]]  # (file, title)

    @property
    def profile_partner(self) -> str | None:
        """The partner whose profile page the item lives under, for types that live there."""
        page_type = KNOWLEDGE_TYPES[self.type]
        if PROFILE_PARENT not in page_type.parent_page_types:
            return None
        return next(
            self.references[f.key]
            for f in page_type.import_fields
            if f.kind is Kind.VOCABULARY and f.vocabulary == "partners"
        )


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
    """Known codes of every registry vocabulary, fetched once per import."""

    entries: dict[str, dict[str, models.Model]] = field(default_factory=dict)

    @classmethod
    def load(cls) -> "Vocabulary":
        return cls(
            {
                entry.key: {getattr(e, entry.code): e for e in entry.model.objects.all()}
                for entry in VOCABULARIES
            }
        )

    def __getitem__(self, key: str) -> dict[str, models.Model]:
        return self.entries.get(key, {})

    @property
    def is_empty(self) -> bool:
        return not any(self.entries.values())


class NotReady(Exception):
    """The database cannot take an import yet; the message says which command to run."""


class _Invalid(Exception):
    pass


class _LineValidator:
    """Collects every problem of one line instead of stopping at the first."""

    def __init__(self, data: dict, vocab: Vocabulary, base_dir: Path):
        self.data, self.vocab, self.base_dir = data, vocab, base_dir
        self.problems: list[str] = []

    def problem(self, reason: str) -> None:
        self.problems.append(reason)

    def string(self, key: str, required: bool = False, limit: int | None = None) -> str:
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

    def codes(self, entry: VocabularyEntry) -> list[str]:
        key, known = entry.key, self.vocab[entry.key]
        values = self.string_list(key)
        if entry.upper_case:
            values = [v.upper() for v in values]
        unknown = [v for v in values if v not in known]
        if unknown:
            self.problem(f"unknown {key} code(s): {', '.join(unknown)}")
        if entry.required and not values and not unknown:
            self.problem(f"{key} needs at least one code")
        return [v for v in values if v in known]

    def choice(self, key: str, allowed: list[str], default: str) -> str:
        value = self.string(key) or default
        if value not in allowed:
            expected = ", ".join(allowed[:-1]) + f" or {allowed[-1]}"
            self.problem(f"unknown {key} {value!r} (expected {expected})")
        return value

    def blocks(self, key: str, block_name: str, keys: dict[str, tuple[bool, bool]]) -> list:
        """A list of objects stored as StreamField blocks; HTML keys sanitised."""
        objects = self.object_list(key, {name: required for name, (required, _) in keys.items()})
        for entry in objects:
            for name, (_required, is_html) in keys.items():
                if is_html:
                    entry[name] = sanitise_html(entry[name])
        return [{"type": block_name, "value": entry} for entry in objects]

    def reference(self, field: ImportField, kind: str, terms: dict[str, list[str]]) -> str:
        """A vocabulary code held by a foreign key; by default the item's first entry of that
        vocabulary. The entry is added to the item's entries, so facets and filters see it."""
        entry = vocabulary(field.vocabulary)
        listed = terms[entry.key]
        code = self.string(field.key) or (listed[0] if listed else "")
        if entry.upper_case:
            code = code.upper()
        if not code:
            self.problem(f"{kind} needs {field.key} (or at least one of its {entry.key})")
        elif code not in self.vocab[entry.key]:
            self.problem(f"unknown {field.key}: {code}")
        elif code not in listed:
            listed.append(code)
        return code

    def type_field(self, page_type, field: ImportField, terms) -> tuple[str, Any]:
        """(model field, value) of one declared type-specific key."""
        key = field.key
        if field.kind is Kind.PLAIN:
            limit = spec.max_length(page_type, key)
            return key, self.string(key, required=field.required, limit=limit)
        if field.kind is Kind.HTML:
            return key, self.html(key)
        if field.kind is Kind.DATE:
            return key, self.date(key, required=field.required)
        if field.kind is Kind.CHOICE:
            allowed = spec.choices(page_type, key)
            return key, self.choice(key, allowed, str(spec.default(page_type, key)))
        if field.kind is Kind.BLOCKS:
            block_name, block = spec.stream_block(page_type, key)
            return key, self.blocks(key, block_name, spec.block_keys(block))
        return key, self.reference(field, page_type.knowledge_type, terms)

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
    external_id = v.string(
        "external_id", required=True, limit=spec.max_length(KnowledgePage, "external_id")
    )
    kind = v.string("type", required=True)
    page_type = KNOWLEDGE_TYPES.get(kind)
    if kind and page_type is None:
        v.problem(f"unknown type {kind!r} (expected one of {', '.join(KNOWLEDGE_TYPES)})")
    declared = page_type.import_fields if page_type else ()
    stray = sorted(set(data) - COMMON_KEYS - {f.key for f in declared})
    if stray:
        v.problem(f"unknown key(s) for type {kind or '?'}: {', '.join(stray)}")

    fields: dict[str, Any] = {
        "title": v.string("title", required=True, limit=spec.max_length(KnowledgePage, "title")),
        "summary": v.string("summary", required=True),
        "published_date": v.date("published", required=True),
    }
    body = v.html("body_html")
    fields["body"] = [{"type": "paragraph", "value": body}] if body else []
    fields["language"] = v.choice(
        "language", spec.choices(KnowledgePage, "language"), spec.default(KnowledgePage, "language")
    )

    terms = {entry.key: v.codes(entry) for entry in VOCABULARIES}
    tags = v.string_list("tags")
    tag_limit = spec.max_length(Tag, "name")
    if any(len(t) > tag_limit for t in tags):
        v.problem(f"tags are limited to {tag_limit} characters")

    regions = terms["regions"]  # a community is a region's: the page tree follows them
    community = v.string("community") or (regions[0] if regions else "")
    if community and community not in vocab["regions"]:
        v.problem(f"unknown community region code: {community}")

    members_only = data.get("members_only")
    if members_only is not None and not isinstance(members_only, bool):
        v.problem("members_only must be true or false")

    references: dict[str, str] = {}
    for declaration in declared:
        name, value = v.type_field(page_type, declaration, terms)
        (references if declaration.kind is Kind.VOCABULARY else fields)[name] = value
    attachments = v.attachments()

    if v.problems:
        raise _Invalid("; ".join(v.problems))
    return ImportItem(
        line=line_no, external_id=external_id, type=kind, fields=fields, terms=terms,
        references=references, tags=tags, community=community, members_only=members_only,
        attachments=attachments,
    )  # fmt: skip


def parse_lines(
    lines: Iterable[bytes | str], base_dir: Path, vocab: Vocabulary | None = None
) -> tuple[list[ImportItem], list[LineError]]:
    """Validate every line; return the good items and a list of all bad lines. Raises
    NotReady when no vocabulary is loaded (every code would be unknown)."""
    vocab = vocab or Vocabulary.load()
    if vocab.is_empty:
        raise NotReady(
            "No vocabularies are loaded, so no code can be checked: "
            "run `manage.py load_vocabularies` first."
        )
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
        self.communities = self._communities()
        self.profiles: dict[str, Page] = {}
        self.slugs: dict[int, set[str]] = {}

    @staticmethod
    def _communities() -> dict[str, CommunityPage]:
        return {c.region.code: c for c in CommunityPage.objects.select_related("region")}

    def _ensure_tree(self) -> None:
        """The community and partner pages follow the vocabularies: a database that has
        them but no page tree yet (freshly migrated) gets it built, as `bin/run` would."""
        ensure_site_tree()
        self.communities = self._communities()

    def parent_for(self, item: ImportItem) -> Page:
        code = item.profile_partner
        if code is None:
            if item.community not in self.communities:
                self._ensure_tree()
            return self.communities[item.community]
        if code not in self.profiles:
            if self.dry_run:
                self.profiles[code] = Page(pk=None)
            else:
                if not PartnerStudiesIndexPage.objects.exists():
                    self._ensure_tree()
                self.profiles[code] = ensure_partner_profile(self.vocab["partners"][code])
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
        for entry in VOCABULARIES:
            known = self.vocab[entry.key]
            setattr(page, entry.relation, [known[c] for c in item.terms[entry.key]])
        page.tags.set(item.tags)
        for declaration in page.import_fields:
            if declaration.kind is Kind.VOCABULARY:
                known = self.vocab[declaration.vocabulary]
                setattr(page, declaration.key, known[item.references[declaration.key]])
        if item.attachments:
            members_only = (
                item.members_only
                if item.members_only is not None
                else page.pk is not None and page_audience(page) == "members"
            )
            collection = audience_collection(home_collection(self.parent_for(item)), members_only)
        page.attachments = [
            KnowledgeAttachment(
                document=_document_for(path, collection), caption=title, sort_order=i
            )
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


def _file_hash(path: Path) -> str:
    with path.open("rb") as handle:
        return hash_filelike(handle)


def _document_for(path: Path, collection):
    """The Wagtail document with this file's content, uploaded once (into the collection of
    the item's audience) and reused after; publishing moves a reused one where it belongs
    (knowledge.document_collections)."""
    Document = get_document_model()
    digest = _file_hash(path)
    existing = Document.objects.filter(file_hash=digest).first()
    if existing:
        return existing
    document = Document(
        title=path.stem.replace("-", " ").replace("_", " ").capitalize(), collection=collection
    )
    with path.open("rb") as handle:
        document.file.save(path.name, File(handle), save=False)
        document._set_document_file_metadata()
    document.save()
    return document


def _stream(value) -> list:
    return [{"type": b["type"], "value": b["value"]} for b in value.get_prep_value()]


def _state(page: KnowledgePage) -> dict:
    """What an import controls of an existing page, in the shape `_desired_state` builds."""
    state = {name: getattr(page, name) for name in COMMON_FIELDS}
    state["body"] = _stream(page.body)
    for declaration in page.import_fields:
        value = getattr(page, declaration.key)
        if declaration.kind is Kind.BLOCKS:
            value = _stream(value)
        elif declaration.kind is Kind.VOCABULARY:
            value = getattr(value, vocabulary(declaration.vocabulary).code)
        state[declaration.key] = value
    for entry in VOCABULARIES:
        related = getattr(page, entry.relation)
        state[entry.key] = sorted(related.values_list(entry.code, flat=True))
    state["tags"] = sorted(page.tags.names())
    state["parent"] = page.get_parent().pk
    state["members_only"] = page_audience(page) == "members"
    state["attachments"] = [
        (a.document.file_hash, a.caption) for a in page.attachments.select_related("document")
    ]
    return state


def _desired_state(item: ImportItem, page: KnowledgePage) -> dict:
    state = dict(item.fields) | item.references
    if (partner := item.profile_partner) is not None:
        profiles = PartnerProfilePage.objects.filter(
            **{f"partner__{vocabulary('partners').code}": partner}
        )
        state["parent"] = profiles.values_list("pk", flat=True).first()
    else:
        communities = CommunityPage.objects.filter(region__code=item.community)
        state["parent"] = communities.values_list("pk", flat=True).first()
    state |= {key: sorted(codes) for key, codes in item.terms.items()}
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
