"""Cite this: the citation block, RIS and BibTeX downloads, and the permanent link by id."""

import datetime
import re

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from wagtail.models import PageViewRestriction

from knowledge.audience import members_group, restrict_to_members
from knowledge.vocabularies import PartnerOrganisation, Region, Topic
from tests.factories import CaseStudyPageFactory, PartnerStudyPageFactory, community_for

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2025, 5, 3)


@pytest.fixture
def today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args: TODAY)
    return TODAY


@pytest.fixture
def eur(site_tree):
    return Region.objects.get(code="EUR")


@pytest.fixture
def item(eur):
    return CaseStudyPageFactory(
        parent=community_for(eur),
        title="Gifts & hospitality: 100% {declared} #1",
        slug="gifts",
        summary="Registers of gifts.",
        regions=[eur],
        topics=[Topic.objects.get(code="code-of-conduct")],
        published_date=datetime.date(2021, 3, 9),
    )


@pytest.fixture
def study(site_tree):
    ti = PartnerOrganisation.objects.get(acronym="TI")
    return PartnerStudyPageFactory(
        contributing_partner=ti,
        title="Integrity survey of border agencies",
        regions=[Region.objects.get(code="WCA")],
        topics=[Topic.objects.get(code="code-of-conduct")],
        published_date=datetime.date(2019, 1, 1),
    )


@pytest.fixture
def member(db):
    user = User.objects.create_user("member", password="x")
    user.groups.add(members_group())
    return user


def permalink(page):
    return f"http://testserver/items/{page.pk}/"


def test_item_page_shows_the_citation_with_the_permanent_link(client, item, today):
    html = client.get(item.url).content.decode()
    block = html[html.index('id="cite-heading"') : html.index("</section>", html.index("cite-"))]
    assert "Cite this" in block
    assert "Europe integrity community (2021)." in block
    assert '<cite lang="en">Gifts &amp; hospitality: 100% {declared} #1</cite>' in block
    assert f'<a href="{permalink(item)}">{permalink(item)}</a>' in block
    assert "(accessed 3 May 2025)" in block
    assert f'href="/items/{item.pk}/cite.ris"' in block
    assert f'href="/items/{item.pk}/cite.bib"' in block


def test_accessed_date_and_links_follow_the_language(client, item, today):
    html = client.get(f"/fr{item.url}").content.decode()
    assert "3 mai 2025" in html
    assert f"http://testserver/fr/items/{item.pk}/" in html
    assert f'href="/fr/items/{item.pk}/cite.ris"' in html


def test_a_partner_study_is_published_by_its_partner(client, study, today):
    html = client.get(study.url).content.decode()
    assert "Transparency International (2019)." in html
    ris = client.get(f"/items/{study.pk}/cite.ris").content.decode()
    assert "AU  - Transparency International\r\n" in ris
    assert "PB  - Transparency International\r\n" in ris
    assert "TY  - RPRT\r\n" in ris


def test_ris_download(client, item, today):
    response = client.get(f"/items/{item.pk}/cite.ris")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/x-research-info-systems; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="integritycommons-{item.pk}.ris"'
    )
    text = response.content.decode()
    assert text.startswith("TY  - RPRT\r\n")
    assert text.endswith("ER  - \r\n")
    assert "\n" not in text.replace("\r\n", "")  # every line ends CRLF, none bare
    lines = text.split("\r\n")
    assert "TI  - Gifts & hospitality: 100% {declared} #1" in lines
    assert "PB  - Europe integrity community" in lines
    assert "PY  - 2021" in lines
    assert f"UR  - {permalink(item)}" in lines
    assert "Y2  - 2025/05/03" in lines
    assert "LA  - en" in lines
    assert "KW  - Code of conduct" in lines
    assert not any(line.startswith("AU  -") for line in lines)  # a community is no author


def test_bibtex_download_escapes_tex_and_keeps_a_stable_key(client, item, today):
    response = client.get(f"/items/{item.pk}/cite.bib")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/x-bibtex; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="integritycommons-{item.pk}.bib"'
    )
    text = response.content.decode()
    assert text.startswith(f"@techreport{{integritycommons-{item.pk},\n")
    assert r"title = {{Gifts \& hospitality: 100\% \{declared\} \#1}}" in text
    assert "author = {{Europe integrity community}}" in text
    assert "institution = {Europe integrity community}" in text
    assert "year = {2021}" in text
    assert f"url = {{{permalink(item)}}}" in text
    assert "urldate = {2025-05-03}" in text
    assert text.rstrip().endswith("}")
    # braces balance once the escaped ones are set aside
    bare = text.replace(r"\{", "").replace(r"\}", "")
    assert bare.count("{") == bare.count("}")

    item.title = "Renamed"
    item.save_revision().publish()
    again = client.get(f"/items/{item.pk}/cite.bib").content.decode()
    assert again.startswith(f"@techreport{{integritycommons-{item.pk},")


