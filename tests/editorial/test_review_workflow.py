"""Partner study review, end to end through the admin: submit, request changes with a
comment, resubmit, approve → published; who is e-mailed, what the audit log records, and
what the Secretariat's report shows."""

import pytest
from django.core import mail
from django.urls import reverse
from wagtail.models import PageLogEntry

from editorial.role_setup import REVIEW_WORKFLOW_NAME
from knowledge.pages import PartnerProfilePage, PartnerStudyPage
from knowledge.vocabularies import Region, Topic
from tests.editorial.helpers import add_url, admin_form, client_for, edit_url, post_form
from tests.factories import CaseStudyPageFactory, community_for

pytestmark = pytest.mark.django_db

SUBMITTED = "submitted for approval"


def recipients(subject_part: str) -> set[str]:
    return {to for m in mail.outbox if subject_part in m.subject for to in m.to}


def submit_new_study(client, regions: list[str]) -> PartnerStudyPage:
    """The contributor creates a study in the admin and presses "Submit for moderation"."""
    profile = PartnerProfilePage.objects.get(partner__acronym="TI")
    data = admin_form(client, add_url(PartnerStudyPage, profile))
    data["body-count"] = "0"
    data.update({"title": "Border integrity survey", "slug": "survey", "summary": "Findings."})
    data["contributing_partner"] = str(profile.partner_id)
    data.setlist("regions", [str(Region.objects.get(code=c).pk) for c in regions])
    data.setlist("topics", [str(Topic.objects.first().pk)])
    data["action-submit"] = "action-submit"
    post_form(client, add_url(PartnerStudyPage, profile), data)
    return PartnerStudyPage.objects.get(slug="survey")


def workflow_action(client, page, action: str, comment: str = ""):
    task_state = page.current_workflow_task_state
    return client.post(
        reverse("wagtailadmin_pages:workflow_action", args=(page.pk, action, task_state.pk)),
        {"comment": comment},
    )


def test_submit_request_changes_resubmit_approve(make_user):
    contributor = make_user("partner", "TI")
    editor_eur = make_user("editor", "EUR")
    editor_ap = make_user("editor", "AP")
    editor_esa = make_user("editor", "ESA")
    secretariat = make_user("secretariat")
    make_user("member")
    contributor_client = client_for(contributor)

    study = submit_new_study(contributor_client, ["EUR", "AP"])
    assert not study.live
    assert study.workflow_in_progress
    assert study.get_workflow().name == REVIEW_WORKFLOW_NAME
    # The reviewers of this submission, and only they, hear about it.
    assert recipients(SUBMITTED) == {editor_eur.email, editor_ap.email}
    assert editor_esa.email not in recipients("")
    assert secretariat.email not in recipients("")

    # While in review the contributor cannot change the submitted draft.
    data = admin_form(contributor_client, edit_url(study))
    data["body-count"] = "0"
    data["title"] = "Changed during review"
    post_form(contributor_client, edit_url(study), data)
    assert study.get_latest_revision().content["title"] == "Border integrity survey"

    mail.outbox.clear()
    workflow_action(client_for(editor_eur), study, "reject", "Please cite the survey sources.")
    study.refresh_from_db()
    assert not study.live
    rejection = [m for m in mail.outbox if contributor.email in m.to]
    assert len(rejection) == 1
    assert "Please cite the survey sources." in rejection[0].body
    assert recipients("") == {contributor.email}

    # The contributor revises and resubmits; the workflow resumes with the same reviewers.
    mail.outbox.clear()
    data = admin_form(contributor_client, edit_url(study))
    data["body-count"] = "0"
    data["summary"] = "Findings, with sources."
    data["action-submit"] = "action-submit"
    post_form(contributor_client, edit_url(study), data)
    study.refresh_from_db()
    assert study.workflow_in_progress
    assert recipients(SUBMITTED) == {editor_eur.email, editor_ap.email}

    # An editor of a region the study does not cover cannot approve it.
    workflow_action(client_for(editor_esa), study, "approve")
    study.refresh_from_db()
    assert not study.live

    mail.outbox.clear()
    workflow_action(client_for(editor_ap), study, "approve")
    study.refresh_from_db()
    assert study.live
    assert study.summary == "Findings, with sources."
    assert recipients("") == {contributor.email}

    actions = list(
        PageLogEntry.objects.filter(page=study)
        .order_by("timestamp")
        .values_list("action", "user__username")
    )
    assert ("wagtail.workflow.start", contributor.username) in actions
    assert ("wagtail.workflow.reject", editor_eur.username) in actions
    assert ("wagtail.workflow.resume", contributor.username) in actions
    assert ("wagtail.workflow.approve", editor_ap.username) in actions
    assert ("wagtail.publish", editor_ap.username) in actions


