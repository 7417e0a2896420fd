"""Page types: the community tree and the five kinds of knowledge practitioners filter by.

`KnowledgePage` is a concrete parent (multi-table) rather than an abstract base: the five
types share ten metadata fields and are listed, filtered and indexed together, so one table
gives one query across all types (the CFPB `AbstractFilterPage` pattern).

Each type describes itself, as Wagtail's `search_fields` and `content_panels` do:
`search_text_fields` are its own fields whose text goes into the search document (in
reading order), `import_fields` the keys an import line may carry for it. The search
documents, the importer, the bulk writer and the corpus generator read them.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from taggit.models import TaggedItemBase
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from .audience import page_audience, readable_child_counts, readable_pages, visible_audiences
from .blocks import BODY_FEATURES, BodyBlock, ChaptersBlock, StepsBlock
from .import_fields import BLOCKS, CHOICE, DATE, HTML, PLAIN, ImportField, reference
from .vocabularies import Country, PartnerOrganisation, Region, Topic

LANGUAGES = [("en", _("English")), ("fr", _("French")), ("es", _("Spanish"))]


class HomePage(Page):
    """The site root: introduces the communities and links to search."""

    intro = RichTextField(_("introduction"), features=BODY_FEATURES, blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["knowledge.CommunityPage", "knowledge.PartnerStudiesIndexPage"]
    max_count = 1

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        communities = list(
            CommunityPage.objects.child_of(self).live().public().select_related("region")
        )
        counts = readable_child_counts(request.user, communities)
        context["communities"] = [(community, counts[community.pk]) for community in communities]
        context["recent"] = readable_pages(
            request.user, KnowledgePage.objects.live().order_by("-published_date", "-pk")
        )[:8]
        return context


class CommunityPage(Page):
    """A regional integrity community: its editors publish everything beneath it."""

    region = models.OneToOneField(
        Region, on_delete=models.PROTECT, related_name="community", verbose_name=_("region")
    )
    intro = RichTextField(_("introduction"), features=BODY_FEATURES, blank=True)

    content_panels = Page.content_panels + [
        FieldPanel("region"),
        FieldPanel("intro"),
        InlinePanel("featured_items", label=_("Featured items")),
    ]
    parent_page_types = ["knowledge.HomePage"]
    subpage_types = [
        "knowledge.CaseStudyPage",
        "knowledge.ProcedurePage",
        "knowledge.StandardPage",
        "knowledge.HandbookPage",
    ]

    class Meta:
        verbose_name = _("community page")

    def get_context(self, request, *args, **kwargs):
        from .breakdowns import (
            breakdown,
            count_chart,
        )  # it reads search/, which reads these page types

        context = super().get_context(request, *args, **kwargs)
        context["items"] = readable_pages(
            request.user, KnowledgePage.objects.child_of(self).live().order_by("-published_date")
        )
        context["featured"] = self.featured_for(request.user)
        regional = breakdown(request.user, {"region": self.region.code}, newest=1)
        context["breakdown"] = regional
        context["topic_chart"] = count_chart(
            _("Items from this region by topic"), _("Topic"), regional.topics
        )
        context["type_chart"] = count_chart(
            _("Items from this region by content type"), _("Content type"), regional.types
        )
        profiles = {
            profile.partner.acronym: profile
            for profile in PartnerProfilePage.objects.live()
            .public()
            .filter(partner__acronym__in=[p.value for p in regional.partners])
            .select_related("partner")
        }
        # (count, profile or None): partners active here, linked to their profile if any
        context["partners_active"] = [(p, profiles.get(p.value)) for p in regional.partners]
        return context

    def featured_for(self, user) -> list["KnowledgePage"]:
        """The editor's featured items that `user` may read: live, and public or (for
        members) member-only; drafts and private items never show."""
        audiences = visible_audiences(user)
        chosen = (
            KnowledgePage.objects.live()
            .filter(featured_in__community=self)
            .order_by("featured_in__sort_order")
        )
        return [item for item in chosen if page_audience(item) in audiences]


class CommunityFeaturedItem(Orderable):
    """A knowledge item an editor puts at the top of a community page."""

    community = ParentalKey(CommunityPage, on_delete=models.CASCADE, related_name="featured_items")
    page = models.ForeignKey(
        "knowledge.KnowledgePage",
        on_delete=models.CASCADE,
        related_name="featured_in",
        verbose_name=_("item"),
    )

    panels = [FieldPanel("page")]

    class Meta(Orderable.Meta):
        verbose_name = _("featured item")
        verbose_name_plural = _("featured items")


def engagement_map_url(user) -> str:
    """The partner engagement map's address for staff who may open it, else ""."""
    from partnerships.access import can_view_engagements  # partnerships reads these pages

    return reverse("engagement-map") if can_view_engagements(user) else ""


