"""Imports engagements from JSON Lines, as knowledge.importing imports items: every line is
validated before anything is written, the write is one transaction (any error: nothing
changes), and `external_id` is the key, so re-importing a file updates what it created.

One engagement per line:
  {"external_id": "ti-eur-2023-training", "title": "...", "partner": "TI",
   "kind": "training", "regions": ["EUR"], "topics": ["code-of-conduct"],
   "start_date": "2023-03-01", "end_date": "2023-06-30", "purpose": "...",
   "expected_outcomes": "...", "status": "completed", "assessment": "achieved",
   "assessment_justification": "...", "outcome_items": ["demo-eur-001", 42]}
Codes are the registry's (knowledge.registry); an outcome item is a knowledge item's
external_id or its page id. Each write is saved as a revision and logged, as an edit would be.
"""

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction
from wagtail.log_actions import log

from knowledge.import_fields import max_length
from knowledge.importing import ImportSummary, LineError, NotReady, Vocabulary, _LineValidator
from knowledge.pages import KnowledgePage
from knowledge.registry import vocabulary

from .models import Engagement

KEYS = {
    "external_id", "title", "partner", "kind", "regions", "topics", "start_date", "end_date",
    "purpose", "expected_outcomes", "status", "assessment", "assessment_justification",
    "outcome_items",
}  # fmt: skip
TEXT_FIELDS = ("title", "purpose", "expected_outcomes", "assessment_justification")


@dataclass
class EngagementLine:
    """One validated line: model field values, vocabulary codes and outcome page ids."""

    line: int
    external_id: str
    fields: dict[str, Any]
    partner: str
    regions: list[str]
    topics: list[str]
    outcome_items: list[int]


class _EngagementValidator(_LineValidator):
    """knowledge.importing's line checks, with the engagement's own."""

    def partner(self) -> str:
        entry = vocabulary("partners")
        code = self.string("partner", required=True)
        if code and code not in self.vocab[entry.key]:
            self.problem(f"unknown partner: {code}")
        return code

    def strict_choice(self, key: str, choices, default: str, blank: bool = False) -> str:
        value = self.string(key) or default
        allowed = [str(c) for c in choices.values]
        if value not in allowed and not (blank and value == ""):
            self.problem(f"unknown {key} {value!r} (expected {', '.join(allowed)})")
        return value

    def outcome_items(self, pages: dict[str, int], page_ids: set[int]) -> list[int]:
        value = self.data.get("outcome_items", [])
        if not isinstance(value, list) or not all(
            isinstance(v, (str, int)) and not isinstance(v, bool) for v in value
        ):
            self.problem("outcome_items must be a list of external ids or page ids")
            return []
        found, unknown = [], []
        for reference in value:
            pk = reference if isinstance(reference, int) else pages.get(reference.strip())
            if pk is None or pk not in page_ids:
                unknown.append(str(reference))
            elif pk not in found:
                found.append(pk)
        if unknown:
            self.problem(f"unknown outcome item(s): {', '.join(unknown)}")
        return found


def validate_line(
    line_no: int, data: Any, vocab: Vocabulary, pages: dict[str, int], page_ids: set[int]
) -> EngagementLine:
    if not isinstance(data, dict):
        raise ValueError("expected a JSON object")
    v = _EngagementValidator(data, vocab, Path("."))
    stray = sorted(set(data) - KEYS)
    if stray:
        v.problem(f"unknown key(s): {', '.join(stray)}")
    external_id = v.string(
        "external_id", required=True, limit=max_length(Engagement, "external_id")
    )
    fields: dict[str, Any] = {
        name: v.string(
            name, required=name != "assessment_justification", limit=max_length(Engagement, name)
        )
        for name in TEXT_FIELDS
    }
    fields["kind"] = v.strict_choice("kind", Engagement.Kind, "")
    fields["status"] = v.strict_choice("status", Engagement.Status, Engagement.Status.PLANNED)
    fields["assessment"] = v.strict_choice("assessment", Engagement.Assessment, "", blank=True)
    if fields["assessment"] and not fields["assessment_justification"]:
        v.problem("an assessment needs an assessment_justification")
    start, end = v.date("start_date", required=True), v.date("end_date")
    if start and end and end < start:
        v.problem("end_date is before start_date")
    fields |= {"start_date": start, "end_date": end}
    partner = v.partner()
    regions, topics = v.codes(vocabulary("regions")), v.codes(vocabulary("topics"))
    outcome_items = v.outcome_items(pages, page_ids)
    if v.problems:
        raise ValueError("; ".join(v.problems))
    return EngagementLine(line_no, external_id, fields, partner, regions, topics, outcome_items)


