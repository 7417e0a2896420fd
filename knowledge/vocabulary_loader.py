"""Loads the reference vocabularies idempotently, keyed by their stable codes.

Sources: `vocabulary/regions.csv`, `topics.csv` and `partners.csv` (the programme's reference
lists); countries from ISO 3166-1 as maintained by pycountry; each country's WCO region from
`vocabulary/wco_regions.csv`, the WCO's regional membership checked against published sources:
one row per region with the member count its source states, the members' ISO codes, members
without one (Kosovo) and the dated source (update it when members join). Countries that are not
WCO members keep no region; customs territories that are members (Hong Kong, Bermuda) have one.
"""

import csv
from dataclasses import dataclass
from pathlib import Path

import pycountry
from django.db import transaction

from .vocabularies import Country, PartnerOrganisation, Region, Topic

VOCABULARY_DIR = Path(__file__).resolve().parent / "vocabulary"


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


@transaction.atomic
def load_vocabularies() -> LoadReport:
    """Create missing entries and refresh names; never deletes, never renames codes."""
    report = LoadReport()
    regions = {}
    for row in _rows("regions.csv"):
        regions[row["code"]], _ = Region.objects.update_or_create(
            code=row["code"], defaults={"name": row["name"], "short_name": row["short_name"]}
        )
        report.regions += 1

    membership = wco_region_of_country()
    for entry in pycountry.countries:
        Country.objects.update_or_create(
            code=entry.alpha_2,
            defaults={
                "name": getattr(entry, "common_name", None) or entry.name,
                "region": regions.get(membership.get(entry.alpha_2, "")),
            },
        )
        report.countries += 1

    for row in _rows("topics.csv"):
        Topic.objects.update_or_create(
            code=row["code"],
            defaults={
                "name": row["name"],
                "group": row["group"],
                "description": row["description"],
            },
        )
        report.topics += 1

    for row in _rows("partners.csv"):
        PartnerOrganisation.objects.update_or_create(
            acronym=row["acronym"], defaults={"name": row["name"], "kind": row["kind"]}
        )
        report.partners += 1
    return report
