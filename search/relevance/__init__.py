"""Search quality, measured: a judged query set over the demo corpus (judgements.toml), the
metrics (nDCG@10, recall@10) and a run of the set through the site's own search path.

Used by bench/relevance.py (both engines side by side) and tests/search/test_relevance.py (the
CI floor under the embedded engine, from baseline.json).
"""

from pathlib import Path

# The embedded engine's recorded figures: the floor of the CI test (bench/relevance.py writes it).
BASELINE = Path(__file__).with_name("baseline.json")
