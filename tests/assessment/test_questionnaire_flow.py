"""The questionnaire flow, driven by a scripted terminal (the real one is tested over a pty)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

import pytest
from rich.console import Console

from cnmm import questionnaire as flow
from cnmm.assessment.loader import parse_assessment
from cnmm.assessment.model import Assessment, Scope
from cnmm.assessment.render import blank_assessment, render_assessment, select_dimensions
from tests.scoring.mini import mini_catalog

CATALOG = mini_catalog()


class ScriptedTerminal:
    """A Terminal that types the given lines and records everything shown (a test double)."""

    def __init__(self, lines: Iterable[str], interrupt_after: int | None = None) -> None:
        self.lines = list(lines)
        self.asked = 0
        self.interrupt_after = interrupt_after
        self.console = Console(record=True, width=100, color_system=None)

    def show(self, *objects: Any) -> None:
        for item in objects:
            self.console.print(item)

    def ask(self, prompt: str) -> str:
        if self.interrupt_after is not None and self.asked == self.interrupt_after:
            raise KeyboardInterrupt
        self.console.print(prompt, end="")
        if not self.lines:
            raise EOFError
        self.asked += 1
        line = self.lines.pop(0)
        self.console.print(line)
        return line

    @property
    def text(self) -> str:
        return " ".join(self.console.export_text(clear=False).split())


def blank(detailed: bool, *ids: str) -> Assessment:
    return blank_assessment(
        CATALOG,
        select_dimensions(CATALOG, ids),
        detailed=detailed,
        scope=Scope("team", "payments"),
        today=date(2026, 11, 23),
    )


def test_parsers_accept_words_letters_and_commands() -> None:
    assert flow.parse_state("m") == "met"
    assert flow.parse_state(" Not Met ") == "not-met"
    assert flow.parse_state("n/a") == "not-applicable"
    assert flow.parse_state("don't know") == "unknown"
    assert flow.parse_state("s") == "skip"
    assert flow.parse_state("t") == "note"
    assert flow.parse_state("") is None
    assert flow.parse_state("maybe") is None
    assert flow.parse_level("3") == 3
    assert flow.parse_level("6") is None
    assert flow.parse_level("q") == "quit"
    assert flow.parse_confidence("80%") == 0.8
    assert flow.parse_confidence("0.25") == 0.25
    assert flow.parse_confidence("") is None
    assert flow.parse_confidence("lots") == "invalid"


def test_quick_mode_shows_the_level_summaries_and_saves_after_each_answer() -> None:
    saves: list[Assessment] = []
    term = ScriptedTerminal(["7", "2", "70", "t", "CI only", "1", ""])
    outcome = flow.run(blank(False, "people"), CATALOG, term, saves.append)
    ai, culture = (
        outcome.assessment.answers["people.ai"],
        outcome.assessment.answers["people.culture"],
    )
    assert (ai.level, ai.confidence) == (2, 0.7)
    assert (culture.level, culture.confidence, culture.notes) == (1, None, "CI only")
    assert (outcome.answered, outcome.skipped, outcome.stopped) == (2, 0, False)
    # one save per answer plus one for the note
    assert len(saves) == 3
    assert (
        saves[0].answers["people.ai"].level == 2
        and saves[0].answers["people.culture"].level is None
    )
    for level in CATALOG.dimension("people.ai").levels[:4]:
        assert level.summary in term.text
    assert "Pick the lower one" in term.text
    assert "0-5" in term.text  # an invalid level shows the help


def test_detailed_mode_asks_each_criterion_with_its_context() -> None:
    runtime = CATALOG.dimension("technology.container-runtime")
    criteria = [c.id for c in runtime.criteria()]
    script = ["m", "p", "s", "t", "only staging", "a", "u", "maybe", "n", "q"]
    saves: list[Assessment] = []
    term = ScriptedTerminal(script)
    outcome = flow.run(blank(True, "technology.container-runtime"), CATALOG, term, saves.append)
    answer = outcome.assessment.answers["technology.container-runtime"]
    assert answer.criteria == {
        criteria[0]: "met",
        criteria[1]: "partial",
        criteria[3]: "not-applicable",
        criteria[4]: "unknown",
        criteria[5]: "not-met",
    }
    assert answer.criterion_notes == {criteria[3]: "only staging"}
    assert criteria[2] in answer.pending  # skipped: asked again on resume
    assert outcome.stopped and outcome.skipped == 1 and outcome.answered == 5
    first = runtime.criteria().__next__()
    assert first.question in term.text and first.statement in term.text
    assert runtime.level(1).summary in term.text
    # "maybe" is not an answer: the choices are shown again
    assert "met partial not met not-applicable unknown s skip" in term.text


def test_interrupting_keeps_every_saved_answer_and_resume_asks_what_is_left() -> None:
    start = blank(True, "people.ai")
    saved: list[Assessment] = []
    term = ScriptedTerminal(["m", "m", "p"], interrupt_after=3)
    with pytest.raises(KeyboardInterrupt):
        flow.run(start, CATALOG, term, saved.append)
    text = render_assessment(saved[-1], CATALOG)
    reloaded = parse_assessment(text, "people.yaml", CATALOG)
    assert len(reloaded.answers["people.ai"].criteria) == 3
    remaining = flow.pending_items(reloaded, CATALOG)
    assert remaining[0].criterion is not None
    assert remaining[0].criterion.id == "people.ai.l2.c2"
    outcome = flow.run(reloaded, CATALOG, ScriptedTerminal(["m"] * 5), lambda a: None)
    answer = outcome.assessment.answers["people.ai"]
    assert answer.pending == ()
    assert answer.criteria["people.ai.l2.c1"] == "partial"
    assert len(answer.criteria) == 8


def test_setup_asks_scope_mode_and_aspects() -> None:
    term = ScriptedTerminal(["x", "t", "payments", "acme", "Ana", "SRE", "d", "9", "2"])
    assessment = flow.setup(CATALOG, term, today=date(2026, 11, 23))
    assert assessment.scope == Scope("team", "payments", "acme")
    assert assessment.assessors[0].name == "Ana"
    assert list(assessment.answers) == [
        "technology.container-runtime",
        "technology.security-policy",
    ]
    assert all(a.mode == "detailed" for a in assessment.answers.values())
    assert "level 5 for one application" in term.text
    assert "Not an aspect or dimension: 9" in term.text


def test_setup_skips_questions_given_as_options() -> None:
    term = ScriptedTerminal([""])  # only the assessor's name is asked
    assessment = flow.setup(
        CATALOG,
        term,
        today=date(2026, 11, 23),
        kind="organisation",
        name="acme",
        detailed=False,
        aspects=["people.ai"],
    )
    assert assessment.scope == Scope("organisation", "acme", None)
    assert list(assessment.answers) == ["people.ai"]
    assert term.asked == 1


def test_end_of_input_stops_like_quit() -> None:
    outcome = flow.run(blank(False, "people"), CATALOG, ScriptedTerminal([]), lambda a: None)
    assert outcome.stopped and outcome.answered == 0


def test_criteria_left_out_of_a_hand_written_file_are_asked_too() -> None:
    text = (
        "cnmm: assessment/v1\nmodel: 4.0-beta\nscope: {kind: team, name: x}\ndate: 2026-11-23\n"
        "answers:\n  people.ai:\n    criteria:\n      people.ai.l1.c1: met\n"
    )
    assessment = parse_assessment(text, "hand.yaml", CATALOG)
    assert assessment.pending_count() == 0
    assert assessment.pending_count(CATALOG) == 7
    items = flow.pending_items(assessment, CATALOG)
    assert [i.criterion.id for i in items if i.criterion][:2] == [
        "people.ai.l1.c2",
        "people.ai.l2.c1",
    ]
