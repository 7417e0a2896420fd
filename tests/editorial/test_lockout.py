"""Brute-force protection (django-axes): failed log-ins lock the account and the address, on
the members' log-in and the admin's alike, with a clear page; the Secretariat unlocks."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.editorial.helpers import client_for

pytestmark = pytest.mark.django_db

LOGIN_URLS = ("/accounts/login/", "/admin/login/")


@pytest.fixture
def member(make_user):
    user = make_user("member")
    user.set_password("right-password-1")
    user.save()
    return user


def log_in(client: Client, url: str, username: str, password: str):
    return client.post(url, {"username": username, "password": password})


def fail(url: str, username: str, times: int, address: str = "203.0.113.5") -> None:
    client = Client(REMOTE_ADDR=address)
    for _ in range(times):
        log_in(client, url, username, "wrong")


@pytest.mark.parametrize("url", LOGIN_URLS)
def test_the_right_password_is_refused_after_too_many_failures(url, member, settings):
    client = Client(REMOTE_ADDR="203.0.113.5")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert log_in(client, url, member.username, "wrong").status_code == 200
    response = log_in(Client(REMOTE_ADDR="198.51.100.9"), url, member.username, "wrong")
    assert response.status_code == 429
    # locked per account: the right password from another address is refused too
    response = log_in(Client(REMOTE_ADDR="198.51.100.7"), url, member.username, "right-password-1")
    assert response.status_code == 429
    assert "_auth_user_id" not in response.wsgi_request.session
    page = response.content.decode()
    assert "too many failed log-in attempts" in page
    assert "Secretariat" in page
    assert "Traceback" not in page


def test_other_accounts_are_unaffected(member, make_user):
    other = make_user("editor", "EUR")
    other.set_password("other-password-2")
    other.save()
    fail("/accounts/login/", member.username, 10)
    response = log_in(
        Client(REMOTE_ADDR="198.51.100.7"), "/admin/login/", other.username, "other-password-2"
    )
    assert response.status_code == 302


def test_one_address_trying_many_accounts_is_locked(member, settings):
    client = Client(REMOTE_ADDR="203.0.113.5")
    for n in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, "/accounts/login/", f"guess-{n}", "password")
    assert (
        log_in(client, "/accounts/login/", member.username, "right-password-1").status_code == 429
    )
    # the same account from another address still logs in
    other = Client(REMOTE_ADDR="198.51.100.7")
    assert log_in(other, "/accounts/login/", member.username, "right-password-1").status_code == 302


def test_behind_a_proxy_the_address_comes_from_x_forwarded_for(member, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.2"
    for n in range(settings.AXES_FAILURE_LIMIT):
        # the client forges a leftmost entry; the proxy appends the real address
        client = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 203.0.113.5")
        log_in(client, "/accounts/login/", f"guess-{n}", "password")
    attacker = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert log_in(attacker, "/accounts/login/", member.username, "x").status_code == 429
    someone_else = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="198.51.100.7")
    response = log_in(someone_else, "/accounts/login/", member.username, "right-password-1")
    assert response.status_code == 302


def test_the_secretariat_unlocks_an_account(member, make_user, settings):
    fail("/accounts/login/", member.username, settings.AXES_FAILURE_LIMIT)
    secretariat = client_for(make_user("secretariat"))
    listing = secretariat.get(reverse("editorial_locked_logins"))
    assert listing.status_code == 200
    assert member.username in listing.content.decode()

    response = secretariat.post(reverse("editorial_locked_logins"), {"username": member.username})
    assert response.status_code == 302
    listing = secretariat.get(reverse("editorial_locked_logins")).content.decode()
    assert f'value="{member.username}"' not in listing
    assert "No account is locked." in listing
    client = Client(REMOTE_ADDR="198.51.100.7")
    response = log_in(client, "/accounts/login/", member.username, "right-password-1")
    assert response.status_code == 302


def test_only_the_secretariat_sees_locked_logins(make_user):
    editor = client_for(make_user("editor", "EUR"))
    response = editor.get(reverse("editorial_locked_logins"))
    assert response.status_code == 302  # Wagtail's answer to PermissionDenied: to the dashboard
    assert response.url == reverse("wagtailadmin_home")
    assert editor.post(reverse("editorial_locked_logins"), {"username": "x"}).status_code == 302
