"""Engagements in the admin: a snippet with revisions, history (Wagtail's audit log) and an
inspect view; who may change which engagement is EngagementPermissionPolicy's answer."""

from django import forms
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views import snippets

from .forms import EngagementForm
from .models import Engagement
from .permissions import EngagementPermissionPolicy

register_permission_policy(Engagement, EngagementPermissionPolicy(Engagement))


class InstancePermissionMixin:
    """Edit, revert and delete answer for the one engagement, not only the model: a regional
    editor opening another region's engagement is refused (the inspect view still shows it)."""

    def get_object(self, queryset=None):
        instance = super().get_object(queryset)
        if not self.user_has_permission_for_instance(self.permission_required, instance):
            raise PermissionDenied
        return instance


class EngagementIndexView(snippets.IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("partner")

    def get_edit_url(self, instance):
        if self.user_has_permission_for_instance("change", instance):
            return super().get_edit_url(instance)
        return None

    def get_delete_url(self, instance):
        if self.user_has_permission_for_instance("delete", instance):
            return super().get_delete_url(instance)
        return None


class EngagementInspectView(snippets.InspectView):
    def get_edit_url(self):
        if self.user_has_permission_for_instance("change", self.object):
            return super().get_edit_url()
        return None

    def get_delete_url(self):
        if self.user_has_permission_for_instance("delete", self.object):
            return super().get_delete_url()
        return None


class EngagementEditView(InstancePermissionMixin, snippets.EditView):
    pass


class EngagementDeleteView(InstancePermissionMixin, snippets.DeleteView):
    pass


class EngagementViewSet(snippets.SnippetViewSet):
    model = Engagement
    icon = "link"
    menu_label = _("Engagements")
    menu_order = 260
    add_to_admin_menu = True
    inspect_view_enabled = True
    index_view_class = EngagementIndexView
    inspect_view_class = EngagementInspectView
    edit_view_class = EngagementEditView
    delete_view_class = EngagementDeleteView
    list_display = [
        "title",
        Column(
            "partner",
            label=_("Partner"),
            accessor=lambda e: e.partner.abbreviation,
            sort_key="partner__acronym",
        ),
        "kind",
        "status",
        Column(
            "assessment",
            label=_("Assessment"),
            accessor=lambda e: e.get_assessment_display() or _("Not assessed"),
            sort_key="assessment",
        ),
        "start_date",
    ]
    list_filter = ["partner", "kind", "status", "assessment", "regions"]
    search_backend_name = None  # the database's icontains over search_fields
    search_fields = ["title", "purpose", "expected_outcomes", "partner__acronym", "partner__name"]
    ordering = ["-start_date", "title"]
    list_per_page = 50
    edit_handler = ObjectList(
        [
            FieldPanel("title"),
            FieldPanel("partner"),
            FieldRowPanel([FieldPanel("kind"), FieldPanel("status")]),
            FieldRowPanel([FieldPanel("start_date"), FieldPanel("end_date")]),
            FieldPanel("regions", widget=forms.CheckboxSelectMultiple),
            FieldPanel("topics", widget=forms.CheckboxSelectMultiple),
            FieldPanel("purpose"),
            FieldPanel("expected_outcomes"),
            MultiFieldPanel(
                [
                    FieldPanel("assessment"),
                    FieldPanel("assessment_justification"),
                    FieldPanel("outcome_items"),
                ],
                heading=_("Assessment"),
            ),
            FieldPanel("external_id"),
        ],
        base_form_class=EngagementForm,
    )


register_snippet(EngagementViewSet)
