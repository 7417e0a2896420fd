"""Search test fixtures: a fresh embedded index per test, installed as the configured engine."""

import pytest

import search.engines
from search.engines.embedded import EmbeddedEngine


@pytest.fixture
def embedded_engine(tmp_path, monkeypatch):
    engine = EmbeddedEngine(tmp_path / "index")
    engine.ensure_index()  # as `reindex` would: engines never create one on their own
    monkeypatch.setattr(search.engines, "get_engine", lambda: engine)
    return engine