def parse_lines(lines: Iterable[bytes | str]) -> tuple[list[EngagementLine], list[LineError]]:
    """Validate every line; the good ones and every bad one with its line number."""
    vocab = Vocabulary.load()
    if vocab.is_empty:
        raise NotReady(
            "No vocabularies are loaded, so no code can be checked: "
            "run `manage.py load_vocabularies` first."
        )
    pages = dict(KnowledgePage.objects.exclude(external_id=None).values_list("external_id", "pk"))
    page_ids = set(KnowledgePage.objects.values_list("pk", flat=True))
    items: list[EngagementLine] = []
    errors: list[LineError] = []
    seen: dict[str, int] = {}
    for line_no, raw in enumerate(lines, start=1):
        try:
            text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        except UnicodeDecodeError:
            errors.append(LineError(line_no, "not valid UTF-8"))
            continue
        if not text.strip():
            continue
        try:
            item = validate_line(line_no, json.loads(text), vocab, pages, page_ids)
        except json.JSONDecodeError as exc:
            errors.append(LineError(line_no, f"invalid JSON: {exc.msg} at column {exc.colno}"))
            continue
        except ValueError as exc:
            errors.append(LineError(line_no, str(exc)))
            continue
        if item.external_id in seen:
            first = seen[item.external_id]
            errors.append(
                LineError(
                    line_no, f"duplicate external_id {item.external_id!r} (first on line {first})"
                )
            )
            continue
        seen[item.external_id] = line_no
        items.append(item)
    return items, errors


def parse_file(path: Path) -> tuple[list[EngagementLine], list[LineError]]:
    with Path(path).open("rb") as handle:
        return parse_lines(handle)


def _state(engagement: Engagement) -> dict:
    state = {name: getattr(engagement, name) for name in (*TEXT_FIELDS, "kind", "status")}
    state |= {
        "assessment": engagement.assessment,
        "start_date": engagement.start_date,
        "end_date": engagement.end_date,
        "partner": engagement.partner.acronym,
        "regions": sorted(engagement.regions.values_list("code", flat=True)),
        "topics": sorted(engagement.topics.values_list("code", flat=True)),
        "outcome_items": sorted(engagement.outcome_items.values_list("pk", flat=True)),
    }
    return state


def _desired(item: EngagementLine) -> dict:
    return item.fields | {
        "partner": item.partner,
        "regions": sorted(item.regions),
        "topics": sorted(item.topics),
        "outcome_items": sorted(item.outcome_items),
    }


@transaction.atomic
def import_engagements(items: list[EngagementLine], dry_run: bool = False) -> ImportSummary:
    """Create or update every validated engagement, in one transaction."""
    summary = ImportSummary()
    vocab = Vocabulary.load()
    existing = {
        e.external_id: e
        for e in Engagement.objects.filter(
            external_id__in=[i.external_id for i in items]
        ).select_related("partner")
    }
    for item in items:
        engagement = existing.get(item.external_id)
        if engagement is not None and _state(engagement) == _desired(item):
            summary.unchanged += 1
            continue
        created = engagement is None
        if created:
            summary.created += 1
        else:
            summary.updated += 1
        if dry_run:
            continue
        engagement = engagement or Engagement(external_id=item.external_id)
        for name, value in item.fields.items():
            setattr(engagement, name, value)
        engagement.partner = vocab["partners"][item.partner]
        engagement.save()
        engagement.regions.set([vocab["regions"][c] for c in item.regions])
        engagement.topics.set([vocab["topics"][c] for c in item.topics])
        engagement.outcome_items.set(item.outcome_items)
        engagement.save_revision()
        log(engagement, "wagtail.create" if created else "wagtail.edit")
    if dry_run:
        transaction.set_rollback(True)
    return summary


DEMO_FILE = Path(__file__).resolve().parent / "demo" / "engagements.jsonl"


def load_demo_engagements() -> ImportSummary:
    """The demo engagements (after the demo items, which they cite); safe to re-run. The file
    ships with the code, so any invalid line is a bug: raise, naming the line."""
    items, errors = parse_file(DEMO_FILE)
    if errors:
        raise ValueError("; ".join(str(e) for e in errors))
    return import_engagements(items)
