"""Topic hubs: a page per topic (`/topics/<code>/`) and the index of all topics (`/topics/`).

A hub says what the topic is (name, description and synonyms from the vocabulary, in the
reader's language), where and with whom it is worked on, what was published on it last and
of which types: all counts from one engine search (knowledge.breakdowns). The full search
stays one link away; the hub is its reading room, not a second search.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from .breakdowns import breakdown, count_chart
from .vocabularies import Topic

NEWEST_ON_HUB = 8

# A topic's `group` is English data from topics.csv ("Revised Arusha Declaration key factor
# 7", "Cross-cutting theme"). The index lists topics under the group without its number; the
# known groups are shown in the reader's language, any other under its own name.
GROUP_HEADINGS = {
    "Revised Arusha Declaration key factor": _("Revised Arusha Declaration key factors"),
    "Cross-cutting theme": _("Cross-cutting themes"),
}
# How a numbered member of a known group is named: "Revised Arusha Declaration key factor 7".
GROUP_MEMBERS = {
    "Revised Arusha Declaration key factor": _("Revised Arusha Declaration key factor %(number)s"),
}
_NUMBERED = re.compile(r"^(?P<family>.*?)\s+(?P<number>\d+)$")


@dataclass(frozen=True)
class TopicGroup:
    heading: str
    topics: list[tuple[Topic, int]]  # (topic, items the viewer may see)


def group_family(group: str) -> tuple[str, int | None]:
    """ "Revised Arusha Declaration key factor 7" -> ("Revised … key factor", 7)."""
    match = _NUMBERED.match(group.strip())
    if match:
        return match["family"], int(match["number"])
    return group.strip(), None


def synonyms(topic: Topic) -> list[str]:
    return [word.strip() for word in topic.synonyms.split(",") if word.strip()]


@require_safe
def topic_index(request: HttpRequest) -> HttpResponse:
    """Every topic under its group, in the groups' own order, each with its item count."""
    counts = breakdown(request.user, {}, newest=1)
    by_code = {option.value: option.count for option in counts.topics}
    groups: dict[str, list[tuple[int | None, Topic]]] = {}
    for topic in Topic.objects.all():
        family, number = group_family(topic.group)
        groups.setdefault(family, []).append((number, topic))
    ordered = sorted(
        groups.items(), key=lambda kv: min((n for n, _t in kv[1] if n is not None), default=999)
    )
    return TemplateResponse(
        request,
        "knowledge/topic_index.html",
        {
            "groups": [
                TopicGroup(
                    heading=str(GROUP_HEADINGS.get(family, family or _("Other topics"))),
                    topics=[
                        (topic, by_code.get(topic.code, 0))
                        for _n, topic in sorted(members, key=lambda m: (m[0] or 0, m[1].name))
                    ],
                )
                for family, members in ordered
            ],
            "counts": counts,
        },
    )


@require_safe
def topic_hub(request: HttpRequest, code: str) -> HttpResponse:
    topic = Topic.objects.filter(code=code).first()
    if topic is None:
        raise Http404("no such topic")
    family, number = group_family(topic.group)
    if number is not None and family in GROUP_MEMBERS:
        group = GROUP_MEMBERS[family] % {"number": number}
    else:
        group = topic.group
    hub = breakdown(request.user, {"topic": topic.code}, newest=NEWEST_ON_HUB)
    return TemplateResponse(
        request,
        "knowledge/topic_hub.html",
        {
            "topic": topic,
            "group": group,
            "synonyms": synonyms(topic),
            "hub": hub,
            "type_chart": count_chart(
                _("Items on this topic by content type"), _("Content type"), hub.types
            ),
        },
    )
