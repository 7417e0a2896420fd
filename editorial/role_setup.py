"""Applies the role matrix (editorial.roles) to the database, idempotently.

For every group the matrix defines, the group's model permissions, page permissions and
collection permissions are made EXACTLY what the matrix says: missing ones are added, ones the
matrix no longer grants are removed. Collections and the partner review workflow are created
or updated the same way. Each region and partner collection gets its "Members only" child,
restricted to the Members group and to the groups that manage that collection (and, for a
partner, the regional editors who review its studies). Running it twice leaves the same state.
"""

import secrets
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from wagtail.models import (
    Collection,
    CollectionViewRestriction,
    GroupCollectionPermission,
    GroupPagePermission,
    Page,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

from knowledge.audience import members_group
from knowledge.document_collections import (
    ensure_collection,
    ensure_members_collection,
    partner_collection_name,
    region_collection_name,
)
from knowledge.pages import CommunityPage, PartnerProfilePage, PartnerStudiesIndexPage
from knowledge.site_tree import ensure_site_tree
from knowledge.vocabularies import PartnerOrganisation, Region

from .models import RegionalReviewTask
from .roles import (
    DEMO_ACCOUNTS,
    RETIRED_GROUP_NAMES,
    ROLES,
    Role,
)

REVIEW_WORKFLOW_NAME = "Partner study review"
REVIEW_TASK_NAME = "Regional review"


@dataclass
class Grant:
    """One concrete group with its resolved page and collection."""

    role: Role
    group_name: str
    page: Page | None = None
    collection: Collection | None = None
    scope_code: str = ""


@dataclass
class SetupReport:
    groups: list[str] = field(default_factory=list)
    added: int = 0
    removed: int = 0
    retired_groups: list[str] = field(default_factory=list)
    kept_groups: list[str] = field(default_factory=list)
    demo_passwords: dict[str, str] = field(default_factory=dict)


class _Permissions:
    """'app_label.codename' → Permission, loaded once."""

    def __init__(self):
        self._by_key = {
            f"{app}.{codename}": pk
            for pk, app, codename in Permission.objects.values_list(
                "pk", "content_type__app_label", "codename"
            )
        }

    def ids(self, keys) -> set[int]:
        keys = list(keys)
        missing = [k for k in keys if k not in self._by_key]
        if missing:
            raise LookupError(f"Unknown permissions (migrations not run?): {missing}")
        return {self._by_key[k] for k in keys}

    def page_ids(self, actions) -> set[int]:
        return self.ids(f"wagtailcore.{a}_page" for a in actions)


def expand_roles() -> list[Grant]:
    """The matrix resolved against the current regions, partners, pages and collections."""
    home = ensure_site_tree()
    root_collection = Collection.get_first_root_node()
    communities = {c.region_id: c for c in CommunityPage.objects.all()}
    profiles = {p.partner_id: p for p in PartnerProfilePage.objects.all()}
    grants: list[Grant] = []
    for role in ROLES:
        if role.scope == "site":
            grants.append(Grant(role, role.group_name, home, root_collection))
        elif role.scope == "none":
            grants.append(Grant(role, role.group_name))
        elif role.scope == "region":
            for region in Region.objects.order_by("code"):
                grants.append(
                    Grant(
                        role,
                        role.group_name.format(code=region.code),
                        communities[region.pk],
                        ensure_collection(region_collection_name(region.code), root_collection),
                        region.code,
                    )
                )
        elif role.scope == "partner":
            for partner in PartnerOrganisation.objects.order_by("acronym"):
                grants.append(
                    Grant(
                        role,
                        role.group_name.format(code=partner.acronym),
                        profiles[partner.pk],
                        ensure_collection(
                            partner_collection_name(partner.acronym), root_collection
                        ),
                        partner.acronym,
                    )
                )
    return grants


def _sync(queryset, desired: set[tuple], fields: tuple[str, str], make) -> tuple[int, int]:
    """Make the rows of `queryset` (keyed by `fields`) exactly `desired`."""
    existing = {tuple(row[1:]): row[0] for row in queryset.values_list("pk", *fields)}
    stale = [pk for key, pk in existing.items() if key not in desired]
    if stale:
        queryset.filter(pk__in=stale).delete()
    missing = [make(*key) for key in desired if key not in existing]
    if missing:
        queryset.model.objects.bulk_create(missing)
    return len(missing), len(stale)


def _apply_grant(grant: Grant, perms: _Permissions, report: SetupReport) -> Group:
    group, _ = Group.objects.get_or_create(name=grant.group_name)
    group.permissions.set(perms.ids(grant.role.model_permissions))

    page_keys = (
        {(grant.page.pk, pid) for pid in perms.page_ids(grant.role.page_actions)}
        if grant.page is not None
        else set()
    )
    added, removed = _sync(
        GroupPagePermission.objects.filter(group=group),
        page_keys,
        ("page_id", "permission_id"),
        lambda page_id, pid: GroupPagePermission(group=group, page_id=page_id, permission_id=pid),
    )
    report.added += added
    report.removed += removed

    collection_keys = (
        {(grant.collection.pk, pid) for pid in perms.ids(grant.role.collection_permissions)}
        if grant.collection is not None
        else set()
    )
    added, removed = _sync(
        GroupCollectionPermission.objects.filter(group=group),
        collection_keys,
        ("collection_id", "permission_id"),
        lambda collection_id, pid: GroupCollectionPermission(
            group=group, collection_id=collection_id, permission_id=pid
        ),
    )
    report.added += added
    report.removed += removed
    report.groups.append(group.name)
    return group


def _restrict_members_collections(grants: list[Grant], groups: dict[str, Group]) -> None:
    """Who may open a "Members only" collection: Members, the groups granted on its parent or
    on an ancestor (the Secretariat's root), and for a partner the regional reviewers."""
    reviewers = [groups[g.group_name] for g in grants if g.role.scope == "region"]
    for grant in grants:
        if grant.role.scope not in ("region", "partner"):
            continue
        base = grant.collection
        managers = {
            groups[g.group_name]
            for g in grants
            if g.collection is not None
            and (g.collection.pk == base.pk or base.is_descendant_of(g.collection))
        }
        if grant.role.scope == "partner":
            managers.update(reviewers)
        members = ensure_members_collection(base)
        for restriction in members.view_restrictions.all():
            if restriction.restriction_type == CollectionViewRestriction.GROUPS:
                restriction.groups.set([members_group(), *managers])


def _retire_starter_groups(report: SetupReport) -> None:
    for group in Group.objects.filter(name__in=RETIRED_GROUP_NAMES):
        if group.user_set.exists():
            report.kept_groups.append(group.name)
        else:
            group.delete()
            report.retired_groups.append(group.name)


def ensure_review_workflow() -> Workflow:
    """'Partner study review' (one RegionalReviewTask) on the partner-studies area; no
    workflow above it, so community pages are published directly by their editors."""
    index = PartnerStudiesIndexPage.objects.get()
    task = RegionalReviewTask.objects.filter(name=REVIEW_TASK_NAME).first()
    if task is None:
        task = RegionalReviewTask.objects.create(name=REVIEW_TASK_NAME)
    elif not task.active:
        task.active = True
        task.save(update_fields=["active"])

    workflow, _ = Workflow.objects.get_or_create(name=REVIEW_WORKFLOW_NAME)
    if not workflow.active:
        workflow.active = True
        workflow.save(update_fields=["active"])
    WorkflowTask.objects.filter(workflow=workflow).exclude(task=task).delete()
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})

    WorkflowPage.objects.update_or_create(page=index, defaults={"workflow": workflow})
    # Wagtail's default "Moderators approval" sits on the tree root and would offer
    # "submit for moderation" across the communities; editors publish directly instead.
    WorkflowPage.objects.filter(page__depth__lt=index.depth).delete()
    return workflow


def create_demo_accounts(grants: list[Grant], report: SetupReport) -> None:
    """One account per role; a fresh random password on every run, reported once."""
    User = get_user_model()
    by_role_scope = {(g.role.key, g.scope_code): g.group_name for g in grants}
    for username, (role_key, code) in DEMO_ACCOUNTS.items():
        group_name = by_role_scope.get((role_key, code))
        if group_name is None:
            continue  # region or partner not loaded
        user, _ = User.objects.get_or_create(
            username=username,
            defaults={"email": f"{username}@example.org", "first_name": username},
        )
        password = secrets.token_urlsafe(12)
        user.set_password(password)
        user.is_active = True
        user.save()
        user.groups.set([Group.objects.get(name=group_name)])
        report.demo_passwords[username] = password


@transaction.atomic
def setup_roles(demo_accounts: bool = False) -> SetupReport:
    report = SetupReport()
    perms = _Permissions()
    grants = expand_roles()
    groups = {grant.group_name: _apply_grant(grant, perms, report) for grant in grants}
    _restrict_members_collections(grants, groups)
    _retire_starter_groups(report)
    ensure_review_workflow()
    if demo_accounts:
        create_demo_accounts(grants, report)
    return report
