"""Run the judged set through the site's search as an anonymous visitor, and score it.

Each query goes through `parse_search_params` and `run_search`, as the search page does for a
visitor who is not logged in: public items only, the default sort (best match), the first
`metrics.K` hits. Hits are matched to judgements by the items' external_id.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.http import QueryDict

from knowledge.pages import KnowledgePage
from search.query import FacetVocabulary, parse_search_params
from search.service import run_search

from . import judged_set, metrics
from .judged_set import JudgedQuery


@dataclass(frozen=True)
class QueryScore:
    query: JudgedQuery
    ranking: tuple[str, ...]  # external_ids of the top hits, best first
    ndcg: float
    recall: float


@dataclass(frozen=True)
class Summary:
    queries: int
    ndcg: float
    recall: float


@dataclass(frozen=True)
class Report:
    scores: tuple[QueryScore, ...]

    def summary(self, scores: tuple[QueryScore, ...] | None = None) -> Summary:
        scores = self.scores if scores is None else scores
        return Summary(
            queries=len(scores),
            ndcg=statistics.fmean(s.ndcg for s in scores) if scores else 0.0,
            recall=statistics.fmean(s.recall for s in scores) if scores else 0.0,
        )

    def groups(self) -> dict[str, Summary]:
        """Overall, per query language, and the cross-language queries."""
        groups = {"overall": self.summary()}
        for language in sorted({s.query.language for s in self.scores}):
            groups[language] = self.summary(
                tuple(s for s in self.scores if s.query.language == language)
            )
        groups["cross-language"] = self.summary(
            tuple(s for s in self.scores if s.query.cross_language)
        )
        return groups

    def worst(self, n: int = 10) -> tuple[QueryScore, ...]:
        return tuple(sorted(self.scores, key=lambda s: (s.ndcg, s.recall, s.query.key))[:n])


def anonymous_ranking(text: str, vocabulary: FacetVocabulary, ids: dict[int, str]) -> tuple:
    """The external_ids of the first K results an anonymous visitor gets for `text`."""
    params = QueryDict(mutable=True)
    params.update({"q": text, "size": str(metrics.K)})
    search = parse_search_params(params, AnonymousUser(), vocabulary)
    if not search.is_valid:
        raise ValueError(f"{text!r}: {search.errors}")
    outcome = run_search(search, vocabulary)
    if outcome.unavailable:
        raise RuntimeError(f"search engine unavailable for {text!r}")
    return tuple(ids.get(result.id, f"page {result.id}") for result in outcome.results)


def measure(queries: tuple[JudgedQuery, ...] | None = None) -> Report:
    """Score every judged query on the configured engine (`search.engines.get_engine`)."""
    queries = judged_set.load() if queries is None else queries
    ids = dict(
        KnowledgePage.objects.filter(external_id__isnull=False).values_list("pk", "external_id")
    )
    findable = set(KnowledgePage.objects.live().public().values_list("external_id", flat=True))
    vocabulary = FacetVocabulary()
    scores = []
    for query in queries:
        ranking = anonymous_ranking(query.text, vocabulary, ids)
        scores.append(
            QueryScore(
                query=query,
                ranking=ranking,
                ndcg=metrics.ndcg(ranking, query.grades, findable),
                recall=metrics.recall(ranking, query.grades, findable),
            )
        )
    return Report(tuple(scores))
