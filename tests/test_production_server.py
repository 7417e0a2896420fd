"""The production web process as an operator starts it: `bin/serve` (collectstatic, then
gunicorn with deploy/gunicorn.conf.py) on the production settings, behind a proxy that tells
it the request came over HTTPS. It serves a page, a hashed and compressed static file with
far-future caching, a document, the health probes, survives a graceful reload and stops on
SIGTERM."""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parent.parent
HOST = "localhost"
PROXIED = {"Host": HOST, "X-Forwarded-Proto": "https"}  # as nginx in front would send

# A published case study with a PDF attached: documents are served only through a page
# the reader may read (knowledge.document_access).
ITEM = {
    "external_id": "prod-1",
    "type": "case_study",
    "title": "Rotation at the border",
    "summary": "Officers rotate between posts.",
    "body_html": "<p>Body.</p>",
    "regions": ["EUR"],
    "topics": ["human-resources"],
    "published": "2024-01-01",
    "attachments": [{"file": "code-of-conduct.pdf", "title": "Code of conduct"}],
}
SETUP = """
from django.core.management import call_command
from knowledge.pages import KnowledgePage
from knowledge.site_tree import ensure_site_tree
call_command("load_vocabularies", verbosity=0)
ensure_site_tree()
call_command("import_knowledge", {path!r}, verbosity=0)
print(KnowledgePage.objects.get(external_id="prod-1").attachments.first().document.url)
"""


@dataclass
class Served:
    url: str
    document_url: str
    process: subprocess.Popen
    log: Path


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(url: str, headers: dict | None = None, method: str = "GET"):
    """(status, headers, body) of one request, redirects not followed."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        connection.request(method, parts.path or "/", headers={**PROXIED, **(headers or {})})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def _wait_until_live(url: str, process: subprocess.Popen, log: Path, seconds: float = 120):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"bin/serve exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if fetch(f"{url}/healthz")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    pytest.fail(f"bin/serve did not answer within {seconds} s:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Served:
    work = tmp_path_factory.mktemp("production")
    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cms.settings.production",
        "DJANGO_SECRET_KEY": "production-test-" + "k" * 50,
        "DJANGO_ALLOWED_HOSTS": HOST,
        "INTEGRITY_VAR_DIR": str(work),
        "DATABASE_URL": f"sqlite:///{work / 'db.sqlite3'}",
        "SEARCH_ENGINE": "embedded",
        "SEARCH_INDEX_PATH": str(work / "index"),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "2",
        "GUNICORN_THREADS": "2",
    }

    def manage(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    (work / "code-of-conduct.pdf").write_bytes(b"%PDF-1.4\n% public\n")
    (work / "items.jsonl").write_text(json.dumps(ITEM) + "\n")
    manage("migrate", "--noinput", "-v0")
    setup = SETUP.format(path=str(work / "items.jsonl"))
    document_url = manage("shell", "-c", setup).strip().splitlines()[-1]
    manage("reindex")
    log = work / "serve.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [str(ROOT / "bin" / "serve")], cwd=ROOT, env=env, stdout=out, stderr=out,
            start_new_session=True,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_live(url, process, log)
        yield Served(url, document_url, process, log)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def test_pages_static_files_and_documents(served):
    status, headers, body = fetch(f"{served.url}/")
    assert status == 200, body[:500]
    html = body.decode()
    assert "Regional integrity communities" in html
    assert headers["Strict-Transport-Security"].startswith("max-age=")

    # A hashed name, served compressed with a year's caching; the unhashed one is not.
    stylesheet = re.search(r'href="(/static/css/site\.[0-9a-f]{12}\.css)"', html).group(1)
    status, headers, css = fetch(f"{served.url}{stylesheet}", {"Accept-Encoding": "br, gzip"})
    assert status == 200
    assert headers["Content-Encoding"] in ("br", "gzip")
    caching = headers["Cache-Control"]
    assert "max-age=315360000" in caching and "immutable" in caching
    status, headers, _ = fetch(f"{served.url}/static/css/site.css")
    assert status == 200 and "immutable" not in headers.get("Cache-Control", "")

    status, headers, pdf = fetch(f"{served.url}{served.document_url}")
    assert status == 200 and pdf.startswith(b"%PDF-1.4")


def test_plain_http_is_sent_to_https_but_probes_answer_on_any_host(served):
    plain = {"X-Forwarded-Proto": "http"}
    assert fetch(f"{served.url}/", plain)[0] == 301
    assert fetch(f"{served.url}/", {"Host": "attacker.example"})[0] == 400
    # Probes call an instance by address and over plain HTTP.
    for path in ("/healthz", "/readyz"):
        status, _, body = fetch(f"{served.url}{path}", {"Host": "10.0.0.7:8000", **plain})
        assert status == 200, body
    status, _, body = fetch(f"{served.url}/readyz")
    assert b'"database": {"ok": true' in body and b'"search": {"ok": true' in body


def test_logs_are_json_lines_and_a_reload_drops_no_request(served):
    assert fetch(f"{served.url}/healthz")[0] == 200
    os.kill(served.process.pid, signal.SIGHUP)  # graceful reload: new workers, then old go
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        assert fetch(f"{served.url}/")[0] == 200
        if "Handling signal: hup" in served.log.read_text():
            break
    assert fetch(f"{served.url}/")[0] == 200
    access = [line for line in served.log.read_text().splitlines() if '"path": "/"' in line]
    assert access and all(line.startswith("{") for line in access)


def test_sigterm_stops_it_cleanly(served):
    served.process.send_signal(signal.SIGTERM)
    assert served.process.wait(timeout=40) == 0
