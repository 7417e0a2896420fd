"""The admin form of an engagement: the assessment is the Secretariat's, the regions the
editor's own."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from knowledge.vocabularies import Region

from .access import can_assess, editor_region_ids, keeps_all_regions

ASSESSMENT_FIELDS = ("assessment", "assessment_justification")


class EngagementForm(WagtailAdminModelForm):
    """For a user without `assess_engagement`, the assessment fields are shown disabled (and
    empty on a new engagement, copies included); a POST that still changes them is refused
    rather than silently ignored. A regional editor's engagement must cover their region."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.for_user
        adding = self.instance._state.adding
        if not can_assess(user):
            for name in ASSESSMENT_FIELDS:
                if name not in self.fields:
                    continue
                self.fields[name].disabled = True
                self.fields[name].help_text = _("Only the Secretariat assesses engagements.")
                if adding:
                    self.initial[name] = ""
        if adding and not keeps_all_regions(user) and "regions" in self.fields:
            self.initial.setdefault("regions", sorted(editor_region_ids(user)))

    def clean(self):
        cleaned = super().clean()
        for name in ASSESSMENT_FIELDS:
            field = self.fields.get(name)
            if field is None or not field.disabled:
                continue
            key = self.add_prefix(name)
            if key in self.data and field.to_python(self.data[key]) != field.to_python(
                self.get_initial_for_field(field, name)
            ):
                raise ValidationError(
                    _("Only the Secretariat may set or change an assessment."),
                    code="assessment_not_allowed",
                )
        regions = cleaned.get("regions")
        if regions is not None and not keeps_all_regions(self.for_user):
            own = editor_region_ids(self.for_user)
            if not any(region.pk in own for region in regions):
                names = ", ".join(str(r) for r in Region.objects.filter(pk__in=own)) or "-"
                self.add_error(
                    "regions",
                    _("Include your own region (%(regions)s): you keep only its engagements.")
                    % {"regions": names},
                )
        return cleaned
