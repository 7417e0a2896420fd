"""SearchQuery -> elasticsearch-dsl `Search`, and the raw response -> SearchResults.

Semantics shared with the embedded engine:
* every word must match (in any text field); quoted text must match as a phrase;
* a word matches exactly (plain or stemmed) or, from five letters, with one typo, exact
  matches scoring above stemmed and fuzzy ones; fields weigh by their boost;
* user text never reaches a query parser, so reserved characters cannot cause an error;
* visibility filters the main query, so hits and facet counts never include what the
  viewer may not see; facet selections are a `post_filter`, and each facet's counts are
  filtered by the OTHER facets' selections (disjunctive counting).
"""

from __future__ import annotations

import html
import re
from datetime import date

from elasticsearch_dsl import A, Q, Search
from elasticsearch_dsl.response import Response

from search import policy, schema
from search.engines.base import Hit, SearchQuery, SearchResults, facet_values

from .cluster_documents import searched_fields

# Highlighting analyses at most this many characters of a field (then returns no snippet,
# rather than failing the search on a very long body).
HIGHLIGHT_MAX_CHARS = 500_000

_PHRASE = re.compile(r'"([^"]*)"')
_WORD = re.compile(r"[^\W_]+")  # letters and digits, like the index's `words` tokenizer

SORT_ORDERS: dict[str, list] = {
    "relevance": ["_score", {schema.PUBLISHED_FIELD: {"order": "desc", "missing": "_last"}}, "id"],
    "newest": [{schema.PUBLISHED_FIELD: {"order": "desc", "missing": "_last"}}, "id"],
    "oldest": [{schema.PUBLISHED_FIELD: {"order": "asc", "missing": "_last"}}, "id"],
    "title": [schema.SORT_TITLE_FIELD, "id"],
}


def split_text(text: str) -> tuple[list[str], list[str]]:
    """(words, phrases) of the user's text, cut into words as the index is.

    A quoted passage is a phrase; a word that holds several ("anti-corruption") is a phrase
    of its parts; a lone quote is ignored; punctuation alone is no word.
    """
    phrases = [" ".join(tokens) for p in _PHRASE.findall(text) if (tokens := _WORD.findall(p))]
    words: list[str] = []
    for chunk in _PHRASE.sub(" ", text).replace('"', " ").split():
        tokens = _WORD.findall(chunk)
        if len(tokens) == 1:
            words.append(tokens[0].lower())
        elif tokens:
            phrases.append(" ".join(tokens))
    return list(dict.fromkeys(words)), phrases


def text_query(text: str) -> Q | None:
    """All words and phrases must match; None when the text has nothing to search for."""
    words, phrases = split_text(text)
    clauses = [_word(word) for word in words]
    clauses += [
        Q("multi_match", query=phrase, type="phrase", fields=searched_fields())
        for phrase in phrases
    ]
    return Q("bool", must=clauses) if clauses else None


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


def build_search(query: SearchQuery, highlight_limit_key: str) -> Search:
    """The whole request: query, visibility, post_filter, facets, sort, page, highlight.

    `highlight_limit_key` is the server's spelling of the highlight length limit
    (see ServerDialect).
    """
    selections = dict(query.filters)  # normalised by SearchQuery: schema facets, non-empty
    matched = text_query(query.text)
    search = Search().query(
        "bool",
        must=[matched] if matched else [Q("match_all")],
        filter=[Q("terms", **{schema.VISIBILITY_FIELD: list(query.visibilities)})],
    )
    if selection := _selection(selections):
        search = search.post_filter(selection)
    for facet in schema.FACETS:
        others = _selection({n: v for n, v in selections.items() if n != facet.name})
        counted = search.aggs.bucket(facet.name, "filter", filter=others or Q("match_all"))
        counted.bucket(
            "values", A("terms", field=facet.name, size=facet.size, order=_terms_order(facet))
        )
    search = search.sort(*SORT_ORDERS[policy.effective_sort(query.sort, matched is not None)])
    start, stop = query.window
    search = search[start:stop].extra(track_total_hits=True)
    search = search.source([*schema.STORED_FIELDS, "body", "region", "topic", "partner"])
    if matched:
        sources = policy.SNIPPET_SOURCES
        fields = [f.name for f in schema.TEXT_FIELDS if f.highlight and f.name in sources]
        subfields = [
            f"{f.name}.{sub}"
            for f in schema.TEXT_FIELDS
            if f.name in fields and f.analysis is schema.Analysis.STEMMED
            for sub in ("en", "fr")
        ]
        search = search.highlight_options(
            pre_tags=["<mark>"],
            post_tags=["</mark>"],
            encoder="html",
            number_of_fragments=1,
            fragment_size=policy.SNIPPET_CHARS,
            highlight_query=matched.to_dict(),
            **{highlight_limit_key: HIGHLIGHT_MAX_CHARS},
        ).highlight(*fields, *subfields)
    return search


def read_results(query: SearchQuery, search: Search, raw: dict) -> SearchResults:
    """Turn the server's JSON (wrapped in dsl's Response) into SearchResults."""
    response = Response(search, raw)
    counted = {
        facet.name: {
            str(bucket.key): bucket.doc_count
            for bucket in response.aggregations[facet.name]["values"].buckets
        }
        for facet in schema.FACETS
    }
    return SearchResults(
        total=response.hits.total.value,
        hits=tuple(_hit(hit) for hit in response.hits),
        facets=_facets(query, counted),
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
    )


def _snippet(highlight) -> str:
    if not highlight:
        return ""
    found = highlight.to_dict()
    for name in policy.SNIPPET_SOURCES:
        for key in (name, f"{name}.en", f"{name}.fr"):
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
