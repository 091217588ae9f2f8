"""Typed, immutable answers of one self-assessment (one scope, one assessment file).

An assessment answers some dimensions of the model, each either *quick* (one stated level,
0..5) or *detailed* (a state for each criterion). Items listed but not answered yet (a blank
template, a questionnaire in progress) are kept as `pending`, so the file itself records what
is still to be asked.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date as Date
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from cnmm.catalog.model import Catalog

FORMAT = "assessment/v1"
STATES: tuple[str, ...] = ("met", "partial", "not-met", "not-applicable", "unknown")
SCOPE_KINDS: tuple[str, ...] = ("organisation", "team", "application")
Mode = Literal["quick", "detailed"]


@dataclass(frozen=True)
class Scope:
    """What the answers describe: an organisation, a team or an application."""

    kind: str
    name: str
    parent: str | None = None

    def to_json(self) -> dict[str, str | None]:
        """JSON form: kind, name and parent (null when none)."""
        return {"kind": self.kind, "name": self.name, "parent": self.parent}


@dataclass(frozen=True)
class Assessor:
    """A person who gave the answers."""

    name: str
    role: str | None = None


@dataclass(frozen=True)
class DimensionAnswer:
    """The answer for one dimension, quick (`level`) or detailed (`criteria`).

    `criteria` holds answered criteria only (criterion id -> state); criteria listed without
    a state yet are in `pending`. `criterion_notes` holds notes given for single criteria.
    """

    mode: Mode = "quick"
    level: int | None = None
    confidence: float | None = None
    notes: str | None = None
    evidence: tuple[str, ...] = ()
    criteria: dict[str, str] = field(default_factory=dict)
    criterion_notes: dict[str, str] = field(default_factory=dict)
    pending: tuple[str, ...] = ()

    @property
    def answered(self) -> bool:
        """True when the dimension has a stated level or at least one criterion state."""
        return self.level is not None if self.mode == "quick" else bool(self.criteria)

    def with_level(self, level: int | None, confidence: float | None = None) -> DimensionAnswer:
        """A copy with a quick level (and confidence) set."""
        return replace(self, level=level, confidence=confidence)

    def with_state(self, criterion_id: str, state: str) -> DimensionAnswer:
        """A copy with one criterion answered (it leaves `pending`)."""
        if state not in STATES:
            raise ValueError(f"unknown state {state!r}")
        return replace(
            self,
            criteria={**self.criteria, criterion_id: state},
            pending=tuple(c for c in self.pending if c != criterion_id),
        )

    def with_criterion_note(self, criterion_id: str, note: str) -> DimensionAnswer:
        """A copy with a note on one criterion."""
        return replace(self, criterion_notes={**self.criterion_notes, criterion_id: note})

    def with_notes(self, notes: str | None) -> DimensionAnswer:
        """A copy with the dimension's notes replaced."""
        return replace(self, notes=notes)


@dataclass(frozen=True)
class Assessment:
    """One assessment file: scope, who and when, optional targets, and the answers."""

    model: str
    scope: Scope
    date: Date
    assessors: tuple[Assessor, ...] = ()
    targets: dict[str, int] = field(default_factory=dict)
    answers: dict[str, DimensionAnswer] = field(default_factory=dict)
    path: str | None = None

    def with_answer(self, dimension_id: str, answer: DimensionAnswer) -> Assessment:
        """A copy with one dimension's answer replaced (order of dimensions kept)."""
        return replace(self, answers={**self.answers, dimension_id: answer})

    def pending_count(self, catalog: Catalog | None = None) -> int:
        """How many items (quick levels and criteria) are still unanswered.

        Without a catalog only criteria listed with an empty state count; with one, every
        criterion of a detailed dimension that has no state counts (as the questionnaire asks).
        """
        count = 0
        for dimension_id, answer in self.answers.items():
            if answer.mode == "quick":
                count += answer.level is None
            elif catalog is not None:
                every = [c.id for c in catalog.dimension(dimension_id).criteria()]
                count += sum(cid not in answer.criteria for cid in every)
            else:
                count += len(answer.pending)
        return count
