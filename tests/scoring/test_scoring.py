"""Gated scoring of one dimension, quick answers and roll-ups (built from catalog objects)."""

from __future__ import annotations

import statistics
from datetime import date

import pytest

from cnmm.assessment.model import Assessment, DimensionAnswer, Scope
from cnmm.scoring import (
    DimensionScore,
    rollup,
    score_assessment,
    score_dimension,
    self_reported,
    weighted_median,
)
from tests.scoring.mini import make_dimension, mini_catalog

RUNTIME = make_dimension("technology.container-runtime", (2, 3, 2, 2, 2))


def ids(dimension, level):
    return [c.id for c in dimension.level(level).criteria]


def all_met(dimension, *levels):
    return {cid: "met" for level in levels for cid in ids(dimension, level)}


def test_levels_one_and_two_met_one_level_three_not_met_is_level_two() -> None:
    verdicts = all_met(RUNTIME, 1, 2) | {ids(RUNTIME, 3)[0]: "not-met"}
    score = score_dimension(RUNTIME, verdicts)
    assert score.level == 2
    assert score.next_level == 3
    assert score.progress < 1.0
    assert score.progress == 0.0
    assert score.achieved == {1, 2}
    assert score.dimension == "technology.container-runtime"
    assert score.basis == "self-assessed"


def test_progress_is_share_of_next_level_met_with_partial_credit() -> None:
    l3 = ids(RUNTIME, 3)
    verdicts = all_met(RUNTIME, 1, 2) | {l3[0]: "met", l3[1]: "partial"}
    assert score_dimension(RUNTIME, verdicts).progress == pytest.approx(0.75)
    assert score_dimension(RUNTIME, verdicts, partial_credit=0.0).progress == 0.5
    assert score_dimension(RUNTIME, verdicts, partial_credit=1.0).progress == 1.0
    # partial never achieves a level, whatever the credit
    assert score_dimension(RUNTIME, verdicts, partial_credit=1.0).level == 2


def test_not_applicable_criteria_are_excluded() -> None:
    l3 = ids(RUNTIME, 3)
    verdicts = all_met(RUNTIME, 1, 2) | {l3[0]: "met", l3[1]: "not-applicable"}
    score = score_dimension(RUNTIME, verdicts)
    assert score.level == 3
    l4 = ids(RUNTIME, 4)
    verdicts |= {l4[0]: "met", l4[1]: "not-applicable"}
    score = score_dimension(RUNTIME, verdicts)
    assert score.level == 4
    assert score.levels[3].applicable == 1


def test_a_level_whose_criteria_all_do_not_apply_passes_the_gate() -> None:
    verdicts = all_met(RUNTIME, 1) | {cid: "not-applicable" for cid in ids(RUNTIME, 2)}
    verdicts |= all_met(RUNTIME, 3)
    assert score_dimension(RUNTIME, verdicts).level == 3


def test_the_gate_holds_advanced_levels_do_not_make_up_for_a_missing_foundation() -> None:
    verdicts = all_met(RUNTIME, 2, 3, 4, 5) | {ids(RUNTIME, 1)[0]: "not-met"}
    score = score_dimension(RUNTIME, verdicts)
    assert score.level == 0
    assert score.achieved == frozenset()
    assert [ls.achieved for ls in score.levels] == [False, True, True, True, True]


def test_an_undefined_level_is_skipped_never_failed() -> None:
    ai = make_dimension("people.ai", (2, 2, 2, 2), undefined=(5,))
    score = score_dimension(ai, all_met(ai, 1, 2, 3, 4))
    assert score.level == 5
    assert score.next_level is None
    assert score.progress == 1.0
    assert score.achieved == {1, 2, 3, 4}
    middle = make_dimension("technology.x", (2, 2, 0, 2, 2), undefined=(3,))
    assert score_dimension(middle, all_met(middle, 1, 2, 4)).level == 4
    assert score_dimension(middle, all_met(middle, 1, 2)).level == 3
    assert score_dimension(middle, all_met(middle, 1, 2)).next_level == 4


def test_unknown_lowers_confidence_and_counts_as_not_met() -> None:
    l2 = ids(RUNTIME, 2)
    verdicts = all_met(RUNTIME, 1, 2) | {l2[0]: "unknown"}
    score = score_dimension(RUNTIME, verdicts)
    assert score.level == 1
    # the deciding levels are 1 and 2: five applicable criteria, one unknown
    assert score.confidence == pytest.approx(4 / 5)
    assert score.progress == pytest.approx(2 / 3)


def test_an_unanswered_criterion_is_treated_like_unknown() -> None:
    l2 = ids(RUNTIME, 2)
    answered = all_met(RUNTIME, 1, 2)
    del answered[l2[0]]
    omitted = score_dimension(RUNTIME, answered)
    unknown = score_dimension(RUNTIME, answered | {l2[0]: "unknown"})
    assert (omitted.level, omitted.confidence) == (unknown.level, unknown.confidence)
    assert omitted.confidence < 1.0


def test_confidence_counts_only_the_levels_that_decide_the_result() -> None:
    verdicts = all_met(RUNTIME, 1) | {ids(RUNTIME, 2)[0]: "not-met"}
    # levels 3-5 are not answered at all; they cannot change level 1, so they do not count
    score = score_dimension(RUNTIME, verdicts)
    assert score.level == 1
    assert score.confidence == pytest.approx(3 / 5)


