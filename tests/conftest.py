"""Shared fixtures: vocabularies and the community page tree, built explicitly per test."""

import pytest

from knowledge.site_tree import ensure_site_tree
from knowledge.vocabulary_loader import load_vocabularies


@pytest.fixture
def vocabularies(db):
    load_vocabularies()


@pytest.fixture
def site_tree(vocabularies):
    """Home, six regional communities, partner-studies area and one profile per partner."""
    return ensure_site_tree()