def test_study_without_region_goes_to_the_secretariat(make_user):
    """Regions are required in the editor, but a study may reach review without them (an
    import, a later vocabulary change): the Secretariat reviews it then."""
    contributor = make_user("partner", "TI")
    secretariat = make_user("secretariat")
    make_user("editor", "EUR")
    study = submit_new_study(client_for(contributor), ["EUR"])
    workflow_action(client_for(make_user("editor", "EUR")), study, "reject", "Needs work")
    mail.outbox.clear()
    revision = study.get_latest_revision()
    revision.content["regions"] = []
    revision.save(update_fields=["content"])
    study.current_workflow_state.resume(contributor)
    assert recipients(SUBMITTED) == {secretariat.email}
    workflow_action(client_for(secretariat), study, "approve")
    study.refresh_from_db()
    assert study.live


def test_reviewers_see_the_submission_on_their_dashboard(make_user):
    editor_eur = make_user("editor", "EUR")
    editor_ap = make_user("editor", "AP")
    submit_new_study(client_for(make_user("partner", "TI")), ["EUR"])
    eur_dashboard = client_for(editor_eur).get(reverse("wagtailadmin_home")).content.decode()
    ap_dashboard = client_for(editor_ap).get(reverse("wagtailadmin_home")).content.decode()
    assert "Border integrity survey" in eur_dashboard
    assert "Border integrity survey" not in ap_dashboard


def test_pending_submissions_report_for_the_secretariat_only(make_user):
    submit_new_study(client_for(make_user("partner", "TI")), ["EUR"])
    report_url = reverse("editorial_pending_submissions")

    secretariat = client_for(make_user("secretariat"))
    response = secretariat.get(report_url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Transparency International" in html
    assert "Border integrity survey" in html
    assert "partner-ti" in html  # the submitter
    study = PartnerStudyPage.objects.get(slug="survey")
    assert reverse("wagtailadmin_pages:edit", args=(study.pk,)) in html
    assert report_url in secretariat.get(reverse("wagtailadmin_home")).content.decode()

    editor = client_for(make_user("editor", "EUR"))
    assert editor.get(report_url).status_code == 302  # Wagtail's "permission denied"
    assert report_url not in editor.get(reverse("wagtailadmin_home")).content.decode()


def test_community_pages_publish_without_a_workflow(make_user):
    case = CaseStudyPageFactory(
        parent=community_for(Region.objects.get(code="EUR")),
        regions=[Region.objects.get(code="EUR")],
        topics=[Topic.objects.first()],
    )
    assert case.get_workflow() is None
    editor = client_for(make_user("editor", "EUR"))
    html = editor.get(edit_url(case)).content.decode()
    assert 'name="action-publish"' in html
    assert 'name="action-submit"' not in html


def test_editor_cannot_delete_a_community(make_user):
    community = community_for(Region.objects.get(code="EUR"))
    for child in community.get_children():
        child.delete()
    client_for(make_user("editor", "EUR")).post(
        reverse("wagtailadmin_pages:delete", args=(community.pk,))
    )
    assert type(community).objects.filter(pk=community.pk).exists()


def test_superusers_are_not_mailed_about_every_submission(make_user, superuser):
    """Wagtail mails every superuser about submissions by default; here only reviewers."""
    make_user("editor", "EUR")
    study = submit_new_study(client_for(make_user("partner", "TI")), ["EUR"])
    assert study.workflow_in_progress
    everyone = {to for m in mail.outbox for to in m.to}
    assert everyone
    assert superuser.email not in everyone
