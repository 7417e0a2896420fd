"""StreamField blocks shared by the knowledge page types."""

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


class BodyBlock(blocks.StreamBlock):
    """Free body content of every knowledge item."""

    heading = blocks.CharBlock(max_length=200, form_classname="title", icon="title")
    paragraph = blocks.RichTextBlock(features=BODY_FEATURES, icon="pilcrow")
    quote = blocks.BlockQuoteBlock(icon="openquote")
    document = DocumentChooserBlock(icon="doc-full-inverse")

    class Meta:
        template = "knowledge/blocks/body.html"
