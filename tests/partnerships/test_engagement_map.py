"""The partner engagement map through the views: who may open it, what each cell counts (items
from the engine as the viewer may read them, engagements from the register), the filters, the
links behind every count, the CSV and its formula guard, and refused parameters."""

import csv
import datetime
import io
import re
from urllib.parse import parse_qsl, urlsplit

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

import partnerships.engagement_map
from knowledge.audience import restrict_to_members
from knowledge.vocabularies import PartnerOrganisation, Region, Topic
from partnerships.models import Engagement
from search.engines import get_engine
from search.engines.base import EngineUnavailable
from tests.factories import (
    CaseStudyPageFactory,
    HandbookPageFactory,
    PartnerStudyPageFactory,
    community_for,
)

pytestmark = pytest.mark.django_db

MAP = "/partners/map/"
CSV = "/partners/map.csv"
LIST = "/partners/map/engagements/"


def region(code):
    return Region.objects.get(code=code)


def partner(acronym):
    return PartnerOrganisation.objects.get(acronym=acronym)


@pytest.fixture
def network(roles, empty_index, django_capture_on_commit_callbacks, make_engagement):
    """Items: a TI study (EUR, automation, 2021); a TI + UNODC EUR case (automation, 2019); a
    member-only TI AMC handbook (2023); a TI EUR draft; a MACN AP case (2020); a TI + BIG WCA
    case (2022). Engagements: TI EUR training 2024 (partly), TI EUR+AP MoU 2018-19
    (achieved), UNODC AMC consultation since 2022 (not assessed), MACN AP operation 2016-17
    (not achieved)."""
    eur, amc, ap, wca = region("EUR"), region("AMC"), region("AP"), region("WCA")
    automation = Topic.objects.get(code="automation")
    hr = Topic.objects.get(code="human-resources")
    transparency = Topic.objects.get(code="transparency")
    ti, unodc, macn, big = partner("TI"), partner("UNODC"), partner("MACN"), partner("BIG")
    with django_capture_on_commit_callbacks(execute=True):
        PartnerStudyPageFactory(
            contributing_partner=ti,
            title="Exporters survey",
            regions=[eur],
            topics=[automation],
            published_date=datetime.date(2021, 5, 1),
        )
        CaseStudyPageFactory(
            parent=community_for(eur),
            title="Port clearance with TI and UNODC",
            regions=[eur],
            topics=[automation],
            partners=[ti, unodc],
            published_date=datetime.date(2019, 5, 1),
        )
        members = HandbookPageFactory(
            parent=community_for(amc),
            title="Members handbook with TI",
            regions=[amc],
            topics=[hr],
            partners=[ti],
            published_date=datetime.date(2023, 5, 1),
        )
        restrict_to_members(members)
        CaseStudyPageFactory(
            parent=community_for(eur),
            title="Draft with TI",
            regions=[eur],
            topics=[hr],
            partners=[ti],
            publish=False,
        )
        CaseStudyPageFactory(
            parent=community_for(ap),
            title="Ship masters and MACN",
            regions=[ap],
            topics=[transparency],
            partners=[macn],
            published_date=datetime.date(2020, 5, 1),
        )
        CaseStudyPageFactory(
            parent=community_for(wca),
            title="Civil society monitors in WCA",
            regions=[wca],
            topics=[transparency],
            partners=[ti, big],
            published_date=datetime.date(2022, 5, 1),
        )
    make_engagement(
        title="Training for trainers",
        regions=["EUR"],
        topics=["automation"],
        start_date=datetime.date(2024, 3, 1),
        end_date=datetime.date(2024, 9, 30),
        assessment=Engagement.Assessment.PARTLY,
        assessment_justification="Twelve of twenty.",
    )
    make_engagement(
        title="Integrity pact",
        regions=["EUR", "AP"],
        topics=["transparency"],
        kind=Engagement.Kind.MOU,
        start_date=datetime.date(2018, 1, 1),
        end_date=datetime.date(2019, 12, 31),
        status=Engagement.Status.COMPLETED,
        assessment=Engagement.Assessment.ACHIEVED,
        assessment_justification="Tender closed without protest.",
    )
    make_engagement(
        title="Corruption risk working group",
        partner="UNODC",
        regions=["AMC"],
        kind=Engagement.Kind.CONSULTATION,
        start_date=datetime.date(2022, 1, 1),
    )
    make_engagement(
        title="Port operation",
        partner="MACN",
        regions=["AP"],
        kind=Engagement.Kind.JOINT_OPERATION,
        start_date=datetime.date(2016, 1, 1),
        end_date=datetime.date(2017, 6, 30),
        status=Engagement.Status.COMPLETED,
        assessment=Engagement.Assessment.NOT_ACHIEVED,
        assessment_justification="No change in demands.",
    )
    get_engine().refresh()
    yield
    get_engine().clear()


