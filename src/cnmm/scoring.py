"""Gated scoring: criterion states -> dimension levels -> roll-ups (pure functions).

The method and the reasons behind it are in docs/scoring.md. In short:
- a level is achieved when every applicable criterion of it is met; a level the model leaves
  undefined asks nothing and is passed through, never failed;
- a dimension's level is the highest L such that levels 1..L are all achieved (gated): a
  missing foundation cannot be outweighed by advanced practices;
- progress is the share of the next level's applicable criteria that are met (a `partial`
  counts `partial_credit`, from cnmm.yaml);
- `unknown` and unanswered criteria count as not met for the level, and lower `confidence`
  (the share of the deciding criteria that were actually answered) instead of hiding;
- roll-ups give the floor, the median and the full profile, never a lone average.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from math import isclose
from typing import TYPE_CHECKING, Any

from cnmm.assessment.model import STATES as ANSWER_STATES
from cnmm.catalog.model import Catalog, Dimension

if TYPE_CHECKING:
    from cnmm.assessment.model import Assessment, DimensionAnswer

# The states a criterion can be in: the ones an assessment file may give it.
STATES = frozenset(ANSWER_STATES)
TOP_LEVEL = 5
# Defaults mirror cnmm.yaml's `scoring:` section (cnmm.config.ScoringConfig), where users set them.
DEFAULT_PARTIAL_CREDIT = 0.5
DEFAULT_QUICK_CONFIDENCE = 0.5


@dataclass(frozen=True)
class LevelScore:
    """How one level of one dimension stands (criteria counted by state)."""

    level: int
    defined: bool
    applicable: int
    met: int
    partial: int
    not_met: int
    unknown: int  # answered `unknown` or not answered at all
    not_applicable: int
    progress: float  # share of applicable criteria met (partial weighted); 1.0 when none apply
    achieved: bool  # in its own right: defined and every applicable criterion met


@dataclass(frozen=True)
class DimensionScore:
    """The score of one dimension.

    `level` is the gated level 0..5, None when the dimension is not applicable (or, with basis
    "none", not answered). `achieved` holds the defined levels counted toward `level`.
    """

    dimension: str
    level: int | None
    progress: float
    confidence: float
    basis: str
    applicable: bool = True
    achieved: frozenset[int] = frozenset()
    next_level: int | None = None
    levels: tuple[LevelScore, ...] = ()


@dataclass(frozen=True)
class Rollup:
    """A roll-up over dimensions: the floor, the median and the full profile."""

    floor: int | None
    median: float | None
    profile: Mapping[str, int] = field(default_factory=dict)
    not_applicable: tuple[str, ...] = ()


def _level_score(
    dimension: Dimension, index: int, verdicts: Mapping[str, str], partial_credit: float
) -> LevelScore:
    level = dimension.levels[index]
    states = [verdicts.get(c.id, "unknown") for c in level.criteria]
    counts = {state: states.count(state) for state in STATES}
    applicable = len(states) - counts["not-applicable"]
    met, partial = counts["met"], counts["partial"]
    progress = (met + partial_credit * partial) / applicable if applicable else 1.0
    return LevelScore(
        level=level.level,
        defined=level.defined,
        applicable=applicable,
        met=met,
        partial=partial,
        not_met=counts["not-met"],
        unknown=counts["unknown"],
        not_applicable=counts["not-applicable"],
        progress=progress,
        achieved=level.defined and met == applicable,
    )


def score_dimension(
    dimension: Dimension,
    verdicts: Mapping[str, str],
    partial_credit: float = DEFAULT_PARTIAL_CREDIT,
    basis: str = "self-assessed",
) -> DimensionScore:
    """Score one dimension from criterion states (criterion id -> state).

    A criterion missing from `verdicts` is unanswered: not met for the level, and it lowers
    confidence like `unknown`. Raises ValueError for a state that is not one of STATES.
    """
    if not 0 <= partial_credit <= 1:
        raise ValueError(f"partial_credit {partial_credit} is outside 0..1")
    for criterion_id, state in verdicts.items():
        if state not in STATES:
            raise ValueError(f"{criterion_id}: unknown state {state!r}")
    levels = tuple(
        _level_score(dimension, i, verdicts, partial_credit) for i in range(len(dimension.levels))
    )
    every = [c.id for c in dimension.criteria()]
    if every and all(verdicts.get(cid) == "not-applicable" for cid in every):
        return DimensionScore(
            dimension=dimension.id,
            level=None,
            progress=0.0,
            confidence=1.0,
            basis=basis,
            applicable=False,
            levels=levels,
        )
    gate = 0
    for ls in levels:
        # an undefined level asks nothing, so it never stops the gate
        if ls.achieved or not ls.defined:
            gate = ls.level
        else:
            break
    next_level = gate + 1 if gate < TOP_LEVEL else None
    deciding = levels if next_level is None else levels[:next_level]
    applicable = sum(ls.applicable for ls in deciding)
    unknown = sum(ls.unknown for ls in deciding)
    return DimensionScore(
        dimension=dimension.id,
        level=gate,
        progress=1.0 if next_level is None else levels[next_level - 1].progress,
        confidence=(applicable - unknown) / applicable if applicable else 1.0,
        basis=basis,
        applicable=True,
        achieved=frozenset(ls.level for ls in levels[:gate] if ls.defined),
        next_level=next_level,
        levels=levels,
    )


def self_reported(
    dimension: Dimension,
    level: int,
    confidence: float | None,
    *,
    default_confidence: float = DEFAULT_QUICK_CONFIDENCE,
) -> DimensionScore:
    """The score of a quick answer: the stated level, basis `self-reported`.

    Progress toward the next level is not known from one stated level, so it is 0.0.
    `default_confidence` (cnmm.yaml `scoring.quick_confidence`) applies when none was stated.
    """
    if not 0 <= level <= TOP_LEVEL:
        raise ValueError(f"{dimension.id}: level {level} is outside 0..{TOP_LEVEL}")
    stated = default_confidence if confidence is None else confidence
    return DimensionScore(
        dimension=dimension.id,
        level=level,
        progress=1.0 if level == TOP_LEVEL else 0.0,
        confidence=min(1.0, max(0.0, stated)),
        basis="self-reported",
        applicable=True,
        achieved=frozenset(lv.level for lv in dimension.levels if lv.level <= level and lv.defined),
        next_level=level + 1 if level < TOP_LEVEL else None,
    )


def not_answered(dimension: Dimension) -> DimensionScore:
    """A dimension listed in an assessment but not answered yet (basis `none`, no level)."""
    return DimensionScore(
        dimension=dimension.id, level=None, progress=0.0, confidence=0.0, basis="none"
    )


def weighted_median(pairs: Sequence[tuple[float, float]]) -> float:
    """Median of (value, weight) pairs; equal weights give the ordinary median."""
    items = sorted((v, w) for v, w in pairs if w > 0)
    if not items:
        raise ValueError("weighted_median of nothing")
    half = sum(w for _, w in items) / 2
    running = 0.0
    for index, (value, weight) in enumerate(items):
        running += weight
        if isclose(running, half):
            # exactly half the weight lies at or below this value: take the midpoint
            return (value + items[index + 1][0]) / 2
        if running > half:
            return float(value)
    return float(items[-1][0])  # pragma: no cover - rounding safety


def rollup(scores: Iterable[DimensionScore], weights: Mapping[str, float] | None = None) -> Rollup:
    """Floor, median and profile over dimension scores.

    Not-applicable and unanswered dimensions (level None) are left out. `weights` (dimension id
    -> weight, default 1) only shape the median; the floor is always the weakest dimension.
    """
    all_scores = list(scores)
    counted = [s for s in all_scores if s.applicable and s.level is not None]
    not_applicable = tuple(s.dimension for s in all_scores if not s.applicable)
    if not counted:
        return Rollup(floor=None, median=None, profile={}, not_applicable=not_applicable)
    levels = [(float(s.level or 0), (weights or {}).get(s.dimension, 1.0)) for s in counted]
    if all(w <= 0 for _, w in levels):
        levels = [(v, 1.0) for v, _ in levels]
    return Rollup(
        floor=min(int(s.level or 0) for s in counted),
        median=weighted_median(levels),
        profile={s.dimension: int(s.level or 0) for s in counted},
        not_applicable=not_applicable,
    )


def dimension_weights(catalog: Catalog, aspect_weights: Mapping[str, float]) -> dict[str, float]:
    """Per-dimension weights from cnmm.yaml `scoring.aspect_weights` (aspect id -> weight)."""
    return {d.id: float(aspect_weights.get(d.aspect, 1.0)) for d in catalog.dimensions()}


# --- one assessment file -----------------------------------------------------------------


@dataclass(frozen=True)
class AssessmentScore:
    """The scores of one assessment file: per dimension, per aspect and overall."""

    assessment: Assessment
    dimensions: tuple[DimensionScore, ...]
    aspects: Mapping[str, Rollup]
    overall: Rollup

    def to_json(self) -> dict[str, Any]:
        """The `cnmm score --format json` form of one assessment."""
        return {
            "file": self.assessment.path,
            "scope": self.assessment.scope.to_json(),
            "dimensions": [
                {
                    "id": s.dimension,
                    "level": s.level,
                    "progress": round(s.progress, 3),
                    "confidence": round(s.confidence, 3),
                    "basis": s.basis,
                    "applicable": s.applicable,
                }
                for s in self.dimensions
            ],
            "aspects": [
                {"id": aspect_id, "floor": r.floor, "median": r.median}
                for aspect_id, r in self.aspects.items()
            ],
            "overall": {"floor": self.overall.floor, "median": self.overall.median},
        }


def score_answer(
    dimension: Dimension,
    answer: DimensionAnswer,
    *,
    partial_credit: float = DEFAULT_PARTIAL_CREDIT,
    quick_confidence: float = DEFAULT_QUICK_CONFIDENCE,
) -> DimensionScore:
    """Score one dimension's answer: quick -> self-reported, detailed -> gated (self-assessed)."""
    if answer.mode == "quick":
        if answer.level is None:
            return not_answered(dimension)
        return self_reported(
            dimension, answer.level, answer.confidence, default_confidence=quick_confidence
        )
    if not answer.criteria:
        return not_answered(dimension)
    return score_dimension(dimension, answer.criteria, partial_credit, basis="self-assessed")


def score_assessment(
    assessment: Assessment,
    catalog: Catalog,
    *,
    partial_credit: float = DEFAULT_PARTIAL_CREDIT,
    quick_confidence: float = DEFAULT_QUICK_CONFIDENCE,
    aspect_weights: Mapping[str, float] | None = None,
) -> AssessmentScore:
    """Score every dimension an assessment lists (in model order) and roll them up."""
    weights = dimension_weights(catalog, aspect_weights or {})
    scores: list[DimensionScore] = []
    for dimension in catalog.dimensions():
        answer = assessment.answers.get(dimension.id)
        if answer is not None:
            scores.append(
                score_answer(
                    dimension,
                    answer,
                    partial_credit=partial_credit,
                    quick_confidence=quick_confidence,
                )
            )
    by_id = {d.id: d for d in catalog.dimensions()}
    aspects = {}
    for aspect in catalog.aspects:
        mine = [s for s in scores if by_id[s.dimension].aspect == aspect.id]
        if mine:
            aspects[aspect.id] = rollup(mine, weights)
    return AssessmentScore(
        assessment=assessment,
        dimensions=tuple(scores),
        aspects=aspects,
        overall=rollup(scores, weights),
    )