class PartnerStudiesIndexPage(Page):
    """The area where partner organisations contribute studies, one profile each."""

    intro = RichTextField(_("introduction"), features=BODY_FEATURES, blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["knowledge.HomePage"]
    subpage_types = ["knowledge.PartnerProfilePage"]
    max_count = 1

    class Meta:
        verbose_name = _("partner studies index page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        profiles = list(
            PartnerProfilePage.objects.child_of(self).live().public().select_related("partner")
        )
        counts = readable_child_counts(request.user, profiles)
        context["profiles"] = [(profile, counts[profile.pk]) for profile in profiles]
        context["engagement_map_url"] = engagement_map_url(request.user)
        return context


class PartnerProfilePage(Page):
    """A partner organisation's profile; its studies are published beneath it."""

    partner = models.OneToOneField(
        PartnerOrganisation,
        on_delete=models.PROTECT,
        related_name="profile",
        verbose_name=_("partner organisation"),
    )

    content_panels = Page.content_panels + [FieldPanel("partner")]
    parent_page_types = ["knowledge.PartnerStudiesIndexPage"]
    subpage_types = ["knowledge.PartnerStudyPage"]

    class Meta:
        verbose_name = _("partner profile page")

    def get_context(self, request, *args, **kwargs):
        # These read search/ and partnerships/, which read these page types.
        from partnerships.access import can_view_engagements, visible_engagements
        from search.presenters import year_bar_chart, year_counts

        from .breakdowns import breakdown
        from .registry import vocabulary

        context = super().get_context(request, *args, **kwargs)
        partner = self.partner
        context["studies"] = readable_pages(
            request.user, KnowledgePage.objects.child_of(self).live().order_by("-published_date")
        )
        # Listed as the partner facet counts them (partners and contributing partner), less
        # the studies already listed.
        context["citing"] = readable_pages(
            request.user,
            vocabulary("partners")
            .pages_using([partner])
            .live()
            .not_child_of(self)
            .order_by("-published_date"),
        )
        # Regions, topics and years: one engine search, counted as the viewer may see.
        activity = breakdown(request.user, {"partner": partner.acronym}, newest=1)
        context["activity"] = activity
        years = next((p.options for p in activity.outcome.facets if p.name == "year"), ())
        context["years_chart"] = year_bar_chart(
            gettext("Contributions by publication year"),
            year_counts(years),
            lambda year: activity.search_url(year=year),
        )
        context["engagement_map_url"] = engagement_map_url(request.user)
        if can_view_engagements(request.user):
            context["engagements"] = (
                visible_engagements(request.user)
                .filter(partner=partner)
                .prefetch_related("regions")
                .order_by("-start_date", "title")
            )
        return context


class KnowledgePageTag(TaggedItemBase):
    content_object = ParentalKey(
        "knowledge.KnowledgePage", on_delete=models.CASCADE, related_name="tagged_items"
    )


class KnowledgePage(Page):
    """Metadata and body shared by every knowledge item; never created directly."""

    knowledge_type = ""  # stable code of the content type, set by each subclass
    search_text_fields: tuple[str, ...] = ()
    import_fields: tuple[ImportField, ...] = ()

    summary = models.TextField(
        _("summary"), help_text=_("Two or three sentences shown in lists and results.")
    )
    body = StreamField(BodyBlock(), blank=True, verbose_name=_("body"))
    regions = ParentalManyToManyField(
        Region, related_name="knowledge_items", verbose_name=_("regions")
    )
    countries = ParentalManyToManyField(
        Country, blank=True, related_name="knowledge_items", verbose_name=_("countries")
    )
    topics = ParentalManyToManyField(
        Topic, related_name="knowledge_items", verbose_name=_("topics")
    )
    partners = ParentalManyToManyField(
        PartnerOrganisation,
        blank=True,
        related_name="knowledge_items",
        verbose_name=_("partner organisations"),
    )
    published_date = models.DateField(
        _("published date"), default=timezone.localdate, db_index=True
    )
    language = models.CharField(_("language"), max_length=2, choices=LANGUAGES, default="en")
    tags = ClusterTaggableManager(through=KnowledgePageTag, blank=True, verbose_name=_("tags"))
    external_id = models.CharField(
        _("external id"),
        max_length=100,
        null=True,
        blank=True,
        unique=True,
        editable=False,
        help_text=_("Stable id of an imported item, so re-imports update it."),
    )

    is_creatable = False

    # Wagtail's own database search (admin search, page chooser; the benchmark baseline)
    # sees the text too; the public faceted search has its own documents (search/).
    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("body"),
        index.RelatedFields("tags", [index.SearchField("name")]),
        index.FilterField("published_date"),
        index.FilterField("language"),
    ]

    metadata_panels = [
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("published_date"), FieldPanel("language")]),
                FieldPanel("regions"),
                FieldPanel("countries"),
                FieldPanel("topics"),
                FieldPanel("partners"),
                FieldPanel("tags"),
            ],
            heading=_("Metadata"),
        ),
        InlinePanel("attachments", label=_("Attachments")),
    ]
    content_panels = (
        Page.content_panels + [FieldPanel("summary")] + metadata_panels + [FieldPanel("body")]
    )

    class Meta:
        verbose_name = _("knowledge item")
        verbose_name_plural = _("knowledge items")

    @property
    def type_label(self) -> str:
        return self.specific_class._meta.verbose_name

    def get_template(self, request, *args, **kwargs):
        return "knowledge/knowledge_page.html"

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        from search.query import FacetVocabulary  # search reads these page types
        from search.service import related_results

        from .audience import visible_audiences
        from .citation import citation_for  # its views need the app registry loaded

        audiences = visible_audiences(request.user)
        context["related"] = related_results(self.pk, audiences, FacetVocabulary())
        context["citation"] = citation_for(self, request)
        return context


