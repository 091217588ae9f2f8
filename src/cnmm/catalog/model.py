"""Typed, immutable view of the CNMM catalog."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

Effort = Literal["low", "medium", "high"]
LEVEL_NAMES: dict[int, str] = {1: "Build", 2: "Operate", 3: "Scale", 4: "Improve", 5: "Adapt"}


@dataclass(frozen=True)
class Source:
    """Where in the seed text a piece of the catalog comes from."""

    file: str
    section: str
    level: int | None = None

    def cite(self) -> str:
        """Human citation, e.g. `technology.md § Security and Policy, level 2`."""
        text = f"{self.file} § {self.section}"
        return f"{text}, level {self.level}" if self.level else text


@dataclass(frozen=True)
class Project:
    """A project (or specification, or product) the model names, with its CNCF maturity.

    `maturity` is a fact on the catalog's `projects_as_of` date; `verified` says whether it
    was confirmed against a public source on that date.
    """

    name: str
    maturity: str
    url: str | None = None
    description: str = ""
    aliases: tuple[str, ...] = ()
    part_of: str | None = None
    kind: str = "project"
    verified: bool = False


@dataclass(frozen=True)
class Evidence:
    """Rules that can verify a criterion and the pass share they must reach.

    `match` "all" pools the findings of every cited rule into one pass share; "any" is met
    when at least one rule alone reaches the threshold (alternatives such as Terraform *or*
    Crossplane).
    """

    rules: tuple[str, ...] = ()
    threshold: float | None = None
    match: str = "all"


@dataclass(frozen=True)
class Criterion:
    """One checkable statement in one cell (dimension x level) of the model."""

    id: str
    dimension: str
    level: int
    statement: str
    question: str
    effort: Effort
    remediation: str
    evidence: Evidence
    projects: tuple[str, ...]
    source: Source


@dataclass(frozen=True)
class Level:
    """One level of one dimension."""

    level: int
    name: str
    defined: bool
    summary: str
    criteria: tuple[Criterion, ...]


@dataclass(frozen=True)
class Dimension:
    """A dimension of an aspect, with its five levels."""

    id: str
    aspect: str
    name: str
    description: str
    source: Source
    levels: tuple[Level, ...]

    def level(self, number: int) -> Level:
        """The level with this number (1..5)."""
        return self.levels[number - 1]

    def criteria(self) -> Iterator[Criterion]:
        """Every criterion of every level, in level order."""
        for level in self.levels:
            yield from level.criteria


@dataclass(frozen=True)
class Aspect:
    """One of the five aspects of the model."""

    id: str
    name: str
    description: str
    level_overview: dict[int, str]
    source: Source
    dimensions: tuple[Dimension, ...]


@dataclass(frozen=True)
class Catalog:
    """The whole model: aspects, dimensions, criteria and supporting data."""

    name: str
    version: str
    licence: str
    attribution: str
    level_summaries: dict[int, str]
    aspects: tuple[Aspect, ...]
    projects: dict[str, Project]
    projects_as_of: str = ""
    kpis: Any = None  # kpis.yaml as written: {source, levels: [{level, name, focus, kpis}]}
    certifications: Any = None  # list of {id, name, kind, levels, requires, ...}
    certification_guidance: Any = None  # {source, guidance} from certifications.yaml
    prerequisites: Any = None  # prerequisites.yaml as written
    _index: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def dimensions(self) -> Iterator[Dimension]:
        """Every dimension, in model order."""
        for aspect in self.aspects:
            yield from aspect.dimensions

    def criteria(self) -> Iterator[Criterion]:
        """Every criterion, in model order."""
        for dimension in self.dimensions():
            yield from dimension.criteria()

    def find(self, item_id: str) -> Aspect | Dimension | Criterion | None:
        """Look up an aspect, dimension or criterion by ID."""
        if not self._index:
            for aspect in self.aspects:
                self._index[aspect.id] = aspect
                for dimension in aspect.dimensions:
                    self._index[dimension.id] = dimension
                    for criterion in dimension.criteria():
                        self._index[criterion.id] = criterion
        return self._index.get(item_id)

    def dimension(self, dimension_id: str) -> Dimension:
        """The dimension with this ID; KeyError when there is none."""
        found = self.find(dimension_id)
        if not isinstance(found, Dimension):
            raise KeyError(dimension_id)
        return found

    def criterion(self, criterion_id: str) -> Criterion:
        """The criterion with this ID; KeyError when there is none."""
        found = self.find(criterion_id)
        if not isinstance(found, Criterion):
            raise KeyError(criterion_id)
        return found

    def aspect_of(self, dimension_id: str) -> Aspect:
        """The aspect a dimension belongs to."""
        for aspect in self.aspects:
            if any(d.id == dimension_id for d in aspect.dimensions):
                return aspect
        raise KeyError(dimension_id)
