"""The review step for partner studies: reviewed by the editors of the regions a study covers.

Wagtail's GroupApprovalTask names its reviewer groups once, when the task is configured. A
partner study's reviewers depend on the study itself (its `regions`, as submitted), so this
task works out the groups for each submission, and falls back to the Secretariat when a
study names no region. The Secretariat (and superusers) may always review.
"""

from django.contrib.auth.models import Group
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from wagtail.models import Revision, Task, TaskState

from knowledge.vocabularies import Region

from .roles import SECRETARIAT_GROUP_NAME, editor_group_name


def submitted_region_ids(page, revision: Revision | None = None) -> list[int]:
    """Region ids of the content under review: the submitted revision, not the live page."""
    if revision is None and page is not None:
        task_state = page.current_workflow_task_state
        revision = task_state.revision if task_state else page.get_latest_revision()
    if revision is not None:
        return list(revision.content.get("regions") or [])
    regions = getattr(page.specific, "regions", None) if page is not None else None
    return list(regions.values_list("pk", flat=True)) if regions is not None else []


def reviewer_groups(page, revision: Revision | None = None) -> QuerySet[Group]:
    """Editor groups of the regions the page covers, or the Secretariat when there are none."""
    codes = Region.objects.filter(pk__in=submitted_region_ids(page, revision)).values_list(
        "code", flat=True
    )
    editors = Group.objects.filter(name__in=[editor_group_name(code) for code in codes])
    return editors if editors.exists() else Group.objects.filter(name=SECRETARIAT_GROUP_NAME)


def _group_names(user) -> frozenset[str]:
    cached = getattr(user, "_editorial_group_names", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        user._editorial_group_names = cached
    return cached


def is_secretariat(user) -> bool:
    """Superusers and the Secretariat review every partner study."""
    return user.is_active and (user.is_superuser or SECRETARIAT_GROUP_NAME in _group_names(user))


class RegionalReviewTask(Task):
    """Approval by the editors of the regions a submission covers (or the Secretariat)."""

    admin_form_fields = Task.admin_form_fields

    class Meta:
        verbose_name = _("Regional review task")
        verbose_name_plural = _("Regional review tasks")
        permissions = [
            ("view_pending_submissions", "Can view the pending partner submissions report"),
        ]

    def user_is_reviewer(self, obj, user, revision: Revision | None = None) -> bool:
        if not user.is_active:
            return False
        if is_secretariat(user):
            return True
        names = set(reviewer_groups(obj, revision).values_list("name", flat=True))
        return bool(names & _group_names(user))

    def reviewers(self, obj, revision: Revision | None = None):
        """The users to notify about a submission: members of the reviewer groups."""
        from django.contrib.auth import get_user_model

        return (
            get_user_model()
            .objects.filter(is_active=True, groups__in=reviewer_groups(obj, revision))
            .distinct()
        )

    def start(self, workflow_state, user=None):
        # As GroupApprovalTask does: a lock held by someone who cannot review is released,
        # otherwise the reviewers could not act on the submission.
        page = workflow_state.content_object
        locked_by = getattr(page, "locked_by", None)
        if locked_by is not None and not self.user_is_reviewer(page, locked_by):
            page.locked, page.locked_by, page.locked_at = False, None, None
            page.save(update_fields=["locked", "locked_by", "locked_at"])
        return super().start(workflow_state, user=user)

    def user_can_access_editor(self, obj, user):
        return self.user_is_reviewer(obj, user)

    def locked_for_user(self, obj, user):
        return not self.user_is_reviewer(obj, user)

    def user_can_lock(self, obj, user):
        return self.user_is_reviewer(obj, user)

    def user_can_unlock(self, obj, user):
        return False

    def get_actions(self, obj, user):
        if self.user_is_reviewer(obj, user):
            return [
                ("reject", _("Request changes"), True),
                ("approve", _("Approve"), False),
                ("approve", _("Approve with comment"), True),
            ]
        return []

    def get_task_states_user_can_moderate(self, user, **kwargs):
        in_progress = self.task_states.filter(status=TaskState.STATUS_IN_PROGRESS)
        if is_secretariat(user):
            return in_progress
        names = _group_names(user)
        region_ids = {
            pk
            for pk, code in Region.objects.values_list("pk", "code")
            if editor_group_name(code) in names
        }
        if not region_ids:
            return TaskState.objects.none()
        ids = [
            state.pk
            for state in in_progress.select_related("revision")
            if region_ids.intersection(submitted_region_ids(None, state.revision))
        ]
        return TaskState.objects.filter(pk__in=ids)

    @classmethod
    def get_description(cls):
        return _(
            "Editors of the regions a submission covers approve it (the Secretariat when it "
            "covers none); the Secretariat may always approve."
        )