@pytest.fixture
def editor(make_user):
    return make_user("editor", "EUR")


@pytest.fixture
def secretariat(make_user):
    return make_user("secretariat")


def page(response) -> BeautifulSoup:
    assert response.status_code == 200, response.status_code
    return BeautifulSoup(response.content, "html.parser").find("main")


def text(node) -> str:
    return re.sub(r"\s+", " ", node.get_text(" ")).strip()


def grid(html) -> dict[tuple[str, str], tuple[str, str]]:
    """{(partner abbreviation, region name): (items, engagements)} of the non-empty cells."""
    table = html.select_one("table.map-table")
    regions = [th.contents[0].strip() for th in table.thead.select("th")[1:]]
    cells = {}
    for row in table.select("tbody tr"):
        if "map-table__group" in row.get("class", []):
            continue
        abbreviation = row.th.abbr.get_text()
        for name, td in zip(regions, row.find_all("td"), strict=True):
            items = td.select_one(".map-count--items")
            engagements = td.select_one(".map-count--engagements")
            if items or engagements:
                cells[(abbreviation, name)] = (
                    items.get_text() if items else "0",
                    engagements.get_text() if engagements else "0",
                )
    return cells


def links(html, partner_abbreviation, region_name) -> tuple[str | None, str | None]:
    table = html.select_one("table.map-table")
    regions = [th.contents[0].strip() for th in table.thead.select("th")[1:]]
    row = next(
        r
        for r in table.select("tbody tr")
        if r.th.abbr and r.th.abbr.get_text() == partner_abbreviation
    )
    td = row.find_all("td")[regions.index(region_name)]
    items, engagements = (
        td.select_one(".map-count--items"),
        td.select_one(".map-count--engagements"),
    )
    return (items["href"] if items else None, engagements["href"] if engagements else None)


def query(url: str) -> tuple[str, list[tuple[str, str]]]:
    parts = urlsplit(url)
    return parts.path, sorted(parse_qsl(parts.query))


# Access ---------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [MAP, CSV, LIST])
def test_anonymous_visitors_are_sent_to_log_in(client, network, url):
    response = client.get(url + "?region=EUR")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    assert "region%3DEUR" in response["Location"]


@pytest.mark.parametrize("role", [("member", ""), ("partner", "TI")])
@pytest.mark.parametrize("url", [MAP, CSV, LIST])
def test_signed_in_non_staff_get_a_friendly_403(client, network, make_user, role, url):
    client.force_login(make_user(*role))
    response = client.get(url)
    assert response.status_code == 403
    html = BeautifulSoup(response.content, "html.parser")
    assert "For staff only" in html.h1.get_text()
    assert "Training for trainers" not in response.content.decode()


@pytest.mark.parametrize("who", ["editor", "secretariat", "superuser"])
def test_staff_open_the_map(client, network, request, who):
    client.force_login(request.getfixturevalue(who))
    response = client.get(MAP)
    html = page(response)
    assert "private" in response["Cache-Control"]
    assert html.h1.get_text() == "Partner engagement map"
    assert html.select_one("table.map-table caption")
    assert all(th.get("scope") for th in html.select("table.map-table th"))


def test_the_map_is_linked_from_the_partner_pages_for_staff_only(client, network, editor):
    index = reverse("wagtail_serve", args=["partner-studies/"])
    profile = reverse("wagtail_serve", args=["partner-studies/ti/"])
    for url in (index, profile):
        assert MAP not in client.get(url).content.decode()
    client.force_login(editor)
    assert page(client.get(index)).find("a", href=MAP)
    assert page(client.get(profile)).find("a", href=f"{MAP}?partner_kind=ngo")


# Counts ---------------------------------------------------------------------------------


