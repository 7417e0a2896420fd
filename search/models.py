"""Durable search bookkeeping: the index-update outbox and cached attachment text."""

from django.db import models


class IndexUpdate(models.Model):
    """A page whose search document must be (re)indexed or removed.

    Written in the same transaction as the page change, so no change is lost when the engine
    is down; drained by `search.tasks.drain_index_updates` and `manage.py drain_index_updates`.
    Several rows for one page coalesce: the latest row's action wins.
    """

    class Action(models.TextChoices):
        INDEX = "index", "Index"
        DELETE = "delete", "Delete"

    page_id = models.PositiveIntegerField(db_index=True)  # not a FK: deleted pages stay queued
    action = models.CharField(max_length=10, choices=Action.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.action} page {self.page_id}"


class ExtractedText(models.Model):
    """Text extracted from an attached file, keyed by the file's hash (extract once)."""

    file_hash = models.CharField(max_length=40, unique=True)
    text = models.TextField(blank=True)
    extracted_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.file_hash
