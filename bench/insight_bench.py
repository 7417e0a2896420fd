#!/usr/bin/env python
"""Insight pages benchmark: the coverage matrix and the topic hub at 100,000 items on the
embedded (tantivy) engine, each beside the alternative a developer would write.

    .venv/bin/python bench/insight_bench.py [--size 100000] [--repeat 30]
        [--alternative-repeat 5] [--json FILE] [--keep]

In a throwaway SQLite database and index folder (environment set before Django starts):
migrate, load_vocabularies, the site tree, `generate_corpus --count N --seed 42`, `reindex`.
Then each case in `CASES` times its measures - median, p95 and CPU median in ms of
`--repeat` runs after a few untimed ones - and prints them beside the alternative, as a ratio:

  coverage: the pivot (ONE engine request, region x topic) against one search per cell
            (the loop a developer would write: regions x topics searches, each counting
            every facet), and the whole /coverage/ view through the test client;
  topic hub: the /topics/<code>/ view (one engine search) for the topic with most items;
  engagement map: the partner x region pivot, and /partners/map/ (whole and filtered) and its
            CSV as a superuser sees them, over a seeded register of 300 engagements.

A case is a function `(Context) -> list[Measure]` in `CASES`.
The issue's target: every page view under 100 ms median at 100,000 items. Progress goes to
stderr, the table to stdout.
"""

from __future__ import annotations

import argparse
import io
import json
import math
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = 42
WARMUP = 3
TARGET_MS = 100.0


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def timed(run: Callable[[], object], repeat: int, warmup: int = WARMUP) -> dict:
    """Median and p95 wall-clock ms and median CPU ms of `repeat` calls after `warmup`."""
    for _ in range(warmup):
        run()
    times, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        run()
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return {
        "median": statistics.median(times),
        "p95": percentile(times, 0.95),
        "cpu_median": statistics.median(cpu),
        "runs": repeat,
    }


@dataclass
class Context:
    """What every case may use: the engine, a test client, the repeat counts."""

    engine: object
    client: object
    repeat: int
    alternative_repeat: int


@dataclass
class Measure:
    label: str
    figures: dict
    alternative: str = ""  # what the alternative does, when there is one
    alternative_figures: dict = field(default_factory=dict)
    page_view: bool = False  # held to the page target (TARGET_MS)


def view(client, url: str) -> Callable[[], None]:
    def run() -> None:
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")

    return run


def coverage_case(ctx: Context) -> list[Measure]:
    from knowledge import registry
    from search.engines.base import SearchQuery

    query = SearchQuery(visibilities=("public",))
    regions = list(registry.vocabulary("regions").labels())
    topics = list(registry.vocabulary("topics").labels())

    def pivot() -> dict:
        return ctx.engine.pivot(query, "region", "topic").cells

    def per_cell() -> dict:
        cells = {}
        for region in regions:
            for topic in topics:
                cell = SearchQuery(filters={"region": (region,), "topic": (topic,)}, page_size=1)
                cells[(region, topic)] = ctx.engine.search(cell).total
        return cells

    # the two must agree before either is timed
    by_cell = per_cell()
    assert {k: v for k, v in by_cell.items() if v} == pivot(), "pivot and searches disagree"
    counted = ctx.engine.pivot(query, "region", "topic")
    log(f"  coverage: {len(regions)} x {len(topics)} cells, {counted.total:,} items")
    return [
        Measure(
            "coverage pivot (1 request)",
            timed(pivot, ctx.repeat),
            f"{len(regions) * len(topics)} searches, one per cell",
            timed(per_cell, ctx.alternative_repeat, warmup=1),
        ),
        Measure(
            "/coverage/ view", timed(view(ctx.client, "/coverage/"), ctx.repeat), page_view=True
        ),
    ]