def test_cells_count_public_items_and_engagements_for_an_editor(client, network, editor):
    client.force_login(editor)
    html = page(client.get(MAP))
    assert grid(html) == {
        ("TI", "Europe"): ("2", "2"),
        ("TI", "Asia/Pacific"): ("0", "1"),
        ("TI", "West and Central Africa"): ("1", "0"),
        ("BIG", "West and Central Africa"): ("1", "0"),
        ("UNODC", "Europe"): ("1", "0"),
        ("UNODC", "Americas and the Caribbean"): ("0", "1"),
        ("MACN", "Asia/Pacific"): ("1", "1"),
    }
    # Rows are grouped by kind, in the kinds' order.
    groups = [text(th) for th in html.select("tr.map-table__group th")]
    assert groups == ["NGO", "International organisation", "Private sector"]


def test_member_only_items_are_counted_for_those_who_may_read_them(client, network, superuser):
    client.force_login(superuser)
    assert grid(page(client.get(MAP)))[("TI", "Americas and the Caribbean")] == ("1", "0")


def test_regions_with_few_partners_or_one_kind_are_flagged(client, network, editor):
    client.force_login(editor)
    html = page(client.get(MAP))
    heads = {th.contents[0].strip(): text(th) for th in html.select("table.map-table thead th")[1:]}
    assert "Few partners" in heads["Americas and the Caribbean"]  # UNODC alone
    assert "Few partners" in heads["East and Southern Africa"]  # nobody
    assert "One kind" in heads["West and Central Africa"]  # TI and BIG, both NGOs
    assert "Few partners" not in heads["Europe"] and "One kind" not in heads["Europe"]
    watch = text(html.select_one(".map-watch"))
    assert "Americas and the Caribbean: 1 partner" in watch
    assert "West and Central Africa: all its partners are of one kind" in watch


def test_the_effectiveness_summary_counts_assessments_per_kind_and_partner(client, network, editor):
    client.force_login(editor)
    html = page(client.get(MAP))
    tables = {t.caption.get_text(): t for t in html.select("table.map-table--summary")}

    def rows(caption):
        return {
            text(tr.th): [text(td) for td in tr.find_all("td")]
            for tr in tables[caption].tbody.find_all("tr")
        }

    # achieved, partly, not achieved, too early, not yet assessed, total
    assert rows("Assessments by kind of partner") == {
        "NGO": ["1", "1", "0", "0", "0", "2"],
        "International organisation": ["0", "0", "0", "0", "1", "1"],
        "Private sector": ["0", "0", "1", "0", "0", "1"],
    }
    assert rows("Assessments by partner")["Transparency International (TI)"] == [
        "1",
        "1",
        "0",
        "0",
        "0",
        "2",
    ]
    partly = tables["Assessments by partner"].find("a", string="1", href=re.compile("partly"))
    assert query(partly["href"]) == (LIST, [("assessment", "partly"), ("partner", "TI")])
    chart = html.select_one("figure.chart table")
    assert [(text(tr.th), text(tr.td)) for tr in chart.tbody.find_all("tr")] == [
        ("Achieved", "1"),
        ("Partly achieved", "1"),
        ("Not achieved", "1"),
        ("Too early to say", "0"),
        ("Not yet assessed", "1"),
    ]


# Filters --------------------------------------------------------------------------------


def test_filter_by_kind_keeps_its_partners_only(client, network, editor):
    client.force_login(editor)
    html = page(client.get(MAP, {"partner_kind": "ngo"}))
    assert {p for p, _r in grid(html)} == {"TI", "BIG"}
    assert html.select_one("#map-kind option[selected]")["value"] == "ngo"
    assert "One kind" not in text(html.select_one("table.map-table thead"))


def test_filter_by_region_shows_one_column(client, network, editor):
    client.force_login(editor)
    html = page(client.get(MAP, {"region": "eur"}))  # codes match in any case
    assert grid(html) == {("TI", "Europe"): ("2", "2"), ("UNODC", "Europe"): ("1", "0")}
    assert len(html.select_one("table.map-table").thead.select("th")) == 2


def test_filter_by_topic_narrows_items_and_engagements(client, network, editor):
    client.force_login(editor)
    html = page(client.get(MAP, {"topic": "automation"}))
    assert grid(html) == {("TI", "Europe"): ("2", "1"), ("UNODC", "Europe"): ("1", "0")}


