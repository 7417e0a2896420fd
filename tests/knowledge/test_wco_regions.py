"""The WCO regional membership file agrees with itself and with its sources: each region lists
as many Members as its source states, names that source, and holds only ISO 3166-1 codes, each
in one region; the loader gives every listed country its region and non-members none."""

import csv
import re
from collections import Counter

import pycountry
import pytest

from knowledge.vocabularies import Country, Region
from knowledge.vocabulary_loader import VOCABULARY_DIR


def wco_rows() -> list[dict[str, str]]:
    with (VOCABULARY_DIR / "wco_regions.csv").open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def other_members(row: dict[str, str]) -> list[str]:
    return [name.strip() for name in row["other_members"].split(";") if name.strip()]


def test_the_file_covers_each_region_once():
    with (VOCABULARY_DIR / "regions.csv").open(newline="", encoding="utf-8") as handle:
        regions = [row["code"] for row in csv.DictReader(handle)]
    assert sorted(row["region"] for row in wco_rows()) == sorted(regions)


@pytest.mark.parametrize("row", wco_rows(), ids=lambda row: row["region"])
def test_each_region_lists_as_many_members_as_its_source_states(row):
    listed = len(row["countries"].split()) + len(other_members(row))
    assert listed == int(row["members"]), row["region"]


@pytest.mark.parametrize("row", wco_rows(), ids=lambda row: row["region"])
def test_each_region_names_a_dated_source(row):
    assert re.search(r"https?://\S+", row["source"]), row["region"]
    assert re.search(r"\b(19|20)\d\d\b", row["source"]), row["region"]


def test_no_country_is_in_two_regions():
    counts = Counter(code for row in wco_rows() for code in row["countries"].split())
    assert [code for code, n in counts.items() if n > 1] == []


def test_every_code_is_iso_3166_1_and_members_without_one_are_named_apart():
    for row in wco_rows():
        for code in row["countries"].split():
            assert pycountry.countries.get(alpha_2=code) is not None, (row["region"], code)
        for name in other_members(row):
            assert pycountry.countries.get(name=name) is None, (row["region"], name)


@pytest.mark.django_db
def test_the_loader_gives_listed_countries_their_region_and_others_none(vocabularies):
    region_of = dict(Country.objects.values_list("code", "region__code"))
    for row in wco_rows():
        assert Region.objects.get(code=row["region"]).countries.count() == len(
            row["countries"].split()
        )
    # Members since the transcription: Palau (2024), Palestine (2015), Equatorial Guinea.
    assert (region_of["PW"], region_of["PS"], region_of["GQ"]) == ("AP", "MENA", "WCA")
    # Regions that move in memory but not in the WCO's lists.
    assert [region_of[c] for c in ("MR", "SD", "DJ", "KM", "IR", "IL", "TR", "CY")] == [
        "WCA", "MENA", "ESA", "ESA", "AP", "EUR", "EUR", "EUR",
    ]  # fmt: skip
    # Not WCO Members: they stay in the country vocabulary, without a region.
    for code in ("KI", "TV", "AW", "SX", "DM", "GD", "KN", "LI", "MC", "SM", "KP"):
        assert region_of[code] is None, code
