"""Public knowledge views outside the page tree, included before Wagtail's catch-all."""

from django.urls import path

from .coverage import coverage
from .topic_hubs import topic_hub, topic_index

urlpatterns = [
    path("topics/", topic_index, name="topic-index"),
    path("topics/<slug:code>/", topic_hub, name="topic-hub"),
    path("coverage/", coverage, name="coverage"),
]
