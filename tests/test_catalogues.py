"""The French and Spanish catalogues are complete: every string of the interface, including
one added since the catalogues were last updated, has a reviewed (not fuzzy) translation.

Django's own `makemessages` is run on a copy of the sources, so it finds strings added to
templates or code without a `makemessages` run; the copy's catalogues must then have no
untranslated or fuzzy entry, and msgfmt must accept them (placeholders match)."""

import shutil
import subprocess
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command

LANGUAGES = ("fr", "es")
# catalogue -> the source folders whose strings it holds (knowledge/locale is vocab-i18n's)
CATALOGUES = {
    "locale": ("templates", "cms"),
    "search/locale": ("search",),
    "editorial/locale": ("editorial",),
    "partnerships/locale": ("partnerships",),
}
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", "*.mo")


@pytest.fixture(scope="module")
def refreshed(tmp_path_factory) -> Path:
    """A copy of the sources and catalogues with `makemessages` run on it."""
    root = tmp_path_factory.mktemp("catalogues")
    for catalogue, sources in CATALOGUES.items():
        for folder in (*sources, catalogue):
            if not (root / folder).exists():
                shutil.copytree(settings.BASE_DIR / folder, root / folder, ignore=IGNORED)
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(root)
        patch.setattr(settings, "LOCALE_PATHS", [root / "locale"])
        call_command("makemessages", locale=list(LANGUAGES), add_location="file", verbosity=0)
    return root


def catalogue_files():
    return [f"{c}/{lang}/LC_MESSAGES/django.po" for c in CATALOGUES for lang in LANGUAGES]


@pytest.mark.parametrize("path", catalogue_files())
def test_every_string_is_translated_and_reviewed(refreshed, path):
    catalogue = polib.pofile(str(refreshed / path))
    untranslated = [e.msgid for e in catalogue.untranslated_entries()]
    fuzzy = [e.msgid for e in catalogue.fuzzy_entries()]
    assert not untranslated, f"{path}: untranslated (run makemessages, translate): {untranslated}"
    assert not fuzzy, f"{path}: fuzzy (review the translation, drop the flag): {fuzzy}"
    assert len(catalogue.translated_entries()) > 10


@pytest.mark.parametrize("path", catalogue_files())
def test_msgfmt_accepts_the_catalogue(path):
    checked = subprocess.run(
        ["msgfmt", "--check", "-o", "/dev/null", str(settings.BASE_DIR / path)],
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stderr
