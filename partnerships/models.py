"""The engagement register: the Secretariat's and the regions' work with partner organisations.

An engagement says what was agreed with a partner (kind, regions, topics, dates, purpose and
expected outcomes) and, once the Secretariat has looked at it, how far the outcome met what was
expected, with the knowledge items that came of it. It is staff-facing (partnerships.access).
Field names are a contract with the coverage map and the partner profiles: keep them.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.models import RevisionMixin

from knowledge.pages import KnowledgePage
from knowledge.vocabularies import PartnerOrganisation, Region, Topic


class Engagement(RevisionMixin, models.Model):
    """One engagement with one partner organisation, kept with its revisions."""

    class Kind(models.TextChoices):
        MOU = "mou", _("Memorandum of understanding")
        COMMISSIONED_STUDY = "commissioned_study", _("Commissioned study")
        TRAINING = "training", _("Training delivered")
        JOINT_OPERATION = "joint_operation", _("Joint operation")
        CONSULTATION = "consultation", _("Consultation or working group")
        FUNDING = "funding", _("Funding")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        ACTIVE = "active", _("Active")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    class Assessment(models.TextChoices):
        ACHIEVED = "achieved", _("Achieved")
        PARTLY = "partly", _("Partly achieved")
        NOT_ACHIEVED = "not_achieved", _("Not achieved")
        TOO_EARLY = "too_early", _("Too early to say")

    title = models.CharField(_("title"), max_length=255)
    partner = models.ForeignKey(
        PartnerOrganisation,
        on_delete=models.PROTECT,
        related_name="engagements",
        verbose_name=_("partner organisation"),
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    regions = models.ManyToManyField(Region, related_name="engagements", verbose_name=_("regions"))
    topics = models.ManyToManyField(
        Topic, blank=True, related_name="engagements", verbose_name=_("topics")
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    purpose = models.TextField(_("purpose"))
    expected_outcomes = models.TextField(_("expected outcomes"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PLANNED
    )
    assessment = models.CharField(
        _("assessment"),
        max_length=20,
        choices=Assessment.choices,
        blank=True,
        default="",
        help_text=_("How far the outcome met what was expected; empty until assessed."),
    )
    assessment_justification = models.TextField(_("assessment justification"), blank=True)
    outcome_items = models.ManyToManyField(
        KnowledgePage,
        blank=True,
        related_name="engagements",
        verbose_name=_("outcome items"),
        help_text=_("Knowledge items that came of the engagement."),
    )
    external_id = models.CharField(
        _("external id"),
        max_length=100,
        unique=True,
        null=True,
        blank=True,
        help_text=_("Stable key used by the JSON Lines import."),
    )

    class Meta:
        ordering = ["-start_date", "title"]
        verbose_name = _("engagement")
        verbose_name_plural = _("engagements")
        permissions = [("assess_engagement", _("Can assess engagements"))]

    def __str__(self) -> str:
        return f"{self.title} ({self.partner.acronym})"

    def clean(self) -> None:
        super().clean()
        errors = {}
        if self.end_date and self.start_date and self.end_date < self.start_date:
            errors["end_date"] = _("The end date cannot be before the start date.")
        if self.assessment and not self.assessment_justification.strip():
            errors["assessment_justification"] = _("Say why: an assessment needs a justification.")
        if errors:
            raise ValidationError(errors)
