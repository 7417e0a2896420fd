"""Vocabularies in English, French and Spanish: labels in the active language with English
where a translation is empty, translations edited in the snippets, loaded from the lists and
pycountry, and every language's names in the search documents."""

import datetime
import gettext
import json
from urllib.parse import urlencode

import pycountry
import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import translation

from knowledge.pages import CaseStudyPage, KnowledgePage
from knowledge.registry import vocabulary
from knowledge.vocabularies import Country, PartnerOrganisation, Region, Topic
from search.engines import get_engine
from tests.factories import CaseStudyPageFactory, ProcedurePageFactory, community_for

pytestmark = pytest.mark.django_db


def labels(key: str, language: str) -> dict[str, str]:
    with translation.override(language):
        return vocabulary(key).labels()


def test_labels_follow_the_active_language(vocabularies):
    assert labels("topics", "en")["code-of-conduct"] == "Code of conduct"
    assert labels("topics", "fr")["code-of-conduct"] == "Code de conduite"
    assert labels("topics", "es")["code-of-conduct"] == "Código de conducta"
    assert labels("regions", "fr")["WCA"] == "Afrique occidentale et centrale"
    assert labels("regions", "es")["EUR"] == "Europa"
    assert labels("partners", "fr")["UNODC"] == (
        "Office des Nations Unies contre la drogue et le crime (ONUDC)"
    )
    assert labels("partners", "es")["OECD"] == (
        "Organización para la Cooperación y el Desarrollo Económicos (OCDE)"
    )
    assert labels("partners", "en")["UNODC"] == "United Nations Office on Drugs and Crime (UNODC)"


def test_an_empty_translation_reads_as_english_never_blank(vocabularies):
    Topic.objects.filter(code="code-of-conduct").update(name_fr="", name_es=None)
    assert labels("topics", "fr")["code-of-conduct"] == "Code of conduct"
    assert labels("topics", "es")["code-of-conduct"] == "Code of conduct"
    # Partners the lists give no French name keep theirs, with their own acronym.
    assert labels("partners", "fr")["TI"] == "Transparency International (TI)"
    for key in ("regions", "countries", "topics", "partners"):
        for language in ("en", "fr", "es"):
            assert all(labels(key, language).values()), (key, language)
    with translation.override("fr"):
        assert Topic.objects.get(code="code-of-conduct").name == "Code of conduct"
        assert Topic.objects.get(code="automation").name == "Automatisation"


def test_choice_labels_and_type_names_follow_the_active_language(vocabularies):
    kinds = vocabulary("partners").choices("kind")
    with translation.override("fr"):
        assert vocabulary("partners").choices("kind")["ngo"] == "ONG"
        assert str(CaseStudyPage._meta.verbose_name) == "étude de cas"
    with translation.override("es"):
        assert vocabulary("partners").choices("kind")["private_sector"] == "Sector privado"
        assert str(CaseStudyPage._meta.verbose_name) == "estudio de caso"
    assert kinds["international_organisation"] == "International organisation"


def test_countries_take_their_names_from_pycountry(vocabularies):
    for language in ("fr", "es"):
        catalogue = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[language])
        for code in ("DE", "CI", "KE", "MX"):
            english = pycountry.countries.get(alpha_2=code).name
            assert labels("countries", language)[code] == catalogue.gettext(english)
    germany = Country.objects.get(code="DE")
    assert (germany.name_en, germany.name_fr, germany.name_es) == (
        "Germany",
        "Allemagne",
        "Alemania",
    )


def test_reloading_keeps_a_translation_the_lists_do_not_carry(vocabularies):
    """English and the translations the lists carry are refreshed, as names always were; a
    translation an editor added where the list has none stays."""
    PartnerOrganisation.objects.filter(acronym="TI").update(name_fr="Transparence Internationale")
    Topic.objects.filter(code="automation").update(name_fr="Renamed", name_en="Renamed")
    call_command("load_vocabularies")
    assert PartnerOrganisation.objects.get(acronym="TI").name_fr == "Transparence Internationale"
    automation = Topic.objects.get(code="automation")
    assert (automation.name_en, automation.name_fr) == ("Automation", "Automatisation")


@pytest.fixture
def admin_client(client, vocabularies):
    client.force_login(User.objects.create_superuser("admin", "a@example.org", "pw"))
    return client


def test_an_editor_edits_the_three_languages_in_one_form(admin_client):
    topic = Topic.objects.get(code="code-of-conduct")
    url = reverse("wagtailsnippets_knowledge_topic:edit", args=[topic.pk])
    html = admin_client.get(url).content.decode()
    for heading in ("English", "Français", "Español"):
        assert heading in html
    for field in ("name", "description", "synonyms"):
        for language in ("en", "fr", "es"):
            assert f'name="{field}_{language}"' in html
    assert "Code de conduite" in html

    response = admin_client.post(
        url,
        {
            "code": topic.code,
            "group": topic.group,
            "name_en": "Code of conduct",
            "name_fr": "Code de conduite et de déontologie",
            "name_es": "",  # left empty: read as English
            "description_en": topic.description_en,
            "description_fr": "",
            "description_es": "",
            "synonyms_en": "",
            "synonyms_fr": "charte éthique",
            "synonyms_es": "",
        },
    )
    assert response.status_code == 302
    topic.refresh_from_db()
    assert topic.name_fr == "Code de conduite et de déontologie"
    assert topic.synonyms_fr == "charte éthique"
    assert labels("topics", "fr")["code-of-conduct"] == "Code de conduite et de déontologie"
    assert labels("topics", "es")["code-of-conduct"] == "Code of conduct"


