"""Loads the reference vocabularies idempotently, keyed by their stable codes.

Sources: `vocabulary/regions.csv`, `topics.csv` and `partners.csv` (the programme's reference
lists, a column per language of each translated field: `name`, `name_fr`, `name_es`); a
partner's website and description are the list's first draft only: they fill empty fields and
never replace what an editor wrote in the admin;
countries from ISO 3166-1 as maintained by pycountry, their French and Spanish names from
pycountry's own translations of it; each country's WCO region from `vocabulary/wco_regions.csv`,
the WCO's regional membership checked against published sources: one row per region with the
member count its source states, the members' ISO codes, members without one (Kosovo) and the
dated source (update it when members join). Countries that are not WCO members keep no region;
customs territories that are members (Hong Kong, Bermuda) have one.
"""

import csv
import gettext
from dataclasses import dataclass
from pathlib import Path

import pycountry
from django.conf import settings
from django.db import transaction

from .registry import for_model
from .vocabularies import Country, PartnerOrganisation, Region, Topic

VOCABULARY_DIR = Path(__file__).resolve().parent / "vocabulary"
# Fields the lists only fill while empty: editors keep them in the admin.
EDITORS_FIELDS = ("website", "description")


@dataclass
class LoadReport:
    regions: int = 0
    countries: int = 0
    topics: int = 0
    partners: int = 0

    def __str__(self) -> str:
        return (
            f"{self.regions} regions, {self.countries} countries, "
            f"{self.topics} topics, {self.partners} partner organisations"
        )


def _rows(name: str) -> list[dict[str, str]]:
    with (VOCABULARY_DIR / name).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def wco_region_of_country() -> dict[str, str]:
    """ISO alpha-2 code -> WCO region code."""
    return {
        country: row["region"]
        for row in _rows("wco_regions.csv")
        for country in row["countries"].split()
    }


def translations(model, row: dict[str, str], fields=None) -> dict[str, str]:
    """The language columns of `model`'s translated fields (or of `fields`) that `row` gives:
    English always (the list's `name` column), another language only where the list has it
    (`name_fr`), so a translation the list lacks stays as an editor wrote it."""
    entry = for_model(model)
    values = {}
    for field in entry.translated if fields is None else fields:
        for (code, _language), column in zip(settings.LANGUAGES, entry.columns(field), strict=True):
            value = row.get(field if code == settings.LANGUAGE_CODE else column, "")
            if value or code == settings.LANGUAGE_CODE:
                values[column] = value
    return values


def country_names() -> dict[str, dict[str, str]]:
    """ISO alpha-2 code -> {"name": English, "name_fr": French, ...}, from pycountry."""
    catalogues = {
        code: gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[code])
        for code, _language in settings.LANGUAGES
        if code != settings.LANGUAGE_CODE
    }
    names = {}
    for entry in pycountry.countries:
        english = getattr(entry, "common_name", None) or entry.name
        names[entry.alpha_2] = {"name": english} | {
            f"name_{code}": catalogue.gettext(english) for code, catalogue in catalogues.items()
        }
    return names


def fill_empty(instance, values: dict[str, str]) -> None:
    """Set the fields of `values` that are still empty on `instance`, and only those."""
    empty = [field for field, value in values.items() if value and not getattr(instance, field)]
    for field in empty:
        setattr(instance, field, values[field])
    if empty:
        instance.save(update_fields=empty)


@transaction.atomic
def load_vocabularies() -> LoadReport:
    """Create missing entries and refresh names; never deletes, never renames codes."""
    report = LoadReport()
    regions = {}
    for row in _rows("regions.csv"):
        regions[row["code"]], _ = Region.objects.update_or_create(
            code=row["code"], defaults=translations(Region, row)
        )
        report.regions += 1

    membership = wco_region_of_country()
    for code, names in country_names().items():
        Country.objects.update_or_create(
            code=code,
            defaults={
                **translations(Country, names),
                "region": regions.get(membership.get(code, "")),
            },
        )
        report.countries += 1

    for row in _rows("topics.csv"):
        Topic.objects.update_or_create(
            code=row["code"], defaults={**translations(Topic, row), "group": row["group"]}
        )
        report.topics += 1

    translated = for_model(PartnerOrganisation).translated
    names = [field for field in translated if field not in EDITORS_FIELDS]
    drafts = [field for field in translated if field in EDITORS_FIELDS]
    for row in _rows("partners.csv"):
        partner, _ = PartnerOrganisation.objects.update_or_create(
            acronym=row["acronym"],
            defaults={**translations(PartnerOrganisation, row, names), "kind": row["kind"]},
        )
        fill_empty(
            partner, {**translations(PartnerOrganisation, row, drafts), "website": row["website"]}
        )
        report.partners += 1
    return report
