"""The background worker (issue 9): a worker killed mid-drain leaves its task RUNNING for ever;
the next worker must send the queued index updates again within a minute, with no manual
step. And a locked database makes the worker wait, not exit.

The kill test runs real `manage.py db_worker` processes on a file SQLite database made from
the test database, with the settings `bin/run` uses (cms.settings.dev)."""

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.utils import OperationalError
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from knowledge.pages import KnowledgePage
from search.engines.embedded import EmbeddedEngine
from search.models import IndexUpdate
from search.tasks import drain_index_updates

ROOT = Path(__file__).resolve().parents[2]
TASKS_TABLE = DBTaskResult._meta.db_table
OUTBOX_TABLE = IndexUpdate._meta.db_table
DB_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
pytestmark = pytest.mark.django_db


def start_worker(var: Path) -> subprocess.Popen:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "cms.settings.dev",
           "INTEGRITY_VAR_DIR": str(var), "SEARCH_INDEX_PATH": str(var / "index")}  # fmt: skip
    return subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--no-reload", "--queue-name", "*",
         "--no-startup-delay", "--interval", "0.2"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def query(db: Path, sql: str):
    with sqlite3.connect(db, timeout=30) as conn:
        return conn.execute(sql).fetchone()


def wait_for(condition, seconds: float, step: float = 0.02) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return False


@pytest.mark.usefixtures("restored_db")  # committed data: an open transaction cannot be copied
def test_updates_orphaned_by_a_killed_worker_are_drained_by_the_next(tmp_path):
    call_command("generate_corpus", count=400, seed=5)  # live pages, not indexed yet
    EmbeddedEngine(tmp_path / "index").ensure_index()  # as `reindex` makes it for bin/run
    IndexUpdate.objects.bulk_create(
        IndexUpdate(page_id=pk, action=IndexUpdate.Action.INDEX)
        for pk in KnowledgePage.objects.values_list("pk", flat=True)
    )
    with override_settings(TASKS=DB_QUEUE):
        drain_index_updates.enqueue()
    db = tmp_path / "db.sqlite3"
    with sqlite3.connect(db) as target:
        connection.connection.backup(target)  # the test database, as a file

    first = start_worker(tmp_path)
    try:
        running = f"SELECT count(*) FROM {TASKS_TABLE} WHERE status = 'RUNNING'"
        assert wait_for(lambda: query(db, running)[0], 120)
        first.send_signal(signal.SIGKILL)
    finally:
        first.wait()
    waiting = query(db, f"SELECT count(*) FROM {OUTBOX_TABLE}")[0]
    assert waiting > 0, "the worker finished the drain before it was killed"

    second = start_worker(tmp_path)
    try:
        assert wait_for(
            lambda: query(db, f"SELECT count(*) FROM {OUTBOX_TABLE}")[0] == 0, 60, step=0.5
        )
    finally:
        second.terminate()
        second.wait()
    indexed = query(
        db,
        f"SELECT sum(json_extract(return_value, '$.indexed')) FROM {TASKS_TABLE} "
        "WHERE status = 'SUCCESSFUL'",
    )[0]
    assert indexed == KnowledgePage.objects.count()
    assert query(db, "PRAGMA journal_mode")[0] == "wal"  # the web-site settings were in use


@override_settings(TASKS=DB_QUEUE)
def test_worker_waits_out_a_locked_database(monkeypatch):
    # Claim in a savepoint of the test's transaction (no BEGIN EXCLUSIVE inside it).
    monkeypatch.setattr(
        "django_tasks_db.utils.connection_requires_manual_exclusive_transaction", lambda c: False
    )
    drain_index_updates.enqueue()
    original, calls = DBTaskResult.claim, []

    def claim(self, worker_id):
        calls.append(worker_id)
        if len(calls) == 1:
            raise OperationalError("database is locked")
        return original(self, worker_id)

    monkeypatch.setattr(DBTaskResult, "claim", claim)
    monkeypatch.setattr("search.worker.LOCKED_PAUSES", (0,))
    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)
    assert len(calls) == 2
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
