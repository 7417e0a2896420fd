"""Django's model registry entry point: the models live in modules named for what they are."""

from .pages import (  # noqa: F401
    KNOWLEDGE_TYPES,
    CaseStudyPage,
    CommunityFeaturedItem,
    CommunityPage,
    HandbookPage,
    HomePage,
    KnowledgeAttachment,
    KnowledgePage,
    KnowledgePageTag,
    PartnerProfilePage,
    PartnerStudiesIndexPage,
    PartnerStudyPage,
    ProcedurePage,
    StandardPage,
)
from .vocabularies import Country, PartnerOrganisation, Region, Topic  # noqa: F401
