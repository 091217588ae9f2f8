"""Assessment files and questionnaires as text (pure): commented YAML and a Markdown handout.

`render_assessment` writes an assessment as a reviewable YAML file: each dimension carries
its level summaries (quick) or each criterion's statement (detailed) as comments, so a
reviewer sees what was answered without opening the model. Loading the text gives back an
equal assessment; the questionnaire saves through it after every answer.
"""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Iterable, Sequence
from datetime import date as Date

import yaml

from cnmm.assessment.model import FORMAT, STATES, Assessment, DimensionAnswer, Scope
from cnmm.catalog.model import Aspect, Catalog, Dimension

WIDTH = 96
NOT_STARTED = "Not started: the level-1 practices are not in place yet."
IN_BETWEEN = (
    "In between two levels? Pick the lower one: a level counts only when all of it is in place."
)
_PLAIN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._/@()+,-]*$")


def select_dimensions(catalog: Catalog, selection: Iterable[str] = ()) -> list[Dimension]:
    """Dimensions for aspect or dimension IDs (model order); all when `selection` is empty.

    Raises KeyError naming the first ID that is neither.
    """
    chosen = list(selection)
    if not chosen:
        return list(catalog.dimensions())
    wanted: set[str] = set()
    for item in chosen:
        found = catalog.find(item)
        if isinstance(found, Aspect):
            wanted.update(d.id for d in found.dimensions)
        elif isinstance(found, Dimension):
            wanted.add(item)
        else:
            raise KeyError(item)
    return [d for d in catalog.dimensions() if d.id in wanted]


def blank_assessment(
    catalog: Catalog,
    dimensions: Sequence[Dimension],
    *,
    detailed: bool,
    scope: Scope,
    today: Date,
    assessors: Sequence[tuple[str, str | None]] = (),
) -> Assessment:
    """An assessment listing `dimensions` with nothing answered yet."""
    from cnmm.assessment.model import Assessor

    answers = {
        d.id: (
            DimensionAnswer(mode="detailed", pending=tuple(c.id for c in d.criteria()))
            if detailed
            else DimensionAnswer(mode="quick")
        )
        for d in dimensions
    }
    return Assessment(
        model=catalog.version,
        scope=scope,
        date=today,
        assessors=tuple(Assessor(name, role) for name, role in assessors),
        answers=answers,
    )


