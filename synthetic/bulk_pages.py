"""Writes trusted, generated items (the import format) straight into the page tree, in batches.

Creating pages one by one (`add_child`, revision, publish) costs tens of milliseconds each,
so 100,000 benchmark items would take hours. Here the treebeard paths are computed once per
parent and every table (Page, KnowledgePage, the type table, m2m through rows, tag rows) is
filled with one bulk insert per batch. The pages are live, published, valid Wagtail pages;
they have no revisions (Wagtail edits a page without one as it is, and the first save in
the admin creates one) and no publish signals fire: the search index is built afterwards
with `manage.py reindex`. Only for generated content: nothing here sanitises HTML.

The columns come from the same declarations the importer reads: the vocabularies of
knowledge.registry and each page type's `import_fields`.
"""

import datetime
import uuid
from collections.abc import Callable, Iterable, Iterator
from itertools import islice

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify
from taggit.models import Tag
from wagtail.fields import StreamField
from wagtail.models import Page

from knowledge.import_fields import ImportField, Kind, stream_block
from knowledge.pages import KNOWLEDGE_TYPES, CommunityPage, KnowledgePage, KnowledgePageTag
from knowledge.registry import VOCABULARIES, vocabulary
from knowledge.site_tree import ensure_partner_profile

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"  # treebeard's MP_Node alphabet
PROFILE_PARENT = "knowledge.PartnerProfilePage"  # types published under a partner's profile


def _segment(number: int, width: int) -> str:
    digits = ""
    while number:
        number, rest = divmod(number, len(ALPHABET))
        digits = ALPHABET[rest] + digits
    return digits.rjust(width, "0")


class _Parent:
    """A parent page and the number of its next child, so paths are computed, not queried."""

    def __init__(self, page: Page):
        self.page = page
        last = page.get_last_child()
        width = Page.steplen
        self.next = int(last.path[-width:], len(ALPHABET)) + 1 if last else 1

    def take(self) -> str:
        path = self.page.path + _segment(self.next, Page.steplen)
        self.next += 1
        return path


