"""Links in review e-mails use the site's one public address (WAGTAILADMIN_BASE_URL, which
bin/run sets from PORT), for admin links and for the approved page's own URL alike."""

import re

import pytest
from django.core import mail

from knowledge.site_tree import ensure_site_tree
from tests.editorial.helpers import client_for
from tests.editorial.test_review_workflow import submit_new_study, workflow_action

pytestmark = pytest.mark.django_db

BASE = "http://127.0.0.1:8101"


def links() -> set[str]:
    return {url for m in mail.outbox for url in re.findall(r"https?://[^\s\"<>]+", m.body)}


def test_review_mails_link_to_the_configured_address(make_user, settings):
    settings.WAGTAILADMIN_BASE_URL = BASE
    ensure_site_tree()  # as bin/run's set-up commands do: the default Site follows the setting
    contributor = make_user("partner", "TI")
    editor = make_user("editor", "EUR")

    study = submit_new_study(client_for(contributor), ["EUR"])
    submitted = links()
    assert f"{BASE}/admin/pages/{study.pk}/edit/" in submitted

    mail.outbox.clear()
    workflow_action(client_for(editor), study, "approve")
    study.refresh_from_db()
    assert study.live
    approved = links()
    assert f"{BASE}{study.url}" in approved  # page.full_url, from the Site record
    assert all(url.startswith(BASE + "/") for url in submitted | approved), submitted | approved
