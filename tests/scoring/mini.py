"""A small catalog built in code, for tests that must not depend on the bundled model data."""

from __future__ import annotations

from collections.abc import Sequence

from cnmm.catalog.model import (
    LEVEL_NAMES,
    Aspect,
    Catalog,
    Criterion,
    Dimension,
    Evidence,
    Level,
    Source,
)


def make_dimension(
    dimension_id: str,
    counts: Sequence[int] = (2, 2, 2, 2, 2),
    undefined: Sequence[int] = (),
) -> Dimension:
    """A dimension with `counts[i]` criteria at level i+1; levels in `undefined` have none."""
    aspect = dimension_id.split(".", 1)[0]
    levels = []
    for number in range(1, 6):
        defined = number not in undefined
        count = counts[number - 1] if defined else 0
        criteria = tuple(
            Criterion(
                id=f"{dimension_id}.l{number}.c{index}",
                dimension=dimension_id,
                level=number,
                statement=f"Statement {index} of level {number} of {dimension_id}.",
                question=f"Is statement {index} of level {number} true?",
                effort="low",
                remediation="Do it.",
                evidence=Evidence(),
                projects=(),
                source=Source("test.md", "Test", number),
            )
            for index in range(1, count + 1)
        )
        levels.append(
            Level(
                level=number,
                name=LEVEL_NAMES[number],
                defined=defined,
                summary=f"Summary of level {number} of {dimension_id}." if defined else "",
                criteria=criteria,
            )
        )
    return Dimension(
        id=dimension_id,
        aspect=aspect,
        name=dimension_id.split(".", 1)[1].replace("-", " ").title(),
        description=f"What {dimension_id} is about.",
        source=Source("test.md", "Test"),
        levels=tuple(levels),
    )


def mini_catalog() -> Catalog:
    """Two aspects, four dimensions; people.ai leaves level 5 undefined like the real model."""
    technology = (
        make_dimension("technology.container-runtime", (2, 3, 2, 2, 2)),
        make_dimension("technology.security-policy", (2, 2, 2, 2, 2)),
    )
    people = (
        make_dimension("people.ai", (2, 2, 2, 2), undefined=(5,)),
        make_dimension("people.culture", (3, 2, 2, 2, 2)),
    )
    return Catalog(
        name="Test Maturity Model",
        version="4.0-beta",
        licence="CC-BY-4.0",
        attribution="test",
        level_summaries={n: f"Level {n}" for n in range(1, 6)},
        aspects=(
            Aspect("people", "People", "People.", {}, Source("p.md", "P"), people),
            Aspect("technology", "Technology", "Tech.", {}, Source("t.md", "T"), technology),
        ),
        projects={},
    )
