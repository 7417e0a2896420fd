"""Reference vocabularies: the controlled codes that every item is described and faceted by.

Codes are stable identifiers shared with imports, URLs and the search index; names may be
renamed by editors without breaking links.
"""

from django.db import models
from wagtail.admin.panels import FieldPanel
from wagtail.search import index


class Region(index.Indexed, models.Model):
    """One of the six WCO regions, each with its regional integrity community."""

    code = models.SlugField(max_length=10, unique=True)
    name = models.CharField(max_length=200)
    short_name = models.CharField(max_length=80)

    panels = [FieldPanel("code"), FieldPanel("name"), FieldPanel("short_name")]
    search_fields = [index.SearchField("name"), index.SearchField("short_name")]

    class Meta:
        ordering = ["short_name"]

    def __str__(self) -> str:
        return self.short_name


class Country(index.Indexed, models.Model):
    """An ISO 3166-1 country or territory, placed in the WCO region it belongs to."""

    code = models.CharField(max_length=2, unique=True, help_text="ISO 3166-1 alpha-2")
    name = models.CharField(max_length=200)
    region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.SET_NULL, related_name="countries"
    )

    panels = [FieldPanel("code"), FieldPanel("name"), FieldPanel("region")]
    search_fields = [index.SearchField("name"), index.FilterField("region")]

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "countries"

    def __str__(self) -> str:
        return self.name


class Topic(index.Indexed, models.Model):
    """A Revised Arusha Declaration key factor or a cross-cutting theme."""

    code = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=200)
    group = models.CharField(max_length=120, blank=True)
    description = models.TextField(blank=True)

    panels = [
        FieldPanel("code"),
        FieldPanel("name"),
        FieldPanel("group"),
        FieldPanel("description"),
    ]
    search_fields = [index.SearchField("name"), index.SearchField("description")]

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PartnerOrganisation(index.Indexed, models.Model):
    """An organisation outside customs that contributes studies or works with communities."""

    class Kind(models.TextChoices):
        NGO = "ngo", "NGO"
        INTERNATIONAL = "international_organisation", "International organisation"
        PRIVATE_SECTOR = "private_sector", "Private sector"
        ACADEMIA = "academia", "Academia"
        GOVERNMENT = "government_agency", "Government agency"
        FINANCIAL = "financial_institution", "Financial institution"

    acronym = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=40, choices=Kind.choices)
    website = models.URLField(blank=True)
    description = models.TextField(blank=True)
    regions = models.ManyToManyField(
        Region, blank=True, related_name="partners", help_text="Regions where it is active"
    )

    panels = [
        FieldPanel("acronym"),
        FieldPanel("name"),
        FieldPanel("kind"),
        FieldPanel("website"),
        FieldPanel("description"),
        FieldPanel("regions"),
    ]
    search_fields = [index.SearchField("name"), index.SearchField("acronym")]

    class Meta:
        ordering = ["name"]
        verbose_name = "partner organisation"

    def __str__(self) -> str:
        return f"{self.name} ({self.acronym})"
