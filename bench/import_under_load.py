"""A large import while the site serves readers and an editor publishes (issue 9).

On the embedded defaults (SQLite file database, tantivy index) in a throwaway var dir: set
the site up as bin/run does, start the supervised worker and `runserver`, then import N
generated items while reader threads query /search/ and /api/search/ without pause and an
editor publishes a page every few seconds. Readers keep going for at least --hold seconds.
Prints reader requests, errors, latency median/p95, publish wait median/max, the import's
time and items/s. Figures and the command: BENCHMARKS.md.

    .venv/bin/python bench/import_under_load.py --count 20000
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")
QUERIES = ["integrity", "risk officers", "rotation", "code of conduct", "audit", "e-payment"]


def manage(env: dict, *args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env, check=True, **kwargs)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


class Readers:
    """Threads that search without pause and record every answer."""

    def __init__(self, base: str, threads: int):
        self.base, self.stop = base, threading.Event()
        self.latencies: list[float] = []
        self.errors: list[str] = []
        self.threads = [threading.Thread(target=self.run, args=(n,)) for n in range(threads)]

    def run(self, n: int) -> None:
        for i in itertools.count(n):
            if self.stop.is_set():
                return
            path = "/api/search/" if i % 2 else "/search/"
            url = f"{self.base}{path}?q={urllib.request.quote(QUERIES[i % len(QUERIES)])}"
            started = time.perf_counter()
            try:
                with urllib.request.urlopen(url, timeout=60) as answer:
                    answer.read()
                self.latencies.append(time.perf_counter() - started)
            except (urllib.error.URLError, OSError) as exc:
                self.errors.append(f"{path}: {exc}")


def editor(stop: threading.Event, every: float, waits: list[float], errors: list[str]) -> None:
    """Republish demo pages one after another, as an editor would, timing each publish."""
    from knowledge.pages import KnowledgePage

    pages = list(KnowledgePage.objects.order_by("pk")[:20])  # the demo items
    for page in itertools.cycle(pages):
        if stop.wait(every):
            return
        started = time.perf_counter()
        try:
            page = KnowledgePage.objects.get(pk=page.pk).specific
            page.summary = f"{page.summary.split(' [')[0]} [{time.time():.0f}]"
            page.save_revision().publish()
            waits.append(time.perf_counter() - started)
        except Exception as exc:  # recorded, not fatal: the figure is the point
            errors.append(f"publish: {exc}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=20000)
    parser.add_argument("--hold", type=float, default=60, help="reader seconds, at least")
    parser.add_argument("--readers", type=int, default=2)
    parser.add_argument("--publish-every", type=float, default=3)
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()

    var = Path(tempfile.mkdtemp(prefix="integrity-load-"))
    env = {**os.environ, "INTEGRITY_VAR_DIR": str(var), "PYTHONUNBUFFERED": "1"}
    env.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.dev")
    print(f"var dir {var}", file=sys.stderr)
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "load_demo_content", stdout=subprocess.DEVNULL)
    manage(env, "reindex", stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    corpus = var / "corpus.jsonl"
    manage(env, "generate_corpus", "--count", str(args.count), "--seed", "1", "--output",
           str(corpus), stdout=subprocess.DEVNULL)  # fmt: skip

    log = (var / "processes.log").open("w")
    worker = subprocess.Popen(
        [str(ROOT / "bin" / "supervise"), PY, "manage.py", "db_worker", "--no-reload",
         "--queue-name", "*"], cwd=ROOT, env=env, stdout=log, stderr=log,
    )  # fmt: skip
    site = subprocess.Popen(
        [PY, "manage.py", "runserver", "--noreload", f"127.0.0.1:{args.port}"],
        cwd=ROOT, env=env, stdout=log, stderr=log,
    )  # fmt: skip
    base = f"http://127.0.0.1:{args.port}"
    for _ in range(120):
        try:
            urllib.request.urlopen(f"{base}/search/", timeout=10).read()
            break
        except OSError:
            time.sleep(0.5)

    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()

    readers = Readers(base, args.readers)
    stop_editor, waits, publish_errors = threading.Event(), [], []
    edit = threading.Thread(target=editor, args=(stop_editor, args.publish_every, waits,
                                                  publish_errors))  # fmt: skip
    for thread in [*readers.threads, edit]:
        thread.start()
    started = time.perf_counter()
    try:
        imported = manage(env, "import_knowledge", str(corpus), capture_output=True, text=True)
        import_seconds = time.perf_counter() - started
        time.sleep(max(0.0, args.hold - import_seconds))
        held = time.perf_counter() - started
    finally:
        readers.stop.set()
        stop_editor.set()
        for thread in [*readers.threads, edit]:
            thread.join()
        site.terminate()
        worker.terminate()
        site.wait()
        worker.wait()

    from django_tasks_db.models import DBTaskResult

    from search.models import IndexUpdate

    lat = readers.latencies
    print(imported.stdout.strip().splitlines()[-1])
    print(f"items: {args.count}; import {import_seconds:.1f} s, "
          f"{args.count / import_seconds:.1f} items/s")  # fmt: skip
    print(f"readers: {len(lat) + len(readers.errors)} requests over {held:.0f} s, "
          f"{len(readers.errors)} errors, median {statistics.median(lat) * 1000:.0f} ms, "
          f"p95 {percentile(lat, 0.95) * 1000:.0f} ms")  # fmt: skip
    if waits:
        print(f"editor: {len(waits)} publishes, {len(publish_errors)} errors, wait median "
              f"{statistics.median(waits):.2f} s, max {max(waits):.2f} s")  # fmt: skip
    print(f"tasks queued: {DBTaskResult.objects.count()}; "
          f"outbox rows left: {IndexUpdate.objects.count()}")  # fmt: skip
    for error in (readers.errors + publish_errors)[:10]:
        print("  error:", error)


if __name__ == "__main__":
    main()
