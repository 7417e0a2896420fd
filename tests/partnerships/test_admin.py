"""The engagement register through the admin views: who sees, keeps and assesses what."""

import pytest
from django.urls import reverse
from wagtail.models import ModelLogEntry, Revision

from knowledge.vocabularies import PartnerOrganisation, Region, Topic
from partnerships.models import Engagement
from tests.editorial.helpers import client_for

pytestmark = pytest.mark.django_db

LIST = reverse("wagtailsnippets_partnerships_engagement:list")
ADD = reverse("wagtailsnippets_partnerships_engagement:add")


def url(name: str, engagement: Engagement) -> str:
    return reverse(f"wagtailsnippets_partnerships_engagement:{name}", args=(engagement.pk,))


def form_data(regions=("EUR",), **fields) -> dict:
    data = {
        "title": "Joint integrity review of the port of Rotterdam",
        "partner": PartnerOrganisation.objects.get(acronym="TI").pk,
        "kind": Engagement.Kind.JOINT_OPERATION,
        "status": Engagement.Status.ACTIVE,
        "start_date": "2024-01-15",
        "end_date": "",
        "regions": list(Region.objects.filter(code__in=regions).values_list("pk", flat=True)),
        "topics": list(Topic.objects.values_list("pk", flat=True)[:2]),
        "purpose": "Review the integrity controls of a port together.",
        "expected_outcomes": "A shared risk map and three agreed measures.",
        "assessment": "",
        "assessment_justification": "",
        "external_id": "",
    }
    data.update(fields)
    return data


def data_of(engagement: Engagement, **fields) -> dict:
    values = form_data(
        title=engagement.title,
        partner=engagement.partner_id,
        kind=engagement.kind,
        status=engagement.status,
        start_date=engagement.start_date.isoformat(),
        purpose=engagement.purpose,
        expected_outcomes=engagement.expected_outcomes,
        assessment=engagement.assessment,
        assessment_justification=engagement.assessment_justification,
    )
    values["regions"] = list(engagement.regions.values_list("pk", flat=True))
    values.update(fields)
    return values


def refused(response) -> bool:
    """Wagtail answers a refused admin request with a redirect to the dashboard (or a 403)."""
    return response.status_code == 403 or (
        response.status_code == 302 and response.url == reverse("wagtailadmin_home")
    )


def test_secretariat_creates_assesses_and_the_history_records_it(make_user):
    client = client_for(make_user("secretariat"))
    response = client.post(
        ADD,
        form_data(
            regions=("EUR", "AP"),
            assessment=Engagement.Assessment.PARTLY,
            assessment_justification="The risk map was shared; one measure of three is in place.",
        ),
    )
    assert response.status_code == 302, response.context["form"].errors
    engagement = Engagement.objects.get()
    assert engagement.assessment == Engagement.Assessment.PARTLY
    assert set(engagement.regions.values_list("code", flat=True)) == {"EUR", "AP"}

    response = client.post(
        url("edit", engagement),
        data_of(engagement, assessment="achieved", assessment_justification="All three done."),
    )
    assert response.status_code == 302
    engagement.refresh_from_db()
    assert engagement.assessment == "achieved"
    assert Revision.objects.for_instance(engagement).count() == 2
    actions = list(
        ModelLogEntry.objects.filter(object_id=str(engagement.pk)).values_list("action", flat=True)
    )
    assert sorted(actions) == ["wagtail.create", "wagtail.edit"]
    history = client.get(url("history", engagement))
    assert history.status_code == 200
    assert b"Joint integrity review" in history.content


def test_assessment_without_justification_is_refused(make_user):
    client = client_for(make_user("secretariat"))
    response = client.post(ADD, form_data(assessment=Engagement.Assessment.ACHIEVED))
    assert response.status_code == 200
    assert "assessment_justification" in response.context["form"].errors
    assert not Engagement.objects.exists()


def test_end_before_start_is_refused(make_user):
    client = client_for(make_user("secretariat"))
    response = client.post(ADD, form_data(start_date="2024-05-01", end_date="2024-04-30"))
    assert response.status_code == 200
    assert "end_date" in response.context["form"].errors
    assert not Engagement.objects.exists()


