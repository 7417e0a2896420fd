#!/usr/bin/env python
"""Search benchmark: the embedded (tantivy) and OpenSearch engines against what a Wagtail site
gets out of the box - Wagtail's database search backend for the words plus Django ORM
GROUP BYs for the facet counts.

    .venv/bin/python bench/search_bench.py --sizes 10000 100000 [--engines embedded,opensearch]
        [--repeat 30] [--baseline-repeat 10]

For each size the script runs a worker process on a throwaway SQLite database and index
folders (environment set before Django starts): migrate, load_vocabularies, the site tree,
`generate_corpus --count N --seed 42`; then it times the full reindex of every engine and
Wagtail's `update_index`, and the median / p95 latency of three searches:

  (a) a two-word query,
  (b) the same query with three facet filters (region, topic, type) and all eight facet counts,
  (c) browse-all (no words), newest first, with all facet counts;

and, for the engines only, (d) a query of glossary terms (search/glossary.csv) that each
expand to their French and Spanish names. (a) and (d) run again with the expansion off
(`policy.GLOSSARY_EXPANSION = False`), and the table prints what the expansion costs.

The engines answer through `engine.search(SearchQuery(...))`, which always computes the facet
counts. The baseline lists matches newest first (see `Baseline`; BENCHMARKS.md says why).
OpenSearch runs on a node this script starts with `bin/search-node` and stops at the end, also
on error. Progress goes to stderr, the tables to stdout.
"""

from __future__ import annotations

import argparse
import io
import json
import math
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENGINES = ("embedded", "opensearch")
BASELINE = "wagtail-db"
# Two words from the corpus generator's phrase bank that occur in a realistic share of items.
DEFAULT_QUERY = "risk officers"
# Three glossary concepts (bribery, single window, customs), each with several translations.
GLOSSARY_QUERY = "bribery single window customs"
FILTERED_FACETS = ("region", "topic", "type")
SEED = 42
WARMUP = 5  # untimed runs first: caches, and the JVM's JIT for OpenSearch
BASELINE_WARMUP = 2
PAGE = 20
TARGET_SIZE = 100_000
TARGET_P95_MS = 50.0
TARGET_SPEEDUP = 10.0
TARGET_REINDEX_S = 120.0
NODE_STARTUP_S = 180


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@contextmanager
def step(label: str):
    log(f"  {label} ...")
    start = time.perf_counter()
    yield
    log(f"  {label}: {time.perf_counter() - start:.1f} s")


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile: with 30 runs p95 is the 29th fastest, with 10 the slowest."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def timed(run, repeat: int, warmup: int = WARMUP) -> dict:
    """Median and p95 in ms of `repeat` calls after `warmup` untimed ones; `run` returns a
    total."""
    total = None
    for _ in range(warmup):
        total = run()
    times, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        total = run()
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return {
        "median": statistics.median(times),
        "p95": percentile(times, 0.95),
        "cpu_median": statistics.median(cpu),
        "runs": repeat,
        "total": total,
    }


@contextmanager
def clock(into: dict, items: int):
    """Wall and CPU seconds (all threads of this process) of a block, and items per second."""
    start, start_cpu = time.perf_counter(), time.process_time()
    yield
    into["seconds"] = time.perf_counter() - start
    into["cpu_seconds"] = time.process_time() - start_cpu
    into["docs_per_s"] = items / into["seconds"]


# --- worker: one corpus size in its own process and database ---------------------------------


