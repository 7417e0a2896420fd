"""Who may see, keep and assess engagements: one place, read by the admin, the map and profiles.

Engagements are staff-facing: the Secretariat and the regional editors hold
`partnerships.view_engagement` (editorial.roles); members, partner contributors and the public
do not, and see none. Regional editors change only engagements covering their own region;
only holders of `partnerships.assess_engagement` (the Secretariat) set an assessment.
"""

from django.db.models import QuerySet

from editorial.models import is_secretariat
from editorial.roles import editor_group_name
from knowledge.vocabularies import Region

from .models import Engagement

VIEW = "partnerships.view_engagement"
ASSESS = "partnerships.assess_engagement"


def can_view_engagements(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.has_perm(VIEW))


def can_assess(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.has_perm(ASSESS))


def visible_engagements(user) -> QuerySet[Engagement]:
    """Every engagement for staff, none for anyone else."""
    if can_view_engagements(user):
        return Engagement.objects.all()
    return Engagement.objects.none()


def editor_region_ids(user) -> set[int]:
    """The regions whose editor groups the user belongs to."""
    if not getattr(user, "is_authenticated", False):
        return set()
    names = set(user.groups.values_list("name", flat=True))
    return {
        pk
        for pk, code in Region.objects.values_list("pk", "code")
        if editor_group_name(code) in names
    }


def keeps_all_regions(user) -> bool:
    """The Secretariat (and superusers) keep engagements of every region."""
    return bool(getattr(user, "is_authenticated", False) and is_secretariat(user))


def keeps_engagement(user, engagement: Engagement) -> bool:
    """Whether the user keeps this engagement: the Secretariat keeps all, a regional editor
    those whose regions include theirs (what the change and delete permissions reach)."""
    if keeps_all_regions(user):
        return True
    if engagement.pk is None:
        return False
    own = editor_region_ids(user)
    return bool(own) and engagement.regions.filter(pk__in=own).exists()


def editable_engagements(user, action: str = "change") -> QuerySet[Engagement]:
    """Engagements the user may `action` ("change" or "delete"): all for the Secretariat, those
    covering one of their regions for a regional editor, none for anyone else."""
    if not getattr(user, "is_authenticated", False) or not user.has_perm(
        f"partnerships.{action}_engagement"
    ):
        return Engagement.objects.none()
    if keeps_all_regions(user):
        return Engagement.objects.all()
    return Engagement.objects.filter(regions__in=editor_region_ids(user)).distinct()
