"""The relevance metrics against hand-computed values, and the judged set's own checks."""

import math
from dataclasses import replace

import pytest

from search.relevance import judged_set, metrics

GRADES = {"a": 3, "b": 2, "c": 1}
# Ideal order a, b, c: 7/log2(2) + 3/log2(3) + 1/log2(4)
IDEAL = 7 + 3 / math.log2(3) + 0.5


def test_ndcg_of_a_known_ranking():
    # b at rank 1 (gain 3), an unjudged item at 2 (gain 0), a at 3 (gain 7 / log2(4) = 3.5)
    assert metrics.ndcg(["b", "x", "a"], GRADES) == pytest.approx(6.5 / IDEAL)
    assert metrics.ndcg(["b", "x", "a"], GRADES) == pytest.approx(0.69202, abs=1e-5)
    assert metrics.ndcg(["a", "b", "c"], GRADES) == pytest.approx(1.0)
    assert metrics.ndcg(["x", "y"], GRADES) == 0.0


def test_ndcg_counts_the_first_k_hits_only():
    ranking = [f"x{i}" for i in range(10)] + ["a"]
    assert metrics.ndcg(ranking, GRADES) == 0.0
    assert metrics.ndcg(ranking, GRADES, k=11) == pytest.approx(7 / math.log2(12) / IDEAL)


def test_items_the_searcher_cannot_see_leave_the_ideal_ranking():
    # a is members-only: the best an anonymous visitor can get is b, c
    assert metrics.ndcg(["b", "c"], GRADES, findable={"b", "c", "x"}) == pytest.approx(1.0)
    assert metrics.ndcg(["b", "c"], GRADES) == pytest.approx((3 + 1 / math.log2(3)) / IDEAL)
    assert metrics.recall(["b"], GRADES, findable={"b", "c"}) == 1.0


def test_recall_is_the_share_of_items_graded_two_or_more_found():
    assert metrics.recall(["b", "c", "x"], GRADES) == 0.5
    assert metrics.recall(["c", "x"], GRADES) == 0.0
    assert metrics.recall(["x"] * 10 + ["a", "b"], GRADES) == 0.0
    assert metrics.recall(["a"], {"c": 1}) == 0.0


def test_the_judged_set_covers_three_languages_and_crosses_them():
    queries = judged_set.load()
    assert len(queries) >= 80
    for language in ("en", "fr", "es"):
        share = sum(q.language == language for q in queries) / len(queries)
        assert 0.25 <= share <= 0.42, language
    assert sum(q.cross_language for q in queries) >= len(queries) / 3
    features = {f for q in queries for f in q.features}
    assert {"stop words", "typo", "multi-word concept"} <= features
    assert any(f.startswith("vocabulary") for f in features)


def test_the_judged_set_is_checked_against_the_corpus():
    languages = judged_set.corpus_languages()
    query = judged_set.load()[0]
    with pytest.raises(judged_set.JudgedSetError, match="no such item"):
        judged_set.check((replace(query, grades={**query.grades, "no-such-item": 2}),), languages)
    with pytest.raises(judged_set.JudgedSetError, match="cross_language should be"):
        judged_set.check((replace(query, cross_language=not query.cross_language),), languages)
    with pytest.raises(judged_set.JudgedSetError, match="grades are 0 to 3"):
        judged_set.check((replace(query, grades={**query.grades, "wco-model-code": 4}),), languages)
    with pytest.raises(judged_set.JudgedSetError, match="asked twice"):
        judged_set.check((query, query), languages)