def worker(args: argparse.Namespace) -> None:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()

    from django.core.management import call_command

    from knowledge.site_tree import ensure_site_tree

    size = args.size
    result: dict = {"size": size, "reindex": {}, "queries": {}}
    quiet = {"stdout": io.StringIO(), "verbosity": 0}

    with step("migrate"):
        call_command("migrate", interactive=False, **quiet)
    call_command("load_vocabularies", **quiet)
    ensure_site_tree()
    start = time.perf_counter()
    with step(f"generate_corpus --count {size} --seed {SEED}"):
        call_command("generate_corpus", count=size, seed=SEED, stdout=io.StringIO())
    result["generate_seconds"] = time.perf_counter() - start

    from knowledge.pages import KnowledgePage

    result["load_before"] = os.getloadavg()[0]
    result["items"] = KnowledgePage.objects.count()
    result["live_public"] = KnowledgePage.objects.live().public().count()

    engines = {name: engine_for(name) for name in args.engines}
    for name, engine in engines.items():
        output = io.StringIO()
        figures = result["reindex"][name] = {}
        with using_engine(name), step(f"reindex ({name})"):
            with clock(figures, result["items"]):
                call_command("reindex", stdout=output)  # progress bar on stderr
            engine.refresh()
        log("  " + output.getvalue().strip().replace("\n", " "))

    figures = result["reindex"][BASELINE] = {}
    with step("update_index (Wagtail database backend)"), clock(figures, result["items"]):
        call_command("update_index", **quiet)

    baseline = Baseline()
    filters = baseline.pick_filters(args.query)
    result["query"] = args.query
    result["filters"] = {name: list(values) for name, values in filters.items()}
    log(f"  query {args.query!r}, filters {result['filters']}")

    from search.engines.base import SearchQuery

    searches = {
        "a": SearchQuery(text=args.query),
        "b": SearchQuery(text=args.query, filters=filters),
        "c": SearchQuery(sort="newest"),
    }
    searches["d"] = SearchQuery(text=GLOSSARY_QUERY)
    result["glossary_query"] = GLOSSARY_QUERY
    time_searches(engines, searches, result["queries"], args.repeat)
    from search import policy

    policy.GLOSSARY_EXPANSION = False  # the same words, not expanded
    try:
        plain = {f"{key}-unexpanded": searches[key] for key in ("a", "d")}
        time_searches(engines, plain, result["queries"], args.repeat)
    finally:
        policy.GLOSSARY_EXPANSION = True
    baseline_runs = {
        "a": lambda: baseline.text(args.query),
        "b": lambda: baseline.faceted(args.query, filters),
        "c": lambda: baseline.browse(),
    }
    for key, run in baseline_runs.items():
        with step(f"query ({key}) x{args.baseline_repeat} ({BASELINE})"):
            result["queries"].setdefault(key, {})[BASELINE] = timed(
                run, args.baseline_repeat, BASELINE_WARMUP
            )

    result["load_after"] = os.getloadavg()[0]
    for engine in engines.values():
        engine.clear()
    Path(args.out).write_text(json.dumps(result))


def time_searches(engines: dict, searches: dict, into: dict, repeat: int) -> None:
    for name, engine in engines.items():
        for key, query in searches.items():
            with step(f"query ({key}) x{repeat} ({name})"):
                into.setdefault(key, {})[name] = timed(
                    lambda engine=engine, query=query: checked(engine.search(query)), repeat
                )


def engine_for(name: str):
    from django.utils.module_loading import import_string

    from search.engines import ENGINES

    with using_engine(name):
        return import_string(ENGINES[name]).from_settings()


@contextmanager
def using_engine(name: str):
    """Point settings.SEARCH_ENGINE (read by get_engine() and `reindex`) at one engine."""
    from django.test import override_settings

    from search.engines import get_engine

    get_engine.cache_clear()
    with override_settings(SEARCH_ENGINE=name):
        yield
    get_engine.cache_clear()


def checked(results) -> int:
    """The engines always count every facet; fail loudly if one is missing."""
    from search.schema import FACET_NAMES

    missing = set(FACET_NAMES) - set(results.facets)
    if missing:
        raise RuntimeError(f"engine returned no counts for {sorted(missing)}")
    return results.total


