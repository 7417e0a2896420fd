"""The judged query set: load judgements.toml and check it against the demo corpus.

Checked on every load, so a typo in an external_id or a stale `cross_language` flag fails the
measurement instead of silently lowering a score.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from .metrics import RELEVANT

JUDGEMENTS = Path(__file__).with_name("judgements.toml")
CORPUS = Path(settings.BASE_DIR) / "knowledge" / "demo" / "demo.jsonl"
GRADES = range(4)  # 0 irrelevant .. 3 highly relevant


class JudgedSetError(ValueError):
    """The judged set does not match the corpus or its own rules."""


@dataclass(frozen=True)
class JudgedQuery:
    text: str
    language: str
    cross_language: bool
    features: tuple[str, ...]
    grades: dict[str, int]  # external_id -> grade; unlisted items are 0
    note: str = ""

    @property
    def key(self) -> str:
        return f"{self.language}: {self.text}"


def corpus_languages(path: Path = CORPUS) -> dict[str, str]:
    """external_id -> language of every item of the demo corpus."""
    with path.open(encoding="utf-8") as lines:
        items = [json.loads(line) for line in lines if line.strip()]
    return {item["external_id"]: item["language"] for item in items}


def load(path: Path = JUDGEMENTS, corpus: Path = CORPUS) -> tuple[JudgedQuery, ...]:
    """Every judged query, validated (see `check`)."""
    with path.open("rb") as source:
        raw = tomllib.load(source)["query"]
    queries = tuple(
        JudgedQuery(
            text=entry["text"],
            language=entry["language"],
            cross_language=entry["cross_language"],
            features=tuple(entry.get("features", ())),
            grades=dict(entry["grades"]),
            note=entry.get("note", ""),
        )
        for entry in raw
    )
    check(queries, corpus_languages(corpus))
    return queries


def check(queries: tuple[JudgedQuery, ...], languages: dict[str, str]) -> None:
    """Raise JudgedSetError on an unknown item, a grade outside 0-3, a language the site does
    not have, a duplicate query, a query with nothing relevant, or a wrong cross_language."""
    site_languages = {code for code, _ in settings.LANGUAGES}
    problems, seen = [], set()
    for query in queries:
        if query.key in seen:
            problems.append(f"{query.key}: asked twice")
        seen.add(query.key)
        if query.language not in site_languages:
            problems.append(f"{query.key}: language not one of {sorted(site_languages)}")
        unknown = sorted(set(query.grades) - set(languages))
        if unknown:
            problems.append(f"{query.key}: no such item {', '.join(unknown)}")
        if any(grade not in GRADES for grade in query.grades.values()):
            problems.append(f"{query.key}: grades are 0 to 3")
        relevant = [item for item, grade in query.grades.items() if grade >= RELEVANT]
        if not relevant:
            problems.append(f"{query.key}: no item graded {RELEVANT} or more")
        crosses = any(languages.get(item, query.language) != query.language for item in relevant)
        if crosses != query.cross_language:
            problems.append(f"{query.key}: cross_language should be {str(crosses).lower()}")
    if problems:
        raise JudgedSetError("; ".join(problems))
