#!/usr/bin/env python
"""Relevance benchmark: the judged query set (search/relevance/judgements.toml) on each engine.

    .venv/bin/python bench/relevance.py [--engines embedded,opensearch] [--json FILE]
        [--record-baseline]

Builds a throwaway SQLite database and index folder (environment set before Django starts),
migrates, runs `load_demo_content`, then for each engine runs `reindex` and every judged query
as an anonymous visitor does on the search page (search.relevance.measure). OpenSearch runs on
a node this script starts with bin/search-node (tests/live_node.py's starter, a free port) and
stops at the end, also on error; `--node-url` uses a running node instead.

Prints nDCG@10 and recall@10 overall, per query language and on the cross-language queries,
for each engine side by side with their difference, the issue's targets, and the 10 worst
queries per engine. `--record-baseline` writes the embedded engine's figures to
search/relevance/baseline.json, the floor of tests/search/test_relevance.py. Progress goes to
stderr, the tables to stdout.
"""

from __future__ import annotations

import argparse
import datetime
import io
import json
import os
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from search_bench import engine_for, log, machine, step, using_engine  # noqa: E402

from search.relevance import BASELINE  # noqa: E402
from tests import live_node  # noqa: E402

ENGINES = ("embedded", "opensearch")
TARGET_NDCG = 0.85
TARGET_CROSS_NDCG = 0.80
TARGET_ENGINE_GAP = 0.03
WORST = 10


def prepare(work: Path, node_url: str | None) -> None:
    """Point Django at the throwaway database and index, then start it."""
    os.environ.update(
        DJANGO_SETTINGS_MODULE="cms.settings.bench",
        DATABASE_URL=f"sqlite:///{work / 'db.sqlite3'}",
        SEARCH_INDEX_PATH=str(work / "index"),
        INTEGRITY_VAR_DIR=str(work / "var"),
        SEARCH_INDEX_PREFIX=f"relevance{os.getpid()}",
    )
    if node_url:
        os.environ["OPENSEARCH_URL"] = node_url
    import django

    django.setup()


def measure_engines(engines: list[str]) -> dict:
    """Load the demo content once, then index it on each engine and measure the judged set."""
    from django.core.management import call_command

    from search.relevance.measure import measure

    quiet = {"stdout": io.StringIO(), "verbosity": 0}
    with step("migrate"):
        call_command("migrate", interactive=False, **quiet)
    with step("load_demo_content"):
        call_command("load_demo_content", stdout=io.StringIO())
    reports = {}
    for name in engines:
        engine = engine_for(name)
        with using_engine(name):
            with step(f"reindex ({name})"):
                call_command("reindex", no_progress=True, stdout=io.StringIO())
                engine.refresh()
            with step(f"judged queries ({name})"):
                reports[name] = measure()
            engine.clear()
    return reports


def figures(report) -> dict:
    return {
        "groups": {
            name: {"queries": s.queries, "ndcg": s.ndcg, "recall": s.recall}
            for name, s in report.groups().items()
        },
        "queries": [
            {
                "text": s.query.text,
                "language": s.query.language,
                "cross_language": s.query.cross_language,
                "ndcg": s.ndcg,
                "recall": s.recall,
                "top": list(s.ranking),
            }
            for s in report.scores
        ],
    }


def tables(results: dict[str, dict]) -> str:
    engines = list(results)
    groups = results[engines[0]]["groups"]
    pair = len(engines) == 2
    header = f"{'nDCG@10 / recall@10':<24}{'queries':>8}" + "".join(f"{e:>20}" for e in engines)
    lines = [header + (f"{'difference':>20}" if pair else "")]
    for group, first in groups.items():
        cells = [results[e]["groups"][group] for e in engines]
        row = f"{group:<24}{first['queries']:>8}" + "".join(
            f"{c['ndcg']:>12.3f} / {c['recall']:.2f}" for c in cells
        )
        if pair:
            row += (
                f"{cells[0]['ndcg'] - cells[1]['ndcg']:>+12.3f} / "
                f"{cells[0]['recall'] - cells[1]['recall']:+.2f}"
            )
        lines.append(row)
    if pair:
        lines.append(f"(difference = {engines[0]} - {engines[1]})")
    return "\n".join(lines)


