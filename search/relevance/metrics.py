"""nDCG@k and recall@k of one ranking against graded judgements.

Gains are 2^grade - 1 with a log2(rank + 1) discount; the ideal ranking is the judged items
sorted by grade, limited to the items the searcher can be shown (`findable`: an anonymous
visitor never sees members-only items, so no engine should lose for leaving them out).
Unjudged hits count 0. Recall is the share of findable items graded 2 or more in the top k.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence

K = 10
RELEVANT = 2


def dcg(gains: Sequence[float]) -> float:
    return sum(gain / math.log2(rank + 2) for rank, gain in enumerate(gains))


def gain(grade: int) -> float:
    return 2.0**grade - 1


def ndcg(
    ranking: Sequence[str],
    grades: Mapping[str, int],
    findable: Collection[str] | None = None,
    k: int = K,
) -> float:
    """nDCG@k of `ranking` (item keys, best first); 0.0 when nothing findable is relevant."""
    judged = {i: g for i, g in grades.items() if findable is None or i in findable}
    ideal = dcg([gain(g) for g in sorted(judged.values(), reverse=True)[:k]])
    if ideal == 0:
        return 0.0
    return dcg([gain(grades.get(item, 0)) for item in ranking[:k]]) / ideal


def recall(
    ranking: Sequence[str],
    grades: Mapping[str, int],
    findable: Collection[str] | None = None,
    k: int = K,
) -> float:
    """Share of the findable items graded >= 2 that are in the top k (0.0 if there are none)."""
    wanted = {i for i, g in grades.items() if g >= RELEVANT and (findable is None or i in findable)}
    if not wanted:
        return 0.0
    return len(wanted & set(ranking[:k])) / len(wanted)
