"""Hostile input on the search page, the API and the feed: never a 500, never echoed as markup.

Each surface is asked with the values of issue 9 (markup split over two parameters, NUL and
other control characters, CR/LF, invalid UTF-8 and lone-surrogate escapes, huge values), and a
seeded subset of bench/fuzz_requests.py runs at the end.
"""

from urllib.parse import parse_qsl, quote
from xml.etree import ElementTree

import pytest
from django.test import Client

from bench.fuzz_requests import INSIGHT_PATHS, HostileRequests, problems, run
from knowledge.vocabularies import Region
from search.engines import get_engine
from tests.factories import CaseStudyPageFactory, community_for

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"
SPLIT_SVG = "?size=%3Csvg%20onload%3D%27%2F*&page=*%2Falert(1)%27%3E"
CONTROLS = [chr(c) for c in (*range(0x20), *range(0x7F, 0xA0))]


@pytest.fixture
def indexed(site_tree, empty_index, django_capture_on_commit_callbacks):
    eur = Region.objects.get(code="EUR")
    with django_capture_on_commit_callbacks(execute=True):
        page = CaseStudyPageFactory(
            parent=community_for(eur),
            title="Gift register <script>alert(1)</script>",
            summary="<img src=x onerror=alert(1)> gifts \"declared\" & 'kept'",
            regions=[eur],
        )
    get_engine().refresh()
    return page


@pytest.fixture
def client():
    return Client(raise_request_exception=False)


def test_feed_error_is_plain_text_not_html(client, indexed):
    response = client.get("/search/feed/" + SPLIT_SVG)
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_error_messages_quote_a_short_cleaned_value(client, indexed):
    body = client.get("/api/search/?page=%00%01" + quote("<b>" * 30)).json()
    (message,) = body["details"]["page"]
    assert message == "Page must be a whole number, not “<b><b><b><b><b><b><…”."


def search_for(client, path: str, char: str):
    c = quote(char)
    return client.get(f"{path}?q=gift{c}%20register{c}&region=EUR{c}&sort=newest{c}&page=1{c}")


def test_feed_drops_every_control_character(client, indexed):
    for char in CONTROLS:
        response = search_for(client, "/search/feed/", char)
        assert response.status_code == 200, repr(char)
        (entry,) = ElementTree.fromstring(response.content).iter(f"{ATOM}entry")
        assert entry.find(f"{ATOM}title").text == indexed.title, repr(char)


@pytest.mark.parametrize("path", ["/search/", "/api/search/"])
def test_page_and_api_drop_control_characters(client, indexed, path):
    for char in "\x00\x01\x08\x1b\x7f\x85\x9f":
        response = search_for(client, path, char)
        assert response.status_code == 200, repr(char)
        assert "Gift register" in response.content.decode(), repr(char)


def test_control_characters_inside_a_word_are_dropped(client, indexed):
    assert client.get("/api/search/?q=gi%00ft%7f").json()["total"] == 1
    assert "for “gift”" in client.get("/search/?q=gi%00ft%c2%9a").content.decode()


@pytest.mark.parametrize("escape", ["%ff", "%c0%af", "%ed%a0%80", "%ef%bf%bf", "%f4%90%80%80"])
@pytest.mark.parametrize("path", ["/search/", "/api/search/", "/search/feed/"])
def test_invalid_utf8_and_surrogate_escapes(client, indexed, path, escape):
    for name in ("q", "region", "tag", "sort", "page", "size"):
        response = client.get(f"{path}?{name}=gift{escape}")
        assert response.status_code in (200, 400), (name, response.status_code)
        assert problems(response) == []


def test_feed_summary_is_text_even_when_it_looks_like_markup(client, indexed):
    response = client.get("/search/feed/?q=gift")
    root = ElementTree.fromstring(response.content)
    (summary,) = root.iter(f"{ATOM}summary")
    assert summary.get("type") == "text"
    assert summary.text == indexed.summary
    (title,) = root.iter(f"{ATOM}entry")
    assert title.find(f"{ATOM}title").get("type", "text") == "text"


def test_feed_survives_a_control_character_in_content(
    client, indexed, django_capture_on_commit_callbacks
):
    indexed.title = "Gift\x0bregister\x01"
    with django_capture_on_commit_callbacks(execute=True):
        indexed.save_revision().publish()
    get_engine().refresh()
    response = client.get("/search/feed/?region=EUR")
    assert response.status_code == 200
    (entry,) = ElementTree.fromstring(response.content).iter(f"{ATOM}entry")
    assert entry.find(f"{ATOM}title").text == "Gift register"


HOSTILE = [
    "<script>alert(1)</script>",
    '"><svg onload=alert(1)>',
    "' onmouseover='alert(1)",
    "javascript:alert(1)",
    "\r\nSet-Cookie: owned=1",
    "x" * 5000,
]


@pytest.mark.parametrize("value", HOSTILE)
def test_page_and_api_never_echo_markup(client, indexed, value):
    encoded = quote(value)
    query = f"q={encoded}&region={encoded}&tag={encoded}&sort={encoded}&page={encoded}"
    page = client.get(f"/search/?{query}")
    assert page.status_code == 200
    assert problems(page) == []
    api = client.get(f"/api/search/?{query}")
    assert api.status_code == 400
    assert problems(api) == []
    ignored = api["Search-Ignored"]
    assert ignored.isascii() and "\r" not in ignored and "\n" not in ignored
    # It lists the ignored values, cleaned, so a client can still read them back.
    assert parse_qsl(ignored)[0] == ("region", " ".join(value.split()))


def test_login_next_never_becomes_a_script_url(client, site_tree):
    html = client.get("/accounts/login/?next=javascript:alert(1)").content.decode()
    assert 'name="next" value=""' in html
    assert (
        problems(client.get("/accounts/login/?next=%22%3E%3Cscript%3Ealert(1)%3C/script%3E")) == []
    )


def test_seeded_fuzz_subset_finds_no_server_error(client, indexed):
    others = (community_for(Region.objects.get(code="EUR")).url, indexed.url, "/accounts/login/")
    tally = run(client, HostileRequests(seed=9, other_paths=others), count=200)
    assert tally.sent == 200
    assert tally.server_errors == []
    assert tally.problems == []
    surfaces = {where for where, _ in tally.statuses}
    assert {"/search/", "/api/search/", "/search/feed/"} <= surfaces


def test_seeded_fuzz_of_the_insight_pages_as_staff(client, indexed):
    """The coverage matrix, topic hubs and the engagement map with its CSV and list, as a
    superuser sees them: hostile filters get a 400 or are ignored, never a 500."""
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.create_superuser("fuzz", "f@example.org", "x"))
    tally = run(client, HostileRequests(seed=11, paths=INSIGHT_PATHS), count=120)
    assert tally.server_errors == []
    assert tally.problems == []
    assert {where for where, _ in tally.statuses} == set(INSIGHT_PATHS)
    assert {status for _, status in tally.statuses} >= {200, 400}  # bad filters are refused