def targets(results: dict[str, dict]) -> list[str]:
    lines = []
    for name, result in results.items():
        overall = result["groups"]["overall"]["ndcg"]
        cross = result["groups"]["cross-language"]["ndcg"]
        lines.append(
            _check(overall >= TARGET_NDCG, f"{name} nDCG@10 {overall:.3f} >= {TARGET_NDCG}")
        )
        lines.append(
            _check(
                cross >= TARGET_CROSS_NDCG,
                f"{name} cross-language nDCG@10 {cross:.3f} >= {TARGET_CROSS_NDCG}",
            )
        )
    if len(results) == 2:
        a, b = (r["groups"]["overall"]["ndcg"] for r in results.values())
        lines.append(
            _check(
                abs(a - b) <= TARGET_ENGINE_GAP,
                f"engines within {TARGET_ENGINE_GAP}: {abs(a - b):.3f} apart",
            )
        )
    return lines


def _check(ok: bool, text: str) -> str:
    return f"{'PASS' if ok else 'FAIL'}  {text}"


def worst(name: str, result: dict) -> str:
    ranked = sorted(result["queries"], key=lambda q: (q["ndcg"], q["recall"], q["text"]))
    zero = [q for q in ranked if q["ndcg"] == 0]
    lines = [
        f"{WORST} worst queries ({name}; {len(zero)} at nDCG 0, "
        f"{sum(not q['top'] for q in zero)} of them without any result): "
        "nDCG@10  recall@10  query  -> first hits"
    ]
    for q in ranked[:WORST]:
        cross = " (cross)" if q["cross_language"] else ""
        top = ", ".join(q["top"][:3]) or "no results"
        lines.append(
            f"  {q['ndcg']:.3f}  {q['recall']:.2f}  {q['language']}: {q['text']!r}{cross} -> {top}"
        )
    return "\n".join(lines)


def record_baseline(result: dict, command: str) -> None:
    overall = result["groups"]["overall"]
    baseline = {
        "engine": "embedded",
        "ndcg_at_10": round(overall["ndcg"], 4),
        "recall_at_10": round(overall["recall"], 4),
        "queries": overall["queries"],
        "cross_language_ndcg_at_10": round(result["groups"]["cross-language"]["ndcg"], 4),
        "measured": datetime.date.today().isoformat(),
        "command": command,
    }
    BASELINE.write_text(json.dumps(baseline, indent=2) + "\n")
    log(f"baseline written to {BASELINE.relative_to(ROOT)}")


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--engines",
        type=lambda s: [e for e in s.split(",") if e],
        default=list(ENGINES),
        help="comma-separated: embedded,opensearch",
    )
    parser.add_argument("--node-url", help="use this OpenSearch node instead of starting one")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument(
        "--record-baseline",
        action="store_true",
        help=f"write the embedded figures to {BASELINE.relative_to(ROOT)} (the CI floor)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args(argv)
    unknown = set(args.engines) - set(ENGINES)
    if unknown or not args.engines:
        parser.error(f"choose engines from {', '.join(ENGINES)}")
    if args.record_baseline and "embedded" not in args.engines:
        parser.error("--record-baseline needs the embedded engine")
    return args


def main() -> None:
    args = parse()

    def stop(signum, _frame):
        raise SystemExit(128 + signum)  # unwinds through `finally`: the node is stopped

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    command = "bench/relevance.py " + " ".join(sys.argv[1:])
    work = Path(tempfile.mkdtemp(prefix="integrity-relevance-"))
    node, node_url = None, args.node_url
    try:
        if "opensearch" in args.engines and not node_url:
            log("starting bin/search-node ...")
            started = time.monotonic()
            node, node_url = live_node.start_node(live_node.free_port())
            log(f"search node ready at {node_url} in {time.monotonic() - started:.0f} s")
        prepare(work, node_url if "opensearch" in args.engines else None)
        info = machine(node_url if "opensearch" in args.engines else None)
        results = {name: figures(r) for name, r in measure_engines(args.engines).items()}
        today = datetime.date.today().isoformat()
        print(f"{today}; machine: " + ", ".join(f"{k} {v}" for k, v in info.items()))
        print(f"command: {command}\n")
        print(tables(results) + "\n")
        print("\n".join(targets(results)) + "\n")
        for name, result in results.items():
            print(worst(name, result) + "\n")
        if args.json:
            args.json.write_text(
                json.dumps({"date": today, "machine": info, "engines": results}, indent=2)
            )
        if args.record_baseline:
            record_baseline(results["embedded"], command)
    finally:
        if node is not None:
            live_node.stop_node(node)
            log("search node stopped")
        if args.keep:
            log(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
