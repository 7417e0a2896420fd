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
        if not CommunityPage.objects.filter(region=region).exists():
            home.add_child(
                instance=CommunityPage(
                    title=f"{region.short_name} integrity community",
                    slug=region.code.lower(),
                    region=region,
                    intro=f"<p>The integrity community of the WCO {region.name} region.</p>",
                )
            )

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
