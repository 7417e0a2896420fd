"""The embedded (tantivy) engine against the shared conformance suite."""

import pytest

from search.engines.embedded import EmbeddedEngine

from .conformance import (
    LanguageConformance,
    PipelineConformance,
    PivotConformance,
    QueryConformance,
    RelatedConformance,
)


@pytest.fixture(scope="class")
def engine(tmp_path_factory):
    return EmbeddedEngine(tmp_path_factory.mktemp("embedded-index"))


class TestEmbeddedQueries(QueryConformance):
    pass


class TestEmbeddedPipeline(PipelineConformance):
    pass


class TestEmbeddedLanguages(LanguageConformance):
    pass


class TestEmbeddedRelated(RelatedConformance):
    pass


class TestEmbeddedPivot(PivotConformance):
    pass
