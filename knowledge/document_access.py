"""Who may fetch a document through Wagtail's serve view (the `before_serve_document` hook).

A document is served to those who may read some LIVE page that uses it (as an attachment,
or linked from its body: Wagtail's reference index), to admin users who may choose or change
it in its collection, and to the reviewers of a submission in moderation that attaches it.
Everyone else gets 404, so enumerating ids reveals nothing; an anonymous visitor asking for
an attachment of a live member-only page is sent to log in instead.
"""

import enum

from django.contrib.contenttypes.models import ContentType
from wagtail.documents import get_permission_policy
from wagtail.models import Page, ReferenceIndex, WorkflowState

from .audience import page_audience
from .pages import KnowledgeAttachment


class Access(enum.Enum):
    SERVE = "serve"
    LOGIN = "login"
    NOT_FOUND = "not_found"


def live_pages_using(document) -> list[Page]:
    attached = KnowledgeAttachment.objects.filter(document=document).values_list(
        "page_id", flat=True
    )
    referenced = (
        ReferenceIndex.get_references_to(document)
        .filter(base_content_type=ContentType.objects.get_for_model(Page))
        .values_list("object_id", flat=True)
    )
    ids = set(attached) | {int(pk) for pk in referenced}
    return list(Page.objects.live().filter(pk__in=ids).specific())


def _may_read(page: Page, request) -> bool:
    """Wagtail's own test, as its page serve view applies it (groups, login, password)."""
    return all(r.accept_request(request) for r in page.get_view_restrictions())


def _reviews_submission_with(document, user) -> bool:
    """True when `user` may review a page in moderation whose submitted revision attaches it."""
    if not user.is_authenticated:
        return False
    for state in WorkflowState.objects.active().select_related("current_task_state__task"):
        task_state = state.current_task_state
        page = state.content_object
        if task_state is None or not isinstance(page, Page):
            continue
        submitted = task_state.revision.as_object() if task_state.revision else page.specific
        attachments = getattr(submitted, "attachments", None)
        if attachments is None or not any(a.document_id == document.pk for a in attachments.all()):
            continue
        if task_state.task.specific.user_can_access_editor(page.specific, user):
            return True
    return False


def document_access(document, request) -> Access:
    user = request.user
    if get_permission_policy().user_has_any_permission_for_instance(
        user, ["choose", "change"], document
    ):
        return Access.SERVE
    pages = live_pages_using(document)
    if any(_may_read(page, request) for page in pages):
        return Access.SERVE
    if _reviews_submission_with(document, user):
        return Access.SERVE
    if not user.is_authenticated and any(page_audience(p) == "members" for p in pages):
        return Access.LOGIN
    return Access.NOT_FOUND
