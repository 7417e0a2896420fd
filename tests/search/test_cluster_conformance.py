"""The cluster engines against the shared conformance suite, on live servers.

OpenSearch: the node from tests/live_node.py (OPENSEARCH_URL, or bin/search-node started
for the session). Elasticsearch: only where ELASTICSEARCH_URL names a real server (the
Elasticsearch client refuses OpenSearch); its requests are covered by
test_cluster_requests.py everywhere.
"""

from __future__ import annotations

import os
import uuid

import pytest

from search.engines.cluster import ElasticsearchEngine, OpenSearchEngine
from search.engines.transports import ClusterSettings
from tests import live_node

from .conformance import (
    LanguageConformance,
    PipelineConformance,
    PivotConformance,
    QueryConformance,
    RelatedConformance,
)


@pytest.fixture(scope="session")
def opensearch_url() -> str:
    return live_node.url_or_skip()


def test_prefix() -> str:
    """An index prefix of this run's own, so runs and classes never share indexes."""
    return f"test-{os.getpid()}-{uuid.uuid4().hex[:8]}"


test_prefix.__test__ = False


@pytest.fixture(scope="class")
def engine(opensearch_url):
    engine = OpenSearchEngine.connect(ClusterSettings(opensearch_url), test_prefix())
    yield engine
    engine.clear()


class TestOpenSearchQueries(QueryConformance):
    pass


class TestOpenSearchPipeline(PipelineConformance):
    pass


class TestOpenSearchLanguages(LanguageConformance):
    pass


class TestOpenSearchRelated(RelatedConformance):
    pass


class TestOpenSearchPivot(PivotConformance):
    pass


@pytest.fixture(scope="class")
def elasticsearch_engine():
    url = os.environ.get("ELASTICSEARCH_URL")
    if not url:
        pytest.skip("ELASTICSEARCH_URL not set: the Elasticsearch engine is covered offline")
    cluster = ClusterSettings(
        url=url,
        username=os.environ.get("ELASTICSEARCH_USERNAME", ""),
        password=os.environ.get("ELASTICSEARCH_PASSWORD", ""),
        api_key=os.environ.get("ELASTICSEARCH_API_KEY", ""),
    )
    engine = ElasticsearchEngine.connect(cluster, test_prefix())
    yield engine
    engine.clear()


class TestElasticsearchQueries(QueryConformance):
    @pytest.fixture(scope="class")
    def engine(self, elasticsearch_engine):
        return elasticsearch_engine


class TestElasticsearchPipeline(PipelineConformance):
    @pytest.fixture(scope="class")
    def engine(self, elasticsearch_engine):
        return elasticsearch_engine


class TestElasticsearchLanguages(LanguageConformance):
    @pytest.fixture(scope="class")
    def engine(self, elasticsearch_engine):
        return elasticsearch_engine


class TestElasticsearchRelated(RelatedConformance):
    @pytest.fixture(scope="class")
    def engine(self, elasticsearch_engine):
        return elasticsearch_engine


class TestElasticsearchPivot(PivotConformance):
    @pytest.fixture(scope="class")
    def engine(self, elasticsearch_engine):
        return elasticsearch_engine
