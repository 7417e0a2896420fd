"""The languages search understands: their stemmers, their stop words, and how a word is folded.

Read by both engines and the query plan (search.query_plan), so English, French and Spanish
are analysed the same way everywhere: words are runs of letters and digits, lower-cased with
their accents removed ("Procédures" -> "procedures"), as both indexes fold them.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from pathlib import Path

# Language code -> the Snowball stemmer of that name (tantivy and the cluster both have them).
STEMMERS: dict[str, str] = {"en": "english", "fr": "french", "es": "spanish"}

STOP_WORD_FILES = Path(__file__).with_name("stopwords")  # see its README.md for the source

_WORD = re.compile(r"[^\W_]+")  # letters and digits, like both indexes' tokenizers
# Letters NFKD does not decompose, folded as ASCII folding does.
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ß": "ss", "ø": "o", "đ": "d", "ł": "l"})


def fold(word: str) -> str:
    """Lower case without accents: the form both indexes keep in their plain fields."""
    decomposed = unicodedata.normalize("NFKD", word.lower().translate(_LIGATURES))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    """The folded words of `text`, in order ("pots-de-vin" -> pots, de, vin)."""
    return [fold(w) for w in _WORD.findall(text)]


def spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, folded word) of every word of `text`."""
    return [(m.start(), m.end(), fold(m.group())) for m in _WORD.finditer(text)]


@cache
def stop_words() -> frozenset[str]:
    """Folded stop words of every language in STEMMERS, read once per process. Entries the
    tokenizer would cut in two ("don't") are left out: no query word can equal them."""
    found: set[str] = set()
    for name in STEMMERS.values():
        for line in (STOP_WORD_FILES / f"{name}.txt").read_text(encoding="utf-8").splitlines():
            tokens = words(line)
            if len(tokens) == 1:
                found.add(tokens[0])
    return frozenset(found)
