"""Background work of the search app, run by the django-tasks worker (`manage.py db_worker`)."""

from django_tasks import task

from . import indexing


@task()
def drain_index_updates() -> dict:
    """Send queued page changes to the search engine; failed ones stay queued."""
    result = indexing.drain()
    return {"indexed": result.indexed, "deleted": result.deleted, "failed": result.failed}
