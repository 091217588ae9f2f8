"""Ranked full-text search over the catalog (pure)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from cnmm.catalog.model import Catalog

# Where a match counts most: a hit in a statement says more than one in a question.
FIELD_WEIGHTS = {
    "id": 3.0,
    "statement": 3.0,
    "projects": 2.5,
    "name": 2.5,
    "summary": 1.5,
    "question": 1.0,
    "remediation": 1.0,
    "description": 1.0,
}


@dataclass(frozen=True)
class SearchHit:
    """One catalog item that matched, with its score and the fields that matched."""

    id: str
    kind: str  # aspect | dimension | level | criterion | project
    title: str
    score: float
    fields: tuple[tuple[str, str], ...]  # (field name, text) of matching fields


def _terms(query: str) -> list[str]:
    return [t for t in re.split(r"\s+", query.lower().strip()) if t]


def _term_scores(text: str, terms: list[str]) -> dict[str, float]:
    """Per query term: occurrences in `text`, whole-word occurrences counting double."""
    lowered = text.lower()
    scores: dict[str, float] = {}
    for term in terms:
        count = lowered.count(term)
        if count:
            scores[term] = count + len(re.findall(rf"\b{re.escape(term)}\b", lowered))
    return scores


def search_catalog(catalog: Catalog, query: str, limit: int = 50) -> list[SearchHit]:
    """Items containing every query term (in any of their fields), best first."""
    terms = list(dict.fromkeys(_terms(query)))
    if not terms:
        return []
    hits: list[SearchHit] = []

    def consider(item_id: str, kind: str, title: str, fields: dict[str, str]) -> None:
        matched = []
        found: set[str] = set()
        score = 0.0
        for name, text in fields.items():
            per_term = _term_scores(text, terms)
            if per_term:
                matched.append((name, text))
                found.update(per_term)
                score += sum(per_term.values()) * FIELD_WEIGHTS.get(name, 1.0)
        # every term must appear somewhere in the item, not necessarily in one field
        if found == set(terms):
            hits.append(SearchHit(item_id, kind, title, round(score, 2), tuple(matched)))

    for aspect in catalog.aspects:
        consider(
            aspect.id,
            "aspect",
            aspect.name,
            {"name": aspect.name, "description": aspect.description},
        )
        for dimension in aspect.dimensions:
            consider(
                dimension.id,
                "dimension",
                dimension.name,
                {"name": dimension.name, "description": dimension.description},
            )
            for level in dimension.levels:
                consider(
                    f"{dimension.id}.l{level.level}",
                    "level",
                    f"{dimension.name}, level {level.level} ({level.name})",
                    {"summary": level.summary},
                )
                for c in level.criteria:
                    consider(
                        c.id,
                        "criterion",
                        c.statement,
                        {
                            "id": c.id,
                            "statement": c.statement,
                            "question": c.question,
                            "remediation": c.remediation,
                            "projects": " ".join(c.projects),
                        },
                    )
    for project in catalog.projects.values():
        consider(
            project.name,
            "project",
            f"{project.name} ({project.maturity})",
            {
                "name": " ".join((project.name, *project.aliases)),
                "description": project.description,
            },
        )
    hits.sort(key=lambda h: (-h.score, h.id))
    return hits[:limit]
