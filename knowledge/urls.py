"""Public knowledge views outside the page tree, included before Wagtail's catch-all."""

from django.urls import path

from .citation import cite_bibtex, cite_ris, item_permalink
from .coverage import coverage
from .topic_hubs import topic_hub, topic_index

urlpatterns = [
    path("topics/", topic_index, name="topic-index"),
    path("topics/<slug:code>/", topic_hub, name="topic-hub"),
    path("items/<int:pk>/", item_permalink, name="item-permalink"),
    path("items/<int:pk>/cite.ris", cite_ris, name="item-cite-ris"),
    path("items/<int:pk>/cite.bib", cite_bibtex, name="item-cite-bibtex"),
    path("coverage/", coverage, name="coverage"),
]
