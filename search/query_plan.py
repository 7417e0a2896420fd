"""What a query's text asks for, worked out once in Python and rendered by each engine.

Both engines build their queries from a `QueryPlan`, so they agree on what the words mean:

* a quoted passage is a phrase, matched as typed (no glossary, no stop words);
* the other words are looked up in the glossary first, longest form first, so
  "code de conduite" is one concept (a phrase) whose translations ("code of conduct",
  "código de conducta") match too, weighted `policy.TRANSLATION_WEIGHT`;
* a word that holds several ("anti-corruption") is a phrase of its parts;
* what remains is a word; a stop word (search.languages) is optional: it adds to the score
  but need not match, unless the query has nothing else;
* every required clause must match; `relaxed` plans need `policy.minimum_should_match`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import policy
from .glossary import Phrase, glossary
from .languages import stop_words, words

_QUOTED = re.compile(r'"([^"]*)"')


@dataclass(frozen=True)
class Clause:
    """One thing the query asks for: a word (typo-tolerant) or a phrase, plus translations."""

    tokens: Phrase  # folded words; one for a word, several for a phrase
    phrase: bool = False  # matched as a phrase (quoted, or several words)
    optional: bool = False  # a stop word
    translations: tuple[Phrase, ...] = ()  # glossary names that match too, as phrases

    @property
    def word(self) -> str:
        return self.tokens[0]


@dataclass(frozen=True)
class QueryPlan:
    clauses: tuple[Clause, ...]

    @classmethod
    def parse(cls, text: str) -> QueryPlan | None:
        """The plan for a user's text; None when it holds nothing to search for."""
        text = text or ""
        clauses = [Clause(tuple(t), phrase=True) for q in _QUOTED.findall(text) if (t := words(q))]
        rest = _QUOTED.sub(" ", text).replace('"', " ")
        chunks = [t for chunk in rest.split() if (t := words(chunk))]
        clauses += _clauses(chunks)
        unique = tuple(dict.fromkeys(clauses))
        return cls(unique) if unique else None

    @property
    def required(self) -> tuple[Clause, ...]:
        """The clauses that must match: all but the stop words, or all if that is nothing."""
        return tuple(c for c in self.clauses if not c.optional) or self.clauses

    @property
    def optional(self) -> tuple[Clause, ...]:
        required = self.required
        return tuple(c for c in self.clauses if c not in required)

    def minimum(self, relaxed: bool) -> int:
        """Required clauses an item must match: all, or the fallback's share of them."""
        count = len(self.required)
        return policy.minimum_should_match(count) if relaxed else count

    @property
    def relaxable(self) -> bool:
        return self.minimum(relaxed=True) < len(self.required)

    def correctable(self) -> tuple[str, ...]:
        """Words a "did you mean" may correct: required single words, long enough."""
        return tuple(
            c.word
            for c in self.required
            if not c.phrase and len(c.word) >= policy.SUGGEST_MIN_LENGTH
        )


def _clauses(chunks: list[list[str]]) -> list[Clause]:
    """Clauses of the unquoted chunks (each the words of one whitespace-separated piece)."""
    tokens = [t for chunk in chunks for t in chunk]
    starts, ends, position = {}, set(), 0
    for chunk in chunks:
        starts[position] = chunk
        position += len(chunk)
        ends.add(position)
    terms, stops, clauses, i = glossary(), stop_words(), [], 0
    while i < len(tokens):
        end = terms.match_at(tokens, i, ends) if policy.GLOSSARY_EXPANSION else i
        if end > i:
            name = tuple(tokens[i:end])
            translations = terms.translations(name)
            clauses.append(Clause(name, phrase=len(name) > 1, translations=translations))
        else:
            chunk = tuple(starts[i])  # glossary forms end where chunks end: i starts one
            single = len(chunk) == 1
            clauses.append(Clause(chunk, phrase=not single, optional=single and chunk[0] in stops))
            end = i + len(chunk)
        i = end
    return clauses
