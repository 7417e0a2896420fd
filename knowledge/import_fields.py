"""How a page type declares the keys it takes in an import line (see `import_fields` on the
page classes in pages.py). The importer, the bulk writer and the corpus generator read the
declarations; lengths, choices, defaults and block keys come from the model fields."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


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
