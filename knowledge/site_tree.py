"""Builds the page tree that mirrors the communities: home, one community per region, the
partner-studies area and one profile per partner. Idempotent, so set-up can run it often."""

from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from wagtail.models import Page, Site

from .pages import CommunityPage, HomePage, PartnerProfilePage, PartnerStudiesIndexPage
from .registry import vocabulary
from .vocabularies import PartnerOrganisation, Region

HOME_INTRO = (
    "<p>Customs administrations share what works against corruption: case studies, "
    "procedures, standards and handbooks from the WCO's regional integrity communities, "
    "and studies from partner organisations.</p>"
)

# Each community's first introduction, shown on its page and its card on the home page; an
# editor's own text is never replaced (`introduce`).
REGION_INTROS = {
    "AMC": "The 34 customs administrations of the Americas and the Caribbean share how they "
    "put the Revised Arusha Declaration into practice: rotation at busy land borders, asset "
    "declarations, and integrity in the automated clearance of ports and airports.",
    "AP": "From the Pacific Islands to South Asia, the 35 members of the Asia/Pacific region "
    "compare integrity action plans, risk-based controls and codes of conduct, including "
    "what works for small island customs services.",
    "ESA": "The 24 administrations of East and Southern Africa work on integrity along the "
    "region's transit corridors and one-stop border posts, with staff vetting, performance "
    "measurement and joint controls with neighbouring services.",
    "EUR": "The 52 customs administrations of Europe share internal control and audit "
    "practice, anti-fraud investigations, conflict-of-interest rules and the integrity "
    "lessons of reform and accession programmes.",
    "MENA": "The 18 administrations of North of Africa and the Middle East share integrity "
    "strategies, electronic single windows that cut discretion at clearance, and codes of "
    "conduct for officers and customs brokers.",
    "WCA": "The 24 administrations of West and Central Africa share integrity work on "
    "revenue-critical posts, transit along coastal corridors, whistle-blowing channels and "
    "partnerships with traders against facilitation payments.",
}
PLACEHOLDER_INTRO = "<p>The integrity community of the WCO {name} region.</p>"


def introduce(community: CommunityPage) -> None:
    """Give a community its introduction while it has none (or only the old placeholder)."""
    region = community.region
    text = REGION_INTROS.get(region.code)
    if text and community.intro in ("", PLACEHOLDER_INTRO.format(name=region.name_en)):
        community.intro = f"<p>{text}</p>"
        if community.live:
            community.save_revision().publish()
        else:
            community.save()


@transaction.atomic
def ensure_site_tree() -> HomePage:
    home = HomePage.objects.first()
    if home is None:
        root = Page.get_first_root_node()
        # Wagtail's initial "Welcome" page holds the slug "home": replace it.
        for placeholder in root.get_children().filter(
            content_type__model="page", content_type__app_label="wagtailcore"
        ):
            placeholder.delete()
        home = root.add_child(
            instance=HomePage(title="Integrity Commons", slug="home", intro=HOME_INTRO)
        )
        Site.objects.update_or_create(
            is_default_site=True,
            defaults={"root_page": home, "site_name": "Integrity Commons", **site_address()},
        )
    else:
        site = Site.objects.filter(is_default_site=True).first()
        address = site_address()
        if site and (site.hostname, site.port) != (address["hostname"], address["port"]):
            site.hostname, site.port = address["hostname"], address["port"]
            site.save()  # save(), not update(): Wagtail's cached site root paths are cleared

    for region in Region.objects.all():
        community = CommunityPage.objects.filter(region=region).first()
        if community is None:
            community = home.add_child(
                instance=CommunityPage(
                    title=f"{region.short_name_en} integrity community",
                    slug=region.code.lower(),
                    region=region,
                )
            )
        introduce(community)

    index = PartnerStudiesIndexPage.objects.first()
    if index is None:
        index = home.add_child(
            instance=PartnerStudiesIndexPage(
                title="Partner studies",
                slug="partner-studies",
                intro="<p>Studies contributed by partner organisations, reviewed by the "
                "regional editors before publication.</p>",
            )
        )
    for partner in PartnerOrganisation.objects.all():
        ensure_partner_profile(partner, index)
    return home


def site_address() -> dict:
    """Hostname and port of the default Site from settings.WAGTAILADMIN_BASE_URL, the site's one
    public address: page.full_url (in approval e-mails, feeds) is built from the Site record."""
    url = urlsplit(settings.WAGTAILADMIN_BASE_URL)
    return {
        "hostname": url.hostname or "localhost",
        "port": url.port or (443 if url.scheme == "https" else 80),
    }


def ensure_partner_profile(
    partner: PartnerOrganisation, index: PartnerStudiesIndexPage | None = None
) -> PartnerProfilePage:
    existing = PartnerProfilePage.objects.filter(partner=partner).first()
    if existing:
        return existing
    index = index or PartnerStudiesIndexPage.objects.get()
    return index.add_child(
        instance=PartnerProfilePage(
            title=partner.name,
            slug=getattr(partner, vocabulary("partners").code).lower(),
            partner=partner,
        )
    )
