"""The partner engagement map: partners × regions, from contributions and engagements together.

Each cell counts two things for one partner in one region: the knowledge items involving the
partner there (one engine pivot request, counted for the viewer's audiences as search counts
them) and the engagements with the partner covering the region (the ORM, through
partnerships.access). Filters narrow both the same way: partner kind, region, topic and a
period (items by publication year, engagements overlapping it). Columns are flagged where few
partners, or partners of only one kind, are at work; the effectiveness summary counts the
assessments of the same engagements per partner and per kind.

The page, its CSV and the engagement list behind each cell read the same `MapFilters`, so a
cell's link finds exactly what the cell counts.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import cached_property

from django.db.models import Max, Min, Q, QuerySet
from django.http import QueryDict
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.html import escape, format_html
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cms.charts import Bar, BarChart
from knowledge.audience import visible_audiences
from knowledge.pages import KnowledgePage
from knowledge.vocabularies import PartnerOrganisation, Region, Topic
from search.engines import get_engine
from search.engines.base import EngineUnavailable, SearchQuery
from search.export import guard

from .access import visible_engagements
from .models import Engagement

# A region with this many partners or fewer (items or engagements) is flagged.
FEW_PARTNERS = 1
# The assessment value the filters use for engagements not yet assessed.
UNASSESSED = "unassessed"
ASSESSMENTS = (*Engagement.Assessment.values, UNASSESSED)

MAP_PARAMS = ("partner_kind", "region", "topic", "from_year", "to_year")
LIST_PARAMS = (*MAP_PARAMS, "partner", "assessment")


class BadMapRequest(ValueError):
    """A filter names nothing known; the message says which, for the 400 page."""


def assessment_label(value: str) -> str:
    if value == UNASSESSED:
        return _("Not yet assessed")
    return str(Engagement.Assessment(value).label)


@dataclass(frozen=True)
class MapFilters:
    """What the map, its CSV and the engagement list are narrowed to; empty means all."""

    partner_kind: str = ""
    region: str = ""
    topic: str = ""
    from_year: int | None = None
    to_year: int | None = None
    partner: str = ""  # the engagement list only
    assessment: str = ""  # the engagement list only: an Assessment value or UNASSESSED

    def params(self, **narrower: str) -> dict[str, str]:
        """The filters as GET parameters (the set ones), narrowed further."""
        values = {name: getattr(self, name) for name in LIST_PARAMS}
        values.update(narrower)
        return {name: str(value) for name, value in values.items() if value not in ("", None)}

    def map_params(self) -> dict[str, str]:
        return {k: v for k, v in self.params().items() if k in MAP_PARAMS}

    @property
    def dated(self) -> bool:
        return self.from_year is not None or self.to_year is not None

    def years(self, span: tuple[int, int]) -> tuple[str, ...]:
        """The publication years of the period within `span` (all of it if none is set)."""
        if not self.dated:
            return ()
        first = self.from_year if self.from_year is not None else span[0]
        last = self.to_year if self.to_year is not None else span[1]
        return tuple(str(year) for year in range(first, last + 1))


def year_span() -> tuple[int, int]:
    """The years the period may cover: the first item or engagement to this year (or the last
    planned engagement's)."""
    this_year = datetime.date.today().year
    items = KnowledgePage.objects.aggregate(first=Min("published_date"))
    engagements = Engagement.objects.aggregate(
        first=Min("start_date"), last_start=Max("start_date"), last_end=Max("end_date")
    )
    firsts = [d.year for d in (items["first"], engagements["first"]) if d]
    lasts = [d.year for d in (engagements["last_start"], engagements["last_end"]) if d]
    return min(firsts, default=this_year), max([this_year, *lasts])


def parse_filters(
    params: QueryDict, span: tuple[int, int], allowed: Iterable[str] = MAP_PARAMS
) -> MapFilters:
    """Validated filters from GET `params`; an unknown code or year raises BadMapRequest.
    Codes match case-insensitively and come back in their stored spelling."""
    allowed = tuple(allowed)
    values = {name: params.get(name, "").strip() for name in allowed}
    found: dict = {}
    choices = {
        "partner_kind": lambda: PartnerOrganisation.Kind.values,
        "region": lambda: Region.objects.values_list("code", flat=True),
        "topic": lambda: Topic.objects.values_list("code", flat=True),
        "partner": lambda: PartnerOrganisation.objects.values_list("acronym", flat=True),
        "assessment": lambda: ASSESSMENTS,
    }
    names = {
        "partner_kind": _("kind of partner"),
        "region": _("region"),
        "topic": _("topic"),
        "partner": _("partner"),
        "assessment": _("assessment"),
    }
    for name, value in values.items():
        if not value or name not in choices:
            continue
        known = {code.casefold(): code for code in choices[name]()}
        if value.casefold() not in known:
            raise BadMapRequest(
                _("There is no %(what)s “%(value)s”.") % {"what": names[name], "value": value[:20]}
            )
        found[name] = known[value.casefold()]
    for name in ("from_year", "to_year"):
        value = values.get(name, "")
        if not value:
            continue
        if not (value.isascii() and value.isdigit() and span[0] <= int(value) <= span[1]):
            raise BadMapRequest(
                _("Choose a year from %(first)s to %(last)s, not “%(value)s”.")
                % {"first": span[0], "last": span[1], "value": value[:20]}
            )
        found[name] = int(value)
    filters = MapFilters(**found)
    if filters.from_year and filters.to_year and filters.from_year > filters.to_year:
        raise BadMapRequest(_("The period cannot end before it starts."))
    return filters


def filtered_engagements(user, filters: MapFilters) -> QuerySet[Engagement]:
    """The engagements the user may see that match the filters (overlapping the period)."""
    found = visible_engagements(user)
    if filters.partner_kind:
        found = found.filter(partner__kind=filters.partner_kind)
    if filters.partner:
        found = found.filter(partner__acronym=filters.partner)
    if filters.region:
        found = found.filter(regions__code=filters.region)
    if filters.topic:
        found = found.filter(topics__code=filters.topic)
    if filters.to_year is not None:
        found = found.filter(start_date__year__lte=filters.to_year)
    if filters.from_year is not None:
        found = found.filter(Q(end_date__isnull=True) | Q(end_date__year__gte=filters.from_year))
    if filters.assessment:
        found = found.filter(
            assessment="" if filters.assessment == UNASSESSED else filters.assessment
        )
    return found.distinct()


def contribution_counts(
    user, filters: MapFilters, span: tuple[int, int]
) -> dict[tuple[str, str], int] | None:
    """(partner acronym, region code) -> items involving the partner in the region, as the
    user may see them: one engine pivot request. None when the engine cannot be reached."""
    selected = {
        "partner_kind": (filters.partner_kind,) if filters.partner_kind else (),
        "region": (filters.region,) if filters.region else (),
        "topic": (filters.topic,) if filters.topic else (),
        "year": filters.years(span),
    }
    query = SearchQuery(filters=selected, visibilities=visible_audiences(user))
    try:
        pivot = get_engine().pivot(query, rows="partner", columns="region")
    except EngineUnavailable:
        return None
    return dict(pivot.cells)


class Links:
    """Where the map's counts lead; the base URLs are reversed once per map, not per cell."""

    def __init__(self, filters: MapFilters, span: tuple[int, int]):
        self.filters = filters
        self.search = reverse("search")
        self.engagements = reverse("engagement-map-engagements")
        # The items' side of the filters (a partner kind is implied by the partner).
        self.narrowing = [("topic", filters.topic)] if filters.topic else []
        self.narrowing += [("year", year) for year in filters.years(span)]

    def items(self, **facets: str) -> str:
        """The search listing the items a contribution count counts."""
        return f"{self.search}?{urlencode([*facets.items(), *self.narrowing])}"

    def listed(self, filters: MapFilters | None = None, **narrower: str) -> str:
        """The staff list of the engagements a count counts."""
        chosen = (filters or self.filters).params(**narrower)
        return f"{self.engagements}?{urlencode(chosen)}"


@dataclass(frozen=True)
class Cell:
    partner: PartnerOrganisation
    region: Region
    contributions: int
    engagements: int
    contributions_url: str  # "" when there is nothing to list
    engagements_url: str
    assessments: Counter = field(default_factory=Counter)  # assessment (or UNASSESSED) -> n
    # (partner abbreviation, region short name) in the active language, read once per row and
    # column: a translated field read per cell costs more than the cell
    names: tuple[str, str] = ("", "")

    @property
    def empty(self) -> bool:
        return not (self.contributions or self.engagements)

    # The counts' accessible names, worded here: a translation tag per cell costs more.
    @cached_property
    def contributions_label(self) -> str:
        return ngettext(
            "%(counter)s item involving %(partner)s in %(region)s",
            "%(counter)s items involving %(partner)s in %(region)s",
            self.contributions,
        ) % self._names(self.contributions)

    @cached_property
    def engagements_label(self) -> str:
        return ngettext(
            "%(counter)s engagement with %(partner)s in %(region)s",
            "%(counter)s engagements with %(partner)s in %(region)s",
            self.engagements,
        ) % self._names(self.engagements)

    @cached_property
    def html(self) -> SafeString:
        """The cell's `<td>`, written here: a partner-by-region table holds a few hundred cells,
        and through template tags they cost more than the rest of the page together."""
        parts = []
        if self.contributions:
            label = self.contributions_label
            parts.append(_count_link("items", self.contributions_url, label, self.contributions))
        if self.engagements:
            label = self.engagements_label
            parts.append(_count_link("engagements", self.engagements_url, label, self.engagements))
        if self.empty:
            parts.append(
                format_html(
                    '<span class="map-cell__none">–<span class="visually-hidden">{}</span></span>',
                    _("nothing"),
                )
            )
        engaged = " map-cell--engaged" if self.engagements else ""
        return format_html('<td class="map-cell{}">{}</td>', engaged, mark_safe(" ".join(parts)))

    def _names(self, counter: int) -> dict:
        return {
            "counter": _count(counter),
            "partner": self.names[0],
            "region": self.names[1],
        }


def _count(number: int) -> str:
    """A count as the active locale writes it (below 1,000 no locale groups digits, and
    `number_format` is the slow part of a cell)."""
    return str(number) if number < 1000 else number_format(number, force_grouping=True)


def _count_link(what: str, url: str, label: str, number: int) -> SafeString:
    """A count linking to what it counts (`what` is a class-name suffix, never user text)."""
    label = escape(label)
    return mark_safe(
        f'<a class="map-count map-count--{what}" href="{escape(url)}" aria-label="{label}" '
        f'title="{label}">{_count(number)}</a>'
    )


@dataclass(frozen=True)
class PartnerRow:
    partner: PartnerOrganisation
    cells: tuple[Cell, ...]
    profile_url: str = ""


@dataclass(frozen=True)
class KindGroup:
    kind: str
    label: str
    rows: tuple[PartnerRow, ...]


@dataclass(frozen=True)
class Column:
    region: Region
    partners: int  # partners with items or engagements in the region
    kinds: int  # their distinct kinds
    few: bool
    one_kind: bool


@dataclass(frozen=True)
class SummaryCount:
    value: str
    count: int
    url: str  # "" for a count of none: nothing to list

    @property
    def html(self) -> SafeString:
        """The number linked to its list (a summary table holds a hundred of them, too many
        for template tags each)."""
        if not self.count:
            return mark_safe("0")
        return mark_safe(f'<a href="{escape(self.url)}">{_count(self.count)}</a>')


@dataclass(frozen=True)
class SummaryRow:
    """Assessments of one partner's (or one kind's) engagements, each linked to their list."""

    label: str
    counts: tuple[SummaryCount, ...]
    total: int
    total_url: str


@dataclass(frozen=True)
class EngagementMap:
    filters: MapFilters
    columns: tuple[Column, ...]
    groups: tuple[KindGroup, ...]
    by_kind: tuple[SummaryRow, ...]
    by_partner: tuple[SummaryRow, ...]
    chart: BarChart
    contributions_unavailable: bool

    @property
    def rows(self) -> tuple[PartnerRow, ...]:
        return tuple(row for group in self.groups for row in group.rows)

    @property
    def flagged(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.few or c.one_kind)


def build_map(user, filters: MapFilters, span: tuple[int, int], request=None) -> EngagementMap:
    """The map for `user`: one engine request for the items, two queries for the engagements
    (`request` lets Wagtail keep the site's root paths while it links the profiles)."""
    regions = Region.objects.order_by("short_name")
    if filters.region:
        regions = regions.filter(code=filters.region)
    regions = tuple(regions)
    partners = PartnerOrganisation.objects.select_related("profile").order_by("name")
    if filters.partner_kind:
        partners = partners.filter(kind=filters.partner_kind)

    links = Links(filters, span)
    contributions = contribution_counts(user, filters, span)
    engagements = _matching(user, filters)
    engaged = _by_cell(engagements)

    def cell(partner: PartnerOrganisation, region: Region) -> Cell:
        key = (partner.acronym, region.code)
        items, assessments = (contributions or {}).get(key, 0), engaged.get(key, Counter())
        where = {"partner": partner.acronym, "region": region.code}
        return Cell(
            partner=partner,
            region=region,
            contributions=items,
            engagements=assessments.total(),
            contributions_url=links.items(**where) if items else "",
            engagements_url=links.listed(**where) if assessments else "",
            assessments=assessments,
            names=(abbreviations[partner.pk], region_names[region.pk]),
        )

    partners = tuple(partners)
    region_names = {region.pk: region.short_name for region in regions}
    abbreviations = {partner.pk: partner.abbreviation for partner in partners}
    rows_by_kind: dict[str, list[PartnerRow]] = defaultdict(list)
    for partner in partners:
        cells = tuple(cell(partner, region) for region in regions)
        if all(c.empty for c in cells):
            continue
        profile = getattr(partner, "profile", None)
        profile_url = profile.get_url(request) if profile is not None and profile.live else ""
        rows_by_kind[partner.kind].append(PartnerRow(partner, cells, profile_url or ""))

    groups = tuple(
        KindGroup(kind, str(label), tuple(rows_by_kind[kind]))
        for kind, label in PartnerOrganisation.Kind.choices
        if rows_by_kind.get(kind)
    )
    columns = tuple(_column(i, region, groups, filters) for i, region in enumerate(regions))
    by_kind, by_partner, totals = _summaries(engagements, links)
    chart = BarChart(
        title=_("Assessments of the engagements shown"),
        x_label=_("Assessment"),
        y_label=_("Engagements"),
        bars=tuple(
            Bar(assessment_label(value), totals[value], links.listed(assessment=value))
            for value in ASSESSMENTS
        ),
    )
    return EngagementMap(
        filters=filters,
        columns=columns,
        groups=groups,
        by_kind=by_kind,
        by_partner=by_partner,
        chart=chart,
        contributions_unavailable=contributions is None,
    )


@dataclass(frozen=True)
class _Matching:
    """One matching engagement, as the map counts it."""

    partner: str  # acronym
    partner_name: str
    kind: str  # the partner's kind
    assessment: str  # an Assessment value or UNASSESSED
    regions: list[str] = field(default_factory=list)


def _matching(user, filters: MapFilters) -> list[_Matching]:
    """The engagements matching the filters with their regions: two queries."""
    found = {
        pk: _Matching(acronym, name, kind, assessment or UNASSESSED)
        for pk, acronym, name, kind, assessment in filtered_engagements(user, filters).values_list(
            "pk", "partner__acronym", "partner__name", "partner__kind", "assessment"
        )
    }
    covered = Engagement.regions.through.objects.filter(engagement_id__in=found)
    for pk, region in covered.values_list("engagement_id", "region__code"):
        found[pk].regions.append(region)
    return list(found.values())


def _by_cell(engagements: list[_Matching]) -> dict[tuple[str, str], Counter]:
    """(partner acronym, region code) -> assessment counts of the engagements there."""
    cells: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for engagement in engagements:
        for region in engagement.regions:
            cells[(engagement.partner, region)][engagement.assessment] += 1
    return cells


def _column(i: int, region: Region, groups: tuple[KindGroup, ...], filters) -> Column:
    active = [row.partner for g in groups for row in g.rows if not row.cells[i].empty]
    kinds = len({p.kind for p in active})
    return Column(
        region=region,
        partners=len(active),
        kinds=kinds,
        few=len(active) <= FEW_PARTNERS,
        # With a kind chosen every region has one kind: nothing to flag then.
        one_kind=not filters.partner_kind and len(active) > FEW_PARTNERS and kinds == 1,
    )


def _summaries(engagements: list[_Matching], links: Links):
    """Assessment counts per kind and per partner of the matching engagements (each once,
    whatever its regions), and over all of them."""
    per_partner: dict[str, Counter] = defaultdict(Counter)
    per_kind: dict[str, Counter] = defaultdict(Counter)
    names: dict[str, str] = {}
    for engagement in engagements:
        names[engagement.partner] = engagement.partner_name
        per_partner[engagement.partner][engagement.assessment] += 1
        per_kind[engagement.kind][engagement.assessment] += 1
    totals = Counter()
    for counts in per_kind.values():
        totals.update(counts)

    def row(label: str, counts: Counter, **narrower: str) -> SummaryRow:
        narrowed = replace(links.filters, **narrower)
        return SummaryRow(
            label=label,
            counts=tuple(
                SummaryCount(
                    v, counts[v], links.listed(narrowed, assessment=v) if counts[v] else ""
                )
                for v in ASSESSMENTS
            ),
            total=sum(counts.values()),
            total_url=links.listed(narrowed),
        )

    by_kind = tuple(
        row(str(label), per_kind[kind], partner_kind=kind)
        for kind, label in PartnerOrganisation.Kind.choices
        if per_kind.get(kind)
    )
    by_partner = tuple(
        row(f"{names[a]} ({a})", per_partner[a], partner=a)
        for a in sorted(per_partner, key=lambda a: names[a].casefold())
    )
    return by_kind, by_partner, totals


def spreadsheet_safe(value: object) -> object:
    """Text guarded as search exports guard it; numbers are left as numbers."""
    return guard(value) if isinstance(value, str) else value


def csv_rows(engagement_map: EngagementMap) -> Iterable[list[object]]:
    """The table behind the map: a header, then one row per partner × region shown."""
    yield [
        _("Partner"),
        _("Partner name"),
        _("Kind of partner"),
        _("Region"),
        _("Region name"),
        _("Contributions"),
        _("Engagements"),
        *(assessment_label(value) for value in ASSESSMENTS),
    ]
    for group in engagement_map.groups:
        for row in group.rows:
            for cell in row.cells:
                yield [
                    spreadsheet_safe(value)
                    for value in (
                        row.partner.acronym,
                        row.partner.name,
                        group.label,
                        cell.region.code,
                        cell.region.name,
                        cell.contributions,
                        cell.engagements,
                        *(cell.assessments[value] for value in ASSESSMENTS),
                    )
                ]