class Baseline:
    """What a Wagtail site does without a search engine: `queryset.search()` on the database
    backend (SQLite FTS5) for the words, first page of 20 plus the total, and one Django ORM
    GROUP BY per facet over the matching pages. Facet filters are subqueries (no id lists in
    Python); each facet is counted with the other facets' filters only (disjunctive)."""

    def __init__(self):
        from django.contrib.contenttypes.models import ContentType

        from knowledge.pages import KNOWLEDGE_TYPES, KnowledgePage, KnowledgePageTag

        self.model = KnowledgePage
        self.through = {
            "region": (KnowledgePage.regions.through, "region__code"),
            "country": (KnowledgePage.countries.through, "country__code"),
            "topic": (KnowledgePage.topics.through, "topic__code"),
            "partner": (KnowledgePage.partners.through, "partnerorganisation__acronym"),
        }
        self.tags = KnowledgePageTag
        self.type_of_ct = {
            ContentType.objects.get_for_model(cls).pk: code for code, cls in KNOWLEDGE_TYPES.items()
        }
        self.ct_of_type = {code: pk for pk, code in self.type_of_ct.items()}

    def items(self):
        return self.model.objects.live().public()

    def _filter(self, queryset, filters: dict, skip: str | None = None):
        import datetime

        from django.db.models import Q

        for name, codes in filters.items():
            if name == skip or not codes:
                continue
            if name in self.through:
                through, lookup = self.through[name]
                ids = through.objects.filter(**{f"{lookup}__in": codes}).values("knowledgepage_id")
                queryset = queryset.filter(pk__in=ids)
            elif name == "type":
                queryset = queryset.filter(content_type_id__in=[self.ct_of_type[c] for c in codes])
            elif name == "language":
                queryset = queryset.filter(language__in=codes)
            elif name == "year":
                years = Q()
                for year in map(int, codes):
                    years |= Q(
                        published_date__gte=datetime.date(year, 1, 1),
                        published_date__lt=datetime.date(year + 1, 1, 1),
                    )
                queryset = queryset.filter(years)
            elif name == "tag":
                ids = self.tags.objects.filter(tag__name__in=codes).values("content_object_id")
                queryset = queryset.filter(pk__in=ids)
        return queryset

    def _matching(self, text: str, queryset):
        """The pages of `queryset` that match `text`, as a subquery (the backend's own SQL)."""
        if not text:
            return queryset.values("pk")
        results = queryset.search(text, order_by_relevance=False)
        return results.get_queryset().order_by().values("pk")

    def _disjunctive_counts(self, text: str, filters: dict) -> dict:
        from search.schema import FACET_NAMES

        facets = {}
        for name in FACET_NAMES:
            ids = self._matching(text, self._filter(self.items(), filters, skip=name))
            facets[name] = self._count(name, ids)
        return facets

    def _count(self, name: str, ids) -> list[tuple[str, int]]:
        """One GROUP BY for facet `name` over the pages in the subquery `ids`."""
        from django.db.models import Count, F
        from django.db.models.functions import ExtractYear

        if name in self.through:
            through, lookup = self.through[name]
            rows = (
                through.objects.filter(knowledgepage_id__in=ids)
                .values(value=F(lookup))
                .annotate(n=Count("*"))
                .order_by("-n")
            )
            return [(r["value"], r["n"]) for r in rows]
        pages = self.model.objects.filter(pk__in=ids)
        if name == "type":
            rows = pages.values("content_type_id").annotate(n=Count("*")).order_by("-n")
            return [(self.type_of_ct.get(r["content_type_id"]), r["n"]) for r in rows]
        if name == "language":
            rows = pages.values("language").annotate(n=Count("*")).order_by("-n")
            return [(r["language"], r["n"]) for r in rows]
        if name == "year":
            rows = (
                pages.annotate(year=ExtractYear("published_date"))
                .values("year")
                .annotate(n=Count("*"))
                .order_by("-year")
            )
            return [(str(r["year"]), r["n"]) for r in rows]
        rows = (
            self.tags.objects.filter(content_object_id__in=ids)
            .values(value=F("tag__name"))
            .annotate(n=Count("*"))
            .order_by("-n")[:50]
        )
        return [(r["value"], r["n"]) for r in rows]

    # --- the three measured searches ---

    # Relevance order is off: on SQLite, Wagtail ranks with a correlated subquery that re-runs
    # the FTS match for every matching row (seconds at 2,000 items, hours at 100,000), so the
    # baseline lists matches newest first, which favours it.

    def text(self, text: str) -> int:
        results = self.newest(self.items()).search(text, order_by_relevance=False)
        list(results[:PAGE])
        return results.count()

    def faceted(self, text: str, filters: dict) -> int:
        results = self.newest(self._filter(self.items(), filters)).search(
            text, order_by_relevance=False
        )
        list(results[:PAGE])
        total = results.count()
        self._disjunctive_counts(text, filters)
        return total

    @staticmethod
    def newest(queryset):
        return queryset.order_by("-published_date")  # a FilterField, so search() accepts it

    def browse(self) -> int:
        items = self.newest(self.items())
        list(items[:PAGE])
        total = items.count()
        self._disjunctive_counts("", {})
        return total

    def pick_filters(self, text: str) -> dict[str, tuple[str, ...]]:
        """For (b): the most frequent region among the query's matches, then the most frequent
        topic among those, then type, so the combination has hits and is the same for every
        engine."""
        filters: dict[str, tuple[str, ...]] = {}
        for name in FILTERED_FACETS:
            ids = self._matching(text, self._filter(self.items(), filters))
            values = [v for v, n in self._count(name, ids) if v and n]
            if not values:
                raise RuntimeError(f"no {name} among the matches of {text!r}; pick another --query")
            filters[name] = (values[0],)
        return filters


