""" "Did you mean": the nearest index term for each unknown word, chosen the same way on
every engine from the candidates the engine's own term dictionary offers.

An engine lists, for each word no item has, the index terms near it with their document
counts (tantivy's term dictionary, the cluster's term suggester); this module keeps those
within `policy.SUGGEST_MAX_EDITS` edits, prefers the fewest edits, then the commonest term,
then the alphabetically first, and writes the corrected query text.
"""

from __future__ import annotations

from collections.abc import Mapping

from . import policy
from .languages import spans

Candidates = Mapping[str, Mapping[str, int]]  # unknown word -> index term -> documents


def edit_distance(a: str, b: str, limit: int = policy.SUGGEST_MAX_EDITS) -> int:
    """Optimal string alignment distance (a swap of two letters is one edit); any value above
    `limit` is reported as limit + 1."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return min(previous[-1], limit + 1)


def nearest(word: str, terms: Mapping[str, int]) -> str | None:
    """The best correction of `word` among `terms` (term -> documents), if any is near."""
    ranked = []
    for term, documents in terms.items():
        if term == word or term[: policy.SUGGEST_PREFIX] != word[: policy.SUGGEST_PREFIX]:
            continue
        distance = edit_distance(word, term)
        if distance <= policy.SUGGEST_MAX_EDITS:
            ranked.append((distance, -documents, term))
    return min(ranked)[2] if ranked else None


def corrections(candidates: Candidates) -> dict[str, str]:
    """Unknown word -> its correction, for the words that have one."""
    found = {word: nearest(word, terms) for word, terms in candidates.items()}
    return {word: term for word, term in found.items() if term}


def corrected_text(text: str, replacements: Mapping[str, str]) -> str:
    """`text` with every word whose folded form is replaced written as its correction."""
    parts, cursor = [], 0
    for start, end, folded in spans(text):
        if folded in replacements:
            parts += [text[cursor:start], replacements[folded]]
            cursor = end
    return "".join(parts) + text[cursor:]