def test_the_english_name_is_required(admin_client):
    region = Region.objects.get(code="EUR")
    url = reverse("wagtailsnippets_knowledge_region:edit", args=[region.pk])
    data = {"code": "EUR", "name_en": "", "short_name_en": "Europe", "name_fr": "Europe"}
    response = admin_client.post(url, data)
    assert response.status_code == 200  # the form again, with the error
    assert list(response.context["form"].errors) == ["name_en"]
    assert Region.objects.get(code="EUR").name_en == "Europe"


def test_the_snippet_list_finds_an_entry_by_a_name_in_another_language(admin_client):
    url = reverse("wagtailsnippets_knowledge_country:list")
    found = admin_client.get(url, {"q": "Allemagne"}).context["object_list"]
    assert [c.code for c in found] == ["DE"]


API = "/api/search/"


def found(client, text: str) -> set[str]:
    body = json.loads(client.get(f"{API}?{urlencode({'q': text})}").content)
    return {result["title"] for result in body["results"]}


@pytest.fixture
def items(site_tree, empty_index, django_capture_on_commit_callbacks):
    eur, wca = Region.objects.get(code="EUR"), Region.objects.get(code="WCA")
    with django_capture_on_commit_callbacks(execute=True):
        CaseStudyPageFactory(
            parent=community_for(eur),
            title="Gifts register at the border",
            summary="Officers record every gift they are offered.",
            regions=[eur],
            countries=[Country.objects.get(code="DE")],
            topics=[Topic.objects.get(code="code-of-conduct")],
            published_date=datetime.date(2022, 5, 1),
        )
        ProcedurePageFactory(
            parent=community_for(wca),
            title="Paying duties online",
            summary="Traders pay duties without meeting an officer.",
            regions=[wca],
            topics=[Topic.objects.get(code="automation")],
            published_date=datetime.date(2021, 5, 1),
        )
    get_engine().refresh()
    yield
    get_engine().clear()


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("déontologie", "Gifts register at the border"),  # a French synonym of the topic
        ("conflicto de intereses", "Gifts register at the border"),  # a Spanish synonym
        ("Code de conduite", "Gifts register at the border"),  # the topic's French name
        ("Allemagne", "Gifts register at the border"),  # the country's French name
        ("Alemania", "Gifts register at the border"),
        ("guichet unique", "Paying duties online"),
        ("Afrique occidentale", "Paying duties online"),  # the region's French name
        ("África Occidental", "Paying duties online"),
        ("étude de cas", "Gifts register at the border"),  # the type's French name
        ("procedimiento", "Paying duties online"),  # the type's Spanish name
    ],
)
def test_an_item_is_found_by_its_vocabulary_in_every_language(client, items, text, title):
    assert found(client, text) == {title}


def test_the_importer_takes_codes_never_labels(site_tree, tmp_path, capsys):
    line = {
        "external_id": "fr-label",
        "type": "case_study",
        "community": "EUR",
        "title": "Un titre",
        "summary": "Un résumé.",
        "regions": ["EUR"],
        "topics": ["Code de conduite"],
    }
    path = tmp_path / "items.jsonl"
    path.write_text(json.dumps(line) + "\n", encoding="utf-8")
    with pytest.raises(CommandError, match="1 invalid line"):
        call_command("import_knowledge", str(path))
    assert "unknown topics code(s): Code de conduite" in capsys.readouterr().err
    assert not KnowledgePage.objects.filter(external_id="fr-label").exists()


@pytest.mark.django_db(transaction=True)
def test_the_migration_moves_existing_names_into_the_english_columns(restored_db):
    """A database from before the translations: its names become the English ones."""
    before, after = (
        [("knowledge", "0002_knowledgepage_external_id")],
        [("knowledge", "0003_vocabularies_in_three_languages")],
    )
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    old.get_model("knowledge", "Region").objects.create(
        code="TST", name="Test region", short_name="Test"
    )
    old.get_model("knowledge", "Topic").objects.create(
        code="tst", name="Test topic", description="About tests."
    )
    old.get_model("knowledge", "PartnerOrganisation").objects.create(
        acronym="TST", name="Test partner", kind="ngo"
    )
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(after)
    new = executor.loader.project_state(after).apps
    region = new.get_model("knowledge", "Region").objects.get(code="TST")
    topic = new.get_model("knowledge", "Topic").objects.get(code="tst")
    partner = new.get_model("knowledge", "PartnerOrganisation").objects.get(acronym="TST")
    assert (region.name_en, region.short_name_en, region.name_fr) == ("Test region", "Test", None)
    assert (topic.name_en, topic.description_en) == ("Test topic", "About tests.")
    assert (partner.name_en, partner.abbreviation_en) == ("Test partner", "TST")
    call_command("migrate", verbosity=0)
    assert labels("regions", "fr")["TST"] == "Test"
