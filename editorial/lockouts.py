"""Secretariat view of log-ins that django-axes has locked, with an unlock button.

Axes counts failed log-ins per account and per address (settings.AXES_*); a lock lifts by
itself after the cool-off, and this view lifts it at once, e.g. for a member who forgot their
password, through axes' own reset (the same as `manage.py axes_reset_username NAME`).
"""

from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Max, Sum
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

UNLOCK_PERMISSION = "axes.delete_accessattempt"


def locked(field: str) -> list[dict]:
    """Usernames or addresses whose failures reach the limit, most recent first."""
    return list(
        AccessAttempt.objects.values(field)
        .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
        .filter(failures__gte=settings.AXES_FAILURE_LIMIT)
        .order_by("-last")
    )


class LockedLoginsView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "editorial/locked_logins.html"
    page_title = gettext_lazy("Locked logins")
    header_icon = "lock"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(UNLOCK_PERMISSION):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["accounts"] = locked("username")
        context["addresses"] = locked("ip_address")
        context["failure_limit"] = settings.AXES_FAILURE_LIMIT
        context["cool_off_minutes"] = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
        return context

    def post(self, request, *args, **kwargs):
        if username := request.POST.get("username"):
            reset(username=username)
            messages.success(
                request, _("“%(username)s” can log in again.") % {"username": username}
            )
        elif address := request.POST.get("ip_address"):
            reset(ip=address)
            messages.success(
                request, _("Log-ins from %(address)s are allowed again.") % {"address": address}
            )
        return redirect("editorial_locked_logins")
