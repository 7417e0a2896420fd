"""What happens when a review workflow is approved (settings.WAGTAIL_FINISH_WORKFLOW_ACTION).

Wagtail publishes the approved revision as the approving user and requires that user to hold
page "publish" permission. Regional reviewers deliberately hold no page permissions in the
partner area (they could otherwise publish or unpublish any partner's study), so for a
RegionalReviewTask the reviewer's approval itself is the authority to publish. Any other
workflow keeps Wagtail's behaviour. Imported by wagtail.models at load time: imports are lazy.
"""


def publish_on_approval(workflow_state, user=None) -> None:
    from wagtail.workflows import publish_workflow_state

    from .models import RegionalReviewTask

    page = workflow_state.content_object
    approved_by_reviewer = user is not None and any(
        isinstance(task, RegionalReviewTask) and task.user_is_reviewer(page, user)
        for task in workflow_state.workflow.tasks.specific()
    )
    if not approved_by_reviewer:
        publish_workflow_state(workflow_state, user=user)
        return
    page.get_latest_revision().publish(user=user, skip_permission_checks=True)
