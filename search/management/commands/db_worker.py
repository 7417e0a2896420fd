"""`manage.py db_worker`: django-tasks-db's worker, kept alive through a locked database and
watching the search outbox so a crashed drain is picked up again (see search.worker)."""

from django_tasks_db.management.commands import db_worker

from search.worker import ResilientWorker, Watchdog, uses_database_queue


class Command(db_worker.Command):
    help = db_worker.Command.help + " (retries on a locked database; re-queues stale drains)"

    def handle(self, *args, batch: bool, **options) -> None:
        if not batch and uses_database_queue():
            Watchdog().start()
        db_worker.Worker = ResilientWorker  # the parent's handle builds its worker by this name
        super().handle(*args, batch=batch, **options)
