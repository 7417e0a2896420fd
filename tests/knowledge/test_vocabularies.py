"""The reference vocabularies load from the programme's lists, load again without change,
and are maintained by editors as snippets under one "Vocabularies" menu."""

import pycountry
import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.urls import reverse

from knowledge.vocabularies import Country, PartnerOrganisation, Region, Topic

pytestmark = pytest.mark.django_db


def counts() -> dict[str, int]:
    return {
        "regions": Region.objects.count(),
        "countries": Country.objects.count(),
        "topics": Topic.objects.count(),
        "partners": PartnerOrganisation.objects.count(),
    }


def test_load_vocabularies_twice_gives_the_same_entries(capsys):
    call_command("load_vocabularies")
    first = counts()
    ids = set(Country.objects.values_list("pk", flat=True))
    call_command("load_vocabularies")
    assert counts() == first
    assert set(Country.objects.values_list("pk", flat=True)) == ids
    assert first == {
        "regions": 6,
        "countries": len(pycountry.countries),
        "topics": 16,
        "partners": 12,
    }
    assert 240 <= first["countries"] <= 260
    assert "6 regions" in capsys.readouterr().out


def test_codes_and_regional_membership(vocabularies):
    assert set(Region.objects.values_list("code", flat=True)) == {
        "AMC", "AP", "ESA", "EUR", "MENA", "WCA",
    }  # fmt: skip
    region_of = dict(Country.objects.values_list("code", "region__code"))
    assert region_of["KE"] == "ESA"
    assert region_of["FR"] == "EUR"
    assert region_of["BR"] == "AMC"
    assert Country.objects.get(code="KE").name == "Kenya"
    assert Topic.objects.filter(code="code-of-conduct").exists()
    assert set(PartnerOrganisation.objects.values_list("acronym", flat=True)) >= {
        "TI", "UNODC", "WBG", "OECD", "U4", "WSC", "MACN", "ICC", "BIG", "UNDP", "PROCOMEX", "IMF",
    }  # fmt: skip
    # Every WCO region has members; non-members and territories keep no region.
    for region in Region.objects.all():
        assert region.countries.exists(), region.code
    assert Country.objects.filter(region__isnull=True).exists()


def test_reloading_refreshes_names_from_the_lists_and_keeps_editors_additions(vocabularies):
    """Documented behaviour: entries are matched by code; names come from the lists (a rename
    in the admin is overwritten by the next load); nothing is deleted; fields the lists do not
    carry (a partner's website, description, regions) are left as editors set them."""
    Region.objects.filter(code="EUR").update(name="Renamed", short_name="Renamed")
    ti = PartnerOrganisation.objects.get(acronym="TI")
    ti.website = "https://www.transparency.org"
    ti.description = "Edited in the admin."
    ti.save()
    ti.regions.set(Region.objects.filter(code="EUR"))
    extra = Topic.objects.create(code="editor-topic", name="Added by an editor")

    call_command("load_vocabularies")

    eur = Region.objects.get(code="EUR")
    assert (eur.name, eur.short_name) == ("Europe", "Europe")
    ti.refresh_from_db()
    assert ti.name == "Transparency International"
    assert ti.website == "https://www.transparency.org"
    assert ti.description == "Edited in the admin."
    assert list(ti.regions.values_list("code", flat=True)) == ["EUR"]
    assert Topic.objects.filter(pk=extra.pk).exists()


@pytest.fixture
def admin_client(client, vocabularies):
    client.force_login(User.objects.create_superuser("admin", "a@example.org", "pw"))
    return client


@pytest.mark.parametrize("model", [Region, Country, Topic, PartnerOrganisation])
def test_each_vocabulary_is_a_snippet_with_a_list_view(admin_client, model):
    url = reverse(f"wagtailsnippets_knowledge_{model._meta.model_name}:list")
    assert admin_client.get(url).status_code == 200


def test_vocabularies_share_one_admin_menu(admin_client):
    html = admin_client.get(reverse("wagtailadmin_home")).content.decode()
    assert "Vocabularies" in html
    for model in (Region, Country, Topic, PartnerOrganisation):
        assert reverse(f"wagtailsnippets_knowledge_{model._meta.model_name}:list") in html


def test_countries_are_searched_by_code_and_filtered_by_region(admin_client):
    url = reverse("wagtailsnippets_knowledge_country:list")
    found = admin_client.get(url, {"q": "KE"}).context["object_list"]
    assert "KE" in {c.code for c in found}
    esa = Region.objects.get(code="ESA")
    listed = admin_client.get(url, {"region": esa.pk}).context["object_list"]
    assert listed and {c.region_id for c in listed} == {esa.pk}


def test_an_editor_can_add_a_partner_organisation(admin_client):
    url = reverse("wagtailsnippets_knowledge_partnerorganisation:add")
    response = admin_client.post(
        url,
        {
            "acronym": "GIZ",
            "abbreviation_en": "GIZ",
            "name_en": "Deutsche Gesellschaft für Internationale Zusammenarbeit",
            "kind": "government_agency",
            "website": "https://www.giz.de",
            "description": "",
            "regions": [str(Region.objects.get(code="ESA").pk)],
        },
    )
    assert response.status_code == 302
    giz = PartnerOrganisation.objects.get(acronym="GIZ")
    assert list(giz.regions.values_list("code", flat=True)) == ["ESA"]
