"""Review e-mails carry titles and comments that contributors and reviewers typed: they go
out as plain text (nothing to render as markup) with a one-line subject."""

import pytest
from django.core import mail
from django.urls import reverse

from knowledge.pages import PartnerProfilePage, PartnerStudyPage
from knowledge.vocabularies import Region, Topic
from tests.editorial.helpers import add_url, admin_form, client_for, post_form

pytestmark = pytest.mark.django_db

TITLE = '<script>alert(1)</script> "Survey"\r\nBcc: victim@example.org'
COMMENT = "<img src=x onerror=alert(1)>\r\nPlease cite sources & dates."


def test_hostile_title_and_comment_arrive_as_plain_text(make_user):
    contributor = make_user("partner", "TI")
    editor = make_user("editor", "EUR")
    profile = PartnerProfilePage.objects.get(partner__acronym="TI")
    client = client_for(contributor)
    data = admin_form(client, add_url(PartnerStudyPage, profile))
    data["body-count"] = "0"
    data.update({"title": TITLE, "slug": "survey", "summary": "Findings."})
    data["contributing_partner"] = str(profile.partner_id)
    data.setlist("regions", [str(Region.objects.get(code="EUR").pk)])
    data.setlist("topics", [str(Topic.objects.first().pk)])
    data["action-submit"] = "action-submit"
    post_form(client, add_url(PartnerStudyPage, profile), data)
    study = PartnerStudyPage.objects.get(slug="survey")

    (submitted,) = [m for m in mail.outbox if editor.email in m.to]
    assert "\n" not in submitted.subject and "\r" not in submitted.subject
    assert '<script>alert(1)</script> "Survey" Bcc: victim@example.org' in submitted.subject
    assert submitted.to == [editor.email] and not submitted.bcc

    mail.outbox.clear()
    task_state = study.current_workflow_task_state
    client_for(editor).post(
        reverse("wagtailadmin_pages:workflow_action", args=(study.pk, "reject", task_state.pk)),
        {"comment": COMMENT},
    )
    (rejected,) = mail.outbox
    assert rejected.to == [contributor.email] and not rejected.bcc
    assert "\n" not in rejected.subject
    assert getattr(rejected, "alternatives", []) == []  # text only: no HTML part to run
    assert rejected.content_subtype == "plain"
    assert "<img src=x onerror=alert(1)>" in rejected.body  # as typed, in a text mail
