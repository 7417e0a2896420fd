"""Reference vocabularies: the controlled codes that every item is described and faceted by.

Codes are stable identifiers shared with imports, URLs and the search index; names may be
renamed by editors without breaking links. Names, descriptions and synonyms have a column per
language (knowledge.registry says which; knowledge/translation.py adds the columns), edited
in the admin (knowledge/wagtail_hooks.py); `name` reads the active language, else English.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.search import index


class Region(index.Indexed, models.Model):
    """One of the six WCO regions, each with its regional integrity community."""

    code = models.SlugField(_("code"), max_length=10, unique=True)
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=80)

    search_fields = [index.SearchField("name"), index.SearchField("short_name")]

    class Meta:
        ordering = ["short_name"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        return self.short_name


class Country(index.Indexed, models.Model):
    """An ISO 3166-1 country or territory, placed in the WCO region it belongs to."""

    code = models.CharField(_("code"), max_length=2, unique=True, help_text=_("ISO 3166-1 alpha-2"))
    name = models.CharField(_("name"), max_length=200)
    region = models.ForeignKey(
        Region,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="countries",
        verbose_name=_("region"),
    )

    search_fields = [index.SearchField("name"), index.FilterField("region")]

    class Meta:
        ordering = ["name"]
        verbose_name = _("country")
        verbose_name_plural = _("countries")

    def __str__(self) -> str:
        return self.name


class Topic(index.Indexed, models.Model):
    """A Revised Arusha Declaration key factor or a cross-cutting theme."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    group = models.CharField(_("group"), max_length=120, blank=True)
    description = models.TextField(_("description"), blank=True)
    synonyms = models.TextField(
        _("synonyms"),
        blank=True,
        help_text=_("Other words for the topic, separated by commas: they also find its items."),
    )

    search_fields = [index.SearchField("name"), index.SearchField("description")]

    class Meta:
        ordering = ["name"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    def __str__(self) -> str:
        return self.name


class PartnerOrganisation(index.Indexed, models.Model):
    """An organisation outside customs that contributes studies or works with communities."""

    class Kind(models.TextChoices):
        NGO = "ngo", _("NGO")
        INTERNATIONAL = "international_organisation", _("International organisation")
        PRIVATE_SECTOR = "private_sector", _("Private sector")
        ACADEMIA = "academia", _("Academia")
        GOVERNMENT = "government_agency", _("Government agency")
        FINANCIAL = "financial_institution", _("Financial institution")

    acronym = models.CharField(_("acronym"), max_length=20, unique=True)
    abbreviation = models.CharField(
        _("abbreviation"),
        max_length=20,
        help_text=_(
            "The acronym as written in this language (ONUDC for UNODC in French); the code "
            "stays the acronym."
        ),
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=40, choices=Kind.choices)
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("description"), blank=True)
    regions = models.ManyToManyField(
        Region,
        blank=True,
        related_name="partners",
        verbose_name=_("regions"),
        help_text=_("Regions where it is active"),
    )

    search_fields = [index.SearchField("name"), index.SearchField("acronym")]

    class Meta:
        ordering = ["name"]
        verbose_name = _("partner organisation")
        verbose_name_plural = _("partner organisations")

    def __str__(self) -> str:
        return f"{self.name} ({self.abbreviation})"
