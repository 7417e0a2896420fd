"""URL map: admin, documents, log in/out, search (page and API), then Wagtail's pages.

Documents are only ever served by Wagtail's serve view (the `before_serve_document` hook in
knowledge decides who may have one), never from MEDIA_ROOT.

The public site is in three languages, chosen by the URL alone so a shared link shows what
its sender saw: English unprefixed (the addresses the site always had), French under /fr/,
Spanish under /es/. Log-in, search (page, feed, API) and pages are per language; the admin
(its language is each user's preference), documents and Django's admin are not.
"""

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.decorators.cache import cache_control
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents.views import serve

# Whether a document may be served depends on who asks (editors fetch unpublished
# attachments at the same URL), so no shared cache may keep one.
private_document = cache_control(private=True)

urlpatterns = [
    path("django-admin/", admin.site.urls),
    path("admin/", include(wagtailadmin_urls)),
    re_path(r"^documents/(\d+)/(.*)$", private_document(serve.serve), name="wagtaildocs_serve"),
    path(
        "documents/authenticate_with_password/<int:restriction_id>/",
        serve.authenticate_with_password,
        name="wagtaildocs_authenticate_with_password",
    ),
]

if settings.DEBUG:
    from django.conf.urls.static import static
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
    # Image renditions only, for the admin's image library; documents never (see above).
    urlpatterns += static(
        f"{settings.MEDIA_URL}images/", document_root=settings.MEDIA_ROOT / "images"
    )

urlpatterns += i18n_patterns(
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("search.urls")),
    path("", include("knowledge.urls")),
    path("", include("partnerships.urls")),
    path("", include(wagtail_urls)),
    prefix_default_language=False,
)
