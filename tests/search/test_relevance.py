"""Relevance does not regress: the judged set's nDCG@10 on the embedded engine stays within
0.02 of the figure recorded in search/relevance/baseline.json (bench/relevance.py
--record-baseline writes it)."""

import io
import json

import pytest
from django.core.management import call_command

from search.relevance import BASELINE, measure

TOLERANCE = 0.02

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_index(empty_index):
    call_command("load_demo_content", stdout=io.StringIO())
    call_command("reindex", no_progress=True, stdout=io.StringIO())
    return empty_index


def test_embedded_ndcg_stays_at_the_recorded_baseline(demo_index):
    baseline = json.loads(BASELINE.read_text())
    assert baseline["engine"] == demo_index.name == "embedded"
    report = measure.measure()
    overall = report.summary()
    assert overall.queries == baseline["queries"]
    worst = "; ".join(f"{s.query.key} {s.ndcg:.2f}" for s in report.worst(5))
    assert overall.ndcg >= baseline["ndcg_at_10"] - TOLERANCE, (
        f"nDCG@10 {overall.ndcg:.3f} < baseline {baseline['ndcg_at_10']} - {TOLERANCE}; "
        f"worst: {worst}"
    )
