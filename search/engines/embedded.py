"""The embedded engine: a tantivy index on local disk, for one-server installations.

Layout under SEARCH_INDEX_PATH: one directory per index generation and a `CURRENT` file naming
the live one. `rebuild` fills a new generation and swaps `CURRENT` with an atomic rename, so
searches keep answering from the old generation until the switch; every reader checks
`CURRENT` before it searches and reopens when it changed.

Text analysis: every STEMMED schema field is indexed four times - plain (lower-cased,
ASCII-folded words), English-, French- and Spanish-stemmed - and every query word is looked
up in all four. Querying every stemmer regardless of the document's language costs little,
finds French words in English documents (and the reverse), and needs no language detection
on the query. The plain variant carries exact and typo-tolerant (fuzzy) matches and phrases.

User text never reaches tantivy's query parser: search.query_plan reads it (glossary, stop
words) and we build term, phrase and fuzzy queries from the plan ourselves, so no input can
be a syntax error.
"""

from __future__ import annotations

import html
import os
import shutil
import threading
import time
import uuid
from collections.abc import Iterable
from datetime import date
from pathlib import Path

import tantivy
from django.conf import settings

from search import policy, suggestions
from search import schema as S
from search.languages import STEMMERS, stop_words
from search.query_plan import Clause, QueryPlan

from .base import (
    EngineUnavailable,
    FacetValue,
    Hit,
    Pivot,
    ProgressCallback,
    SearchEngine,
    SearchQuery,
    SearchResults,
    facet_values,
    pivot_facets,
)

POINTER = "CURRENT"
PLAIN = "plain"
WRITER_HEAP = 64_000_000
REBUILD_HEAP = 200_000_000
LOCK_WAIT_SECONDS = 5.0


def _analyzer(stemmer: str | None = None) -> tantivy.TextAnalyzer:
    builder = (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(60))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
    )
    if stemmer:
        builder = builder.filter(tantivy.Filter.stemmer(stemmer))
    return builder.build()


ANALYZERS: dict[str, tantivy.TextAnalyzer] = {PLAIN: _analyzer()} | {
    lang: _analyzer(stemmer) for lang, stemmer in STEMMERS.items()
}


def _variant(field: str, lang: str) -> str:
    return field if lang == PLAIN else f"{field}__{lang}"


def _variants(text_field: S.TextField) -> tuple[str, ...]:
    """Analyzer names a text field is indexed with (the plain one first)."""
    if text_field.analysis is S.Analysis.STEMMED:
        return (PLAIN, *STEMMERS)
    return (PLAIN,)


KEYWORD_FIELDS = (*S.FACET_NAMES, S.VISIBILITY_FIELD, S.FINGERPRINT_FIELD, S.SORT_TITLE_FIELD)


def build_schema() -> tantivy.Schema:
    """The tantivy schema, derived from search.schema."""
    builder = tantivy.SchemaBuilder()
    builder.add_unsigned_field("id", stored=True, indexed=True, fast=True)
    for text_field in S.TEXT_FIELDS:
        for lang in _variants(text_field):
            stored = lang == PLAIN and (text_field.highlight or text_field.name in S.STORED_FIELDS)
            builder.add_text_field(
                _variant(text_field.name, lang), stored=stored, tokenizer_name=lang
            )
    for name in KEYWORD_FIELDS:
        builder.add_text_field(name, stored=True, fast=True, tokenizer_name="raw")
    builder.add_text_field(S.PUBLISHED_FIELD, stored=True, fast=True, tokenizer_name="raw")
    builder.add_text_field("url", stored=True, tokenizer_name="raw")
    return builder.build()


SCHEMA = build_schema()

_locks: dict[str, threading.RLock] = {}
_locks_guard = threading.Lock()


def _lock_for(path: Path) -> threading.RLock:
    with _locks_guard:
        return _locks.setdefault(str(path), threading.RLock())


