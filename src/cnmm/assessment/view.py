"""Scores as rich renderables for the terminal (pure: data in, tables out)."""

from __future__ import annotations

from collections.abc import Sequence

from rich import box
from rich.markup import escape as esc
from rich.table import Table

from cnmm.catalog.model import Catalog
from cnmm.report.summary import number
from cnmm.scoring import AssessmentScore, DimensionScore, Rollup

FULL, EMPTY = "■", "□"


def level_bar(level: int | None) -> str:
    """`■■□□□ 2` for level 2; `n/a` handled by callers."""
    value = level or 0
    return f"{FULL * value}{EMPTY * (5 - value)} {value}"


def _short(dimension_id: str) -> str:
    return dimension_id.split(".", 1)[-1]


def _level_cell(score: DimensionScore | None) -> str:
    if score is None:
        return "[dim]-[/]"
    if not score.applicable:
        return "n/a"
    if score.level is None:
        return "[dim]-[/]"
    return level_bar(score.level)


def _progress_cell(score: DimensionScore) -> str:
    if not score.applicable or score.level is None:
        return ""
    if score.next_level is None:
        return "top"
    if score.basis == "self-reported":
        return "[dim]?[/]"
    return f"{score.progress:.0%} to {score.next_level}"


def _confidence_cell(score: DimensionScore, low: float) -> str:
    if score.level is None and score.applicable:
        return ""
    text = f"{score.confidence:.0%}"
    return f"[yellow]{text} low[/]" if score.confidence < low else text


def _basis_cell(score: DimensionScore) -> str:
    return "not answered" if score.basis == "none" else score.basis


def heading(result: AssessmentScore) -> str:
    """One line naming the scope, date, assessors and file."""
    a = result.assessment
    scope = f"[bold]{esc(a.scope.name)}[/] ({a.scope.kind}"
    scope += f", part of {esc(a.scope.parent)})" if a.scope.parent else ")"
    people = esc(", ".join(p.name + (f" ({p.role})" if p.role else "") for p in a.assessors))
    parts = [scope, a.date.isoformat()]
    if people:
        parts.append(people)
    parts.append(f"model {esc(a.model)}")
    if a.path:
        parts.append(esc(a.path))
    return " · ".join(parts)


def score_table(result: AssessmentScore, catalog: Catalog, low_confidence: float) -> Table:
    """Dimension, level bar, progress, confidence and basis, grouped by aspect."""
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    table.add_column("dimension", no_wrap=True)
    table.add_column("level", no_wrap=True)
    table.add_column("progress", no_wrap=True)
    table.add_column("confid.", no_wrap=True)
    table.add_column("basis")
    by_id = {s.dimension: s for s in result.dimensions}
    for aspect in catalog.aspects:
        mine = [by_id[d.id] for d in aspect.dimensions if d.id in by_id]
        if not mine:
            continue
        table.add_row(f"[bold]{esc(aspect.name)}[/]", "", "", "", "")
        for score in mine:
            table.add_row(
                f"  {_short(score.dimension)}",
                _level_cell(score),
                _progress_cell(score),
                _confidence_cell(score, low_confidence),
                _basis_cell(score),
            )
    return table


def _weakest(rollup: Rollup) -> str:
    if rollup.floor is None:
        return ""
    names = [_short(d) for d, level in rollup.profile.items() if level == rollup.floor]
    text = ", ".join(names[:2])
    return text + (f" +{len(names) - 2}" if len(names) > 2 else "")


def rollup_table(result: AssessmentScore, catalog: Catalog) -> Table:
    """Per aspect and overall: floor, median and the weakest dimensions."""
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    table.add_column("aspect", no_wrap=True)
    table.add_column("floor", justify="right")
    table.add_column("median", justify="right")
    table.add_column("weakest (the floor)")
    names = {a.id: a.name for a in catalog.aspects}
    for aspect_id, r in result.aspects.items():
        floor = "-" if r.floor is None else str(r.floor)
        name = esc(names.get(aspect_id, aspect_id))
        table.add_row(name, floor, number(r.median), _weakest(r))
    o = result.overall
    table.add_row(
        "[bold]overall[/]",
        "-" if o.floor is None else f"[bold]{o.floor}[/]",
        number(o.median),
        _weakest(o),
    )
    return table


def _compact_cell(score: DimensionScore | None, low: float, wide: bool) -> str:
    if score is None or (score.level is None and score.applicable):
        return "[dim]-[/]"
    if not score.applicable:
        return "n/a"
    marks = ("*" if score.basis == "self-reported" else "") + (
        "?" if score.confidence < low else ""
    )
    return (level_bar(score.level) if wide else str(score.level)) + marks


def side_by_side(
    results: Sequence[AssessmentScore], catalog: Catalog, low_confidence: float
) -> tuple[Table, Table]:
    """Levels of several assessments in columns, and their roll-ups in columns."""
    wide = len(results) <= 4
    levels = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    levels.add_column("dimension", no_wrap=True)
    rollups = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    rollups.add_column("floor / median", no_wrap=True)
    for result in results:
        name = esc(result.assessment.scope.name)
        levels.add_column(name, no_wrap=True, overflow="ellipsis", max_width=12)
        rollups.add_column(name, no_wrap=True, overflow="ellipsis", max_width=12)
    listed = {s.dimension for r in results for s in r.dimensions}
    maps = [{s.dimension: s for s in r.dimensions} for r in results]
    for aspect in catalog.aspects:
        mine = [d for d in aspect.dimensions if d.id in listed]
        if not mine:
            continue
        levels.add_row(f"[bold]{esc(aspect.name)}[/]", *["" for _ in results])
        for d in mine:
            levels.add_row(
                f"  {_short(d.id)}",
                *[_compact_cell(m.get(d.id), low_confidence, wide) for m in maps],
            )
        rollups.add_row(
            esc(aspect.name),
            *[_pair(r.aspects.get(aspect.id)) for r in results],
        )
    rollups.add_row("[bold]overall[/]", *[_pair(r.overall) for r in results])
    return levels, rollups


def _pair(rollup: Rollup | None) -> str:
    if rollup is None or rollup.floor is None:
        return "-"
    return f"{rollup.floor} / {number(rollup.median)}"