# --- parent: the search node, one worker per size, the tables --------------------------------


def start_search_node(port: int, data: Path) -> tuple[subprocess.Popen, str]:
    env = dict(os.environ, SEARCH_NODE_PORT=str(port), SEARCH_NODE_HEAP="1g")
    env["SEARCH_NODE_DATA"] = str(data)
    log(f"starting bin/search-node on port {port} ...")
    node = subprocess.Popen(
        [str(ROOT / "bin" / "search-node")],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    ready: list[str] = []

    def watch():
        for line in node.stdout:
            if line.startswith("search-node ready:"):
                ready.append(line.split(":", 1)[1].strip())
        # keep draining so the node never blocks on a full pipe

    threading.Thread(target=watch, daemon=True).start()
    deadline = time.monotonic() + NODE_STARTUP_S
    while not ready:
        if node.poll() is not None:
            raise RuntimeError(f"bin/search-node exited with {node.returncode}")
        if time.monotonic() > deadline:
            stop_search_node(node)
            raise RuntimeError("bin/search-node did not report ready in time")
        time.sleep(0.2)
    log(f"search node ready: {ready[0]}")
    return node, ready[0]


def stop_search_node(node: subprocess.Popen) -> None:
    if node.poll() is None:
        node.send_signal(signal.SIGTERM)
        try:
            node.wait(timeout=60)
        except subprocess.TimeoutExpired:
            node.kill()
            node.wait()
    log("search node stopped")


def opensearch_version(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.load(response)["version"]["number"]


def machine(node_url: str | None) -> dict:
    from importlib.metadata import version

    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import sqlite3

    info = {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "django": version("django"),
        "wagtail": version("wagtail"),
        "tantivy": version("tantivy"),
    }
    if node_url:
        info["opensearch"] = opensearch_version(node_url)
        info["opensearch-py"] = version("opensearch-py")
    return info


def run_size(size: int, args: argparse.Namespace, node_url: str | None) -> dict:
    work = Path(tempfile.mkdtemp(prefix=f"integrity-bench-{size}-"))
    out = work / "result.json"
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE=args.settings,
        DATABASE_URL=f"sqlite:///{work / 'db.sqlite3'}",
        SEARCH_INDEX_PATH=str(work / "index"),
        INTEGRITY_VAR_DIR=str(work / "var"),
        SEARCH_INDEX_PREFIX=f"bench{size}",
        PYTHONUNBUFFERED="1",
    )
    if node_url:
        env["OPENSEARCH_URL"] = node_url
    command = [
        sys.executable,
        __file__,
        "--worker",
        "--size",
        str(size),
        "--out",
        str(out),
        "--engines",
        ",".join(args.engines),
        "--repeat",
        str(args.repeat),
        "--baseline-repeat",
        str(args.baseline_repeat),
        "--query",
        args.query,
    ]
    log(f"N={size}: worker in {work}")
    try:
        subprocess.run(command, env=env, check=True, cwd=ROOT)
        return json.loads(out.read_text())
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


def ratio(baseline: float, engine: float) -> str:
    return f"{baseline / engine:.1f}x" if engine > 0 else "-"


LABELS = {"a": "(a) two words", "b": "(b) + 3 filters, facets", "c": "(c) browse, facets"}


def _row(label: str, cells: list[str], ratios: list[str]) -> str:
    return f"{label:<24}" + "".join(f"{c:>24}" for c in cells + ratios)


def table(result: dict, engines: list[str]) -> str:
    """Wall-clock medians / p95 with ratios, then the same searches in CPU time."""
    columns = engines + [BASELINE]
    queries, reindex = result["queries"], result["reindex"]
    lines = [
        f"N = {result['size']:,} items ({result['live_public']:,} live and public); corpus "
        f"generated in {result['generate_seconds']:.0f} s; load average "
        f"{result['load_before']:.1f} before indexing, {result['load_after']:.1f} after the "
        f"queries ({os.cpu_count()} cpus)",
        f"query {result['query']!r}; (b) filters "
        + ", ".join(f"{k}={'|'.join(v)}" for k, v in result["filters"].items()),
        "",
        "wall clock, median / p95",
        _row("", columns, [f"{BASELINE}/{e}" for e in engines]),
    ]
    for key, label in LABELS.items():
        row = queries[key]
        lines.append(
            _row(
                label,
                [f"{row[c]['median']:.1f} / {row[c]['p95']:.1f} ms" for c in columns],
                [ratio(row[BASELINE]["median"], row[e]["median"]) for e in engines],
            )
        )
    lines.append(
        _row(
            "reindex",
            [f"{reindex[c]['seconds']:.1f} s, {reindex[c]['docs_per_s']:.0f}/s" for c in columns],
            [ratio(reindex[BASELINE]["seconds"], reindex[e]["seconds"]) for e in engines],
        )
    )
    lines += ["", "CPU time of the benchmark process, median (not the OpenSearch JVM's)"]
    for key, label in LABELS.items():
        row = queries[key]
        lines.append(
            _row(
                label,
                [f"{row[c]['cpu_median']:.1f} ms" for c in columns],
                [ratio(row[BASELINE]["cpu_median"], row[e]["cpu_median"]) for e in engines],
            )
        )
    lines.append(
        _row(
            "reindex",
            [f"{reindex[c]['cpu_seconds']:.1f} s" for c in columns],
            [ratio(reindex[BASELINE]["cpu_seconds"], reindex[e]["cpu_seconds"]) for e in engines],
        )
    )
    lines += ["", *expansion_lines(result, engines)]
    lines += [
        "",
        "runs: "
        + ", ".join(f"{c} {queries['a'][c]['runs']}" for c in columns)
        + f" timed per search, after {WARMUP} warm-up runs ({BASELINE_WARMUP} for {BASELINE});"
        " ratios compare medians",
        "hits (total): "
        + "; ".join(
            f"({key}) " + " / ".join(f"{queries[key][c]['total']:,}" for c in columns)
            for key in LABELS
        ),
    ]
    return "\n".join(lines)


def expansion_lines(result: dict, engines: list[str]) -> list[str]:
    """What the glossary expansion costs: medians with and without it, and their ratio."""
    queries = result["queries"]
    if "d" not in queries:
        return []
    lines = [f"glossary expansion, median with / without (ratio); (d) {result['glossary_query']!r}"]
    for key, label in (("a", LABELS["a"]), ("d", "(d) glossary terms")):
        cells = []
        for engine in engines:
            on, off = queries[key][engine], queries[f"{key}-unexpanded"][engine]
            cells.append(
                f"{on['median']:.1f} / {off['median']:.1f} ms ({on['median'] / off['median']:.2f}x)"
            )
        hits = " / ".join(
            f"{queries[key][e]['total']:,} vs {queries[f'{key}-unexpanded'][e]['total']:,}"
            for e in engines
        )
        lines.append(_row(label, cells, []) + f"   hits {hits}")
    return lines


def targets(results: list[dict]) -> list[str]:
    big = next((r for r in results if r["size"] == TARGET_SIZE), None)
    if big is None:
        return [f"targets: not checked (need --sizes including {TARGET_SIZE})"]
    lines = []
    b = big["queries"]["b"]
    if "embedded" in b:
        p95 = b["embedded"]["p95"]
        lines.append(
            f"{'PASS' if p95 <= TARGET_P95_MS else 'FAIL'}  embedded (b) p95 {p95:.1f} ms "
            f"<= {TARGET_P95_MS:.0f} ms (median {b['embedded']['median']:.1f} ms, "
            f"CPU median {b['embedded']['cpu_median']:.1f} ms)"
        )
        speedup = b[BASELINE]["median"] / b["embedded"]["median"]
        lines.append(
            f"{'PASS' if speedup >= TARGET_SPEEDUP else 'FAIL'}  embedded (b) {speedup:.1f}x "
            f"faster than {BASELINE} (median) >= {TARGET_SPEEDUP:.0f}x"
        )
    for name in ENGINES:
        if name in big["reindex"]:
            figures = big["reindex"][name]
            seconds = figures["seconds"]
            lines.append(
                f"{'PASS' if seconds <= TARGET_REINDEX_S else 'FAIL'}  {name} full reindex "
                f"{seconds:.1f} s <= {TARGET_REINDEX_S:.0f} s "
                f"(CPU of this process {figures['cpu_seconds']:.1f} s)"
            )
    return lines


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument(
        "--engines",
        type=lambda s: [e for e in s.split(",") if e],
        default=list(ENGINES),
        help="comma-separated: embedded,opensearch (the baseline always runs)",
    )
    parser.add_argument("--repeat", type=int, default=30, help="timed runs per engine query")
    parser.add_argument(
        "--baseline-repeat", type=int, default=10, help="timed runs per baseline query"
    )
    parser.add_argument("--query", default=DEFAULT_QUERY)
    parser.add_argument("--node-port", type=int, default=9260)
    parser.add_argument("--settings", default="cms.settings.bench")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folders")
    parser.add_argument("--json", type=Path, help="also write the raw figures here")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    unknown = set(args.engines) - set(ENGINES)
    if unknown:
        parser.error(f"unknown engine(s) {', '.join(sorted(unknown))}; choose from {ENGINES}")
    return args


def main() -> None:
    args = parse()
    if args.worker:
        worker(args)
        return

    def stop(signum, _frame):
        raise SystemExit(128 + signum)  # unwinds through `finally`: the node is stopped

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    node = None
    node_url = None
    data = Path(tempfile.mkdtemp(prefix="integrity-bench-node-"))
    results = []
    try:
        if "opensearch" in args.engines:
            node, node_url = start_search_node(args.node_port, data)
        info = machine(node_url)
        print("machine: " + ", ".join(f"{k} {v}" for k, v in info.items()), flush=True)
        print(f"command: {' '.join(sys.argv)}\n", flush=True)
        for size in args.sizes:
            result = run_size(size, args, node_url)
            results.append(result)
            print(table(result, args.engines) + "\n", flush=True)
        print("\n".join(targets(results)), flush=True)
        if args.json:
            args.json.write_text(json.dumps({"machine": info, "results": results}, indent=2))
    finally:
        if node is not None:
            stop_search_node(node)
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
