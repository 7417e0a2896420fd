"""SearchQuery -> elasticsearch-dsl `Search`, and the raw response -> SearchResults.

Semantics shared with the embedded engine (the words are read by search.query_plan):
* every word must match (in any text field), stop words excepted; quoted text must match as
  a phrase; a glossary term matches its translations too, weighing less; the relaxed query
  needs only `policy.minimum_should_match` of the words;
* a word matches exactly (plain or stemmed) or, from five letters, with one typo, exact
  matches scoring above stemmed and fuzzy ones; fields weigh by their boost;
* user text never reaches a query parser, so reserved characters cannot cause an error;
* visibility filters the main query, so hits and facet counts never include what the
  viewer may not see; facet selections are a `post_filter`, and each facet's counts are
  filtered by the OTHER facets' selections (disjunctive counting).
"""

from __future__ import annotations

import html
from datetime import date

from elasticsearch_dsl import A, Q, Search
from elasticsearch_dsl.response import Response

from search import policy, schema
from search.engines.base import (
    Hit,
    Pivot,
    SearchQuery,
    SearchResults,
    facet_values,
    pivot_facets,
)
from search.languages import stop_words
from search.query_plan import Clause, QueryPlan

from .cluster_documents import STEMMED_SUBFIELDS, searched_fields

# Highlighting analyses at most this many characters of a field (then returns no snippet,
# rather than failing the search on a very long body).
HIGHLIGHT_MAX_CHARS = 500_000


# What a hit is made of: the stored fields, the body (for a snippet without a match) and codes.
HIT_SOURCE = [*schema.STORED_FIELDS, "body", "region", "topic", "partner", "country", "language"]

SORT_ORDERS: dict[str, list] = {
    "relevance": ["_score", {schema.PUBLISHED_FIELD: {"order": "desc", "missing": "_last"}}, "id"],
    "newest": [{schema.PUBLISHED_FIELD: {"order": "desc", "missing": "_last"}}, "id"],
    "oldest": [{schema.PUBLISHED_FIELD: {"order": "asc", "missing": "_last"}}, "id"],
    "title": [schema.SORT_TITLE_FIELD, "id"],
}


def plan_query(plan: QueryPlan, relaxed: bool, *, optional: bool = True) -> Q:
    """Required clauses (all, or `plan.minimum(relaxed)` of them) and, with `optional`, the
    stop words, which only add to the score."""
    required = [_clause(c) for c in plan.required]
    minimum = plan.minimum(relaxed)
    if minimum == len(required):
        must = required
    else:
        must = [Q("bool", should=required, minimum_should_match=minimum)]
    should = [_clause(c) for c in plan.optional] if optional else []
    return Q("bool", must=must, should=should) if should else Q("bool", must=must)


def _clause(clause: Clause) -> Q:
    """The words typed, or (weighted less) the best-matching of their translations."""
    text = " ".join(clause.tokens)
    if clause.phrase:
        own = Q("multi_match", query=text, type="phrase", fields=searched_fields())
    else:
        own = _word(text)
    if not clause.translations:
        return own
    translations = [
        Q(
            "multi_match",
            query=" ".join(name),
            type="phrase",
            fields=searched_fields(plain=False),
        )
        for name in clause.translations
    ]
    best = Q("dis_max", queries=translations, boost=policy.TRANSLATION_WEIGHT)
    return Q("bool", should=[own, best], minimum_should_match=1)


def _word(word: str) -> Q:
    """The word exactly or stemmed in any field, or (from five letters) with one typo."""
    options = [Q("multi_match", query=word, type="most_fields", fields=searched_fields())]
    if len(word) >= policy.FUZZY_MIN_LENGTH:
        options.append(
            Q(
                "multi_match",
                query=word,
                type="most_fields",
                fields=searched_fields(stemmed=False),
                fuzziness=1,
                boost=policy.FUZZY_WEIGHT,
            )
        )
    return Q("bool", should=options, minimum_should_match=1)


def _selection(filters: dict[str, tuple[str, ...]]) -> Q | None:
    """AND across facets, OR within one."""
    clauses = [Q("terms", **{name: list(values)}) for name, values in filters.items()]
    return Q("bool", filter=clauses) if clauses else None


def _terms_order(facet: schema.Facet) -> list[dict]:
    if facet.ordering == "value_desc":
        return [{"_key": "desc"}]
    return [{"_count": "desc"}, {"_key": "asc"}]


def _matching(query: SearchQuery, plan: QueryPlan | None, relaxed: bool) -> Search:
    """The query's words (scored) and the viewer's visibility (a filter)."""
    matched = plan_query(plan, relaxed) if plan else None
    return Search().query(
        "bool",
        must=[matched] if matched else [Q("match_all")],
        filter=[Q("terms", **{schema.VISIBILITY_FIELD: list(query.visibilities)})],
    )


