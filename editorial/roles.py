"""The role matrix, as data: who may do what, and where. `setup_roles` applies it.

Each role is a template expanded per scope: once for the whole site (Secretariat), once per
WCO region (regional editors, bound to the region's CommunityPage and Collection), once per
partner organisation (partner contributors, bound to the partner's PartnerProfilePage and
Collection), or once with no scope at all (Members: a group for view restrictions only).

Decisions recorded here, so there is one place to read them:
- Regional editors publish directly (no workflow on community pages); they may delete leaf
  pages in their community but not whole subtrees (no bulk_delete), and lock/unlock pages.
- Partner contributors have Wagtail's "add" permission on their own profile page only: they
  create studies and edit the ones they own, submit them to the "Partner study review"
  workflow, and can never publish.
- Vocabulary codes are stable identifiers used by imports, URLs and the search facets, so only
  the Secretariat adds, changes or deletes Regions, Countries, Topics and Partners; editors may
  view them. Tags are free: anyone who edits a page may add tags.
- Groups are defined in code: the Secretariat manages user accounts and their group
  membership, not the groups' permissions (setup_roles would put them back).
"""

from dataclasses import dataclass
from typing import Literal

from knowledge.audience import MEMBERS_GROUP_NAME

Scope = Literal["site", "region", "partner", "none"]

# Wagtail page permission actions (codename prefixes of wagtailcore.*_page).
ALL_PAGE_ACTIONS = ("add", "change", "bulk_delete", "publish", "lock", "unlock")
EDITOR_PAGE_ACTIONS = ("add", "change", "publish", "lock", "unlock")
CONTRIBUTOR_PAGE_ACTIONS = ("add",)

ALL_MEDIA = (
    "wagtaildocs.add_document",
    "wagtaildocs.change_document",
    "wagtaildocs.delete_document",
    "wagtaildocs.choose_document",
    "wagtailimages.add_image",
    "wagtailimages.change_image",
    "wagtailimages.delete_image",
    "wagtailimages.choose_image",
)
CONTRIBUTOR_MEDIA = (
    "wagtaildocs.add_document",
    "wagtaildocs.change_document",
    "wagtaildocs.choose_document",
    "wagtailimages.add_image",
    "wagtailimages.change_image",
    "wagtailimages.choose_image",
)

VOCABULARY_MODELS = ("region", "country", "topic", "partnerorganisation")
# The engagement register (partnerships): the Secretariat keeps and assesses every engagement;
# regional editors see all, add and change those covering their region (the region scope is
# partnerships.permissions' policy); nobody else sees any.
SECRETARIAT_ENGAGEMENTS = (
    *(f"partnerships.{a}_engagement" for a in ("add", "change", "delete", "view")),
    "partnerships.assess_engagement",
)
EDITOR_ENGAGEMENTS = tuple(f"partnerships.{a}_engagement" for a in ("add", "change", "view"))
ADMIN_ACCESS = "wagtailadmin.access_admin"
PENDING_REPORT = "editorial.view_pending_submissions"

SECRETARIAT_MODEL_PERMISSIONS = (
    ADMIN_ACCESS,
    PENDING_REPORT,
    *(f"knowledge.{a}_{m}" for m in VOCABULARY_MODELS for a in ("add", "change", "delete", "view")),
    "auth.add_user",
    "auth.change_user",
    "auth.delete_user",
    "auth.view_user",
    # unlock accounts locked by django-axes (Settings → Locked logins)
    "axes.view_accessattempt",
    "axes.delete_accessattempt",
    *SECRETARIAT_ENGAGEMENTS,
)
EDITOR_MODEL_PERMISSIONS = (
    ADMIN_ACCESS,
    *(f"knowledge.view_{m}" for m in VOCABULARY_MODELS),
    *EDITOR_ENGAGEMENTS,
)
CONTRIBUTOR_MODEL_PERMISSIONS = (ADMIN_ACCESS,)

SECRETARIAT_GROUP_NAME = "Secretariat"

# Wagtail's starter groups hold page permissions at the tree root; they are not part of this
# role model, so setup_roles removes them (only while no user belongs to them).
RETIRED_GROUP_NAMES = ("Editors", "Moderators")


@dataclass(frozen=True)
class Role:
    """A group template. `group_name` may use {code} (region code or partner acronym)."""

    key: str
    group_name: str
    scope: Scope
    page_actions: tuple[str, ...] = ()
    collection_permissions: tuple[str, ...] = ()
    model_permissions: tuple[str, ...] = ()
    description: str = ""


SECRETARIAT = Role(
    key="secretariat",
    group_name=SECRETARIAT_GROUP_NAME,
    scope="site",
    page_actions=ALL_PAGE_ACTIONS,
    collection_permissions=ALL_MEDIA,
    model_permissions=SECRETARIAT_MODEL_PERMISSIONS,
    description="Everything: all pages, all collections, vocabularies, user accounts, "
    "reviews of any partner study, the engagement register and its assessments.",
)
REGIONAL_EDITOR = Role(
    key="editor",
    group_name="Editors – {code}",
    scope="region",
    page_actions=EDITOR_PAGE_ACTIONS,
    collection_permissions=ALL_MEDIA,
    model_permissions=EDITOR_MODEL_PERMISSIONS,
    description="Create, edit, publish, unpublish and delete pages in their community; media "
    "in their region's collection; review partner studies covering their region; see every "
    "engagement, add and change those covering their region (no assessment).",
)
PARTNER_CONTRIBUTOR = Role(
    key="partner",
    group_name="Partner – {code}",
    scope="partner",
    page_actions=CONTRIBUTOR_PAGE_ACTIONS,
    collection_permissions=CONTRIBUTOR_MEDIA,
    model_permissions=CONTRIBUTOR_MODEL_PERMISSIONS,
    description="Create and edit their own partner studies, upload into their partner's "
    "collection, submit for review; never publish.",
)
MEMBER = Role(
    key="member",
    group_name=MEMBERS_GROUP_NAME,
    scope="none",
    description="Logged-in practitioners: read member-only pages; no admin access.",
)

ROLES: tuple[Role, ...] = (SECRETARIAT, REGIONAL_EDITOR, PARTNER_CONTRIBUTOR, MEMBER)


def editor_group_name(region_code: str) -> str:
    return REGIONAL_EDITOR.group_name.format(code=region_code)


def partner_group_name(acronym: str) -> str:
    return PARTNER_CONTRIBUTOR.group_name.format(code=acronym)


# Demo accounts (`setup_roles --demo-accounts`): username → (role key, scope code or "").
DEMO_ACCOUNTS: dict[str, tuple[str, str]] = {
    "secretariat": ("secretariat", ""),
    "editor-eur": ("editor", "EUR"),
    "editor-ap": ("editor", "AP"),
    "partner-ti": ("partner", "TI"),
    "partner-unodc": ("partner", "UNODC"),
    "member": ("member", ""),
}
