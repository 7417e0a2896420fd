"""How a page type declares the keys it takes in an import line (see `import_fields` on the
page classes in pages.py). The importer, the bulk writer and the corpus generator read the
declarations; lengths, choices, defaults and block keys come from the model fields."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from django.db import models
from wagtail import blocks


class Kind(Enum):
    PLAIN = "plain"  # a string, trimmed, at most the model field's max_length
    HTML = "html"  # a string of HTML, sanitised
    DATE = "date"  # "YYYY-MM-DD"
    CHOICE = "choice"  # one of the model field's choices; absent means its default
    BLOCKS = "blocks"  # a list of objects, one StreamField block each (steps, chapters)
    VOCABULARY = "vocabulary"  # a code of a knowledge.registry vocabulary (a foreign key)


@dataclass(frozen=True)
class ImportField:
    """One type-specific key of an import line; the key is the model field's name."""

    key: str
    kind: Kind
    required: bool = False
    # VOCABULARY only: the registry key. Absent, the item's first entry of that vocabulary
    # is taken, and the chosen entry is always among the item's entries.
    vocabulary: str = ""


PLAIN, HTML, DATE, CHOICE, BLOCKS = Kind.PLAIN, Kind.HTML, Kind.DATE, Kind.CHOICE, Kind.BLOCKS


def reference(key: str, vocabulary: str) -> ImportField:
    return ImportField(key, Kind.VOCABULARY, required=True, vocabulary=vocabulary)


def max_length(model: type[models.Model], name: str) -> int | None:
    return model._meta.get_field(name).max_length


def choices(model: type[models.Model], name: str) -> list[str]:
    return [str(value) for value, _label in model._meta.get_field(name).flatchoices]


def default(model: type[models.Model], name: str):
    return model._meta.get_field(name).get_default()


def stream_block(model: type[models.Model], name: str) -> tuple[str, blocks.StructBlock]:
    """The one block type of a list-of-objects StreamField (("step", StepBlock()))."""
    ((block_name, block),) = model._meta.get_field(name).stream_block.child_blocks.items()
    return block_name, block


def block_keys(block: blocks.StructBlock) -> dict[str, tuple[bool, bool]]:
    """key -> (required, is HTML) of each object in a BLOCKS list, from the block's fields."""
    return {
        key: (child.required, isinstance(child, blocks.RichTextBlock))
        for key, child in block.child_blocks.items()
    }
