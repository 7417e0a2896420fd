"""The site's Content-Security-Policy: django-csp's middleware, with the admin's additions.

The public site runs under the strict policy in settings.CONTENT_SECURITY_POLICY. The Wagtail
admin (and Django's admin) needs more, found by loading its dashboard, page editor, user and
media listings in Chromium under the strict policy: its templates carry inline scripts without
nonces (InlinePanel, date and time widgets, the user listing) and style attributes, it previews
uploads from blob: URLs, and it shows page previews in a same-origin frame. Under those paths
only, the policy allows exactly that; scripts and connections still come only from this site.
A page preview is rendered through the whole middleware stack with a dummy request for the
page's public path (Wagtail's make_preview_request): it keeps the public policy, but may be
framed by the admin.
"""

from csp.middleware import CSPMiddleware, PolicyParts

ADMIN_PATH_PREFIXES = ("/admin/", "/django-admin/")
ADMIN_ADDITIONS = {
    "script-src": ["'unsafe-inline'"],
    "style-src": ["'unsafe-inline'"],
    "img-src": ["blob:"],
}
ADMIN_REPLACEMENTS = {"frame-ancestors": ["'self'"]}


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    def get_policy_parts(self, request, response, report_only=False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        in_admin = request.path_info.startswith(ADMIN_PATH_PREFIXES)
        if in_admin:
            parts.update = {**ADMIN_ADDITIONS, **(parts.update or {})}
        if in_admin or getattr(request, "is_preview", False):
            parts.replace = {**ADMIN_REPLACEMENTS, **(parts.replace or {})}
        return parts
