"""Admin registration: the four reference vocabularies as snippets under one menu; who may
fetch a document."""

from django.http import Http404
from wagtail import hooks
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup
from wagtail.wagtail_hooks import require_wagtail_login

from .document_access import Access, document_access
from .vocabularies import Country, PartnerOrganisation, Region, Topic


class VocabularyViewSet(SnippetViewSet):
    """Searched in the database with `icontains` over `search_fields`, so editors find an
    entry by its code (KE, EUR, TI) as well as by its name."""

    search_backend_name = None


class RegionViewSet(VocabularyViewSet):
    model = Region
    icon = "site"
    menu_label = "Regions"
    list_display = ["short_name", "code", "name"]
    search_fields = ["code", "name", "short_name"]
    ordering = ["short_name"]


class CountryViewSet(VocabularyViewSet):
    model = Country
    icon = "globe"
    menu_label = "Countries"
    list_display = ["name", "code", "region"]
    list_filter = ["region"]
    search_fields = ["code", "name"]
    ordering = ["name"]
    list_per_page = 50


class TopicViewSet(VocabularyViewSet):
    model = Topic
    icon = "tag"
    menu_label = "Topics"
    list_display = ["name", "code", "group"]
    list_filter = ["group"]
    search_fields = ["code", "name", "description"]
    ordering = ["name"]


class PartnerOrganisationViewSet(VocabularyViewSet):
    model = PartnerOrganisation
    icon = "group"
    menu_label = "Partner organisations"
    list_display = ["name", "acronym", "kind"]
    list_filter = ["kind", "regions"]
    search_fields = ["acronym", "name", "description"]
    ordering = ["name"]


class VocabulariesViewSetGroup(SnippetViewSetGroup):
    menu_label = "Vocabularies"
    menu_icon = "list-ul"
    menu_order = 250
    items = (RegionViewSet, CountryViewSet, TopicViewSet, PartnerOrganisationViewSet)


register_snippet(VocabulariesViewSetGroup)


@hooks.register("before_serve_document", order=-10)
def check_document_access(document, request):
    """Runs before Wagtail's collection view-restriction check, so a document nobody may see
    answers 404 rather than a login page that would confirm it exists."""
    access = document_access(document, request)
    if access is Access.LOGIN:
        return require_wagtail_login(next=request.get_full_path())
    if access is Access.NOT_FOUND:
        raise Http404("No such document.")
    return None
