"""The cluster index, declared once with elasticsearch-dsl and derived from search/schema.py.

Stemmed text fields are indexed four ways, like the embedded engine: the field itself
(lower-cased, ASCII-folded words: exact, typo-tolerant and phrase matches) and `.en` / `.fr`
/ `.es` sub-fields stemmed for English, French and Spanish (search.languages), so
"procedures" finds "procedure", "contrôles" finds "controle" and "aduanas" finds "aduana".
Facets and the bookkeeping fields are keywords; the mapping is strict so a document that
drifts from the schema fails loudly at indexing time.
"""

from __future__ import annotations

from datetime import UTC, datetime

from elasticsearch_dsl import (
    Date,
    Document,
    Index,
    Keyword,
    Long,
    MetaField,
    Text,
    analyzer,
    token_filter,
    tokenizer,
)

from search import policy, schema
from search.languages import STEMMERS

STEMMED_SUBFIELDS = tuple(STEMMERS)

# Words are runs of letters and digits (as in the embedded engine), lower-cased, ASCII-folded,
# then stemmed with the same Snowball stemmers ("porter2" is Snowball English).
words = tokenizer("words", "pattern", pattern="[^\\p{L}\\p{N}]+")
folded = analyzer("folded", tokenizer=words, filter=["lowercase", "asciifolding"])
SNOWBALL_NAMES = {"english": "porter2"}  # the server's name where it differs from Snowball's
STEMMED_ANALYZERS = {
    lang: analyzer(
        f"{name}_folded",
        tokenizer=words,
        filter=[
            "lowercase",
            "asciifolding",
            token_filter(f"{name}_snowball", "stemmer", language=SNOWBALL_NAMES.get(name, name)),
        ],
    )
    for lang, name in STEMMERS.items()
}


def _text(field: schema.TextField) -> Text:
    # Highlighted fields keep each word's offsets in the index, so the highlighter reads
    # them instead of analysing the stored text of every hit again.
    options = {"index_options": "offsets"} if field.highlight else {}
    if field.analysis is schema.Analysis.STEMMED:
        return Text(
            analyzer=folded,
            fields={
                lang: Text(analyzer=STEMMED_ANALYZERS[lang], **options)
                for lang in STEMMED_SUBFIELDS
            },
            **options,
        )
    return Text(analyzer=folded, **options)


def _document_class() -> type[Document]:
    fields: dict[str, object] = {f.name: _text(f) for f in schema.TEXT_FIELDS}
    fields |= {facet.name: Keyword(multi=True) for facet in schema.FACETS}
    fields |= {
        "id": Long(),
        "url": Keyword(index=False),
        schema.VISIBILITY_FIELD: Keyword(),
        schema.FINGERPRINT_FIELD: Keyword(),
        schema.SORT_TITLE_FIELD: Keyword(),
        schema.PUBLISHED_FIELD: Date(format="yyyy-MM-dd"),
    }
    meta = type("Meta", (), {"dynamic": MetaField("strict")})
    return type("KnowledgeDocument", (Document,), {**fields, "Meta": meta})


KnowledgeDocument = _document_class()


def searched_fields(*, stemmed: bool = True, plain: bool = True) -> list[str]:
    """`field^boost` for every text field and, when `stemmed`, its stemmed sub-fields
    (a stem match weighs `policy.STEM_WEIGHT` of an exact one). Without `plain`, a stemmed
    field is searched through its sub-fields only (glossary translations)."""
    names = []
    for field in schema.TEXT_FIELDS:
        is_stemmed = field.analysis is schema.Analysis.STEMMED
        if plain or not is_stemmed:
            names.append(f"{field.name}^{field.boost:g}")
        if stemmed and is_stemmed:
            boost = field.boost * policy.STEM_WEIGHT
            names += [f"{field.name}.{sub}^{boost:g}" for sub in STEMMED_SUBFIELDS]
    return names


def alias_name(prefix: str) -> str:
    """The stable name searches and updates use; it points at one concrete index."""
    return f"{prefix}-knowledge"


def new_index_name(prefix: str) -> str:
    """A fresh concrete index `{prefix}-knowledge-{timestamp}` for a (re)build."""
    return f"{alias_name(prefix)}-{datetime.now(UTC):%Y%m%d%H%M%S%f}"


def index_pattern(prefix: str) -> str:
    return f"{alias_name(prefix)}-*"


# A rebuild fills an index nobody searches yet: no periodic refresh (each makes a small
# segment to merge later) and no replica (copied once at the end instead of indexing twice).
BULK_LOAD_SETTINGS = {"refresh_interval": "-1", "auto_expand_replicas": "false"}
# ... and restores the serving settings before its index receives the alias.
SERVING_SETTINGS = {"refresh_interval": None, "auto_expand_replicas": "0-1"}


def index_definition(name: str, *, bulk_load: bool = False) -> Index:
    """Settings, analyzers and mapping of a concrete knowledge index; `bulk_load` for one a
    rebuild fills (see BULK_LOAD_SETTINGS)."""
    index = Index(name)
    index.settings(
        number_of_shards=1,  # a small corpus: one shard keeps scores comparable
        auto_expand_replicas="0-1",  # green on one node, a replica when there are two
        max_result_window=schema.MAX_RESULT_WINDOW,
    )
    if bulk_load:
        index.settings(**BULK_LOAD_SETTINGS, number_of_replicas=0)
    index.document(KnowledgeDocument)
    return index
