"""Review e-mails go out in each recipient's language: the admin language they chose
(Account → Preferences), else the site's default, never the sender's."""

import pytest
from django.core import mail
from wagtail.users.models import UserProfile

from tests.editorial.helpers import client_for
from tests.editorial.test_review_workflow import submit_new_study, workflow_action

pytestmark = pytest.mark.django_db


def prefer(user, language: str) -> None:
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = language
    profile.save()


def mail_to(user):
    (message,) = [m for m in mail.outbox if m.to == [user.email]]
    return message


def test_each_reviewer_reads_the_submission_mail_in_their_language(make_user):
    contributor = make_user("partner", "TI")
    prefer(contributor, "es")  # the sender's admin is in Spanish while the mails are rendered
    french = make_user("editor", "EUR")
    prefer(french, "fr")
    english = make_user("editor", "AP")  # no preference: the site's default

    submit_new_study(client_for(contributor), ["EUR", "AP"])

    to_french, to_english = mail_to(french), mail_to(english)
    assert "soumis" in to_french.subject, to_french.subject
    assert "Border integrity survey" in to_french.subject
    assert "submitted" in to_english.subject, to_english.subject
    assert "enviad" not in to_english.subject + to_english.body


def test_the_approval_mail_links_to_the_page_in_the_contributors_language(make_user):
    contributor = make_user("partner", "TI")
    prefer(contributor, "fr")
    editor = make_user("editor", "EUR")
    study = submit_new_study(client_for(contributor), ["EUR"])
    mail.outbox.clear()

    workflow_action(client_for(editor), study, "approve")

    message = mail_to(contributor)
    assert "approuvé" in message.subject, message.subject
    assert f"/fr{study.url}" in message.body
