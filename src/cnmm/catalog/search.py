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
    kind: str  # aspect | dimension | level | criterion
    title: str
    score: float
    fields: tuple[tuple[str, str], ...]  # (field name, text) of matching fields


def _terms(query: str) -> list[str]:
    return [t for t in re.split(r"\s+", query.lower().strip()) if t]


def _field_score(text: str, terms: list[str]) -> float:
    lowered = text.lower()
    score = 0.0
    for term in terms:
        count = lowered.count(term)
        if count == 0:
            return 0.0  # every term must appear in the field
        whole = len(re.findall(rf"\b{re.escape(term)}\b", lowered))
        score += count + whole
    return score


def search_catalog(catalog: Catalog, query: str, limit: int = 50) -> list[SearchHit]:
    """Items whose fields contain every query term, best first."""
    terms = _terms(query)
    if not terms:
        return []
    hits: list[SearchHit] = []

    def consider(item_id: str, kind: str, title: str, fields: dict[str, str]) -> None:
        matched = []
        score = 0.0
        for name, text in fields.items():
            s = _field_score(text, terms)
            if s:
                matched.append((name, text))
                score += s * FIELD_WEIGHTS.get(name, 1.0)
        if matched:
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
    hits.sort(key=lambda h: (-h.score, h.id))
    return hits[:limit]