class EmbeddedEngine(SearchEngine):
    name = "embedded"

    def __init__(self, path: Path | str):
        self.path = Path(path)
        self._lock = _lock_for(self.path)
        self._opened: tuple[str, tantivy.Index] | None = None

    @classmethod
    def from_settings(cls) -> EmbeddedEngine:
        return cls(settings.SEARCH_INDEX_PATH)

    # --- generations ------------------------------------------------------------------

    def _current_generation(self) -> str | None:
        try:
            return (self.path / POINTER).read_text().strip() or None
        except FileNotFoundError:
            return None

    def _new_generation(self) -> tuple[str, tantivy.Index]:
        name = f"gen-{time.strftime('%Y%m%d%H%M%S')}-{uuid.uuid4().hex[:8]}"
        directory = self.path / name
        directory.mkdir(parents=True)
        return name, self._open(tantivy.Index(SCHEMA, path=str(directory), reuse=False))

    @staticmethod
    def _open(index: tantivy.Index) -> tantivy.Index:
        for lang, analyzer in ANALYZERS.items():
            index.register_tokenizer(lang, analyzer)
        return index

    def _switch_to(self, generation: str) -> None:
        tmp = self.path / f"{POINTER}.{uuid.uuid4().hex}"
        tmp.write_text(generation)
        os.replace(tmp, self.path / POINTER)

    def _live_generation(self) -> str | None:
        """The generation `CURRENT` names, if its directory is there."""
        generation = self._current_generation()
        return generation if generation and (self.path / generation).is_dir() else None

    def _index(self) -> tantivy.Index:
        """The live generation's index, reopened when another process switched it. Never
        created here: a deleted index folder is an outage until `reindex`, not an empty index."""
        generation = self._live_generation()
        if generation is None:
            self._opened = None
            raise self._index_missing(str(self.path))
        if self._opened is None or self._opened[0] != generation:
            try:
                index = self._open(tantivy.Index.open(str(self.path / generation)))
            except (OSError, ValueError) as exc:
                raise EngineUnavailable(f"cannot open search index {generation}: {exc}") from exc
            if not _has_every_field(index):  # built by an older version (before Spanish)
                self._opened = None
                raise self._index_missing(f"{self.path} (an older layout)")
            self._opened = (generation, index)
        self._index_found()
        return self._opened[1]

    def ensure_index(self) -> None:
        with self._lock:
            if self._live_generation():
                return
            self.path.mkdir(parents=True, exist_ok=True)
            generation, index = self._new_generation()
            self._writer(index).commit()
            self._switch_to(generation)

    def _writer(self, index: tantivy.Index, heap: int = WRITER_HEAP, threads: int = 1):
        """A writer for `index`; waits a little when another process holds tantivy's lock."""
        deadline = time.monotonic() + LOCK_WAIT_SECONDS
        while True:
            try:
                return index.writer(heap_size=heap, num_threads=threads)
            except ValueError as exc:
                if time.monotonic() > deadline:
                    raise EngineUnavailable(f"search index is locked: {exc}") from exc
                time.sleep(0.05)

    # --- writes -------------------------------------------------------------------------

    def index_documents(self, documents: Iterable[dict]) -> int:
        return self._write(documents, ())

    def delete_documents(self, ids: Iterable[int]) -> None:
        self._write((), ids)

    def _write(self, documents: Iterable[dict], ids: Iterable[int]) -> int:
        """Replace `documents` and delete `ids` in one commit, then let readers see it."""
        with self._lock:
            index = self._index()
            writer = self._writer(index)
            count = 0
            latest = {int(d["id"]): d for d in documents}  # one document per id
            gone = {int(i) for i in ids} | set(latest)
            try:
                if gone:
                    writer.delete_documents_by_query(_ids_query(gone))
                for document in latest.values():
                    writer.add_document(_to_tantivy(document))
                    count += 1
                writer.commit()
                writer.wait_merging_threads()
            except ValueError as exc:  # tantivy reports I/O failures as ValueError
                raise EngineUnavailable(f"search index write failed: {exc}") from exc
            index.reload()
            return count

    def rebuild(self, documents: Iterable[dict], progress: ProgressCallback | None = None) -> int:
        with self._lock:
            self.path.mkdir(parents=True, exist_ok=True)
            generation, index = self._new_generation()
            try:
                writer = self._writer(index, heap=REBUILD_HEAP, threads=2)
                count = 0
                for document in documents:
                    writer.add_document(_to_tantivy(document))
                    count += 1
                    if progress and count % 500 == 0:
                        progress(count)
                writer.commit()
                writer.wait_merging_threads()
            except BaseException:
                shutil.rmtree(self.path / generation, ignore_errors=True)
                raise
            self._switch_to(generation)
            if progress:
                progress(count)
            for stale in self.path.glob("gen-*"):
                if stale.name != generation:  # readers elsewhere reopen via CURRENT
                    shutil.rmtree(stale, ignore_errors=True)
            self._opened = None
            return count

    def clear(self) -> None:
        with self._lock:
            self._opened = None
            shutil.rmtree(self.path, ignore_errors=True)

    def refresh(self) -> None:
        self._index().reload()

    def ping(self) -> bool:
        try:
            self._index()
        except EngineUnavailable:
            return False
        return True

    # --- reads --------------------------------------------------------------------------

    def fingerprints(self) -> dict[int, str]:
        searcher = self._index().searcher()
        total = searcher.num_docs
        if not total:
            return {}
        result = searcher.search(tantivy.Query.all_query(), limit=total, count=False)
        fingerprints = {}
        for _score, address in result.hits:
            doc = searcher.doc(address)
            fingerprints[doc.get_first("id")] = doc.get_first(S.FINGERPRINT_FIELD) or ""
        return fingerprints

    def search(self, query: SearchQuery) -> SearchResults:
        return self._search_in_steps(query, self._run)

    def _run(self, query: SearchQuery, plan: QueryPlan | None, relaxed: bool) -> SearchResults:
        searcher = self._index().searcher()
        base, filter_queries = _matching(query, plan, relaxed)
        filters = dict(query.filters)  # normalised by SearchQuery: schema facets, non-empty
        full = _all_of(base + filter_queries)

        offset, stop = query.window
        limit = stop - offset
        sort = policy.effective_sort(query.sort, has_words=plan is not None)
        order = {
            "newest": (S.PUBLISHED_FIELD, tantivy.Order.Desc),
            "oldest": (S.PUBLISHED_FIELD, tantivy.Order.Asc),
            "title": (S.SORT_TITLE_FIELD, tantivy.Order.Asc),
        }.get(sort)
        if limit:
            if order:
                result = searcher.search(
                    full, limit=limit, offset=offset, order_by_field=order[0], order=order[1]
                )
            else:
                result = searcher.search(full, limit=limit, offset=offset)
            total, hit_list = result.count, result.hits
        else:
            total, hit_list = searcher.search(full, limit=1).count, []

        matcher = _Matcher(plan) if plan else None  # one per search: it memoises words
        hits = tuple(
            _hit(searcher.doc(address), score if not order else 0.0, matcher)
            for score, address in hit_list
        )
        facets = _facets(searcher, base, filters) if query.facets else {}
        return SearchResults(total=total, hits=hits, facets=facets)

    def pivot(self, query: SearchQuery, rows: str, columns: str) -> Pivot:
        """One aggregation: a terms aggregation of `columns` in each `rows` bucket, the
        `columns` totals beside it, and a count of the matching items."""
        row_facet, column_facet = pivot_facets(rows, columns)
        base, filter_queries = _matching(query, QueryPlan.parse(query.text), relaxed=False)
        column_terms = {"terms": {"field": columns, "size": column_facet.size}}
        aggs = {
            "rows": {
                "terms": {"field": rows, "size": row_facet.size},
                "aggs": {"columns": column_terms},
            },
            "columns": column_terms,
            "total": {"value_count": {"field": "id"}},
        }
        result = self._index().searcher().aggregate(_all_of(base + filter_queries), aggs)
        cells = {
            (row["key"], cell["key"]): cell["doc_count"]
            for row in result["rows"]["buckets"]
            for cell in row["columns"]["buckets"]
        }
        return Pivot(
            cells=cells,
            rows={b["key"]: b["doc_count"] for b in result["rows"]["buckets"]},
            columns={b["key"]: b["doc_count"] for b in result["columns"]["buckets"]},
            total=int(result["total"]["value"] or 0),
        )

    def term_candidates(self, words: tuple[str, ...]) -> dict[str, dict[str, int]]:
        searcher = self._index().searcher()
        candidates: dict[str, dict[str, int]] = {}
        for word in words:
            if any(searcher.doc_freq(field, word) for field in policy.SUGGEST_FIELDS):
                continue  # known: some item has it
            terms: dict[str, int] = {}
            for field in policy.SUGGEST_FIELDS:
                near = searcher.terms_with_prefix(field, word[: policy.SUGGEST_PREFIX])
                for term, count in _nearest_terms(word, near):
                    terms[term] = terms.get(term, 0) + count
            candidates[word] = terms
        return candidates

    def related(
        self, item_id: int, visibilities: tuple[str, ...], size: int = policy.RELATED_SIZE
    ) -> tuple[Hit, ...]:
        """tantivy's more-like-this on the item's stored text (its plain title, summary and
        body, and its stored codes), plus a bonus per shared topic, region and partner."""
        searcher = self._index().searcher()
        visible = tantivy.Query.term_set_query(SCHEMA, S.VISIBILITY_FIELD, list(visibilities))
        found = searcher.search(_all_of([_ids_query({item_id}), visible]), limit=1).hits
        if not found:
            return ()
        address = found[0][1]
        item = searcher.doc(address)
        like = [
            tantivy.Query.more_like_this_query(
                address,
                min_doc_frequency=policy.RELATED_MIN_DOC_FREQUENCY,
                min_term_frequency=1,
                max_query_terms=policy.RELATED_MAX_TERMS,
                stop_words=sorted(stop_words()),
            )
        ]
        for facet, weight in policy.RELATED_VOCABULARY_WEIGHTS.items():
            like += [
                tantivy.Query.boost_query(tantivy.Query.term_query(SCHEMA, facet, code), weight)
                for code in item.get_all(facet)
            ]
        query = tantivy.Query.boolean_query(
            [
                (tantivy.Occur.Must, _any_of(like)),
                (tantivy.Occur.Must, visible),
                (tantivy.Occur.MustNot, _ids_query({item_id})),
            ]
        )
        return tuple(
            _hit(searcher.doc(hit), score, None)
            for score, hit in searcher.search(query, limit=size).hits
        )