def topic_hub_case(ctx: Context) -> list[Measure]:
    from search.engines.base import SearchQuery

    facets = ctx.engine.search(SearchQuery(page_size=1)).facets["topic"]
    busiest = facets[0].value
    log(f"  topic hub: {busiest} ({facets[0].count:,} items)")
    url = f"/topics/{busiest}/"
    return [Measure(f"{url} view", timed(view(ctx.client, url), ctx.repeat), page_view=True)]


BENCH_ENGAGEMENTS = 300  # the demo register holds 23; a busy one a few hundred


def add_engagements(count: int) -> int:
    """A seeded register of `count` engagements over every partner, region and topic."""
    import datetime
    import random

    from knowledge.vocabularies import PartnerOrganisation, Region, Topic
    from partnerships.models import Engagement

    rng = random.Random(SEED)
    partners = list(PartnerOrganisation.objects.all())
    regions, topics = list(Region.objects.all()), list(Topic.objects.all())
    assessments = [*Engagement.Assessment.values, ""]
    for i in range(count):
        start = datetime.date(rng.randint(2010, 2025), rng.randint(1, 12), 1)
        assessment = rng.choice(assessments)
        engagement = Engagement.objects.create(
            title=f"Bench engagement {i}",
            partner=rng.choice(partners),
            kind=rng.choice(Engagement.Kind.values),
            start_date=start,
            end_date=start + datetime.timedelta(days=rng.randint(90, 1500)),
            purpose="Bench.",
            expected_outcomes="Bench.",
            status=Engagement.Status.COMPLETED,
            assessment=assessment,
            assessment_justification="Bench." if assessment else "",
        )
        engagement.regions.set(rng.sample(regions, rng.randint(1, 3)))
        engagement.topics.set(rng.sample(topics, rng.randint(1, 3)))
    return count


