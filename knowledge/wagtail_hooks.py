"""Admin registration: the four reference vocabularies as snippets under one menu; who may
fetch a document."""

from django.conf import settings
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup
from wagtail.wagtail_hooks import require_wagtail_login

from .document_access import Access, document_access
from .registry import for_model
from .vocabularies import Country, PartnerOrganisation, Region, Topic


def translated_panels(model) -> list[MultiFieldPanel]:
    """The entry's translated fields, one panel per language, so an editor sees and edits
    the three languages together (English is required, the others fall back to it)."""
    entry = for_model(model)
    return [
        MultiFieldPanel(
            [FieldPanel(entry.columns(field)[position]) for field in entry.translated],
            heading=language,
        )
        for position, (_code, language) in enumerate(settings.LANGUAGES)
    ]


def searched_columns(model, *fields: str) -> list[str]:
    """Every language's column of `fields`, so a search finds an entry by any of its names."""
    entry = for_model(model)
    return [entry.code, *(column for field in fields for column in entry.columns(field))]


class VocabularyViewSet(SnippetViewSet):
    """Searched in the database with `icontains` over `search_fields`, so editors find an
    entry by its code (KE, EUR, TI) as well as by its name in any language."""

    search_backend_name = None


class RegionViewSet(VocabularyViewSet):
    model = Region
    icon = "site"
    menu_label = _("Regions")
    list_display = ["short_name", "code", "name"]
    search_fields = searched_columns(Region, "name", "short_name")
    ordering = ["short_name"]
    panels = [FieldPanel("code"), *translated_panels(Region)]


class CountryViewSet(VocabularyViewSet):
    model = Country
    icon = "globe"
    menu_label = _("Countries")
    list_display = ["name", "code", "region"]
    list_filter = ["region"]
    search_fields = searched_columns(Country, "name")
    ordering = ["name"]
    list_per_page = 50
    panels = [FieldPanel("code"), FieldPanel("region"), *translated_panels(Country)]


class TopicViewSet(VocabularyViewSet):
    model = Topic
    icon = "tag"
    menu_label = _("Topics")
    list_display = ["name", "code", "group"]
    list_filter = ["group"]
    search_fields = searched_columns(Topic, "name", "description", "synonyms")
    ordering = ["name"]
    panels = [FieldPanel("code"), FieldPanel("group"), *translated_panels(Topic)]


class PartnerOrganisationViewSet(VocabularyViewSet):
    model = PartnerOrganisation
    icon = "group"
    menu_label = _("Partner organisations")
    list_display = ["name", "acronym", "kind"]
    list_filter = ["kind", "regions"]
    search_fields = searched_columns(PartnerOrganisation, "name", "abbreviation", "description")
    ordering = ["name"]
    panels = [
        FieldPanel("acronym"),
        *translated_panels(PartnerOrganisation),
        FieldPanel("kind"),
        FieldPanel("website"),
        FieldPanel("regions"),
    ]


class VocabulariesViewSetGroup(SnippetViewSetGroup):
    menu_label = _("Vocabularies")
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