def scalar(value: object) -> str:
    """One YAML scalar: plain when unambiguous, else double-quoted (JSON style, valid YAML)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return repr(value)
    if isinstance(value, float):
        text = repr(value)
        if "e" in text and "." not in text:
            # YAML 1.1 (PyYAML) reads 1e-05 as text; 1.0e-05 is a float
            mantissa, exponent = text.split("e")
            text = f"{mantissa}.0e{exponent}"
        return text
    text = str(value)
    if _PLAIN.match(text) and yaml.safe_load(text) == text:
        return text
    return json.dumps(text, ensure_ascii=False)


def _comment(text: str, indent: int, first: str = "", rest: str | None = None) -> list[str]:
    pad = " " * indent
    rest = first if rest is None else rest
    lines = textwrap.wrap(
        " ".join(text.split()),
        width=max(40, WIDTH - indent - 2),
        initial_indent=first,
        subsequent_indent=rest,
    )
    return [f"{pad}# {line}".rstrip() for line in lines] or [f"{pad}#"]


def _line(indent: int, key: str, value: str, comment: str | None = None) -> str:
    text = f"{' ' * indent}{key}:" + (f" {value}" if value else "")
    return f"{text}  # {comment}" if comment else text


HEADER = f"""\
# cnmm self-assessment: answers to the CNCF Cloud Native Maturity Model, kept as code.
# Format: docs/assessment-format.md. Check: `cnmm validate FILE`. Score: `cnmm score FILE`.
#
# How to answer
# - Answer for this scope only (one team or application gives the clearest picture): the
#   model says an organisation can be at level 5 for one application and level 2 for another.
# - Quick answers: `level` is the level that fits best, 0 (not started) to 5.
#   In between two levels? Pick the lower one: a level counts only when all of it is in place.
# - Detailed answers: each criterion is one of {" | ".join(STATES)}.
#   Leave it empty while not answered. `unknown` lowers confidence instead of the level.
#   A criterion can carry a note: {{state: partial, note: "only in production"}}.
"""


def render_assessment(assessment: Assessment, catalog: Catalog, *, comments: bool = True) -> str:
    """The assessment as a YAML file (comments give the model's text for each item)."""
    out: list[str] = [HEADER.rstrip("\n")] if comments else []
    out.append(f"cnmm: {FORMAT}")
    out.append(f"model: {scalar(assessment.model)}")
    scope = assessment.scope
    out.append("scope:")
    out.append(_line(2, "kind", scope.kind, "organisation | team | application" * comments))
    out.append(_line(2, "name", scalar(scope.name)))
    if scope.parent is not None:
        out.append(_line(2, "parent", scalar(scope.parent)))
    elif comments:
        out.append("  # parent: acme  # optional: the organisation or team this belongs to")
    if assessment.assessors:
        out.append("assessors:")
        for person in assessment.assessors:
            out.append(f"  - name: {scalar(person.name)}")
            if person.role is not None:
                out.append(f"    role: {scalar(person.role)}")
    else:
        out.append("assessors: []" + ("  # e.g. - {name: Ana, role: SRE}" if comments else ""))
    out.append(f"date: {assessment.date.isoformat()}")
    if assessment.targets:
        out.append("targets:")
        out.extend(_line(2, k, str(v)) for k, v in assessment.targets.items())
    elif comments:
        out.append("# targets: {technology.container-runtime: 3}  # optional; else cnmm.yaml")
    if not assessment.answers:
        out.append("answers: {}")
        return "\n".join(out) + "\n"
    out.append("answers:")
    order = {d.id: i for i, d in enumerate(catalog.dimensions())}
    for dimension_id in sorted(assessment.answers, key=lambda d: order.get(d, len(order))):
        dimension = catalog.dimension(dimension_id)
        answer = assessment.answers[dimension_id]
        if comments:
            aspect = catalog.aspect_of(dimension_id)
            out.append("")
            title = f"-- {aspect.name} / {dimension.name} "
            out.append(f"  # {title}{'-' * max(3, WIDTH - len(title) - 4)}")
            out.extend(_comment(dimension.description, 2))
        out.append(f"  {dimension_id}:")
        if answer.mode == "quick":
            out.extend(_quick_lines(dimension, answer, comments))
        else:
            out.extend(_detailed_lines(dimension, answer, comments))
        if answer.notes is not None:
            out.append(_line(4, "notes", scalar(answer.notes)))
        elif comments:
            out.append('    # notes: "why this answer, what is missing"')
        if answer.evidence:
            out.append("    evidence:")
            out.extend(f"      - {scalar(link)}" for link in answer.evidence)
        elif comments:
            out.append("    # evidence: [https://wiki.example.com/page]  # links people cite")
    return "\n".join(out) + "\n"


def _quick_lines(dimension: Dimension, answer: DimensionAnswer, comments: bool) -> list[str]:
    out = []
    if comments:
        out.append("    # Which level fits best?")
        out.extend(_comment(NOT_STARTED, 4, "0 ", "  "))
        for level in dimension.levels:
            summary = level.summary if level.defined else "(not defined by the model yet)"
            first = f"{level.level} {level.name}: "
            out.extend(_comment(summary, 4, first, " " * 2))
        out.extend(_comment(IN_BETWEEN, 4))
    out.append(_line(4, "level", scalar(answer.level), "0..5" if comments else None))
    if answer.confidence is not None:
        out.append(_line(4, "confidence", scalar(answer.confidence)))
    elif comments:
        out.append("    # confidence: 0.8  # optional: how sure you are, 0..1")
    return out


def _detailed_lines(dimension: Dimension, answer: DimensionAnswer, comments: bool) -> list[str]:
    listed = set(answer.criteria) | set(answer.pending) | set(answer.criterion_notes)
    out = ["    criteria:"]
    any_listed = False
    for level in dimension.levels:
        mine = [c for c in level.criteria if c.id in listed]
        if comments and (mine or not level.defined):
            head = f"Level {level.level} {level.name}: "
            summary = level.summary if level.defined else "not defined by the model (skipped)"
            out.extend(_comment(summary, 6, head, "  "))
        for criterion in mine:
            any_listed = True
            if comments:
                out.extend(_comment(criterion.statement, 6, "- ", "  "))
            state = answer.criteria.get(criterion.id)
            note = answer.criterion_notes.get(criterion.id)
            if note is not None:
                value = f"{{state: {scalar(state) or 'null'}, note: {scalar(note)}}}"
            else:
                value = scalar(state)
            out.append(_line(6, criterion.id, value))
    if not any_listed:
        out[0] = "    criteria: {}"
    return out


# --- Markdown questionnaire for workshops --------------------------------------------------


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def render_markdown(catalog: Catalog, dimensions: Sequence[Dimension], *, detailed: bool) -> str:
    """A printable questionnaire: quick (one level per dimension) or detailed (per criterion)."""
    mode = "detailed" if detailed else "quick"
    out = [
        f"# {catalog.name} {catalog.version}: self-assessment questionnaire ({mode})",
        "",
        "| Scope (organisation / team / application) | Part of | Assessors | Date |",
        "| --- | --- | --- | --- |",
        "|  |  |  |  |",
        "",
        "## How to answer",
        "",
        "- Answer for the scope above only. The model says an organisation can be at level 5 "
        "for one application and level 2 for another, so one team or application at a time "
        "gives the clearest picture.",
    ]
    if detailed:
        out += [
            "- For each statement write one of: **met**, **partial**, **not met**, **n/a** "
            "(does not apply here), **unknown** (nobody present knows). Unknown is better than "
            "a guess: it lowers the confidence of the result, not the level.",
            "- A level counts only when every statement of it that applies is met, and the "
            "levels below it count too.",
        ]
    else:
        out += [
            "- For each dimension tick the level that fits best; 0 means not started.",
            f"- {IN_BETWEEN}",
            "- Note how sure you are (high / medium / low) and why.",
        ]
    out += [
        "",
        "Type the answers in afterwards with `cnmm questionnaire` (interactive) or "
        f"`cnmm questionnaire --template{' --detailed' if detailed else ''} -o FILE` "
        "(an editor), then `cnmm score FILE`.",
    ]
    current_aspect = None
    for dimension in dimensions:
        aspect = catalog.aspect_of(dimension.id)
        if aspect.id != current_aspect:
            current_aspect = aspect.id
            out += ["", f"## {aspect.name}"]
        out += ["", f"### {dimension.name} (`{dimension.id}`)", "", _cell(dimension.description)]
        if detailed:
            out += _markdown_detailed(dimension)
        else:
            out += _markdown_quick(dimension)
    return "\n".join(out) + "\n"


def _markdown_quick(dimension: Dimension) -> list[str]:
    out = [
        "",
        "| Tick | Level | What it looks like |",
        "| :-: | --- | --- |",
        f"| [ ] | 0 | {_cell(NOT_STARTED)} |",
    ]
    for level in dimension.levels:
        summary = level.summary if level.defined else "Not defined by the model yet."
        out.append(f"| [ ] | {level.level} {level.name} | {_cell(summary)} |")
    out += ["", "Confidence (high / medium / low): ______  Notes: ______"]
    return out


def _markdown_detailed(dimension: Dimension) -> list[str]:
    out: list[str] = []
    for level in dimension.levels:
        out += ["", f"#### Level {level.level} {level.name}", ""]
        if not level.defined:
            out.append("Not defined by the model yet: nothing to answer.")
            continue
        out += [
            _cell(level.summary),
            "",
            "| # | Question | Answer | Notes |",
            "| --- | --- | --- | --- |",
        ]
        for criterion in level.criteria:
            out.append(f"| `{criterion.id}` | {_cell(criterion.question)} |  |  |")
    return out
