"""Writing assessments: the commented YAML loads back unchanged; templates and handouts."""

from __future__ import annotations

import dataclasses
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from cnmm.assessment.loader import parse_assessment
from cnmm.assessment.model import STATES, Assessment, Assessor, DimensionAnswer, Scope
from cnmm.assessment.render import (
    blank_assessment,
    render_assessment,
    render_markdown,
    scalar,
    select_dimensions,
)
from tests.scoring.mini import mini_catalog

CATALOG = mini_catalog()
TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufeff")
    | st.sampled_from(["\n", "\t", ":", "#", "'", '"', " ", "-", "{", "}"]),
    min_size=1,
    max_size=40,
)


@st.composite
def answers(draw: st.DrawFn, dimension_id: str) -> DimensionAnswer:
    dimension = CATALOG.dimension(dimension_id)
    notes = draw(st.none() | TEXT)
    evidence = tuple(draw(st.lists(TEXT, max_size=2)))
    if draw(st.booleans()):
        return DimensionAnswer(
            mode="quick",
            level=draw(st.none() | st.integers(0, 5)),
            confidence=draw(st.none() | st.floats(0, 1)),
            notes=notes,
            evidence=evidence,
        )
    criteria, pending, criterion_notes = {}, [], {}
    for criterion in dimension.criteria():
        choice = draw(st.sampled_from([*STATES, "pending", "absent"]))
        if choice == "pending":
            pending.append(criterion.id)
        elif choice != "absent":
            criteria[criterion.id] = choice
        if choice != "absent" and draw(st.booleans()):
            criterion_notes[criterion.id] = draw(TEXT)
    return DimensionAnswer(
        mode="detailed",
        notes=notes,
        evidence=evidence,
        criteria=criteria,
        criterion_notes=criterion_notes,
        pending=tuple(pending),
    )


@st.composite
def assessments(draw: st.DrawFn) -> Assessment:
    chosen = draw(st.lists(st.sampled_from([d.id for d in CATALOG.dimensions()]), unique=True))
    return Assessment(
        model=CATALOG.version,
        scope=Scope(
            kind=draw(st.sampled_from(["organisation", "team", "application"])),
            name=draw(TEXT),
            parent=draw(st.none() | TEXT),
        ),
        date=draw(st.dates(date(2000, 1, 1), date(2100, 1, 1))),
        assessors=tuple(
            Assessor(name, role)
            for name, role in draw(st.lists(st.tuples(TEXT, st.none() | TEXT), max_size=2))
        ),
        targets=draw(
            st.dictionaries(
                st.sampled_from(["people", "technology.security-policy"]), st.integers(1, 5)
            )
        ),
        answers={d.id: draw(answers(d.id)) for d in CATALOG.dimensions() if d.id in chosen},
    )


@settings(max_examples=150, deadline=None)
@given(assessments(), st.booleans())
def test_rendered_files_load_back_unchanged(assessment: Assessment, comments: bool) -> None:
    text = render_assessment(assessment, CATALOG, comments=comments)
    loaded = parse_assessment(text, "round-trip.yaml", CATALOG)
    assert dataclasses.replace(loaded, path=None) == assessment


def test_scalars_that_yaml_would_misread_are_quoted() -> None:
    for tricky in ["yes", "no", "null", "1.0", "2026-01-01", "a: b", "x # y", " padded", "~"]:
        assert scalar(tricky).startswith('"'), tricky
    assert scalar("payments") == "payments"
    import yaml

    for number in (1e-05, 0.1, 1.0, 2.5e-10, 0.0):
        assert yaml.safe_load(scalar(number)) == number
    assert scalar(None) == ""


def test_blank_templates_validate_and_carry_the_models_text() -> None:
    dims = select_dimensions(CATALOG, ["people", "technology.container-runtime"])
    assert [d.id for d in dims] == ["people.ai", "people.culture", "technology.container-runtime"]
    scope = Scope("team", "payments")
    for detailed in (False, True):
        blank = blank_assessment(
            CATALOG, dims, detailed=detailed, scope=scope, today=date(2026, 11, 23)
        )
        text = render_assessment(blank, CATALOG)
        loaded = parse_assessment(text, "t.yaml", CATALOG)
        assert not any(a.answered for a in loaded.answers.values())
        runtime = CATALOG.dimension("technology.container-runtime")
        if detailed:
            assert loaded.pending_count() == sum(len(list(d.criteria())) for d in dims)
            for criterion in runtime.criteria():
                assert criterion.statement in text
            assert "Level 5 Adapt: not defined by the model" in text
        else:
            assert loaded.pending_count() == 3
            for level in runtime.levels:
                assert level.summary in text
            assert "Pick the lower one" in text


def test_markdown_questionnaire_lists_levels_or_questions() -> None:
    dims = select_dimensions(CATALOG, ["technology"])
    quick = render_markdown(CATALOG, dims, detailed=False)
    assert quick.startswith("# Test Maturity Model 4.0-beta")
    assert "## Technology" in quick and "## People" not in quick
    assert "Pick the lower one" in quick
    assert quick.count("| [ ] |") == 2 * 6
    detailed = render_markdown(CATALOG, dims, detailed=True)
    for criterion in CATALOG.dimension("technology.security-policy").criteria():
        assert f"| `{criterion.id}` | {criterion.question} |" in detailed