def test_filter_by_period_counts_items_by_year_and_overlapping_engagements(client, network, editor):
    client.force_login(editor)
    html = page(client.get(MAP, {"from_year": "2019", "to_year": "2022"}))
    assert grid(html) == {
        ("TI", "Europe"): ("2", "1"),  # the 2018-19 pact overlaps; the 2024 training does not
        ("TI", "Asia/Pacific"): ("0", "1"),
        ("TI", "West and Central Africa"): ("1", "0"),
        ("BIG", "West and Central Africa"): ("1", "0"),
        ("UNODC", "Europe"): ("1", "0"),
        ("UNODC", "Americas and the Caribbean"): ("0", "1"),  # open-ended since 2022
        ("MACN", "Asia/Pacific"): ("1", "0"),  # the 2016-17 operation is outside
    }
    html = page(client.get(MAP, {"to_year": "2019"}))
    assert grid(html)[("TI", "Europe")] == ("1", "1")


# Links ----------------------------------------------------------------------------------


def test_item_counts_link_to_the_search_that_finds_them(client, network, superuser):
    client.force_login(superuser)
    params = {"topic": "automation", "from_year": "2019", "to_year": "2021"}
    html = page(client.get(MAP, params))
    items, _engagements = links(html, "TI", "Europe")
    assert query(items) == (
        "/search/",
        sorted(
            [("partner", "TI"), ("region", "EUR"), ("topic", "automation")]
            + [("year", str(y)) for y in (2019, 2020, 2021)]
        ),
    )
    found = client.get(items.replace("/search/", "/api/search/", 1)).json()
    assert found["total"] == int(grid(html)[("TI", "Europe")][0]) == 2
    plain = page(client.get(MAP))
    assert query(links(plain, "MACN", "Asia/Pacific")[0]) == (
        "/search/",
        [("partner", "MACN"), ("region", "AP")],
    )


def test_engagement_counts_link_to_the_list_of_those_engagements(client, network, editor):
    client.force_login(editor)
    html = page(client.get(MAP, {"topic": "transparency"}))
    _items, engagements = links(html, "TI", "Europe")
    assert query(engagements) == (
        LIST,
        [("partner", "TI"), ("region", "EUR"), ("topic", "transparency")],
    )
    listing = page(client.get(engagements))
    rows = listing.select("table.map-table tbody tr")
    assert [text(r.th) for r in rows] == ["Integrity pact"]
    cells = [text(td) for td in rows[0].find_all("td")]
    assert cells == [
        "TI",
        "Memorandum of understanding",
        "Asia/Pacific, Europe",
        "Jan 2018 to Dec 2019",
        "Completed",
        "Achieved",
    ]
    pact = Engagement.objects.get(title="Integrity pact")
    # The EUR editor keeps this EUR engagement: the link opens its edit view.
    assert rows[0].th.a["href"] == reverse(
        "wagtailsnippets_partnerships_engagement:edit", args=[pact.pk]
    )


def test_engagements_an_editor_does_not_keep_link_to_the_inspect_view(client, network, editor):
    client.force_login(editor)
    html = page(client.get(MAP))
    listing = page(client.get(links(html, "UNODC", "Americas and the Caribbean")[1]))
    group = Engagement.objects.get(title="Corruption risk working group")
    assert [a["href"] for a in listing.select("tbody th a")] == [
        reverse("wagtailsnippets_partnerships_engagement:inspect", args=[group.pk])
    ]
    assert "Not yet assessed" in text(listing)


def test_the_engagement_list_filters_by_assessment(client, network, secretariat):
    client.force_login(secretariat)
    listing = page(client.get(LIST, {"assessment": "unassessed"}))
    assert [text(th) for th in listing.select("tbody th")] == ["Corruption risk working group"]
    listing = page(client.get(LIST, {"partner": "TI"}))
    assert [text(th) for th in listing.select("tbody th")] == [
        "Training for trainers",
        "Integrity pact",
    ]
    edit = reverse(
        "wagtailsnippets_partnerships_engagement:edit",
        args=[Engagement.objects.get(title="Training for trainers").pk],
    )
    assert listing.find("a", href=edit)


# CSV ------------------------------------------------------------------------------------