def test_bibtex_escapes_backslash_tilde_and_caret_once(client, eur, today):
    odd = CaseStudyPageFactory(
        parent=community_for(eur),
        title=r"C:\rules ~ 2^3 under_score $5",
        regions=[eur],
        topics=[Topic.objects.get(code="code-of-conduct")],
    )
    text = client.get(f"/items/{odd.pk}/cite.bib").content.decode()
    assert (
        r"title = {{C:\textbackslash{}rules \textasciitilde{} 2\textasciicircum{}3 "
        r"under\_score \$5}}"
    ) in text


def test_permalink_redirects_to_the_current_address_after_a_move_and_a_new_slug(client, item):
    response = client.get(f"/items/{item.pk}/")
    assert response.status_code == 302
    assert response["Location"] == "/eur/gifts/"

    item.slug = "gift-registers"
    item.save_revision().publish()
    assert client.get(f"/items/{item.pk}/")["Location"] == "/eur/gift-registers/"

    item.move(community_for(Region.objects.get(code="AP")), pos="last-child")
    response = client.get(f"/items/{item.pk}/")
    assert response["Location"] == "/ap/gift-registers/"
    assert client.get(response["Location"]).status_code == 200
    assert client.get(f"/fr/items/{item.pk}/")["Location"] == "/fr/ap/gift-registers/"


def test_draft_private_and_unknown_items_are_404_without_their_title(client, eur, item):
    draft = CaseStudyPageFactory(
        parent=community_for(eur), title="Secret draft", regions=[eur], publish=False
    )
    private = CaseStudyPageFactory(parent=community_for(eur), title="Private case", regions=[eur])
    PageViewRestriction.objects.create(
        page=private, restriction_type=PageViewRestriction.PASSWORD, password="pw"
    )
    admin = User.objects.create_superuser("boss", password="x")
    unpublished = item
    unpublished.unpublish()
    for viewer in (None, admin):
        if viewer:
            client.force_login(viewer)
        for page, title in ((draft, "Secret draft"), (private, "Private case"), (item, "Gifts")):
            for suffix in ("", "cite.ris", "cite.bib"):
                response = client.get(f"/items/{page.pk}/{suffix}")
                assert response.status_code == 404, (title, suffix, viewer)
                assert title not in response.content.decode()
        assert client.get("/items/999999/").status_code == 404


def test_member_only_items_are_for_members(client, eur, member):
    secret = CaseStudyPageFactory(
        parent=community_for(eur),
        title="Lifestyle checks",
        slug="lifestyle",
        regions=[eur],
        topics=[Topic.objects.get(code="code-of-conduct")],
    )
    restrict_to_members(secret)

    # Anonymous: sent to log in (as the item page does), back to the permanent link, so
    # neither the title nor the slug shows; the citation files are a plain 404.
    response = client.get(f"/items/{secret.pk}/")
    assert response.status_code == 302
    assert re.match(rf"^/accounts/login/\?next=/items/{secret.pk}/$", response["Location"])
    assert "lifestyle" not in response["Location"]
    for suffix in ("cite.ris", "cite.bib"):
        response = client.get(f"/items/{secret.pk}/{suffix}")
        assert response.status_code == 404
        assert "Lifestyle" not in response.content.decode()

    outsider = User.objects.create_user("trader", password="x")
    client.force_login(outsider)
    for suffix in ("", "cite.ris", "cite.bib"):
        response = client.get(f"/items/{secret.pk}/{suffix}")
        assert response.status_code == 404
        assert "Lifestyle" not in response.content.decode()

    client.force_login(member)
    assert client.get(f"/items/{secret.pk}/")["Location"] == "/eur/lifestyle/"
    assert "TI  - Lifestyle checks" in client.get(f"/items/{secret.pk}/cite.ris").content.decode()
    assert client.get(f"/items/{secret.pk}/cite.ris")["Cache-Control"] == "private, no-store"
