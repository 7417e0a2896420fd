"""Admin wiring: the Secretariat's pending-submissions report and locked-logins view, and the
community structure (home, communities, partner area and profiles) protected from deletion by
editors."""

from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem

from knowledge.pages import CommunityPage, HomePage, PartnerProfilePage, PartnerStudiesIndexPage

from .lockouts import UNLOCK_PERMISSION, LockedLoginsView
from .models import is_secretariat
from .views import REPORT_PERMISSION, PendingPartnerSubmissionsView

STRUCTURAL_PAGE_TYPES = (HomePage, CommunityPage, PartnerStudiesIndexPage, PartnerProfilePage)


@hooks.register("register_admin_urls")
def register_report_url():
    return [
        path(
            "reports/pending-partner-submissions/",
            PendingPartnerSubmissionsView.as_view(),
            name="editorial_pending_submissions",
        ),
        path("locked-logins/", LockedLoginsView.as_view(), name="editorial_locked_logins"),
    ]


class ReportMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(REPORT_PERMISSION)


@hooks.register("register_reports_menu_item")
def register_report_menu_item():
    return ReportMenuItem(
        gettext_lazy("Pending partner submissions"),
        reverse("editorial_pending_submissions"),
        name="pending-partner-submissions",
        icon_name="tasks",
        order=650,
    )


class LockedLoginsMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(UNLOCK_PERMISSION)


@hooks.register("register_settings_menu_item")
def register_locked_logins_menu_item():
    return LockedLoginsMenuItem(
        gettext_lazy("Locked logins"),
        reverse("editorial_locked_logins"),
        name="locked-logins",
        icon_name="lock",
        order=610,
    )


@hooks.register("before_delete_page")
def protect_structure(request, page):
    """Communities and partner profiles mirror the vocabularies; only the Secretariat (or a
    superuser) removes them, so an empty community cannot vanish by an editor's click."""
    if isinstance(page.specific, STRUCTURAL_PAGE_TYPES) and not is_secretariat(request.user):
        messages.error(
            request, _("Only the Secretariat can delete “%(title)s”.") % {"title": page.title}
        )
        return redirect("wagtailadmin_explore", page.get_parent().pk)
    return None
