"""Index maintenance: follows page and vocabulary changes into the search engine.

Every handler only queues page ids (search.indexing.queue); the drain decides from the
database what each page's document now is, so a handler never needs to know whether a page
is live, private or gone.
"""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from wagtail.documents import get_document_model
from wagtail.models import Page, PageViewRestriction
from wagtail.signals import page_published, page_unpublished, post_page_move

from knowledge.pages import KnowledgePage
from knowledge.registry import VOCABULARIES, for_model

from . import indexing
from .models import IndexUpdate


def _knowledge_in_subtree(page: Page) -> list[int]:
    return list(
        KnowledgePage.objects.descendant_of(page, inclusive=True).values_list("pk", flat=True)
    )


@receiver(page_published)
def page_was_published(sender, instance, **kwargs):
    """An item's own document; for a community or profile page, whose new slug or title
    changes the URLs beneath it, every item in its subtree."""
    if isinstance(instance, KnowledgePage):
        indexing.queue([instance.pk])
    else:
        indexing.queue(_knowledge_in_subtree(instance))


@receiver(page_unpublished)
def page_was_unpublished(sender, instance, **kwargs):
    if isinstance(instance, KnowledgePage):
        indexing.queue([instance.pk], IndexUpdate.Action.DELETE)


@receiver(post_delete)
def page_was_deleted(sender, instance, **kwargs):
    if isinstance(instance, KnowledgePage):
        indexing.queue([instance.pk], IndexUpdate.Action.DELETE)


@receiver(post_page_move)
def page_was_moved(sender, instance, **kwargs):
    """New URLs, and maybe a new audience under a restricted parent."""
    indexing.queue(_knowledge_in_subtree(instance))


def _restriction_changed(restriction: PageViewRestriction) -> None:
    page = Page.objects.filter(pk=restriction.page_id).first()
    if page is not None:
        indexing.queue(_knowledge_in_subtree(page))


@receiver(post_save, sender=PageViewRestriction)
@receiver(post_delete, sender=PageViewRestriction)
def view_restriction_changed(sender, instance, **kwargs):
    _restriction_changed(instance)


@receiver(m2m_changed, sender=PageViewRestriction.groups.through)
def view_restriction_groups_changed(sender, instance, action, **kwargs):
    """A members-only restriction is created first and given its group after."""
    if action in ("post_add", "post_remove", "post_clear") and isinstance(
        instance, PageViewRestriction
    ):
        _restriction_changed(instance)


def vocabulary_changed(sender, instance, created, **kwargs):
    """A renamed vocabulary entry changes the text and labels of every item using it, however
    the item reaches it (a partner study's contributing partner too)."""
    if created:
        return
    indexing.queue(for_model(sender).pages_using([instance]).values_list("pk", flat=True))


for vocabulary in VOCABULARIES:
    post_save.connect(
        vocabulary_changed, sender=vocabulary.model, dispatch_uid=f"search-{vocabulary.key}"
    )


@receiver(post_save, sender=get_document_model())
def attached_document_changed(sender, instance, created, **kwargs):
    """A replaced file or new title changes the attachment text of the items using it."""
    if not created:
        indexing.queue(
            KnowledgePage.objects.filter(attachments__document=instance).values_list(
                "pk", flat=True
            )
        )