def _insert_rows(model, rows: list[dict]) -> None:
    """INSERT rows into `model`'s own table (not its parents'), values prepared by the fields."""
    fields = model._meta.local_concrete_fields
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({columns}) "
        f"VALUES ({', '.join(['%s'] * len(fields))})"
    )
    params = []
    for row in rows:
        values = []
        for f in fields:
            value = row[f.attname] if f.attname in row else f.get_default()
            if isinstance(f, StreamField):
                value = f.to_python(value)
            values.append(f.get_db_prep_save(value, connection))
        params.append(values)
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _batches(items: Iterable[dict], size: int) -> Iterator[list[dict]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def _reference(item: dict, declaration: ImportField) -> str:
    """The code a vocabulary foreign key takes: given, or the item's first entry."""
    return item.get(declaration.key) or item[declaration.vocabulary][0]


def _profile_reference(page_type) -> ImportField | None:
    """The declared reference to a partner that places a type under the partner's profile."""
    if PROFILE_PARENT not in page_type.parent_page_types:
        return None
    return next(
        d
        for d in page_type.import_fields
        if d.kind is Kind.VOCABULARY and d.vocabulary == "partners"
    )


class BulkPageWriter:
    def __init__(self):
        self.ids = {
            entry.key: dict(entry.model.objects.values_list(entry.code, "id"))
            for entry in VOCABULARIES
        }
        self.tags = dict(Tag.objects.values_list("name", "id"))
        self.content_types = {
            code: ContentType.objects.get_for_model(cls) for code, cls in KNOWLEDGE_TYPES.items()
        }
        self.parents: dict[tuple[str, str], _Parent] = {
            ("community", c.region.code): _Parent(c)
            for c in CommunityPage.objects.select_related("region")
        }

    def parent_for(self, item: dict) -> _Parent:
        declaration = _profile_reference(KNOWLEDGE_TYPES[item["type"]])
        if declaration is not None:
            key = ("partner", _reference(item, declaration))
            if key not in self.parents:
                partners = vocabulary("partners").model.objects
                partner = partners.get(pk=self.ids["partners"][key[1]])
                self.parents[key] = _Parent(ensure_partner_profile(partner))
        else:
            key = ("community", item.get("community") or item["regions"][0])
        return self.parents[key]

    def tag_id(self, name: str) -> int:
        if name not in self.tags:
            self.tags[name] = Tag.objects.get_or_create(name=name)[0].pk
        return self.tags[name]

    @transaction.atomic
    def write_batch(self, batch: list[dict]) -> int:
        """Insert the items not yet present; return how many were created."""
        ids = [item["external_id"] for item in batch]
        present = set(
            KnowledgePage.objects.filter(external_id__in=ids).values_list("external_id", flat=True)
        )
        batch = [item for item in batch if item["external_id"] not in present]
        if not batch:
            return 0
        pages, children = [], {}
        for item in batch:
            parent = self.parent_for(item)
            children[parent.page.pk] = children.get(parent.page.pk, 0) + 1
            slug = slugify(f"{item['title'][:60]} {item['external_id']}")
            published = datetime.date.fromisoformat(item["published"])
            moment = timezone.make_aware(datetime.datetime.combine(published, datetime.time(9)))
            pages.append(
                Page(
                    title=item["title"],
                    draft_title=item["title"],
                    slug=slug,
                    content_type=self.content_types[item["type"]],
                    path=parent.take(),
                    depth=parent.page.depth + 1,
                    numchild=0,
                    url_path=f"{parent.page.url_path}{slug}/",
                    live=True,
                    has_unpublished_changes=False,
                    first_published_at=moment,
                    last_published_at=moment,
                    locale_id=parent.page.locale_id,
                    translation_key=uuid.uuid4(),
                )
            )
        Page.objects.bulk_create(pages)
        if any(page.pk is None for page in pages):  # databases that return no ids
            by_path = dict(
                Page.objects.filter(path__in=[p.path for p in pages]).values_list("path", "id")
            )
            for page in pages:
                page.pk = by_path[page.path]

        knowledge_rows, type_rows = [], {code: [] for code in KNOWLEDGE_TYPES}
        through = {entry.relation: [] for entry in VOCABULARIES}
        tag_rows = []
        for page, item in zip(pages, batch, strict=True):
            body = [{"type": "paragraph", "value": item["body_html"]}] if item["body_html"] else []
            knowledge_rows.append(
                {
                    "page_ptr_id": page.pk,
                    "summary": item["summary"],
                    "body": body,
                    "published_date": datetime.date.fromisoformat(item["published"]),
                    "language": item["language"],
                    "external_id": item["external_id"],
                }
            )
            type_rows[item["type"]].append(self.type_row(page.pk, item))
            for entry in VOCABULARIES:
                ids = self.ids[entry.key]
                through[entry.relation] += [(page.pk, ids[c]) for c in item.get(entry.key, [])]
            tag_rows += [
                KnowledgePageTag(content_object_id=page.pk, tag_id=self.tag_id(name))
                for name in item["tags"]
            ]
        _insert_rows(KnowledgePage, knowledge_rows)
        for code, rows in type_rows.items():
            if rows:
                _insert_rows(KNOWLEDGE_TYPES[code], rows)
        for name, pairs in through.items():
            field = KnowledgePage._meta.get_field(name)
            model = field.remote_field.through
            source, target = f"{field.m2m_field_name()}_id", f"{field.m2m_reverse_field_name()}_id"
            model.objects.bulk_create(
                model(**{source: page_id, target: value_id}) for page_id, value_id in pairs
            )
        KnowledgePageTag.objects.bulk_create(tag_rows)
        for parent_id, count in children.items():
            Page.objects.filter(pk=parent_id).update(numchild=F("numchild") + count)
        return len(batch)

    def type_row(self, page_id: int, item: dict) -> dict:
        """The type table's row, from the type's import declarations (absent keys take the
        model fields' defaults)."""
        page_type = KNOWLEDGE_TYPES[item["type"]]
        row = {"knowledgepage_ptr_id": page_id}
        for declaration in page_type.import_fields:
            key = declaration.key
            if declaration.kind is Kind.VOCABULARY:
                code = _reference(item, declaration)
                row[f"{key}_id"] = self.ids[declaration.vocabulary][code]
            elif declaration.kind is Kind.BLOCKS:
                block_name, _block = stream_block(page_type, key)
                row[key] = [{"type": block_name, "value": v} for v in item.get(key, [])]
            elif declaration.kind is Kind.DATE:
                row[key] = datetime.date.fromisoformat(item[key]) if item.get(key) else None
            elif key in item:
                row[key] = item[key]
        return row


def bulk_create_pages(
    items: Iterable[dict],
    batch_size: int = 2000,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Create the items (skipping external_ids that exist); one transaction per batch, each
    leaving a consistent tree. Returns the number of pages created."""
    writer = BulkPageWriter()
    created = 0
    for batch in _batches(items, batch_size):
        created += writer.write_batch(batch)
        if progress:
            progress(created)
    return created