def test_a_dimension_answered_all_not_applicable_is_not_applicable() -> None:
    verdicts = {c.id: "not-applicable" for c in RUNTIME.criteria()}
    score = score_dimension(RUNTIME, verdicts)
    assert score.applicable is False
    assert score.level is None
    assert rollup([score]).floor is None
    assert rollup([score]).not_applicable == ("technology.container-runtime",)
    verdicts[ids(RUNTIME, 5)[0]] = "unknown"
    assert score_dimension(RUNTIME, verdicts).applicable is True


def test_nothing_answered_is_level_zero_with_no_confidence() -> None:
    score = score_dimension(RUNTIME, {})
    assert (score.level, score.progress, score.confidence) == (0, 0.0, 0.0)


def test_bad_states_and_credits_are_refused() -> None:
    with pytest.raises(ValueError, match="done"):
        score_dimension(RUNTIME, {ids(RUNTIME, 1)[0]: "done"})
    with pytest.raises(ValueError, match="partial_credit"):
        score_dimension(RUNTIME, {}, partial_credit=1.5)


def test_quick_answers_are_self_reported() -> None:
    score = self_reported(RUNTIME, 3, 0.8)
    assert (score.level, score.basis, score.confidence) == (3, "self-reported", 0.8)
    assert score.achieved == {1, 2, 3}
    assert score.next_level == 4
    assert self_reported(RUNTIME, 2, None).confidence == 0.5
    assert self_reported(RUNTIME, 2, None, default_confidence=0.3).confidence == 0.3
    assert self_reported(RUNTIME, 0, None).achieved == frozenset()
    ai = make_dimension("people.ai", (2, 2, 2, 2), undefined=(5,))
    assert self_reported(ai, 5, 1.0).achieved == {1, 2, 3, 4}
    with pytest.raises(ValueError):
        self_reported(RUNTIME, 6, None)


def _score(dimension_id: str, level: int | None, applicable: bool = True) -> DimensionScore:
    return DimensionScore(dimension_id, level, 0.0, 1.0, "self-reported", applicable)


def test_rollup_gives_floor_median_and_profile_skipping_not_applicable() -> None:
    scores = [_score("a.x", 1), _score("a.y", 3), _score("a.z", 4), _score("a.n", None, False)]
    result = rollup(scores)
    assert result.floor == 1
    assert result.median == 3
    assert result.profile == {"a.x": 1, "a.y": 3, "a.z": 4}
    assert result.not_applicable == ("a.n",)
    assert rollup(scores[:2]).median == 2.0
    assert rollup([]).floor is None and rollup([]).median is None


def test_weights_shape_the_median_but_never_the_floor() -> None:
    scores = [_score("people.a", 1), _score("technology.b", 3), _score("technology.c", 3)]
    assert rollup(scores).median == 3
    weighted = rollup(scores, {"people.a": 3.0})
    assert weighted.median == 1
    assert weighted.floor == 1
    assert rollup(scores, {"people.a": 2.0}).median == 2.0


def test_weighted_median_with_equal_weights_is_the_median() -> None:
    for values in ([1], [1, 2], [0, 5, 2], [3, 3, 1, 4], [5, 4, 3, 2, 1, 0]):
        pairs = [(float(v), 1.0) for v in values]
        assert weighted_median(pairs) == statistics.median(values)


def test_score_assessment_mixes_quick_and_detailed_and_rolls_up_per_aspect() -> None:
    catalog = mini_catalog()
    runtime = catalog.dimension("technology.container-runtime")
    verdicts = all_met(runtime, 1, 2) | {ids(runtime, 3)[0]: "not-met"}
    assessment = Assessment(
        model="4.0-beta",
        scope=Scope("team", "payments", "acme"),
        date=date(2026, 11, 23),
        answers={
            "technology.container-runtime": DimensionAnswer(mode="detailed", criteria=verdicts),
            "people.culture": DimensionAnswer(mode="quick", level=1, confidence=0.9),
            "people.ai": DimensionAnswer(mode="quick"),  # listed, not answered yet
        },
    )
    result = score_assessment(assessment, catalog)
    by_id = {s.dimension: s for s in result.dimensions}
    assert [s.dimension for s in result.dimensions] == [
        "people.ai",
        "people.culture",
        "technology.container-runtime",
    ]
    assert by_id["technology.container-runtime"].level == 2
    assert by_id["people.culture"].basis == "self-reported"
    assert by_id["people.ai"].basis == "none"
    assert result.aspects["people"].floor == 1
    assert result.aspects["technology"].floor == 2
    assert (result.overall.floor, result.overall.median) == (1, 1.5)
    doc = result.to_json()
    assert set(doc) >= {"scope", "dimensions", "aspects", "overall"}
    assert doc["scope"] == {"kind": "team", "name": "payments", "parent": "acme"}
    assert set(doc["dimensions"][0]) == {
        "id",
        "level",
        "progress",
        "confidence",
        "basis",
        "applicable",
    }
    assert doc["aspects"] == [
        {"id": "people", "floor": 1, "median": 1.0},
        {"id": "technology", "floor": 2, "median": 2.0},
    ]
    assert doc["overall"] == {"floor": 1, "median": 1.5}


def test_code_defaults_match_the_cnmm_yaml_defaults() -> None:
    from cnmm.config import ScoringConfig
    from cnmm.scoring import DEFAULT_PARTIAL_CREDIT, DEFAULT_QUICK_CONFIDENCE

    config = ScoringConfig()
    assert config.partial_credit == DEFAULT_PARTIAL_CREDIT
    assert config.quick_confidence == DEFAULT_QUICK_CONFIDENCE
