"""Review e-mails, built on Wagtail's notifiers but delivered by a django-tasks task.

Wagtail renders its workflow e-mails (submitted / approved / rejected-with-comment) from its own
templates and sends them inline, to the members of a GroupApprovalTask's fixed groups. Here:
- submissions to a RegionalReviewTask go to the reviewers of that submission (editors of the
  regions it covers, or the Secretariat);
- every message is rendered in the request (templates need the objects) and then queued, so
  a slow or unreachable SMTP server never blocks or fails an editor's action;
- each message is in its recipient's language: the admin language they chose, else the site's
  default (never the sender's, whose admin language is active while the mail is rendered).
  Links to pages in it are in that language too.

The notifiers are connected under Wagtail's own dispatch_uids. This app's ready() runs before
wagtail.admin's, so Wagtail's later connect() with the same uid is a no-op: one e-mail per
event, not two.
"""

import logging

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.translation import override
from django_tasks import task
from wagtail.admin.mail import (
    BaseGroupApprovalTaskStateEmailNotifier,
    WorkflowStateApprovalEmailNotifier,
    WorkflowStateRejectionEmailNotifier,
    WorkflowStateSubmissionEmailNotifier,
)
from wagtail.admin.mail import send_mail as wagtail_send_mail
from wagtail.models import AbstractGroupApprovalTask, TaskState, WorkflowState
from wagtail.signals import task_submitted, workflow_approved, workflow_rejected, workflow_submitted
from wagtail.users.models import UserProfile

logger = logging.getLogger(__name__)


@task()
def deliver_email(subject: str, body: str, recipient: str) -> None:
    """Send one notification (Wagtail's Auto-Submitted header and sender address)."""
    wagtail_send_mail(subject, body, [recipient])


def recipient_language(user) -> str:
    """The language `user` reads mail in: their admin language preference, else the site's."""
    return UserProfile.get_for_user(user).preferred_language or settings.LANGUAGE_CODE


class QueuedEmailMixin:
    """Render each recipient's message now; hand delivery to the task queue."""

    def send_emails(self, template_set, context, recipients, **kwargs):
        queued = 0
        for recipient in recipients:
            context["user"] = recipient
            with override(recipient_language(recipient)):
                # One line: a title holding CR/LF (an import can carry one) would make the
                # mail fail at delivery (Django refuses multi-line headers) and be lost.
                subject = " ".join(render_to_string(template_set["subject"], context).split())
                body = render_to_string(template_set["text"], context).strip()
            try:
                deliver_email.enqueue(subject, body, recipient.email)
                queued += 1
            except Exception:
                logger.exception("Could not queue notification %r to %s", subject, recipient.email)
        return queued == len(recipients)


class ReviewSubmissionNotifier(QueuedEmailMixin, BaseGroupApprovalTaskStateEmailNotifier):
    """'Submitted for review' to the people who may review this submission."""

    notification = "submitted"

    def can_handle(self, instance, **kwargs):
        from .models import RegionalReviewTask

        return isinstance(instance, TaskState) and isinstance(
            instance.task.specific, AbstractGroupApprovalTask | RegionalReviewTask
        )

    def get_recipient_users(self, task_state: TaskState, **kwargs):
        from .models import RegionalReviewTask

        task = task_state.task.specific
        if not isinstance(task, RegionalReviewTask):
            return super().get_recipient_users(task_state, **kwargs)
        recipients = task.reviewers(task_state.workflow_state.content_object, task_state.revision)
        triggering_user = kwargs.get("user")
        if triggering_user is not None:
            recipients = recipients.exclude(pk=triggering_user.pk)
        return recipients


class QueuedWorkflowSubmissionNotifier(QueuedEmailMixin, WorkflowStateSubmissionEmailNotifier):
    pass


class QueuedApprovalNotifier(QueuedEmailMixin, WorkflowStateApprovalEmailNotifier):
    """'Approved' to the contributor who submitted."""


class QueuedRejectionNotifier(QueuedEmailMixin, WorkflowStateRejectionEmailNotifier):
    """'Changes requested', with the reviewer's comment, to the contributor who submitted."""


# Module-level instances: signals hold receivers weakly.
review_submission_notifier = ReviewSubmissionNotifier()
workflow_submission_notifier = QueuedWorkflowSubmissionNotifier()
rejection_notifier = QueuedRejectionNotifier()
approval_notifier = QueuedApprovalNotifier()


def connect_notifiers() -> None:
    task_submitted.connect(
        review_submission_notifier,
        sender=TaskState,
        dispatch_uid="group_approval_task_submitted_email_notification",
    )
    workflow_submitted.connect(
        workflow_submission_notifier,
        sender=WorkflowState,
        dispatch_uid="workflow_state_submitted_email_notification",
    )
    workflow_rejected.connect(
        rejection_notifier,
        sender=WorkflowState,
        dispatch_uid="workflow_state_rejected_email_notification",
    )
    workflow_approved.connect(
        approval_notifier,
        sender=WorkflowState,
        dispatch_uid="workflow_state_approved_email_notification",
    )
