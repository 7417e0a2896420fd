"""Staff pages on the site about engagements: the partner engagement map, its CSV and the list
of the engagements behind a count. Signed-in staff only (partnerships.access): anyone else
signed in gets a friendly 403, anonymous visitors the log-in page."""

from __future__ import annotations

import csv
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from knowledge.vocabularies import PartnerOrganisation, Region, Topic

from .access import can_view_engagements, keeps_engagement
from .engagement_map import (
    ASSESSMENTS,
    FEW_PARTNERS,
    LIST_PARAMS,
    BadMapRequest,
    MapFilters,
    assessment_label,
    build_map,
    csv_rows,
    filtered_engagements,
    parse_filters,
    year_span,
)

LIST_LIMIT = 500  # engagements listed at most (the register holds far fewer)


def staff_only(view):
    """Log-in redirect for anonymous visitors, a friendly 403 for signed-in non-staff; the
    answer is never kept by a shared cache."""

    @wraps(view)
    @require_safe
    @cache_control(private=True)
    def guarded(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not can_view_engagements(request.user):
            return TemplateResponse(request, "partnerships/staff_only.html", status=403)
        return view(request, *args, **kwargs)

    return guarded


def bad_request(request: HttpRequest, error: BadMapRequest) -> HttpResponse:
    return TemplateResponse(
        request,
        "partnerships/bad_filter.html",
        {"message": str(error), "map_url": reverse("engagement-map")},
        status=400,
    )


def _filter_choices(span: tuple[int, int]) -> dict:
    """What the filter form's selects offer."""
    return {
        "kind_choices": PartnerOrganisation.Kind.choices,
        "region_choices": Region.objects.order_by("short_name"),
        "topic_choices": Topic.objects.order_by("name"),
        "year_choices": range(span[1], span[0] - 1, -1),
    }


@staff_only
def engagement_map(request: HttpRequest) -> HttpResponse:
    span = year_span()
    try:
        filters = parse_filters(request.GET, span)
    except BadMapRequest as error:
        return bad_request(request, error)
    engagement_map = build_map(request.user, filters, span, request)
    return TemplateResponse(
        request,
        "partnerships/engagement_map.html",
        {
            "map": engagement_map,
            "filters": filters,
            "csv_url": _with_query(reverse("engagement-map-csv"), filters.map_params()),
            "few_partners": FEW_PARTNERS,
            "assessments": [(value, assessment_label(value)) for value in ASSESSMENTS],
            **_filter_choices(span),
        },
    )


@staff_only
def engagement_map_csv(request: HttpRequest) -> HttpResponse:
    span = year_span()
    try:
        filters = parse_filters(request.GET, span)
    except BadMapRequest as error:
        return HttpResponse(str(error), status=400, content_type="text/plain; charset=utf-8")
    engagement_map = build_map(request.user, filters, span, request)
    if engagement_map.contributions_unavailable:
        response = HttpResponse(
            _("The search engine cannot be reached, so contributions cannot be counted."),
            status=503,
            content_type="text/plain; charset=utf-8",
        )
        response["Retry-After"] = "30"
        return response
    # UTF-8 with a byte-order mark, so spreadsheets read accents right.
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="engagement-map.csv"'
    response.write("\ufeff")
    csv.writer(response).writerows(csv_rows(engagement_map))
    return response


@staff_only
def engagement_list(request: HttpRequest) -> HttpResponse:
    """The engagements one count of the map counts, each linked to the admin."""
    span = year_span()
    try:
        filters = parse_filters(request.GET, span, LIST_PARAMS)
    except BadMapRequest as error:
        return bad_request(request, error)
    found = (
        filtered_engagements(request.user, filters)
        .select_related("partner")
        .prefetch_related("regions")
        .order_by("-start_date", "title")
    )
    total = found.count()
    rows = [(engagement, _admin_url(request.user, engagement)) for engagement in found[:LIST_LIMIT]]
    return TemplateResponse(
        request,
        "partnerships/engagement_list.html",
        {
            "rows": rows,
            "total": total,
            "limit": LIST_LIMIT,
            "filters": filters,
            "described": _described(filters),
            "map_url": _with_query(reverse("engagement-map"), filters.map_params()),
        },
    )


def _admin_url(user, engagement) -> str:
    """The snippet's edit view for those who keep the engagement, else its inspect view."""
    action = (
        "edit"
        if user.has_perm("partnerships.change_engagement") and keeps_engagement(user, engagement)
        else "inspect"
    )
    return reverse(f"wagtailsnippets_partnerships_engagement:{action}", args=[engagement.pk])


def _with_query(url: str, query: dict[str, str]) -> str:
    return f"{url}?{urlencode(query)}" if query else url


def _described(filters: MapFilters) -> list[tuple[str, str]]:
    """The filters in words, for the list's heading."""
    described = []
    if filters.partner:
        partner = PartnerOrganisation.objects.get(acronym=filters.partner)
        described.append((_("Partner"), str(partner)))
    if filters.partner_kind:
        described.append(
            (_("Kind of partner"), str(PartnerOrganisation.Kind(filters.partner_kind).label))
        )
    if filters.region:
        described.append((_("Region"), Region.objects.get(code=filters.region).short_name))
    if filters.topic:
        described.append((_("Topic"), Topic.objects.get(code=filters.topic).name))
    if filters.dated:
        described.append((_("Period"), _period(filters)))
    if filters.assessment:
        described.append((_("Assessment"), assessment_label(filters.assessment)))
    return described


def _period(filters: MapFilters) -> str:
    if filters.from_year and filters.to_year:
        return _("%(first)s to %(last)s") % {"first": filters.from_year, "last": filters.to_year}
    if filters.from_year:
        return _("from %(first)s") % {"first": filters.from_year}
    return _("up to %(last)s") % {"last": filters.to_year}