def build_search(query: SearchQuery, highlight_limit_key: str, *, relaxed: bool = False) -> Search:
    """The whole request: query, visibility, post_filter, facets, sort, page, highlight.

    `highlight_limit_key` is the server's spelling of the highlight length limit
    (see ServerDialect); `relaxed` asks for most of the words rather than all.
    """
    selections = dict(query.filters)  # normalised by SearchQuery: schema facets, non-empty
    plan = QueryPlan.parse(query.text)
    matched = plan is not None
    search = _matching(query, plan, relaxed)
    if selection := _selection(selections):
        search = search.post_filter(selection)
    for facet in schema.FACETS if query.facets else ():
        others = _selection({n: v for n, v in selections.items() if n != facet.name})
        counted = search.aggs.bucket(facet.name, "filter", filter=others or Q("match_all"))
        counted.bucket(
            "values", A("terms", field=facet.name, size=facet.size, order=_terms_order(facet))
        )
    search = search.sort(*SORT_ORDERS[policy.effective_sort(query.sort, matched)])
    start, stop = query.window
    search = search[start:stop].extra(track_total_hits=True)
    search = search.source(HIT_SOURCE)
    if matched:
        sources = policy.SNIPPET_SOURCES
        fields = [f.name for f in schema.TEXT_FIELDS if f.highlight and f.name in sources]
        subfields = [
            f"{f.name}.{sub}"
            for f in schema.TEXT_FIELDS
            if f.name in fields and f.analysis is schema.Analysis.STEMMED
            for sub in STEMMED_SUBFIELDS
        ]
        search = search.highlight_options(
            pre_tags=["<mark>"],
            post_tags=["</mark>"],
            encoder="html",
            number_of_fragments=1,
            fragment_size=policy.SNIPPET_CHARS,
            highlight_query=plan_query(plan, relaxed, optional=False).to_dict(),
            **{highlight_limit_key: HIGHLIGHT_MAX_CHARS},
        ).highlight(*fields, *subfields)
    return search


def pivot_search(query: SearchQuery, rows: str, columns: str) -> Search:
    """A pivot in one request: the selections filter the items (no hits are returned), a
    `columns` terms aggregation nests in each `rows` bucket, the `columns` totals beside."""
    row_facet, column_facet = pivot_facets(rows, columns)
    search = _matching(query, QueryPlan.parse(query.text), relaxed=False)
    if selection := _selection(dict(query.filters)):
        search = search.filter(selection)
    by_column = A("terms", field=columns, size=column_facet.size)
    search.aggs.bucket("rows", "terms", field=rows, size=row_facet.size).bucket(
        "columns", by_column
    )
    search.aggs.bucket("columns", by_column)
    return search.extra(size=0, track_total_hits=True)


def read_pivot(search: Search, raw: dict) -> Pivot:
    response = Response(search, raw)
    aggregations = response.aggregations
    cells = {
        (str(row.key), str(cell.key)): cell.doc_count
        for row in aggregations.rows.buckets
        for cell in row.columns.buckets
    }
    return Pivot(
        cells=cells,
        rows={str(b.key): b.doc_count for b in aggregations.rows.buckets},
        columns={str(b.key): b.doc_count for b in aggregations.columns.buckets},
        total=response.hits.total.value,
    )


def suggest_body(words: tuple[str, ...]) -> dict:
    """For a "did you mean": does any item have each word in `policy.SUGGEST_FIELDS`, and the
    nearest terms of each field (the term suggester, as the embedded engine reads its term
    dictionary: same edit limit, prefix and word length)."""
    known = {
        word: Q(
            "bool", should=[Q("term", **{field: word}) for field in policy.SUGGEST_FIELDS]
        ).to_dict()
        for word in words
    }
    term = {
        "suggest_mode": "always",
        "max_edits": policy.SUGGEST_MAX_EDITS,
        "prefix_length": policy.SUGGEST_PREFIX,
        "min_word_length": policy.SUGGEST_MIN_LENGTH,
        "size": policy.SUGGEST_CANDIDATES,
        "max_term_freq": 1.0,  # correct a word whatever its frequency (it has none)
    }
    return {
        "size": 0,
        "track_total_hits": False,
        "aggs": {"known": {"filters": {"filters": known}}},
        "suggest": {
            "text": " ".join(words),
            **{field: {"term": {"field": field, **term}} for field in policy.SUGGEST_FIELDS},
        },
    }


def read_candidates(suggested: dict, unknown: list[str]) -> dict[str, dict[str, int]]:
    """Unknown word -> suggested term -> documents, summed over the fields."""
    candidates: dict[str, dict[str, int]] = {word: {} for word in unknown}
    for entries in suggested.values():
        for entry in entries:
            terms = candidates.get(entry["text"])
            if terms is None:
                continue
            for option in entry["options"]:
                terms[option["text"]] = terms.get(option["text"], 0) + option["freq"]
    return candidates


