"""Property tests: the gated method's promises hold for any dimension shape and any answers."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from cnmm.catalog.model import Dimension
from cnmm.scoring import score_dimension
from tests.scoring.mini import make_dimension

ANSWERS = ["met", "partial", "not-met", "not-applicable", "unknown", None]  # None = omitted


@st.composite
def dimensions(draw: st.DrawFn) -> Dimension:
    undefined = draw(st.sets(st.integers(2, 5), max_size=2))
    counts = draw(st.lists(st.integers(1, 4), min_size=5, max_size=5))
    return make_dimension("technology.generated", counts, undefined=tuple(undefined))


@st.composite
def answered(draw: st.DrawFn) -> tuple[Dimension, dict[str, str]]:
    dimension = draw(dimensions())
    verdicts = {}
    for criterion in dimension.criteria():
        state = draw(st.sampled_from(ANSWERS))
        if state is not None:
            verdicts[criterion.id] = state
    return dimension, verdicts


def expected_level(dimension: Dimension, verdicts: dict[str, str]) -> int:
    """The definition, written independently: the highest L with every level <= L satisfied."""
    best = 0
    for level in dimension.levels:
        applicable = [
            verdicts.get(c.id) for c in level.criteria if verdicts.get(c.id) != "not-applicable"
        ]
        if level.defined and any(state != "met" for state in applicable):
            break
        best = level.level
    return best


@settings(max_examples=300, deadline=None)
@given(answered(), st.data())
def test_adding_a_met_answer_never_lowers_the_level(case, data) -> None:
    dimension, verdicts = case
    before = score_dimension(dimension, verdicts)
    criterion = data.draw(st.sampled_from([c.id for c in dimension.criteria()]))
    after = score_dimension(dimension, {**verdicts, criterion: "met"})
    assert after.applicable
    if before.applicable:
        assert after.level is not None and before.level is not None
        assert after.level >= before.level


@settings(max_examples=300, deadline=None)
@given(answered(), st.data())
def test_marking_a_criterion_not_applicable_never_lowers_the_level(case, data) -> None:
    dimension, verdicts = case
    before = score_dimension(dimension, verdicts)
    criterion = data.draw(st.sampled_from([c.id for c in dimension.criteria()]))
    after = score_dimension(dimension, {**verdicts, criterion: "not-applicable"})
    if after.applicable:
        assert before.applicable
        assert after.level is not None and before.level is not None
        assert after.level >= before.level
    else:
        assert all(
            {**verdicts, criterion: "not-applicable"}.get(c.id) == "not-applicable"
            for c in dimension.criteria()
        )


@settings(max_examples=400, deadline=None)
@given(answered(), st.floats(0, 1))
def test_the_gate_holds(case, partial_credit) -> None:
    dimension, verdicts = case
    score = score_dimension(dimension, verdicts, partial_credit=partial_credit)
    if not score.applicable:
        assert all(verdicts.get(c.id) == "not-applicable" for c in dimension.criteria())
        return
    assert score.level == expected_level(dimension, verdicts)
    assert score.level is not None
    for level in dimension.levels[: score.level]:
        assert not level.defined or score.levels[level.level - 1].achieved
    if score.level < 5:
        blocking = score.levels[score.level]
        assert blocking.defined and not blocking.achieved
        assert score.next_level == score.level + 1
    assert score.achieved == {lv.level for lv in dimension.levels[: score.level] if lv.defined}
    assert 0.0 <= score.progress <= 1.0
    assert 0.0 <= score.confidence <= 1.0


@settings(max_examples=200, deadline=None)
@given(answered())
def test_confidence_is_full_only_when_nothing_deciding_is_unknown(case) -> None:
    dimension, verdicts = case
    score = score_dimension(dimension, verdicts)
    if not score.applicable or score.level is None:
        return
    last = score.next_level or 5
    deciding = [c for lv in dimension.levels[:last] for c in lv.criteria]
    open_items = [
        c for c in deciding if verdicts.get(c.id) is None or verdicts.get(c.id) == "unknown"
    ]
    assert (score.confidence == 1.0) == (not open_items)
