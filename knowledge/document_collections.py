"""Which Wagtail collection holds a document: the one its audience says.

Each region and each partner has a collection (editors and contributors hold their collection
permissions there). Each of those has a "Members only" child collection with a Wagtail
CollectionViewRestriction, so Wagtail's own serve view refuses its files to the public; its
collection permissions are inherited from the parent, so editors still upload and choose
there. An attachment of a live public page lives in the public collection, one of member-only
pages only in the members collection; publishing, unpublishing, moving a page or changing its
privacy moves its attachments accordingly (`place_documents_of`).
"""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from wagtail.documents import get_document_model
from wagtail.models import Collection, CollectionViewRestriction, Page, PageViewRestriction
from wagtail.signals import page_published, page_unpublished, post_page_move

from .audience import members_group, page_audience
from .pages import CommunityPage, KnowledgeAttachment, KnowledgePage, PartnerProfilePage

MEMBERS_COLLECTION_NAME = "Members only"


def region_collection_name(region_code: str) -> str:
    return f"Region {region_code}"


def partner_collection_name(acronym: str) -> str:
    return f"Partner {acronym}"


def ensure_collection(name: str, parent: Collection | None = None) -> Collection:
    parent = parent or Collection.get_first_root_node()
    existing = parent.get_children().filter(name=name).first()
    return existing or parent.add_child(instance=Collection(name=name))


def ensure_members_collection(base: Collection) -> Collection:
    """`base`'s "Members only" child, restricted to the Members group (setup_roles adds the
    groups that manage or review `base`)."""
    collection = ensure_collection(MEMBERS_COLLECTION_NAME, base)
    if not collection.view_restrictions.exists():
        restriction = CollectionViewRestriction.objects.create(
            collection=collection, restriction_type=CollectionViewRestriction.GROUPS
        )
        restriction.groups.set([members_group()])
    return collection


def home_collection(page: Page) -> Collection | None:
    """The region or partner collection of the community or profile a page sits under."""
    for ancestor in page.get_ancestors(inclusive=True).specific().reverse():
        if isinstance(ancestor, CommunityPage):
            return ensure_collection(region_collection_name(ancestor.region.code))
        if isinstance(ancestor, PartnerProfilePage):
            return ensure_collection(partner_collection_name(ancestor.partner.acronym))
    return None


def audience_collection(base: Collection, members_only: bool) -> Collection:
    return ensure_members_collection(base) if members_only else base


def _managed_base(collection: Collection) -> Collection | None:
    """The region/partner collection `collection` is, or whose members child it is."""
    if collection.name == MEMBERS_COLLECTION_NAME:
        collection = collection.get_parent()
        if collection is None:
            return None
    if collection.depth == 2 and collection.name.startswith(("Region ", "Partner ")):
        return collection
    return None


def place_document(document) -> None:
    """Move `document` to the collection its widest live audience says: public if any live
    public page attaches it, else members only. A document no live page attaches stays."""
    pages = [a.page for a in KnowledgeAttachment.objects.filter(document=document, page__live=True)]
    if not pages:
        return
    members_only = all(page_audience(page) != "public" for page in pages)
    base = _managed_base(document.collection) or home_collection(pages[0])
    if base is None:
        return
    target = audience_collection(base, members_only)
    if document.collection_id != target.pk:
        document.collection = target
        document.save(update_fields=["collection"])


def place_documents_of(pages) -> None:
    ids = KnowledgeAttachment.objects.filter(page__in=pages).values("document_id")
    for document in get_document_model().objects.filter(pk__in=ids):
        place_document(document)


def _place_subtree(page: Page) -> None:
    place_documents_of(KnowledgePage.objects.descendant_of(page, inclusive=True))


@receiver(page_published)
@receiver(page_unpublished)
def page_went_live_or_not(sender, instance, **kwargs):
    if isinstance(instance, KnowledgePage):
        place_documents_of([instance])


@receiver(post_page_move)
def page_was_moved(sender, instance, **kwargs):
    """Maybe under a restricted parent now, or out from under one."""
    _place_subtree(instance)


@receiver(post_save, sender=PageViewRestriction)
@receiver(post_delete, sender=PageViewRestriction)
def page_privacy_changed(sender, instance, **kwargs):
    page = Page.objects.filter(pk=instance.page_id).first()
    if page is not None:
        _place_subtree(page)


@receiver(m2m_changed, sender=PageViewRestriction.groups.through)
def page_privacy_groups_changed(sender, instance, action, **kwargs):
    if action in ("post_add", "post_remove", "post_clear") and isinstance(
        instance, PageViewRestriction
    ):
        _place_subtree(instance.page)