class KnowledgeAttachment(Orderable):
    """A document (report, PDF, slides) attached to a knowledge item."""

    page = ParentalKey(KnowledgePage, on_delete=models.CASCADE, related_name="attachments")
    document = models.ForeignKey(
        "wagtaildocs.Document",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("document"),
    )
    caption = models.CharField(_("caption"), max_length=250, blank=True)

    panels = [FieldPanel("document"), FieldPanel("caption")]


def _panels(*type_panels):
    return (
        Page.content_panels
        + [FieldPanel("summary")]
        + list(type_panels)
        + KnowledgePage.metadata_panels
        + [FieldPanel("body")]
    )


class CaseStudyPage(KnowledgePage):
    """What happened in one administration, what was done and what was learned."""

    knowledge_type = "case_study"

    what_happened = RichTextField(_("what happened"), features=BODY_FEATURES, blank=True)
    measures_taken = RichTextField(_("measures taken"), features=BODY_FEATURES, blank=True)
    outcome = RichTextField(_("outcome"), features=BODY_FEATURES, blank=True)
    lessons_learned = RichTextField(_("lessons learned"), features=BODY_FEATURES, blank=True)

    search_text_fields = ("what_happened", "measures_taken", "outcome", "lessons_learned")
    import_fields = tuple(ImportField(name, HTML) for name in search_text_fields)

    content_panels = _panels(
        FieldPanel("what_happened"),
        FieldPanel("measures_taken"),
        FieldPanel("outcome"),
        FieldPanel("lessons_learned"),
    )
    parent_page_types = ["knowledge.CommunityPage"]
    subpage_types: list = []

    class Meta:
        verbose_name = _("case study")
        verbose_name_plural = _("case studies")


class ProcedurePage(KnowledgePage):
    """An operational procedure as ordered steps with an owner."""

    knowledge_type = "procedure"

    scope = RichTextField(_("scope"), features=BODY_FEATURES, blank=True)
    steps = StreamField(StepsBlock(), blank=True, verbose_name=_("steps"))
    owning_unit = models.CharField(
        _("owning unit"), max_length=200, blank=True, help_text=_("Unit that owns it")
    )

    search_text_fields = ("scope", "owning_unit", "steps")
    import_fields = (
        ImportField("scope", HTML),
        ImportField("owning_unit", PLAIN),
        ImportField("steps", BLOCKS),
    )

    content_panels = _panels(FieldPanel("scope"), FieldPanel("owning_unit"), FieldPanel("steps"))
    parent_page_types = ["knowledge.CommunityPage"]
    subpage_types: list = []

    class Meta:
        verbose_name = _("procedure")
        verbose_name_plural = _("procedures")


