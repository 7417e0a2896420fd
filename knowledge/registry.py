"""The controlled vocabularies, each declared once: what every other module iterates.

An entry says which model holds the vocabulary, which field is its stable code (a partner's
code is its acronym: said here and nowhere else), how a code is shown, which names make an
item findable, which fields have a column per language, how the importer names it, and the
many-to-many of `KnowledgePage` that holds an item's entries. Other ways a page reaches
entries (a partner study's contributing partner) are found from the page types' foreign
keys, so no table can forget them.

The document builder, the search facets, the outbox, the importer, the bulk writer and the
corpus generator read this registry; `search/` refers to entries by key, and nothing here
imports `search/`. To add a vocabulary, see docs/extending.md.

Translated fields (`translated`) get a column per language of `settings.LANGUAGES` through
django-modeltranslation (knowledge/translation.py registers them from here): `name_en`,
`name_fr`, `name_es`. Reading `name` (an instance, `values("name")`, the model's ordering)
gives the active language, English where the translation is empty; `names` lists every
language's column, so an item is findable by its entries' names in all three languages.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.db import models
from modeltranslation.utils import build_localized_fieldname

from .pages import KNOWLEDGE_TYPES, KnowledgePage
from .vocabularies import Country, PartnerOrganisation, Region, Topic


@dataclass(frozen=True)
class VocabularyEntry:
    key: str  # import key, registry key and the KnowledgePage many-to-many that holds it
    model: type[models.Model]
    code: str  # the field whose value is the stable code in imports, URLs and the index
    label: str  # how a code is shown, as a format of the entry's fields: "{name} ({acronym})"
    findable: tuple[str, ...]  # fields whose words make an item findable, in this order
    translated: tuple[str, ...] = ()  # fields with a column per language (English required)
    required: bool = False  # an item needs at least one entry
    upper_case: bool = False  # codes are normalised to upper case on import (ISO countries)
    csv: str = ""  # its reference list in knowledge/vocabulary/, when it has one

    @property
    def relation(self) -> str:
        return self.key

    @property
    def names(self) -> tuple[str, ...]:
        """Columns whose words make an item findable: each findable field, in every language
        when it is translated (`name_en`, `name_fr`, `name_es`)."""
        return tuple(column for field in self.findable for column in self.columns(field))

    def columns(self, field: str) -> tuple[str, ...]:
        """The database columns of one field: one per language when it is translated."""
        if field not in self.translated:
            return (field,)
        return tuple(build_localized_fieldname(field, code) for code, _name in settings.LANGUAGES)

    @property
    def label_fields(self) -> tuple[str, ...]:
        return tuple(name for _, name, _, _ in string.Formatter().parse(self.label) if name)

    def format_label(self, values: dict) -> str:
        return self.label.format(**values)

    def labels(self) -> dict[str, str]:
        """code -> label of every entry in the active language (English where a translation
        is empty), in the model's ordering. Read afresh: never cache it across languages."""
        fields = dict.fromkeys((self.code, *self.label_fields))
        return {
            row[self.code]: self.format_label(row) for row in self.model.objects.values(*fields)
        }

    def choices(self, attribute: str) -> dict[str, str]:
        """value -> label of one choice field of the entries (a partner's `kind`)."""
        return {
            str(value): str(label)
            for value, label in self.model._meta.get_field(attribute).flatchoices
        }

    def lookups(self) -> tuple[str, ...]:
        """Every `KnowledgePage` lookup that reaches entries: the many-to-many, then each
        page type's foreign keys to the vocabulary (`partnerstudypage__contributing_partner`)."""
        return _lookups(self.key, self.model)

    def pages_using(self, entries) -> models.QuerySet:
        """Knowledge pages that use any of `entries` (instances or ids) through any lookup."""
        condition = models.Q()
        for lookup in self.lookups():
            condition |= models.Q(**{f"{lookup}__in": entries})
        return KnowledgePage.objects.filter(condition).distinct()


@cache
def _lookups(relation: str, model: type[models.Model]) -> tuple[str, ...]:
    found = [relation]
    for page_type in KNOWLEDGE_TYPES.values():
        for field in page_type._meta.local_concrete_fields:
            if field.is_relation and field.related_model is model:
                found.append(f"{page_type._meta.model_name}__{field.name}")
    return tuple(found)


VOCABULARIES: tuple[VocabularyEntry, ...] = (
    VocabularyEntry(
        "regions",
        Region,
        code="code",
        label="{short_name}",
        findable=("name", "short_name"),
        translated=("name", "short_name"),
        required=True,
        csv="regions.csv",
    ),
    VocabularyEntry(
        "countries",
        Country,
        code="code",
        label="{name}",
        findable=("name",),
        translated=("name",),
        upper_case=True,
    ),
    VocabularyEntry(
        "topics",
        Topic,
        code="code",
        label="{name}",
        findable=("name", "synonyms"),
        translated=("name", "description", "synonyms"),
        required=True,
        csv="topics.csv",
    ),
    VocabularyEntry(
        "partners",
        PartnerOrganisation,
        code="acronym",
        label="{name} ({abbreviation})",
        findable=("name", "acronym", "abbreviation"),
        translated=("name", "abbreviation", "description"),
        csv="partners.csv",
    ),
)
BY_KEY: dict[str, VocabularyEntry] = {entry.key: entry for entry in VOCABULARIES}
BY_MODEL: dict[type[models.Model], VocabularyEntry] = {e.model: e for e in VOCABULARIES}


def vocabulary(key: str) -> VocabularyEntry:
    return BY_KEY[key]


def for_model(model: type[models.Model]) -> VocabularyEntry:
    return BY_MODEL[model]
