"""A live OpenSearch node for the cluster tests: the configured one, or one we start.

`opensearch_url()` answers, once per process:
* OPENSEARCH_URL when set (it must answer: a configured node that is down is a failure);
* otherwise it starts `bin/search-node` on a free port, waits for its ready line, and
  stops it (SIGTERM) when the process exits, whatever the tests did;
* without a JDK (or without Maven and cached jars) the live tests skip with one reason,
  except under CI=true, where a missing node is a failure, never a skip.

Tests ask for it through a session fixture, so the node starts only when a live test runs.
To share one node across several commands:

    python -m tests.live_node -- pytest tests/search     # OPENSEARCH_URL set for the command
"""

from __future__ import annotations

import atexit
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEARCH_NODE = ROOT / "bin" / "search-node"
READY = "search-node ready: "
START_TIMEOUT = float(os.environ.get("SEARCH_NODE_TIMEOUT", "120")) + 30


class NodeUnavailable(Exception):
    """No node can be had here; `skippable` says whether that is the machine's lack."""

    def __init__(self, reason: str, *, skippable: bool):
        super().__init__(reason)
        self.skippable = skippable


_lock = threading.Lock()
_started: dict[str, object] = {}


def answers(url: str, timeout: float = 3.0) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_cluster/health", timeout=timeout) as response:
            return response.status == 200
    except OSError:
        return False


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_node(port: int) -> tuple[subprocess.Popen, str]:
    """Start bin/search-node on `port`; return the process and its URL once it is ready."""
    if not shutil.which(os.environ.get("SEARCH_NODE_JAVA", "java")) and not os.environ.get(
        "JAVA_HOME"
    ):
        raise NodeUnavailable(
            "no JDK (java not on PATH): cannot start bin/search-node", skippable=True
        )
    prefetch = subprocess.run([SEARCH_NODE, "--prefetch"], capture_output=True, text=True)
    if prefetch.returncode != 0:
        lacking = not shutil.which("mvn")
        raise NodeUnavailable(
            f"bin/search-node --prefetch failed: {prefetch.stderr.strip()[-500:]}",
            skippable=lacking,
        )
    # a test session is short: the quick JIT costs less CPU than it saves (search-node/README.md)
    env = {"SEARCH_NODE_JIT": "quick"} | os.environ | {"SEARCH_NODE_PORT": str(port)}
    process = subprocess.Popen(
        [SEARCH_NODE],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        start_new_session=True,  # Ctrl-C in the terminal does not race our SIGTERM
    )
    ready: list[str] = []
    reader = threading.Thread(target=lambda: ready.extend(_ready_line(process)), daemon=True)
    reader.start()
    reader.join(START_TIMEOUT)
    if not ready:
        stop_node(process)
        raise NodeUnavailable(
            f"bin/search-node gave no ready line in {START_TIMEOUT:.0f}s", skippable=False
        )
    return process, ready[0]


def _ready_line(process: subprocess.Popen) -> list[str]:
    for line in process.stdout:
        if line.startswith(READY):
            return [line[len(READY) :].strip()]
    return []


def stop_node(process: subprocess.Popen, timeout: float = 30) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def opensearch_url() -> str:
    """The live node's URL (see module docstring); raises NodeUnavailable."""
    with _lock:
        if "url" in _started:
            return _started["url"]
        if "error" in _started:
            raise _started["error"]
        try:
            url = _find_or_start()
        except NodeUnavailable as exc:
            _started["error"] = exc
            raise
        _started["url"] = url
        return url


def _find_or_start() -> str:
    configured = os.environ.get("OPENSEARCH_URL")
    if configured:
        if not answers(configured, timeout=10):
            raise NodeUnavailable(f"OPENSEARCH_URL={configured} does not answer", skippable=False)
        return configured
    started = time.monotonic()
    process, url = start_node(free_port())
    atexit.register(stop_node, process)
    _started["process"] = process
    _started["seconds"] = time.monotonic() - started
    return url


def started_process() -> subprocess.Popen | None:
    """The node process this module started (None when OPENSEARCH_URL pointed elsewhere)."""
    return _started.get("process")


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def url_or_skip() -> str:
    """For a pytest fixture: the URL, a skip (with the one reason) or, under CI, a failure."""
    import pytest

    try:
        return opensearch_url()
    except NodeUnavailable as exc:
        if exc.skippable and not in_ci():
            pytest.skip(f"live OpenSearch tests: {exc}")
        pytest.fail(f"live OpenSearch node unavailable: {exc}", pytrace=False)


def main(argv: list[str]) -> int:
    if argv[:1] == ["--"]:
        argv = argv[1:]
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        url = opensearch_url()
    except NodeUnavailable as exc:
        print(f"live_node: {exc}", file=sys.stderr)
        return 1
    print(f"live_node: OpenSearch at {url}", file=sys.stderr)
    return subprocess.call(argv, env=os.environ | {"OPENSEARCH_URL": url})


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