def engagement_map_case(ctx: Context) -> list[Measure]:
    """The partner engagement map as a superuser sees it (member-only items counted), whole
    and filtered, and its CSV: one engine pivot (partner x region) and a few ORM queries."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    from search.engines.base import SearchQuery

    add_engagements(BENCH_ENGAGEMENTS)
    admin = get_user_model().objects.create_superuser("bench-admin", "bench@example.org", "x")
    client = Client(HTTP_HOST="localhost")
    client.force_login(admin)
    query = SearchQuery(visibilities=("public", "members"))
    counted = ctx.engine.pivot(query, "partner", "region")
    log(
        f"  engagement map: {len(counted.cells)} partner x region cells, "
        f"{BENCH_ENGAGEMENTS} engagements"
    )
    filtered = "/partners/map/?topic=automation&from_year=2015&to_year=2022"
    return [
        Measure(
            "map pivot (1 request)",
            timed(lambda: ctx.engine.pivot(query, "partner", "region"), ctx.repeat),
        ),
        Measure(
            "/partners/map/ view", timed(view(client, "/partners/map/"), ctx.repeat), page_view=True
        ),
        Measure(
            "/partners/map/ filtered", timed(view(client, filtered), ctx.repeat), page_view=True
        ),
        Measure(
            "/partners/map.csv",
            timed(view(client, "/partners/map.csv"), ctx.repeat),
            page_view=True,
        ),
    ]


CASES: tuple[Callable[[Context], list[Measure]], ...] = (
    coverage_case,
    topic_hub_case,
    engagement_map_case,
)


def build(size: int) -> dict:
    from django.core.management import call_command

    from knowledge.pages import KnowledgePage
    from knowledge.site_tree import ensure_site_tree

    quiet = {"stdout": io.StringIO(), "verbosity": 0}
    log("  migrate ...")
    call_command("migrate", interactive=False, **quiet)
    call_command("load_vocabularies", **quiet)
    ensure_site_tree()
    log(f"  generate_corpus --count {size} --seed {SEED} ...")
    start = time.perf_counter()
    call_command("generate_corpus", count=size, seed=SEED, stdout=io.StringIO())
    generated = time.perf_counter() - start
    log("  reindex ...")
    start = time.perf_counter()
    call_command("reindex", stdout=io.StringIO())
    return {
        "items": KnowledgePage.objects.count(),
        "generate_seconds": generated,
        "reindex_seconds": time.perf_counter() - start,
    }


def row(label: str, cells: list[str]) -> str:
    return f"{label:<30}" + "".join(f"{c:>26}" for c in cells)


def table(size: int, built: dict, measures: list[Measure]) -> str:
    def cell(f: dict) -> str:
        return f"{f['median']:.1f} / {f['p95']:.1f} ms" if f else "-"

    lines = [
        f"N = {size:,} items ({built['items']:,} pages) on the embedded engine; corpus "
        f"generated in {built['generate_seconds']:.0f} s, reindexed in "
        f"{built['reindex_seconds']:.0f} s; load average {os.getloadavg()[0]:.1f} "
        f"({os.cpu_count()} cpus)",
        "",
        row("wall clock, median / p95", ["this", "alternative", "alternative/this"]),
    ]
    for m in measures:
        speedup = m.alternative_figures and m.alternative_figures["median"] / m.figures["median"]
        lines.append(
            row(
                m.label,
                [
                    cell(m.figures),
                    cell(m.alternative_figures),
                    f"{speedup:.0f}x" if speedup else "",
                ],
            )
        )
    lines += ["", row("CPU time, median", ["this", "alternative", "alternative/this"])]
    for m in measures:
        alt = m.alternative_figures
        speedup = alt and alt["cpu_median"] / m.figures["cpu_median"]
        lines.append(
            row(
                m.label,
                [
                    f"{m.figures['cpu_median']:.1f} ms",
                    f"{alt['cpu_median']:.1f} ms" if alt else "-",
                    f"{speedup:.0f}x" if speedup else "",
                ],
            )
        )
    lines.append("")
    for m in measures:
        if m.alternative:
            lines.append(f"alternative of {m.label!r}: {m.alternative}")
    runs = {m.figures["runs"] for m in measures}
    alt_runs = {m.alternative_figures["runs"] for m in measures if m.alternative_figures}
    lines.append(
        f"runs: {'/'.join(map(str, sorted(runs)))} timed per measure, "
        f"{'/'.join(map(str, sorted(alt_runs)))} per alternative, after untimed warm-up runs"
    )
    lines.append("")
    for m in measures:
        if m.page_view:
            verdict = "PASS" if m.figures["median"] < TARGET_MS else "FAIL"
            lines.append(
                f"{verdict}  {m.label} median {m.figures['median']:.1f} ms < {TARGET_MS:.0f} ms"
            )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--alternative-repeat", type=int, default=5)
    parser.add_argument("--settings", default="cms.settings.bench")
    parser.add_argument("--json", type=Path, help="also write the raw figures here")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix=f"insight-bench-{args.size}-"))
    os.environ.update(
        DJANGO_SETTINGS_MODULE=args.settings,
        DATABASE_URL=f"sqlite:///{work / 'db.sqlite3'}",
        SEARCH_INDEX_PATH=str(work / "index"),
        INTEGRITY_VAR_DIR=str(work / "var"),
        SEARCH_ENGINE="embedded",
    )
    sys.path.insert(0, str(ROOT))
    log(f"N={args.size}: working in {work}")
    try:
        import django

        django.setup()
        from django.test import Client

        from search.engines import get_engine

        built = build(args.size)
        ctx = Context(
            get_engine(), Client(HTTP_HOST="localhost"), args.repeat, args.alternative_repeat
        )
        measures = []
        for case in CASES:
            log(f"  {case.__name__} ...")
            measures += case(ctx)
        print(table(args.size, built, measures))
        if args.json:
            raw = {"size": args.size, **built, "measures": [m.__dict__ for m in measures]}
            args.json.write_text(json.dumps(raw, indent=1))
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