def read_results(query: SearchQuery, search: Search, raw: dict) -> SearchResults:
    """Turn the server's JSON (wrapped in dsl's Response) into SearchResults."""
    response = Response(search, raw)
    counted = {
        facet.name: {
            str(bucket.key): bucket.doc_count
            for bucket in response.aggregations[facet.name]["values"].buckets
        }
        for facet in (schema.FACETS if query.facets else ())
    }
    return SearchResults(
        total=response.hits.total.value,
        hits=tuple(_hit(hit) for hit in response.hits),
        facets=_facets(query, counted) if query.facets else {},
    )


def _facets(query: SearchQuery, counted: dict[str, dict[str, int]]) -> dict:
    """Counts per facet, each selected value kept (at 0 if nothing has it), in display order."""
    facets = {}
    for facet in schema.FACETS:
        facets[facet.name] = facet_values(
            facet, counted.get(facet.name, {}), query.filters.get(facet.name, ())
        )
    return facets


def _hit(hit) -> Hit:
    source = hit.to_dict()
    published = source.get(schema.PUBLISHED_FIELD)
    types = source.get("type") or [""]
    languages = source.get("language") or [""]
    return Hit(
        id=int(source["id"]),
        title=source.get("title", ""),
        url=source.get("url", ""),
        type=types[0] if isinstance(types, list) else types,
        published=date.fromisoformat(published) if published else None,
        regions=tuple(source.get("region", ())),
        topics=tuple(source.get("topic", ())),
        partners=tuple(source.get("partner", ())),
        snippet=_snippet(getattr(hit.meta, "highlight", None)) or _opening(source),
        summary=source.get("summary", ""),
        score=float(hit.meta.score or 0.0),
        countries=tuple(source.get("country", ())),
        language=languages[0] if isinstance(languages, list) else languages,
    )


def _snippet(highlight) -> str:
    if not highlight:
        return ""
    found = highlight.to_dict()
    for name in policy.SNIPPET_SOURCES:
        for key in (name, *(f"{name}.{sub}" for sub in STEMMED_SUBFIELDS)):
            if found.get(key):
                # Lucene's HTML encoder also writes "/" as &#x2F;; plain "/" is safe in text
                return found[key][0].replace("&#x2F;", "/")
    return ""


def _opening(source: dict) -> str:
    """Without a highlighted match: the start of the summary (or body), escaped."""
    text = source.get("summary") or source.get("body") or ""
    if len(text) <= policy.SNIPPET_CHARS:
        return html.escape(text)
    cut = text.rfind(" ", 0, policy.SNIPPET_CHARS)
    return html.escape(text[: cut if cut > 0 else policy.SNIPPET_CHARS]) + " …"


def related_lookup(item_id: int, visibilities: tuple[str, ...]) -> Search:
    """The item's codes, if the viewer may see the item (the first of two requests)."""
    search = Search().query(
        "bool",
        filter=[
            Q("ids", values=[str(item_id)]),
            Q("terms", **{schema.VISIBILITY_FIELD: list(visibilities)}),
        ],
    )
    return search.source(list(policy.RELATED_VOCABULARY_WEIGHTS))[:1]


def related_search(
    item_id: int, codes: dict[str, list[str]], visibilities: tuple[str, ...], size: int
) -> Search:
    """`more_like_this` on the item's own text (`like: [{_id}]`) or a shared code, weighed as
    the embedded engine weighs them; visible items only, the item itself excluded."""
    like = Q(
        "more_like_this",
        fields=list(policy.RELATED_FIELDS),
        like=[{"_id": str(item_id)}],
        min_term_freq=1,
        min_doc_freq=policy.RELATED_MIN_DOC_FREQUENCY,
        max_query_terms=policy.RELATED_MAX_TERMS,
        stop_words=sorted(stop_words()),
    )
    shared = [
        Q("term", **{facet: {"value": code, "boost": weight}})
        for facet, weight in policy.RELATED_VOCABULARY_WEIGHTS.items()
        for code in codes.get(facet, ())
    ]
    search = Search().query(
        "bool",
        must=[Q("bool", should=[like, *shared], minimum_should_match=1)],
        filter=[Q("terms", **{schema.VISIBILITY_FIELD: list(visibilities)})],
        must_not=[Q("ids", values=[str(item_id)])],
    )
    return search.sort("_score", "id").source(HIT_SOURCE)[:size]


def read_hits(search: Search, raw: dict) -> tuple[Hit, ...]:
    return tuple(_hit(hit) for hit in Response(search, raw).hits)
