"""Security headers and production settings: CSP on public and admin pages, no inline script
in public templates, `check --deploy` clean, a malformed admin POST answers 400, and the
progress reporter stays quiet in logs."""

import io
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from wagtail.models import Page

from cms.progress import Progress
from knowledge.vocabularies import Region
from tests.editorial.helpers import admin_form, client_for, edit_url, post_form
from tests.factories import CaseStudyPageFactory, community_for

ROOT = Path(__file__).resolve().parent.parent


def directives(header: str) -> dict[str, set[str]]:
    return {
        name: set(values)
        for name, *values in (part.split() for part in header.split(";") if part.strip())
    }


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/search/?q=rotation", "/accounts/login/", "/eur/"])
def test_public_pages_have_a_strict_policy(client, site_tree, url):
    response = client.get(url)
    assert response.status_code == 200
    policy = directives(response["Content-Security-Policy"])
    assert policy["default-src"] == {"'self'"}
    assert policy["script-src"] == {"'self'"}
    assert policy["style-src"] == {"'self'"}
    assert policy["object-src"] == {"'none'"}
    assert policy["frame-ancestors"] == {"'none'"}
    assert policy["base-uri"] == {"'self'"} and policy["form-action"] == {"'self'"}


@pytest.mark.django_db
def test_the_admin_policy_is_widened_only_as_wagtail_needs(client, site_tree):
    policy = directives(client.get("/admin/login/")["Content-Security-Policy"])
    assert policy["script-src"] == {"'self'", "'unsafe-inline'"}
    assert policy["connect-src"] == {"'self'"}
    assert policy["frame-ancestors"] == {"'self'"}  # the editor's preview panel
    assert policy["object-src"] == {"'none'"}


def test_no_public_template_has_inline_script_or_style():
    templates = [p for p in (ROOT / "templates").rglob("*.html")]
    assert templates
    for path in templates:
        html = path.read_text()
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag or "nonce=" in tag, (path, tag)
        assert not re.search(r"<style\b|\sstyle=|\son[a-z]+=", html), path


def test_check_deploy_is_clean_with_production_settings():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cms.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(60),
        "DJANGO_ALLOWED_HOSTS": "example.org",
        "INTEGRITY_VAR_DIR": str(django_settings.MEDIA_ROOT),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.django_db
@pytest.mark.parametrize("field, value", [("body-count", None), ("body-count", "abc")])
def test_a_malformed_admin_post_answers_400_without_traceback(
    site_tree, django_user_model, field, value
):
    superuser = django_user_model.objects.create_superuser("root", "root@example.org", "pw")
    eur = Region.objects.get(code="EUR")
    page = CaseStudyPageFactory(parent=community_for(eur), regions=[eur])
    admin = client_for(superuser)
    admin.raise_request_exception = False
    data = admin_form(admin, edit_url(page))
    data.pop(field, None)
    if value is not None:
        data[field] = value
    response = post_form(admin, edit_url(page), data)
    assert response.status_code == 400
    assert "Traceback" not in response.content.decode()
    assert "could not be understood" in response.content.decode()
    assert Page.objects.get(pk=page.pk).title == page.title


class TickingClock:
    def __init__(self, step: float):
        self.now, self.step = 0.0, step

    def __call__(self) -> float:
        self.now += self.step
        return self.now


def test_progress_into_a_log_writes_a_bounded_number_of_lines():
    out = io.StringIO()  # not a terminal
    progress = Progress(out, 10_000, clock=TickingClock(0.01))  # 10,000 steps over 100 s
    for done in range(1, 10_001):
        progress.update(done)
    progress.finish()
    lines = out.getvalue().splitlines()
    assert 5 <= len(lines) <= 12, lines
    assert "\r" not in out.getvalue()
    assert lines[-1].strip().startswith("10000/10000 items")


def test_progress_on_a_terminal_redraws_at_most_once_a_second():
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    out = Terminal()
    progress = Progress(out, 10_000, clock=TickingClock(0.001))  # 10 s in all
    for done in range(1, 10_001):
        progress.update(done)
    progress.finish()
    assert out.getvalue().count("\r") <= 11
    assert out.getvalue().count("\n") == 1
    assert "[##############################] 10000/10000" in out.getvalue()


def test_a_short_run_writes_nothing():
    out = io.StringIO()
    progress = Progress(out, 3)
    for done in range(1, 4):
        progress.update(done)
    progress.finish()
    assert out.getvalue() == ""
