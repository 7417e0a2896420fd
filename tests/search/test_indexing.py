"""Documents built from pages, attachment text, and the outbox drain."""

import datetime

import pytest
from django.core.files.base import ContentFile
from wagtail.documents import get_document_model
from wagtail.rich_text import RichText

import search.documents
from knowledge.pages import KnowledgeAttachment
from knowledge.vocabularies import PartnerOrganisation, Region, Topic
from search import drain, indexing
from search.documents import build_document, iter_documents
from search.engines.base import SearchQuery
from search.models import ExtractedText, IndexUpdate
from tests.factories import (
    HandbookPageFactory,
    ProcedurePageFactory,
    StandardPageFactory,
    community_for,
)


def pdf_with_text(text: str) -> bytes:
    """A one-page PDF whose page shows `text` (enough for pypdf to extract it)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return out


@pytest.fixture
def eur(site_tree):
    return Region.objects.get(code="EUR")


def test_document_holds_type_fields_vocabulary_and_tags(eur):
    page = ProcedurePageFactory(
        parent=community_for(eur),
        title="Gift register",
        summary="Recording gifts.",
        scope="<p>Applies to <b>all</b> officers &amp; contractors.</p>",
        steps=[("step", {"title": "Declare", "description": RichText("<p>Use form G1.</p>")})],
        regions=[eur],
        topics=[Topic.objects.get(code="code-of-conduct")],
        partners=[PartnerOrganisation.objects.get(acronym="TI")],
        tags=["Gift Policy"],
        published_date=datetime.date(2019, 4, 2),
        language="fr",
    )
    document = build_document(page)
    assert "Applies to all officers & contractors." in document["body"]
    assert "Declare Use form G1." in document["body"]
    assert "Internal Affairs Unit" in document["body"]
    # The type's and every entry's names in English, French and Spanish (each once), then
    # the topic's synonyms in the three languages; a partner without translations once.
    assert document["vocabulary_text"] == " ".join(
        [
            "procedure procedures procédure procédures procedimiento procedimientos",
            "Europe Europa",
            "Code of conduct Code de conduite Código de conducta",
            "code of ethics, ethics, conflict of interest, gifts and hospitality",
            "code de déontologie, déontologie, éthique, conflit d'intérêts, cadeaux et invitations",
            "código de ética, ética, conflicto de intereses, regalos e invitaciones",
            "Transparency International TI",
        ]
    )
    assert document["tags_text"] == "Gift Policy"
    assert document["tag"] == ["gift-policy"]
    assert document["year"] == ["2019"]
    assert document["language"] == "fr"
    assert document["type"] == ["procedure"]
    assert document["partner"] == ["TI"]
    assert document["published"] == "2019-04-02"
    assert document["title_sort"] == "gift register"
    assert document["visibility"] == "public"
    assert document["url"] == page.url


def test_fingerprint_changes_with_content(eur):
    page = StandardPageFactory(parent=community_for(eur), regions=[eur], reference_number="R-1")
    before = build_document(page)
    assert build_document(page)["fingerprint"] == before["fingerprint"]
    page.reference_number = "R-2"
    page.save_revision().publish()
    after = build_document(page)
    assert "R-2" in after["body"]
    assert after["fingerprint"] != before["fingerprint"]


def test_unpublished_pages_have_no_document(eur):
    page = StandardPageFactory(parent=community_for(eur), regions=[eur], publish=False)
    assert build_document(page) is None


def test_pdf_attachment_text_is_extracted_once(eur, monkeypatch):
    Document = get_document_model()
    pdf = Document(title="Annual integrity report")
    pdf.file.save("report.pdf", ContentFile(pdf_with_text("Seized contraband tobacco")))
    page = HandbookPageFactory(parent=community_for(eur), regions=[eur])
    KnowledgeAttachment.objects.create(page=page, document=pdf, caption="Full report")
    document = build_document(page)
    assert "Annual integrity report" in document["attachments"]
    assert "Full report" in document["attachments"]
    assert "Seized contraband tobacco" in document["attachments"]
    pdf.refresh_from_db()
    assert ExtractedText.objects.filter(file_hash=pdf.file_hash).exists()

    def must_not_extract(document):
        raise AssertionError("extracted again")

    monkeypatch.setattr(search.documents, "_extract_pdf", must_not_extract)
    assert "Seized contraband tobacco" in build_document(page)["attachments"]


def test_bulk_building_does_not_query_per_page(eur, django_assert_max_num_queries):
    def make(n):
        for i in range(n):
            ProcedurePageFactory(parent=community_for(eur), regions=[eur], tags=[f"t{i}"])
            HandbookPageFactory(parent=community_for(eur), regions=[eur])

    make(2)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert len(list(iter_documents())) == 4
    make(6)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(list(iter_documents())) == 16


def test_drain_coalesces_and_keeps_failed_rows(eur, embedded_engine):
    page = StandardPageFactory(parent=community_for(eur), regions=[eur], title="Quokka rules")
    IndexUpdate.objects.all().delete()  # on-commit work does not run in this test
    indexing.queue([page.pk])
    drain.drain()
    assert [h.id for h in embedded_engine.search(SearchQuery(text="quokka")).hits] == [page.pk]

    indexing.queue([page.pk])
    indexing.queue([page.pk], IndexUpdate.Action.DELETE)  # the latest action wins
    result = drain.drain()
    assert (result.indexed, result.deleted, result.failed) == (0, 1, 0)
    assert embedded_engine.search(SearchQuery(text="quokka")).total == 0
    assert IndexUpdate.objects.count() == 0