def test_listing_filters_and_search(make_user, make_engagement):
    make_engagement(regions=("EUR",), title="Training in Brussels")
    make_engagement(regions=("AP",), title="Study of Pacific ports", partner="UNODC")
    client = client_for(make_user("secretariat"))
    response = client.get(LIST)
    assert response.status_code == 200
    assert b"Training in Brussels" in response.content
    ap = Region.objects.get(code="AP").pk
    filtered = client.get(LIST, {"regions": ap}).content
    assert b"Study of Pacific ports" in filtered and b"Training in Brussels" not in filtered
    searched = client.get(LIST, {"q": "UNODC"}).content
    assert b"Study of Pacific ports" in searched and b"Training in Brussels" not in searched


def test_regional_editor_sees_all_but_keeps_only_own_region(make_user, make_engagement):
    own = make_engagement(regions=("EUR",), title="Training in Brussels")
    other = make_engagement(regions=("AP",), title="Study of Pacific ports")
    client = client_for(make_user("editor", "EUR"))

    listing = client.get(LIST)
    assert listing.status_code == 200
    assert b"Training in Brussels" in listing.content
    assert b"Study of Pacific ports" in listing.content
    assert url("edit", own).encode() in listing.content
    assert url("edit", other).encode() not in listing.content
    assert client.get(url("inspect", other)).status_code == 200

    assert client.get(url("edit", own)).status_code == 200
    response = client.post(url("edit", own), data_of(own, title="Training in Brussels, 2nd"))
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.title == "Training in Brussels, 2nd"

    assert refused(client.get(url("edit", other)))
    assert refused(client.post(url("edit", other), data_of(other, title="Taken over")))
    other.refresh_from_db()
    assert other.title == "Study of Pacific ports"

    assert refused(client.post(url("delete", own)))
    assert Engagement.objects.filter(pk=own.pk).exists()


def test_regional_editor_adds_only_engagements_covering_their_region(make_user):
    client = client_for(make_user("editor", "EUR"))
    response = client.post(ADD, form_data(regions=("AP",)))
    assert response.status_code == 200
    assert "regions" in response.context["form"].errors
    assert not Engagement.objects.exists()

    response = client.post(ADD, form_data(regions=("EUR", "AP")))
    assert response.status_code == 302
    assert Engagement.objects.count() == 1


def test_only_the_secretariat_assesses(make_user, make_engagement):
    engagement = make_engagement(
        regions=("EUR",), assessment="too_early", assessment_justification="Started in March."
    )
    client = client_for(make_user("editor", "EUR"))

    page = client.get(url("edit", engagement))
    form = page.context["form"]
    assert form.fields["assessment"].disabled
    assert form.fields["assessment_justification"].disabled

    # a browser does not send disabled fields: the other changes are saved, the assessment kept
    data = data_of(engagement, title="Renamed by the editor")
    del data["assessment"], data["assessment_justification"]
    assert client.post(url("edit", engagement), data).status_code == 302
    engagement.refresh_from_db()
    assert (engagement.title, engagement.assessment) == ("Renamed by the editor", "too_early")

    forged = data_of(engagement, assessment="achieved", assessment_justification="Said so.")
    response = client.post(url("edit", engagement), forged)
    assert response.status_code == 200
    assert "Only the Secretariat may set or change an assessment." in str(
        response.context["form"].non_field_errors()
    )
    engagement.refresh_from_db()
    assert (engagement.assessment, engagement.assessment_justification) == (
        "too_early",
        "Started in March.",
    )

    response = client.post(
        ADD, form_data(assessment="achieved", assessment_justification="Said so.")
    )
    assert response.status_code == 200
    assert Engagement.objects.count() == 1


@pytest.mark.parametrize(("role", "code"), [("partner", "TI"), ("member", "")])
def test_partner_contributors_and_members_have_no_access(make_user, make_engagement, role, code):
    engagement = make_engagement()
    client = client_for(make_user(role, code))
    for target in (LIST, ADD, url("inspect", engagement), url("edit", engagement)):
        response = client.get(target)
        assert response.status_code != 200, target
    client.post(ADD, form_data())
    client.post(url("edit", engagement), data_of(engagement, title="Changed"))
    engagement.refresh_from_db()
    assert engagement.title != "Changed"
    assert Engagement.objects.count() == 1
