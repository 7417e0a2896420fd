"""Who may read a page: the public, members only, or a narrower private audience.

Member-only content is a Wagtail view restriction to the Members group (or to any logged-in
user). Anything else (passwords, other groups) is private and is never indexed or listed.
"""

from collections.abc import Sequence
from typing import Literal

from django.contrib.auth.models import Group
from django.db.models import Count, Q
from django.db.models.functions import Substr
from wagtail.models import Page, PageQuerySet, PageViewRestriction

MEMBERS_GROUP_NAME = "Members"

Audience = Literal["public", "members"]


def members_group() -> Group:
    group, _ = Group.objects.get_or_create(name=MEMBERS_GROUP_NAME)
    return group


def page_audience(page: Page) -> Audience | None:
    """ "public", "members", or None when only a narrower audience may read the page."""
    restrictions = page.get_view_restrictions()
    if not restrictions:
        return "public"
    if all(page_audience_of(r) == "members" for r in restrictions):
        return "members"
    return None


def page_audience_of(restriction: PageViewRestriction) -> Audience | None:
    """ "members" for a login or Members-group restriction, None for a narrower one."""
    if restriction.restriction_type == PageViewRestriction.LOGIN:
        return "members"
    if restriction.restriction_type == PageViewRestriction.GROUPS and any(
        g.name == MEMBERS_GROUP_NAME for g in restriction.groups.all()
    ):
        return "members"
    return None


def restrict_to_members(page: Page) -> None:
    """Make `page` (and its subtree) readable by the Members group only; idempotent."""
    if any(page_audience_restriction_is_members(r) for r in page.view_restrictions.all()):
        return
    restriction = PageViewRestriction.objects.create(
        page=page, restriction_type=PageViewRestriction.GROUPS
    )
    restriction.groups.set([members_group()])


def lift_members_restriction(page: Page) -> None:
    """Remove the members-only restriction set directly on `page`."""
    for restriction in page.view_restrictions.all():
        if page_audience_restriction_is_members(restriction):
            restriction.delete()


def page_audience_restriction_is_members(restriction: PageViewRestriction) -> bool:
    return restriction.restriction_type == PageViewRestriction.GROUPS and list(
        restriction.groups.values_list("name", flat=True)
    ) == [MEMBERS_GROUP_NAME]


def may_read_members_content(user) -> bool:
    """Members (and administrators) read member-only content; anonymous users never do."""
    if not getattr(user, "is_authenticated", False):
        return False
    return user.is_superuser or user.groups.filter(name=MEMBERS_GROUP_NAME).exists()


def visible_audiences(user) -> tuple[Audience, ...]:
    return ("public", "members") if may_read_members_content(user) else ("public",)


def readable_pages(user, pages: PageQuerySet) -> PageQuerySet:
    """`pages` less those `user` may not read, for listings that must agree with the counts
    search gives the same viewer: public pages for everyone, member-only ones for members;
    pages under any narrower restriction never."""
    if not may_read_members_content(user):
        return pages.public()
    narrower = Q()
    for restriction in PageViewRestriction.objects.select_related("page").prefetch_related(
        "groups"
    ):
        if page_audience_of(restriction) is None:
            narrower |= Q(path__startswith=restriction.page.path)
    return pages.exclude(narrower) if narrower else pages


def readable_child_counts(user, parents: Sequence[Page]) -> dict[int, int]:
    """Parent page id -> its live knowledge items that `user` may read, as `readable_pages`
    lists them beneath each parent (a community, a partner profile): one grouped query
    instead of one count per card."""
    from knowledge.pages import KnowledgePage  # the page types are built on this module

    counts: dict[int, int] = {}
    for depth in {parent.depth for parent in parents}:
        by_path = {p.path: p.pk for p in parents if p.depth == depth}
        children = KnowledgePage.objects.live().filter(depth=depth + 1)
        grouped = (
            readable_pages(user, children)
            .annotate(parent_path=Substr("path", 1, depth * Page.steplen))
            .values("parent_path")
            .annotate(items=Count("pk"))
            .order_by()
        )
        for row in grouped:
            if row["parent_path"] in by_path:
                counts[by_path[row["parent_path"]]] = row["items"]
    return {parent.pk: counts.get(parent.pk, 0) for parent in parents}


def readable_item(user, pk: int):
    """The live knowledge item `pk` if `user` may read it, else None: drafts, unpublished and
    private items never, member-only ones for members only (callers answer 404 either way,
    so nothing tells a hidden item from a missing one)."""
    from knowledge.pages import KnowledgePage  # the page types are built on this module

    page = KnowledgePage.objects.live().filter(pk=pk).first()
    if page is None:
        return None
    audience = page_audience(page)
    if audience is None or (audience == "members" and not may_read_members_content(user)):
        return None
    return page.specific


def requires_login_for_item(user, pk: int) -> bool:
    """True when a visitor who is not logged in asks for the live member-only item `pk`:
    the item page sends them to log in (Wagtail's view restriction), and so do the links
    that lead to it. Drafts and private items stay a 404 for everyone."""
    from knowledge.pages import KnowledgePage

    if getattr(user, "is_authenticated", False):
        return False
    page = KnowledgePage.objects.live().filter(pk=pk).first()
    return page is not None and page_audience(page) == "members"
