"""Secretariat report: partner studies waiting for review, grouped by partner."""

from itertools import groupby

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.models import WorkflowState

from knowledge.pages import PartnerStudyPage

REPORT_PERMISSION = "editorial.view_pending_submissions"


def pending_partner_submissions() -> list[dict]:
    """In-progress review workflows on partner studies, oldest first, with their partner."""
    content_type = ContentType.objects.get_for_model(PartnerStudyPage)
    states = (
        WorkflowState.objects.active()
        .filter(content_type=content_type, status=WorkflowState.STATUS_IN_PROGRESS)
        .select_related("requested_by", "current_task_state__task", "workflow")
        .order_by("created_at")
    )
    studies = PartnerStudyPage.objects.in_bulk([int(s.object_id) for s in states])
    rows = []
    for state in states:
        study = studies.get(int(state.object_id))
        if study is None:
            continue
        rows.append(
            {
                "partner": study.contributing_partner,
                "study": study,
                "submitted_by": state.requested_by,
                "submitted_at": state.created_at,
                "task": state.current_task_state.task if state.current_task_state else None,
            }
        )
    rows.sort(key=lambda r: (r["partner"].acronym, r["submitted_at"]))
    return rows


class PendingPartnerSubmissionsView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "editorial/pending_submissions.html"
    page_title = _("Pending partner submissions")
    header_icon = "tasks"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(REPORT_PERMISSION):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = pending_partner_submissions()
        context["partners"] = [
            (partner, list(items)) for partner, items in groupby(rows, key=lambda r: r["partner"])
        ]
        context["total"] = len(rows)
        return context
