#!/usr/bin/env python
"""Hostile-input fuzz run over the public search surfaces: no request may cause a server error.

    .venv/bin/python bench/fuzz_requests.py [--requests 3000] [--seed 7] [--corpus 200]

Builds a throwaway SQLite database and index (as bench/search_bench.py does), a corpus of
`--corpus` generated items plus one whose title and summary are markup, then sends
`--requests` seeded hostile requests through Django's test client (DEBUG off, exceptions
answered as 500 rather than raised) to /search/, /api/search/, /search/feed/ and
/search/export.csv and, for a tenth of them, a community page, a knowledge page,
/accounts/login/?next=… and hostile paths; then a fifth as many, logged in as a superuser, to
the insight pages (coverage, topic hubs, the engagement map, its CSV and engagement list).
Prints requests sent, status counts per surface, server errors and any other problem found
(see `problems`); exits 1 when there are any. tests/search/test_hostile_input.py runs a
seeded few hundred of the same requests in the test suite.

The values are a seeded random mix of known-hostile pieces (markup, quotes, `javascript:`,
CR/LF, NUL and every control character, invalid UTF-8 and lone-surrogate escapes, huge and
repeated values, numbers Python's int() half-accepts), not hypothesis: the figure wanted is
"N requests, 0 server errors" for a fixed seed, which a script reproduces exactly, and each
request renders a page, so hypothesis's shrinking and example database would buy little.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import random
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote
from xml.etree import ElementTree

ROOT = Path(__file__).resolve().parent.parent

# Decoded text; sent percent-encoded (and sometimes raw) in query strings.
HOSTILE_TEXT = (
    "<script>alert(1)</script>",
    '"><script>alert(1)</script>',
    "<svg onload='/*",
    "*/alert(1)'>",
    "<img src=x onerror=alert(1)>",
    "' onmouseover='alert(1)",
    '" onfocus="alert(1)" autofocus="',
    "javascript:alert(1)",
    " JaVaScRiPt:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "</textarea><script>alert(1)</script>",
    "]]><x>",
    "<![CDATA[x]]>",
    "&lt;b&gt;",
    "&#x3C;script&#x3E;",
    "\r\nSet-Cookie: a=b",
    "\r\n\r\n<html>",
    "{{ 7*7 }}",
    "{% debug %}",
    "${7*7}",
    "' OR '1'='1",
    "title:(a OR b)^9 AND region:*",
    '"unterminated',
    "\\",
    "a" * 101,
    "EUR",
    "eur",
    "newest",
    "relevance",
    "code-of-conduct",
    "2024",
    "\u202e\u2066evil",
    "\ufeff",
    "\u0000",
    "\ufffe\uffff",
    "\U0001f4a9",
    "Zoë ção ß İ",
)
# Raw escapes that no text produces: invalid UTF-8, overlongs, surrogates, broken escapes.
RAW_ESCAPES = (
    "%ff",
    "%fe%ff",
    "%c0%af",
    "%c0%80",
    "%ed%a0%80",
    "%ed%bf%bf",
    "%f4%90%80%80",
    "%e2%80",
    "%",
    "%2",
    "%zz",
    "%%",
    "%25",
    "+",
    "%2b",
    "%00",
    "%0d%0a",
    "%0a",
    "&",
    "=",
    ";",
)
NUMBERS = ("0", "-1", "1", "2", " 3 ", "1e3", "0x10", "1_000", "٣", "inf", "nan", "9" * 30)
PARAMETERS = (
    "q",
    "region",
    "country",
    "topic",
    "partner",
    "type",
    "language",
    "year",
    "tag",
    "sort",
    "page",
    "size",
    "partner_kind",
    "from_year",
    "to_year",
    "assessment",
)
SEARCH_PATHS = ("/search/", "/api/search/", "/search/feed/", "/search/export.csv")
# Staff pages: the engagement map and what it links to; the public insight pages too.
INSIGHT_PATHS = (
    "/coverage/",
    "/topics/",
    "/topics/automation/",
    "/partners/map/",
    "/partners/map.csv",
    "/partners/map/engagements/",
)


def encode(text: str) -> str:
    """Percent-encode `text` as UTF-8, lone surrogates included (as their 3-byte form)."""
    return quote(text.encode("utf-8", "surrogatepass"), safe="")


@dataclass
class HostileRequests:
    """A seeded stream of (path, query string, extra environ) triples."""

    seed: int
    other_paths: tuple[str, ...] = ()
    paths: tuple[str, ...] = SEARCH_PATHS  # nine requests in ten go to one of these
    random: random.Random = field(init=False)

    def __post_init__(self):
        self.random = random.Random(self.seed)

    def piece(self) -> str:
        r = self.random
        kind = r.random()
        if kind < 0.35:
            text = r.choice(HOSTILE_TEXT)
            return text if r.random() < 0.1 and "%" not in text else encode(text)
        if kind < 0.55:
            return r.choice(RAW_ESCAPES)
        if kind < 0.70:  # control characters, C0 and C1
            return encode(chr(r.choice([*range(0x20), *range(0x7F, 0xA0)])))
        if kind < 0.80:  # anywhere in Unicode, surrogates included
            return encode(chr(r.randrange(0x110000)))
        if kind < 0.90:
            return encode(r.choice(NUMBERS))
        return encode(r.choice(HOSTILE_TEXT) * r.choice((10, 100, 1000, 5000)))

    def value(self) -> str:
        return "".join(self.piece() for _ in range(self.random.choice((1, 1, 2, 3))))

    def query(self) -> str:
        r = self.random
        if r.random() < 0.04:  # a storm: one name repeated, past DATA_UPLOAD_MAX_NUMBER_FIELDS
            name = r.choice(PARAMETERS)
            count = r.choice((50, 1200, 10_001))
            return "&".join(f"{name}={self.value()}" for _ in range(count))
        pairs = []
        for _ in range(r.choice((1, 1, 2, 2, 3, 4, 6))):
            name = r.choice(PARAMETERS) if r.random() < 0.9 else self.value()
            pairs.append(f"{name}={self.value()}" if r.random() < 0.95 else name)
        return "&".join(pairs)

    def environ(self) -> dict[str, str]:
        r = self.random
        if r.random() > 0.1:
            return {}
        header = r.choice(("HTTP_ACCEPT_LANGUAGE", "HTTP_COOKIE", "HTTP_REFERER", "HTTP_ACCEPT"))
        # WSGI hands header values over as latin-1 text.
        value = r.choice(HOSTILE_TEXT).encode("utf-8", "surrogatepass").decode("latin-1")
        return {header: value if header != "HTTP_COOKIE" else f"sessionid={value}"}

    def __iter__(self):
        r = self.random
        while True:
            if self.other_paths and r.random() < 0.1:
                path = r.choice(self.other_paths)
                if path == "/<hostile>/":
                    path = f"/{self.value()}/"
            else:
                path = r.choice(self.paths)
            query = self.query()
            if path == "/accounts/login/":
                query = f"next={self.value()}&{query}"
            yield path, query, self.environ()


class _Executable(HTMLParser):
    """Finds markup a browser would run: an on* attribute, a javascript: URL, or a script
    element calling alert (the pages' own scripts never do)."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self._in_script = tag == "script"
        for name, value in attrs:
            value = (value or "").strip().lower()
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=…>")
            if name in ("href", "src", "action", "formaction") and value.startswith("javascript:"):
                self.found.append(f"<{tag} {name}=javascript:…>")

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script and "alert(" in data:
            self.found.append("<script>alert(…)")


def _csv_problems(body: bytes) -> list[str]:
    from search.export import FORMULA_STARTS  # Django is set up by then

    rows = csv.reader(io.StringIO(body.decode("utf-8-sig")))
    if any(cell.startswith(FORMULA_STARTS) for row in rows for cell in row):
        return ["CSV cell that a spreadsheet runs as a formula"]
    return []


def _html_problems(body: bytes) -> list[str]:
    parser = _Executable()
    parser.feed(body.decode("utf-8", "replace"))
    return parser.found


def _json_problems(body: bytes) -> list[str]:
    try:
        json.loads(body)
    except ValueError:
        return ["JSON body does not parse"]
    return []


def _atom_problems(body: bytes) -> list[str]:
    try:
        root = ElementTree.fromstring(body)
    except ElementTree.ParseError:
        return ["feed does not parse"]
    summaries = root.iter("{http://www.w3.org/2005/Atom}summary")
    if any(s.get("type") != "text" for s in summaries):
        return ["feed summary not typed as text"]
    return []


BODY_CHECKS = {
    "text/csv": _csv_problems,
    "text/html": _html_problems,
    "application/json": _json_problems,
    "application/atom+xml": _atom_problems,
}


def problems(response) -> list[str]:
    """What is wrong with one answer besides a 5xx: executable markup in HTML, a JSON or
    Atom body that does not parse (or an Atom summary not typed as text), a CSV cell a
    spreadsheet would run as a formula, a CR/LF in a header."""
    found = [
        f"line break in header {name}"
        for name, value in response.items()
        if "\r" in value or "\n" in value
    ]
    kind = response.get("Content-Type", "").split(";")[0].strip()
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if body and kind in BODY_CHECKS:
        found += BODY_CHECKS[kind](body)
    return found


@dataclass
class Tally:
    sent: int = 0
    statuses: Counter = field(default_factory=Counter)  # (surface, status) -> count
    server_errors: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def surface(path: str) -> str:
    if path in SEARCH_PATHS or path in INSIGHT_PATHS:
        return path
    return "/accounts/login/" if path.startswith("/accounts/login/") else "other pages"


def run(client, requests, count: int, progress=None) -> Tally:
    """Send `count` of `requests` through `client` (a Django test Client built with
    raise_request_exception=False, so an exception is a 500 to count, not raised)."""
    tally = Tally()
    for number, (path, query, environ) in enumerate(requests, start=1):
        if number > count:
            break
        method = client.head if number % 17 == 0 else client.get
        response = method(f"{path}?{query}", **environ)
        tally.sent += 1
        tally.statuses[surface(path), response.status_code] += 1
        where = f"{path}?{query[:200]}"
        if response.status_code >= 500:
            tally.server_errors.append(f"{response.status_code} {where}")
        tally.problems.extend(f"{p}: {where}" for p in problems(response))
        if progress and number % max(count // 10, 1) == 0:
            progress(number)
    return tally


# --- the script: a throwaway site, then the run ------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--corpus", type=int, default=200)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="integrity-fuzz-"))
    os.environ.update(
        DJANGO_SETTINGS_MODULE="cms.settings.bench",  # DEBUG off
        DATABASE_URL=f"sqlite:///{work / 'db.sqlite3'}",
        SEARCH_ENGINE="embedded",
        SEARCH_INDEX_PATH=str(work / "index"),
        INTEGRITY_VAR_DIR=str(work / "var"),
        DJANGO_ALLOWED_HOSTS="testserver",
    )
    sys.path.insert(0, str(ROOT))
    import logging

    import django

    django.setup()
    logging.getLogger("django.request").setLevel(logging.CRITICAL)  # counted, not logged
    logging.getLogger("django.security").setLevel(logging.CRITICAL)

    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client

    from knowledge.pages import CommunityPage, KnowledgePage
    from knowledge.site_tree import ensure_site_tree
    from synthetic.bulk_pages import bulk_create_pages
    from synthetic.corpus import generate

    def say(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    say(f"[fuzz] building a site in {work}")
    quiet = {"stdout": io.StringIO(), "verbosity": 0}
    call_command("migrate", interactive=False, **quiet)
    call_command("load_vocabularies", **quiet)
    ensure_site_tree()
    items = list(generate(args.corpus, args.seed))
    items[0] = {
        **items[0],
        "title": "<script>alert(1)</script> gift register",
        "summary": "<img src=x onerror=alert(1)> \"quoted\" & 'single'",
    }
    bulk_create_pages(items)
    call_command("reindex", **quiet)

    knowledge = KnowledgePage.objects.live().public().first()
    others = (
        CommunityPage.objects.live().first().url,
        knowledge.url,
        "/accounts/login/",
        "/<hostile>/",
    )
    client = Client(raise_request_exception=False)
    say(f"[fuzz] sending {args.requests} requests (seed {args.seed})")
    started = time.monotonic()
    tally = run(
        client,
        HostileRequests(args.seed, others),
        args.requests,
        progress=lambda n: say(f"[fuzz]   {n}/{args.requests}"),
    )
    staff = Client(raise_request_exception=False)
    staff.force_login(get_user_model().objects.create_superuser("fuzz", "fuzz@example.org", "x"))
    staff_count = max(args.requests // 5, 1)
    say(f"[fuzz] sending {staff_count} requests to the insight pages as a superuser")
    staff_tally = run(staff, HostileRequests(args.seed, paths=INSIGHT_PATHS), staff_count)
    elapsed = time.monotonic() - started
    tally.sent += staff_tally.sent
    tally.statuses.update(staff_tally.statuses)
    tally.server_errors += staff_tally.server_errors
    tally.problems += staff_tally.problems

    print(f"requests sent: {tally.sent} in {elapsed:.0f}s (seed {args.seed})")
    for name in (*SEARCH_PATHS, *INSIGHT_PATHS, "/accounts/login/", "other pages"):
        counts = {s: n for (where, s), n in sorted(tally.statuses.items()) if where == name}
        print(
            f"  {name:<18} {sum(counts.values()):>5}  "
            + "  ".join(f"{status}: {n}" for status, n in counts.items())
        )
    print(f"server errors: {len(tally.server_errors)}")
    print(f"other problems: {len(tally.problems)}")
    for line in (tally.server_errors + tally.problems)[:20]:
        print(f"  {line}")
    return 1 if tally.server_errors or tally.problems else 0


if __name__ == "__main__":
    sys.exit(main())
