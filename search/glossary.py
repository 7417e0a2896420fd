"""The customs-integrity glossary: one concept per row of glossary.csv, named in EN/FR/ES.

A query word or phrase that names a concept ("pots-de-vin") also matches the concept's other
names ("bribery", "soborno"), weighted `policy.TRANSLATION_WEIGHT`. Rows are
`concept,en,fr,es`, each language's forms separated by "|" (the forms people type: singular,
plural, spelling variants). Read once per process; edit the file and restart to change it.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .languages import STEMMERS, words

GLOSSARY_FILE = Path(__file__).with_name("glossary.csv")

Phrase = tuple[str, ...]  # folded words


@dataclass(frozen=True)
class Concept:
    key: str
    names: tuple[Phrase, ...]  # every form in every language, in file order, no repeats


@dataclass(frozen=True)
class Glossary:
    concepts: tuple[Concept, ...]
    by_name: dict[Phrase, tuple[Concept, ...]]  # a form -> the concepts it names
    longest: int  # words in the longest form

    def match_at(self, tokens: list[str], start: int, ends: set[int]) -> int:
        """Where the longest form starting at `tokens[start]` ends, among `ends` (the word
        boundaries the user typed: "anti-bribery" is not "bribery"); `start` for none."""
        for end in range(min(len(tokens), start + self.longest), start, -1):
            if end in ends and tuple(tokens[start:end]) in self.by_name:
                return end
        return start

    def translations(self, name: Phrase) -> tuple[Phrase, ...]:
        """The other names of every concept `name` names."""
        found: dict[Phrase, None] = {}
        for concept in self.by_name.get(name, ()):
            found.update(dict.fromkeys(n for n in concept.names if n != name))
        return tuple(found)


@cache
def glossary() -> Glossary:
    concepts = []
    with GLOSSARY_FILE.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            names = [
                tuple(words(form))
                for lang in STEMMERS
                for form in row[lang].split("|")
                if words(form)
            ]
            concepts.append(Concept(row["concept"], tuple(dict.fromkeys(names))))
    by_name: dict[Phrase, tuple[Concept, ...]] = {}
    for concept in concepts:
        for name in concept.names:
            by_name[name] = (*by_name.get(name, ()), concept)
    longest = max((len(n) for n in by_name), default=0)
    return Glossary(tuple(concepts), by_name, longest)