def read_csv(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


def test_the_csv_holds_one_row_per_partner_and_region_with_assessments(client, network, superuser):
    client.force_login(superuser)
    rows = read_csv(client.get(CSV))
    assert rows[0] == [
        "Partner",
        "Partner name",
        "Kind of partner",
        "Region",
        "Region name",
        "Contributions",
        "Engagements",
        "Achieved",
        "Partly achieved",
        "Not achieved",
        "Too early to say",
        "Not yet assessed",
    ]
    by_cell = {(r[0], r[3]): r for r in rows[1:]}
    assert len(rows) - 1 == 4 * 6  # TI, BIG, UNODC, MACN × six regions
    assert by_cell[("TI", "EUR")] == [
        "TI",
        "Transparency International",
        "NGO",
        "EUR",
        "Europe",
        "2",
        "2",
        "1",
        "1",
        "0",
        "0",
        "0",
    ]
    assert by_cell[("TI", "AMC")][5] == "1"  # member-only, read by the superuser
    assert by_cell[("UNODC", "AMC")][6:] == ["1", "0", "0", "0", "0", "1"]


def test_the_csv_takes_the_maps_filters(client, network, editor):
    client.force_login(editor)
    html = page(client.get(MAP, {"region": "EUR", "topic": "automation"}))
    csv_link = html.find("a", string=re.compile("Download this table as CSV"))["href"]
    assert query(csv_link) == (CSV, [("region", "EUR"), ("topic", "automation")])
    rows = read_csv(client.get(csv_link))
    assert [(r[0], r[3], r[5], r[6]) for r in rows[1:]] == [
        ("TI", "EUR", "2", "1"),
        ("UNODC", "EUR", "1", "0"),
    ]


def test_the_csv_quotes_cells_a_spreadsheet_would_run(client, network, secretariat):
    for acronym, name in [
        ("TI", '=HYPERLINK("http://x")'),
        ("BIG", "+1"),
        ("UNODC", "-2"),
        ("MACN", "@SUM(A1)"),
    ]:
        PartnerOrganisation.objects.filter(acronym=acronym).update(name=name)
    client.force_login(secretariat)
    names = {r[0]: r[1] for r in read_csv(client.get(CSV))[1:]}
    assert names == {
        "TI": '\'=HYPERLINK("http://x")',
        "BIG": "'+1",
        "UNODC": "'-2",
        "MACN": "'@SUM(A1)",
    }


# Bad parameters -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params, message",
    [
        ({"region": "XXX"}, "There is no region “XXX”."),
        ({"topic": "nope"}, "There is no topic “nope”."),
        ({"partner_kind": "alien"}, "There is no kind of partner “alien”."),
        ({"from_year": "20x9"}, "not “20x9”"),
        ({"to_year": "1800"}, "not “1800”"),
        ({"from_year": "2022", "to_year": "2019"}, "The period cannot end before it starts."),
    ],
)
def test_unknown_filters_get_a_friendly_400(client, network, editor, params, message):
    client.force_login(editor)
    response = client.get(MAP, params)
    assert response.status_code == 400
    html = BeautifulSoup(response.content, "html.parser").find("main")
    assert message in text(html)
    assert html.find("a", href=MAP)
    assert client.get(CSV, params).status_code == 400
    assert client.get(LIST, params).status_code == 400


def test_the_list_refuses_an_unknown_partner_or_assessment(client, network, editor):
    client.force_login(editor)
    assert client.get(LIST, {"partner": "NOPE"}).status_code == 400
    assert "There is no assessment" in client.get(LIST, {"assessment": "maybe"}).content.decode()


# The engine down ------------------------------------------------------------------------


def test_with_the_engine_down_the_map_shows_engagements_and_the_csv_waits(
    client, network, editor, monkeypatch
):
    def down(*args, **kwargs):
        raise EngineUnavailable("down")

    monkeypatch.setattr(
        partnerships.engagement_map, "get_engine", lambda: type("E", (), {"pivot": down})()
    )
    client.force_login(editor)
    html = page(client.get(MAP))
    assert "search index is unavailable" in text(html)
    assert grid(html)[("TI", "Europe")] == ("0", "2")
    response = client.get(CSV)
    assert response.status_code == 503 and response["Retry-After"] == "30"
