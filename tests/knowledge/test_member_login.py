"""Members log in on the public site and then read member-only pages; others never do."""

import pytest
from django.contrib.auth import get_user_model

from knowledge.audience import members_group, restrict_to_members
from knowledge.vocabularies import Region, Topic
from tests.factories import CaseStudyPageFactory, community_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def members_only_page(site_tree):
    eur = Region.objects.get(code="EUR")
    page = CaseStudyPageFactory(
        parent=community_for(eur),
        title="Lifestyle checks for senior officers",
        regions=[eur],
        topics=[Topic.objects.get(code="audit-investigation")],
    )
    restrict_to_members(page)
    return page


def test_anonymous_reader_is_sent_to_the_login_page_and_back(client, members_only_page):
    url = members_only_page.url
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")

    login_page = client.get(response["Location"])
    assert login_page.status_code == 200
    assert b'<label for="id_username">' in login_page.content

    member = get_user_model().objects.create_user("amina", password="s3cret-pass-word")
    member.groups.add(members_group())
    logged_in = client.post(
        "/accounts/login/", {"username": "amina", "password": "s3cret-pass-word", "next": url}
    )
    assert logged_in.status_code == 302 and logged_in["Location"] == url
    page = client.get(url)
    assert page.status_code == 200
    assert b"Lifestyle checks for senior officers" in page.content
    assert b"Log out" in page.content


def test_wrong_password_gets_a_clear_message_not_the_page(client, members_only_page):
    get_user_model().objects.create_user("amina", password="s3cret-pass-word")
    response = client.post("/accounts/login/", {"username": "amina", "password": "nope"})
    assert response.status_code == 200
    assert b'role="alert"' in response.content
    assert client.get(members_only_page.url).status_code == 302


def test_logged_in_user_outside_members_is_refused(client, members_only_page):
    outsider = get_user_model().objects.create_user("trader", password="s3cret-pass-word")
    client.force_login(outsider)
    response = client.get(members_only_page.url)
    assert response.status_code in (302, 403)
    assert b"Lifestyle checks" not in response.content
