"""StreamField blocks shared by the knowledge page types."""

from django.core.exceptions import BadRequest
from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock

BODY_FEATURES = ["h3", "h4", "bold", "italic", "ol", "ul", "link", "document-link"]


class StepBlock(blocks.StructBlock):
    """One step of a procedure: what to do and who does it."""

    title = blocks.CharBlock(max_length=200)
    description = blocks.RichTextBlock(features=BODY_FEATURES, required=False)
    responsible = blocks.CharBlock(max_length=200, required=False)

    class Meta:
        icon = "list-ol"
        template = "knowledge/blocks/step.html"


class ChapterBlock(blocks.StructBlock):
    """A handbook chapter."""

    title = blocks.CharBlock(max_length=200)
    summary = blocks.TextBlock(required=False)
    body = blocks.RichTextBlock(features=BODY_FEATURES, required=False)

    class Meta:
        icon = "doc-full"
        template = "knowledge/blocks/chapter.html"


class FormDataStreamBlock(blocks.StreamBlock):
    """A StreamBlock that answers a malformed admin form with 400 instead of a 500.

    Upstream (Wagtail 8.0, wagtail/blocks/stream_block.py and list_block.py):
    BaseStreamBlock.value_from_datadict and ListBlock.value_from_datadict read
    data["<prefix>-count"], data["<prefix>-<i>-deleted"], data["<prefix>-<i>-type"] and
    data["<prefix>-<i>-order"] by subscript and int() without checks, so a POST to the page
    editor that lacks "body-count" (or has "body-count=abc") raises KeyError / ValueError and
    ends in a 500 with a traceback under DEBUG. Expected: the form is invalid (or the request
    answered 400). Steps to reproduce: log in to the admin, POST the edit form of any page with a
    StreamField, leaving out the "<field>-count" key.
    """

    def value_from_datadict(self, data, files, prefix):
        try:
            return super().value_from_datadict(data, files, prefix)
        except (KeyError, ValueError) as exc:
            raise BadRequest(f"Malformed form data for {prefix}") from exc


class BodyBlock(FormDataStreamBlock):
    """Free body content of every knowledge item."""

    heading = blocks.CharBlock(max_length=200, form_classname="title", icon="title")
    paragraph = blocks.RichTextBlock(features=BODY_FEATURES, icon="pilcrow")
    quote = blocks.BlockQuoteBlock(icon="openquote")
    document = DocumentChooserBlock(icon="doc-full-inverse")

    class Meta:
        template = "knowledge/blocks/body.html"


class StepsBlock(FormDataStreamBlock):
    step = StepBlock()


class ChaptersBlock(FormDataStreamBlock):
    chapter = ChapterBlock()
