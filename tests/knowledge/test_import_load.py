"""A large import must not take the site down (issue 9): it commits in short batches (others
get the write lock between them), a failure takes the committed batches back, and it queues a
bounded number of background tasks while Wagtail's admin search and reference index stay
right."""

import pytest
from django_tasks.signals import task_enqueued
from wagtail.documents.models import Document
from wagtail.models import Page, ReferenceIndex

from knowledge import importing
from knowledge.audience import page_audience
from knowledge.pages import KnowledgePage
from tests.knowledge.test_import import item, run, write


@pytest.fixture
def small_batches(monkeypatch):
    monkeypatch.setattr(importing, "BATCH_ITEMS", 2)


def fail_on_write(monkeypatch, number, during=None):
    """Make the `number`th item written raise; `during` runs just before it."""
    original, calls = importing._Writer.write, []

    def write_item(self, item, page):
        calls.append(item.external_id)
        if len(calls) == number:
            if during:
                during()
            raise RuntimeError("disk full")
        return original(self, item, page)

    monkeypatch.setattr(importing._Writer, "write", write_item)


@pytest.mark.usefixtures("restored_db", "empty_index", "small_batches")  # real commits
def test_batches_commit_while_the_import_runs_and_a_failure_takes_them_back(
    site_tree, tmp_path, monkeypatch, client
):
    def found():
        return client.get("/api/search/", {"q": "quokka"}).json()["total"]

    seen_mid_way = []
    # Committed batches are drained to the search index at once: readers see them mid-way.
    fail_on_write(monkeypatch, 5, during=lambda: seen_mid_way.append(found()))
    with pytest.raises(RuntimeError):
        run(write(tmp_path, [item(f"n-{i}", title=f"Quokka {i}") for i in range(6)]))
    assert seen_mid_way == [4]  # two batches of two committed before the fifth item failed
    # ...and the undo took them back, from the database and from the index.
    assert not KnowledgePage.objects.exists()
    assert found() == 0


def test_failed_multi_batch_import_restores_updated_pages(
    site_tree, tmp_path, monkeypatch, small_batches, client
):
    run(write(tmp_path, [item("u-1"), item("u-2"), item("u-3")], name="first.jsonl"))
    before = {p.external_id: (p.title, p.get_parent().pk, p.live_revision_id, p.url)
              for p in KnowledgePage.objects.all()}  # fmt: skip

    changed = [
        item("u-1", title="Renamed one", community="ESA", regions=["ESA"], members_only=True),
        item("u-2", title="Renamed two"),
        *[item(f"new-{i}") for i in range(4)],
    ]
    fail_on_write(monkeypatch, 6)
    with pytest.raises(RuntimeError):
        run(write(tmp_path, changed, name="second.jsonl"))

    assert sorted(KnowledgePage.objects.values_list("external_id", flat=True)) == [
        "u-1", "u-2", "u-3"
    ]  # fmt: skip
    for page in KnowledgePage.objects.specific():
        title, parent, _, url = before[page.external_id]
        assert (page.title, page.get_parent().pk, page.url) == (title, parent, url)
        assert page.get_latest_revision().as_object().title == title
        assert page_audience(page) == "public"
    assert client.get(before["u-1"][3]).status_code == 200


def wagtail_tasks_for(tmp_path, rows, name):
    queued = []

    def record(sender, task_result, **kwargs):
        queued.append(task_result.task.module_path)

    task_enqueued.connect(record)
    try:
        run(write(tmp_path, rows, name=name))
    finally:
        task_enqueued.disconnect(record)
    return [path for path in queued if not path.startswith("search.")]


def test_import_queues_a_bounded_number_of_wagtail_tasks(site_tree, tmp_path):
    for name in ("a", "b"):  # each new document is indexed once by Wagtail, like an upload
        (tmp_path / f"{name}.pdf").write_bytes(f"%PDF-1.4\n% note {name}\n".encode())
    few = wagtail_tasks_for(
        tmp_path, [item(f"f-{i}", attachments=["a.pdf"]) for i in range(2)], "few.jsonl"
    )
    many = wagtail_tasks_for(
        tmp_path,
        [item(f"m-{i}", title=f"Zanzibar rotation {i}", attachments=["b.pdf"])
         for i in range(8)],
        "many.jsonl",
    )  # fmt: skip
    assert len(many) == len(few) <= 2

    # Wagtail's own admin search finds the imported pages...
    found = Page.objects.search("Zanzibar")
    assert {p.title for p in found} >= {f"Zanzibar rotation {i}" for i in range(8)}
    # ...and the reference index knows which pages use the attached document.
    document = Document.objects.get(title="B")
    referring = {ref.object_id for ref in ReferenceIndex.get_references_to(document)}
    expected = KnowledgePage.objects.filter(external_id__startswith="m-").values_list(
        "pk", flat=True
    )
    assert {str(pk) for pk in expected} <= referring