class StandardPage(KnowledgePage):
    """A standard or regulation, with its issuing body and legal status."""

    knowledge_type = "standard"

    class Status(models.TextChoices):
        IN_FORCE = "in_force", _("In force")
        DRAFT = "draft", _("Draft")
        SUPERSEDED = "superseded", _("Superseded")

    issuing_body = models.CharField(_("issuing body"), max_length=200)
    reference_number = models.CharField(_("reference number"), max_length=100, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.IN_FORCE
    )
    effective_date = models.DateField(_("effective date"), null=True, blank=True)

    search_text_fields = ("issuing_body", "reference_number")
    import_fields = (
        ImportField("issuing_body", PLAIN, required=True),
        ImportField("reference_number", PLAIN),
        ImportField("status", CHOICE),
        ImportField("effective_date", DATE),
    )

    content_panels = _panels(
        FieldRowPanel([FieldPanel("issuing_body"), FieldPanel("reference_number")]),
        FieldRowPanel([FieldPanel("status"), FieldPanel("effective_date")]),
    )
    parent_page_types = ["knowledge.CommunityPage"]
    subpage_types: list = []

    class Meta:
        verbose_name = _("standard or regulation")
        verbose_name_plural = _("standards and regulations")


class HandbookPage(KnowledgePage):
    """Guidance or a handbook, in chapters."""

    knowledge_type = "handbook"

    edition = models.CharField(_("edition"), max_length=60, blank=True)
    chapters = StreamField(ChaptersBlock(), blank=True, verbose_name=_("chapters"))

    search_text_fields = ("edition", "chapters")
    import_fields = (ImportField("edition", PLAIN), ImportField("chapters", BLOCKS))

    content_panels = _panels(FieldPanel("edition"), FieldPanel("chapters"))
    parent_page_types = ["knowledge.CommunityPage"]
    subpage_types: list = []

    class Meta:
        verbose_name = _("guidance or handbook")
        verbose_name_plural = _("guidance and handbooks")


STUDY_PARTNER_MISMATCH = _("A study is contributed by the partner of its profile.")


class PartnerStudyPageForm(WagtailAdminPageForm):
    """While a study is being created it is not in the tree yet, so the model's clean() cannot
    see its profile; the admin form knows the parent and applies the same rule."""

    def clean(self):
        cleaned_data = super().clean()
        partner = cleaned_data.get("contributing_partner")
        profile = self.parent_page.specific if self.parent_page else None
        if isinstance(profile, PartnerProfilePage) and partner and profile.partner_id != partner.pk:
            self.add_error("contributing_partner", STUDY_PARTNER_MISMATCH)
        return cleaned_data


class PartnerStudyPage(KnowledgePage):
    """A study contributed by a partner organisation and reviewed before it goes live."""

    knowledge_type = "partner_study"

    contributing_partner = models.ForeignKey(
        PartnerOrganisation,
        on_delete=models.PROTECT,
        related_name="studies",
        verbose_name=_("contributing partner"),
    )
    methodology = RichTextField(_("methodology"), features=BODY_FEATURES, blank=True)
    commissioning_body = models.CharField(_("commissioning body"), max_length=200, blank=True)

    search_text_fields = ("commissioning_body", "methodology")
    import_fields = (
        reference("contributing_partner", "partners"),
        ImportField("methodology", HTML),
        ImportField("commissioning_body", PLAIN),
    )

    content_panels = _panels(
        FieldPanel("contributing_partner"),
        FieldPanel("commissioning_body"),
        FieldPanel("methodology"),
    )
    parent_page_types = ["knowledge.PartnerProfilePage"]
    subpage_types: list = []
    base_form_class = PartnerStudyPageForm

    class Meta:
        verbose_name = _("partner study")
        verbose_name_plural = _("partner studies")

    def clean(self):
        super().clean()
        parent = self.get_parent()
        profile = parent.specific if parent else None
        if (
            isinstance(profile, PartnerProfilePage)
            and self.contributing_partner_id
            and profile.partner_id != self.contributing_partner_id
        ):
            raise ValidationError({"contributing_partner": STUDY_PARTNER_MISMATCH})


KNOWLEDGE_TYPES = {
    cls.knowledge_type: cls
    for cls in (CaseStudyPage, ProcedurePage, StandardPage, HandbookPage, PartnerStudyPage)
}