def _nearest_terms(word: str, terms: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """The `policy.SUGGEST_CANDIDATES` terms nearest `word` (fewest edits, then commonest),
    as the cluster's term suggester keeps its best few per field."""
    ranked = []
    for term, count in terms:
        distance = suggestions.edit_distance(word, term)
        if term != word and distance <= policy.SUGGEST_MAX_EDITS:
            ranked.append((distance, -count, term))
    return [(term, -count) for _d, count, term in sorted(ranked)[: policy.SUGGEST_CANDIDATES]]


def _has_every_field(index: tantivy.Index) -> bool:
    """Whether `index` has every field of SCHEMA's text layout (else queries would fail)."""
    schema = index.schema
    try:
        for text_field in S.TEXT_FIELDS:
            for lang in _variants(text_field):
                tantivy.Query.term_query(schema, _variant(text_field.name, lang), "x")
    except ValueError:
        return False
    return True


def _matching(
    query: SearchQuery, plan: QueryPlan | None, relaxed: bool
) -> tuple[list[tantivy.Query], list[tantivy.Query]]:
    """The query's words and visibility (what facets are counted within), and its
    selections (a query per facet), as a search and a pivot apply them."""
    base = [_plan_query(plan, relaxed)] if plan else [tantivy.Query.all_query()]
    base.append(tantivy.Query.term_set_query(SCHEMA, S.VISIBILITY_FIELD, list(query.visibilities)))
    selections = [
        tantivy.Query.term_set_query(SCHEMA, name, list(values))
        for name, values in query.filters.items()
    ]
    return base, selections


def _ids_query(ids: set[int]) -> tantivy.Query:
    # delete_documents_by_term silently matches nothing on unsigned fields; a query does
    return tantivy.Query.term_set_query(SCHEMA, "id", sorted(ids))


def _all_of(queries: list[tantivy.Query]) -> tantivy.Query:
    if len(queries) == 1:
        return queries[0]
    return tantivy.Query.boolean_query([(tantivy.Occur.Must, q) for q in queries])


def _any_of(queries: list[tantivy.Query]) -> tantivy.Query:
    if len(queries) == 1:
        return queries[0]
    return tantivy.Query.boolean_query([(tantivy.Occur.Should, q) for q in queries])


def _to_tantivy(document: dict) -> tantivy.Document:
    doc = tantivy.Document()
    doc.add_unsigned("id", int(document["id"]))
    for text_field in S.TEXT_FIELDS:
        value = document.get(text_field.name) or ""
        for lang in _variants(text_field):
            doc.add_text(_variant(text_field.name, lang), value)
    for name in KEYWORD_FIELDS:
        values = document.get(name) or []
        for value in [values] if isinstance(values, str) else values:
            doc.add_text(name, str(value))
    doc.add_text(S.PUBLISHED_FIELD, document.get(S.PUBLISHED_FIELD) or "")
    doc.add_text("url", document.get("url") or "")
    return doc


def _quoted(value: str) -> str:
    """A value as a quoted term for tantivy's filter syntax (codes only, never user text)."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _filter_string(filters: dict[str, tuple[str, ...]]) -> str:
    return " AND ".join(
        "(" + " OR ".join(f"{name}:{_quoted(v)}" for v in values) + ")"
        for name, values in filters.items()
    )


ALL_SELECTIONS = "_all_selections"  # aggregation name; no facet is called that


def _facets(
    searcher: tantivy.Searcher, base: list[tantivy.Query], filters: dict[str, tuple[str, ...]]
) -> dict[str, tuple[FacetValue, ...]]:
    """Disjunctive counts in one aggregation: each facet filtered by the others' selections.

    A selected facet gets a filter of its own (the other selections); the facets nobody
    selected all share one filter (every selection), so it is tested once per document
    instead of once per facet."""
    terms = {f.name: {"terms": {"field": f.name, "size": f.size}} for f in S.FACETS}
    aggs = {}
    for name in filters:
        others = {other: values for other, values in filters.items() if other != name}
        aggs[name] = (
            {"filter": _filter_string(others), "aggs": {"values": terms[name]}}
            if others
            else terms[name]
        )
    unselected = {name: agg for name, agg in terms.items() if name not in filters}
    if filters and unselected:
        aggs[ALL_SELECTIONS] = {"filter": _filter_string(filters), "aggs": unselected}
    else:
        aggs.update(unselected)
    result = searcher.aggregate(_all_of(base), aggs)
    grouped = result.get(ALL_SELECTIONS, result)
    facets = {}
    for facet in S.FACETS:
        bucket = (result if facet.name in filters else grouped).get(facet.name, {})
        bucket = bucket.get("values", bucket)
        counts = {b["key"]: b["doc_count"] for b in bucket.get("buckets", [])}
        facets[facet.name] = facet_values(facet, counts, filters.get(facet.name, ()))
    return facets


def _hit(doc: tantivy.Document, score: float, matcher: _Matcher | None) -> Hit:
    def first(name: str) -> str:
        return doc.get_first(name) or ""

    published = first(S.PUBLISHED_FIELD)
    return Hit(
        id=doc.get_first("id"),
        title=first("title"),
        url=first("url"),
        type=first("type"),
        published=date.fromisoformat(published) if published else None,
        regions=tuple(doc.get_all("region")),
        topics=tuple(doc.get_all("topic")),
        partners=tuple(doc.get_all("partner")),
        snippet=_snippet(doc, matcher),
        summary=first("summary"),
        score=float(score),
        countries=tuple(doc.get_all("country")),
        language=first("language"),
    )


# --- query text -------------------------------------------------------------------------


def _plan_query(plan: QueryPlan, relaxed: bool) -> tantivy.Query:
    """Required clauses (all, or `plan.minimum(relaxed)` of them) and optional ones that
    only add to the score."""
    required = [_clause(c) for c in plan.required]
    optional = [(tantivy.Occur.Should, _clause(c)) for c in plan.optional]
    minimum = plan.minimum(relaxed)
    if minimum == len(required):
        must = [(tantivy.Occur.Must, q) for q in required]
    else:
        some = [(tantivy.Occur.Should, q) for q in required]
        must = [(tantivy.Occur.Must, tantivy.Query.boolean_query(some, minimum))]
    if len(must) == 1 and not optional:
        return must[0][1]
    return tantivy.Query.boolean_query(must + optional)


def _clause(clause: Clause) -> tantivy.Query:
    """The words typed, or (weighted less) the best-matching of their translations."""
    tokens = _indexed(clause.tokens)
    if not tokens:
        return tantivy.Query.empty_query()
    own = _phrase(tokens) if clause.phrase else _word(tokens[0])
    translations = [_translation(t) for t in clause.translations if _indexed(t)]
    if not translations:
        return own
    best = tantivy.Query.disjunction_max_query(translations)
    return _any_of([own, tantivy.Query.boost_query(best, policy.TRANSLATION_WEIGHT)])


def _indexed(tokens: tuple[str, ...]) -> list[str]:
    """Folded words as the plain analyzer indexes them (it also drops over-long ones)."""
    return [t for token in tokens for t in ANALYZERS[PLAIN].analyze(token)]


def _word(word: str) -> tantivy.Query:
    """The word exactly or stemmed in any field, or (from five letters) with one typo."""
    options = []
    for text_field in S.TEXT_FIELDS:
        for lang in _variants(text_field):
            token = word if lang == PLAIN else _stem(word, lang)
            weight = text_field.boost * (1.0 if lang == PLAIN else policy.STEM_WEIGHT)
            term = tantivy.Query.term_query(SCHEMA, _variant(text_field.name, lang), token)
            options.append(tantivy.Query.boost_query(term, weight))
        if len(word) >= policy.FUZZY_MIN_LENGTH:
            fuzzy = tantivy.Query.fuzzy_term_query(SCHEMA, text_field.name, word, distance=1)
            weight = text_field.boost * policy.FUZZY_WEIGHT
            options.append(tantivy.Query.boost_query(fuzzy, weight))
    return _any_of(options)


def _phrase(tokens: list[str]) -> tantivy.Query:
    """The words next to each other, plain or stemmed, in any field."""
    return _any_of(
        [_phrase_in(tokens, f, lang, f.boost) for f in S.TEXT_FIELDS for lang in _variants(f)]
    )


def _translation(tokens: tuple[str, ...]) -> tantivy.Query:
    """A glossary name as a phrase: stemmed in the stemmed fields (which covers its other
    forms), as it is in the plain ones (names and tags)."""
    words = _indexed(tokens)
    options = []
    for text_field in S.TEXT_FIELDS:
        if text_field.analysis is S.Analysis.STEMMED:
            weight = text_field.boost * policy.STEM_WEIGHT
            options += [_phrase_in(words, text_field, lang, weight) for lang in STEMMERS]
        else:
            options.append(_phrase_in(words, text_field, PLAIN, text_field.boost))
    return _any_of(options)


def _phrase_in(tokens: list[str], text_field: S.TextField, lang: str, weight: float):
    words = tokens if lang == PLAIN else [_stem(t, lang) for t in tokens]
    field = _variant(text_field.name, lang)
    if len(words) == 1:
        query = tantivy.Query.term_query(SCHEMA, field, words[0])
    else:
        query = tantivy.Query.phrase_query(SCHEMA, field, words)
    return tantivy.Query.boost_query(query, weight)


def _stem(token: str, lang: str) -> str:
    stemmed = ANALYZERS[lang].analyze(token)
    return stemmed[0] if stemmed else token


# The stemmer alone, for a token the plain analyzer already produced: exactly what the
# stemmed analyzer makes of that token in place (no second split, fold or length filter).
_TOKEN_STEMMERS = {
    lang: tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.raw())
    .filter(tantivy.Filter.stemmer(stemmer))
    .build()
    for lang, stemmer in STEMMERS.items()
}


def _stem_token(token: str, lang: str) -> str:
    return _TOKEN_STEMMERS[lang].analyze(token)[0]


# --- snippets ---------------------------------------------------------------------------


def _within_one_edit(a: str, b: str) -> bool:
    """Damerau-Levenshtein distance <= 1 (the fuzzy query's tolerance)."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    i = 0
    while i < min(la, lb) and a[i] == b[i]:
        i += 1
    if la == lb:
        return a[i + 1 :] == b[i + 1 :] or (
            i + 1 < la and a[i] == b[i + 1] and a[i + 1] == b[i] and a[i + 2 :] == b[i + 2 :]
        )
    return a[i + 1 :] == b[i:] if la > lb else a[i:] == b[i + 1 :]


class _Matcher:
    """Finds the character ranges of a text that the query matched.

    One matcher serves every hit of a search: a text is tokenized once (plain analyzer) and
    each distinct word is judged once - plain, stemmed (English, French, Spanish), a
    translation's or one typo away -
    so the cost follows the vocabulary of the hits, not their length times the checks."""

    def __init__(self, plan: QueryPlan):
        clauses = plan.required  # stop words are not marked
        words = {t for c in clauses for t in _indexed(c.tokens)}
        words |= {t for c in clauses for name in c.translations for t in _indexed(name)}
        self.plain = words
        self.stems = {lang: {_stem(w, lang) for w in words} for lang in STEMMERS}
        self.fuzzy = [
            c.word for c in clauses if not c.phrase and len(c.word) >= policy.FUZZY_MIN_LENGTH
        ]
        self._verdicts: dict[str, bool] = {}

    def _judge(self, word: str) -> bool:
        return (
            word in self.plain
            or any(_stem_token(word, lang) in self.stems[lang] for lang in STEMMERS)
            or any(_within_one_edit(word, f) for f in self.fuzzy)
        )

    def ranges(self, text: str) -> list[tuple[int, int]]:
        verdicts, judge, found = self._verdicts, self._judge, []
        for token in ANALYZERS[PLAIN].pre_tokenize(text).tokens:
            word = token.text
            verdict = verdicts.get(word)
            if verdict is None:
                verdict = verdicts[word] = judge(word)
            if verdict:
                found.append((token.char_offset_from, token.char_offset_to))
        return found


def _snippet(doc: tantivy.Document, matcher: _Matcher | None) -> str:
    """A short HTML-escaped passage with <mark> around the matched words, nothing else."""
    texts = {f.name: doc.get_first(f.name) or "" for f in S.TEXT_FIELDS if f.highlight}
    if matcher:
        for name in policy.SNIPPET_SOURCES:
            ranges = matcher.ranges(texts[name]) if texts[name] else []
            if ranges:
                return _render(texts[name], ranges)
    return _render(texts["summary"] or texts["body"], [])


def _render(text: str, ranges: list[tuple[int, int]]) -> str:
    start = 0
    if ranges:
        # the window holding most matches, opened a little before its first match
        best, best_count = ranges[0][0], 0
        for i, (begin, _end) in enumerate(ranges):
            count = sum(1 for b, _ in ranges[i:] if b < begin + policy.SNIPPET_CHARS)
            if count > best_count:
                best, best_count = begin, count
        start = max(0, best - 40)
        if start:
            space = text.find(" ", start)
            start = space + 1 if 0 <= space < best else start
    end = min(len(text), start + policy.SNIPPET_CHARS)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start else end
    parts, cursor = [], start
    for begin, finish in ranges:
        if begin < cursor or finish > end:
            continue
        parts.append(html.escape(text[cursor:begin]))
        parts.append(f"<mark>{html.escape(text[begin:finish])}</mark>")
        cursor = finish
    parts.append(html.escape(text[cursor:end]))
    prefix = "… " if start else ""
    suffix = " …" if end < len(text) else ""
    return prefix + "".join(parts).strip() + suffix
