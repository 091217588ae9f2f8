"""The interactive questionnaire: the flow of questions, separated from the terminal.

The flow talks to a `Terminal` (show something, ask for a line) passed in by the caller, so
tests can drive it with scripted answers and the CLI with a real rich console. After every
answer it calls `save` with the whole updated assessment; the CLI saves atomically, so an
interrupted session (Ctrl-C, a closed terminal) loses nothing, and `--resume` picks up the
first item still unanswered (items skipped earlier come back then).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date as Date
from typing import Any, Protocol

from rich.markup import escape as esc
from rich.text import Text

from cnmm.assessment.model import SCOPE_KINDS, Assessment, Scope
from cnmm.assessment.render import IN_BETWEEN, NOT_STARTED, blank_assessment, select_dimensions
from cnmm.catalog.model import Catalog, Criterion, Dimension


class Terminal(Protocol):
    """What the flow needs from a terminal."""

    def show(self, *objects: Any) -> None:
        """Display text (rich markup allowed) or rich renderables."""

    def ask(self, prompt: str) -> str:
        """Read one line; raise EOFError at end of input, KeyboardInterrupt on Ctrl-C."""


class Quit(Exception):
    """The person asked to stop (q, or end of input); everything answered is saved."""


@dataclass(frozen=True)
class Item:
    """One question: a dimension's level (quick, `criterion` None) or one criterion."""

    dimension: Dimension
    criterion: Criterion | None = None


@dataclass(frozen=True)
class Outcome:
    """How a session ended."""

    assessment: Assessment
    answered: int
    skipped: int
    stopped: bool  # True when the person quit before the end


STATE_WORDS: dict[str, str] = {
    "m": "met",
    "met": "met",
    "y": "met",
    "yes": "met",
    "p": "partial",
    "partial": "partial",
    "n": "not-met",
    "no": "not-met",
    "not-met": "not-met",
    "not met": "not-met",
    "a": "not-applicable",
    "na": "not-applicable",
    "n/a": "not-applicable",
    "not-applicable": "not-applicable",
    "not applicable": "not-applicable",
    "u": "unknown",
    "?": "unknown",
    "unknown": "unknown",
    "dont know": "unknown",
}
COMMANDS: dict[str, str] = {
    "s": "skip",
    "skip": "skip",
    "t": "note",
    "note": "note",
    "q": "quit",
    "quit": "quit",
    "h": "help",
    "help": "help",
}
STATE_PROMPT = (
    "[bold]m[/]et  [bold]p[/]artial  [bold]n[/]ot met  not-[bold]a[/]pplicable  "
    "[bold]u[/]nknown   [dim]s skip · t note · q save and quit · h help[/]"
)
LEVEL_PROMPT = "[bold]0-5[/] the level that fits best   [dim]s skip · t note · q save and quit[/]"


def parse_state(text: str) -> str | None:
    """A criterion state or a command (skip, note, quit, help) from what was typed; else None."""
    word = " ".join(text.strip().lower().replace("'", "").split())
    return STATE_WORDS.get(word) or COMMANDS.get(word)


def parse_level(text: str) -> int | str | None:
    """A level 0..5 or a command (skip, note, quit, help); else None."""
    word = text.strip().lower()
    if word.isdigit() and 0 <= int(word) <= 5:
        return int(word)
    return COMMANDS.get(word)


def parse_confidence(text: str) -> float | str | None:
    """Confidence 0..1 from `80`, `80%` or `0.8`; None for blank; 'invalid' otherwise."""
    word = text.strip().rstrip("%").strip()
    if not word:
        return None
    try:
        value = float(word)
    except ValueError:
        return "invalid"
    if 1 < value <= 100:
        value /= 100
    return value if 0 <= value <= 1 else "invalid"


def pending_items(assessment: Assessment, catalog: Catalog) -> list[Item]:
    """The items still unanswered, in model order (dimensions, then criteria by level)."""
    items = []
    for dimension in catalog.dimensions():
        answer = assessment.answers.get(dimension.id)
        if answer is None:
            continue
        if answer.mode == "quick":
            if answer.level is None:
                items.append(Item(dimension))
            continue
        # listed with an empty state, or left out of the file: both are still to be asked
        items.extend(
            Item(dimension, c) for c in dimension.criteria() if c.id not in answer.criteria
        )
    return items


def _ask(term: Terminal, prompt: str) -> str:
    try:
        return term.ask(prompt)
    except EOFError:
        raise Quit() from None


def _choose(term: Terminal, prompt: str, options: dict[str, str]) -> str:
    while True:
        answer = options.get(_ask(term, prompt).strip().lower())
        if answer is not None:
            return answer
        term.show(f"[yellow]Please answer one of: {', '.join(sorted(set(options)))}[/]")


def setup(
    catalog: Catalog,
    term: Terminal,
    *,
    today: Date,
    kind: str | None = None,
    name: str | None = None,
    parent: str | None = None,
    detailed: bool | None = None,
    aspects: Sequence[str] = (),
    assessor: tuple[str, str | None] | None = None,
) -> Assessment:
    """Ask for whatever is not given (scope, mode, aspects) and return a blank assessment."""
    term.show(
        Text.from_markup(
            f"[bold]{esc(catalog.name)} {esc(catalog.version)}: self-assessment[/]\n"
            "Answers are saved after every question; Ctrl-C or q stops, and\n"
            "`cnmm questionnaire --resume FILE` continues where you left off."
        )
    )
    if kind is None:
        term.show(
            "\n[bold]Scope.[/] Answer for one scope only: the model says an organisation can "
            "be at level 5 for one application and level 2 for another. One team or "
            "application at a time gives the clearest picture."
        )
        options = {k: k for k in SCOPE_KINDS} | {k[0]: k for k in SCOPE_KINDS}
        options["organization"] = "organisation"
        kind = _choose(term, "Scope kind: organisation (o), team (t) or application (a)? ", options)
    while not name:
        name = _ask(term, f"Name of the {kind}: ").strip()
    if parent is None and kind != "organisation":
        parent = _ask(term, "Part of (organisation or team; Enter for none): ").strip() or None
    if assessor is None:
        person = _ask(term, "Your name (Enter to leave out): ").strip()
        if person:
            role = _ask(term, "Your role (Enter to leave out): ").strip() or None
            assessor = (person, role)
    if detailed is None:
        term.show(
            "\n[bold]Mode.[/] Quick: pick the level that fits best for each dimension "
            "(about 1 minute each). Detailed: answer each criterion (met, partial, not met, "
            "not applicable, unknown) for a gated, checkable level (5-10 minutes each)."
        )
        mode = _choose(
            term,
            "Quick (q) or detailed (d)? ",
            {"q": "quick", "quick": "quick", "d": "detailed", "detailed": "detailed"},
        )
        detailed = mode == "detailed"
    dimensions = select_dimensions(catalog, aspects) if aspects else None
    while dimensions is None:
        dimensions = _ask_aspects(catalog, term)
    return blank_assessment(
        catalog,
        dimensions,
        detailed=detailed,
        scope=Scope(kind=kind, name=name, parent=parent),
        today=today,
        assessors=[assessor] if assessor else [],
    )


def _ask_aspects(catalog: Catalog, term: Terminal) -> list[Dimension] | None:
    lines = ["\n[bold]Aspects.[/]"]
    for number, aspect in enumerate(catalog.aspects, start=1):
        lines.append(f"  {number}  {esc(aspect.name)} ({len(aspect.dimensions)} dimensions)")
    term.show("\n".join(lines))
    text = _ask(term, "Which? Numbers or IDs separated by commas, Enter for all: ").strip()
    if not text:
        return list(catalog.dimensions())
    chosen = []
    for part in re.split(r"[,\s]+", text):
        if part.isdigit() and 1 <= int(part) <= len(catalog.aspects):
            chosen.append(catalog.aspects[int(part) - 1].id)
        else:
            chosen.append(part)
    try:
        return select_dimensions(catalog, chosen)
    except KeyError as exc:
        term.show(f"[yellow]Not an aspect or dimension: {exc.args[0]}[/]")
        return None


def run(
    assessment: Assessment,
    catalog: Catalog,
    term: Terminal,
    save: Callable[[Assessment], None],
) -> Outcome:
    """Ask every pending item in order, saving after each answer; return how it ended.

    KeyboardInterrupt passes through (the last answer is already saved).
    """
    items = pending_items(assessment, catalog)
    answered = skipped = 0
    if not items:
        return Outcome(assessment, 0, 0, stopped=False)
    total = len(items)
    previous: Item | None = None
    for number, item in enumerate(items, start=1):
        try:
            if item.criterion is None:
                assessment, done = _ask_level(assessment, catalog, term, item, number, total, save)
            else:
                _show_context(catalog, term, item, previous)
                assessment, done = _ask_criterion(
                    assessment, catalog, term, item, number, total, save
                )
            previous = item
        except Quit:
            return Outcome(assessment, answered, skipped, stopped=True)
        if done:
            answered += 1
        else:
            skipped += 1
    return Outcome(assessment, answered, skipped, stopped=False)


def _heading(catalog: Catalog, item: Item, number: int | None = None, total: int = 0) -> str:
    aspect = catalog.aspect_of(item.dimension.id)
    counter = f"\\[{number}/{total}] " if number is not None else ""
    return f"{counter}{esc(aspect.name)} > {esc(item.dimension.name)}"


def _show_context(catalog: Catalog, term: Terminal, item: Item, previous: Item | None) -> None:
    """Detailed mode: the dimension when it changes, the level when it changes."""
    from rich.rule import Rule

    criterion = item.criterion
    assert criterion is not None
    new_dimension = previous is None or previous.dimension.id != item.dimension.id
    if new_dimension:
        term.show(
            Rule(_heading(catalog, item), align="left"),
            f"[dim]{esc(item.dimension.id)}[/]  {esc(item.dimension.description)}",
            STATE_PROMPT,
        )
    if (
        new_dimension
        or previous is None
        or previous.criterion is None
        or previous.criterion.level != criterion.level
    ):
        level = item.dimension.level(criterion.level)
        term.show(f"\n[bold]Level {level.level} {level.name}[/]: {esc(level.summary)}")


def _answer_item(
    assessment: Assessment, term: Terminal, item: Item, save: Callable[[Assessment], None]
) -> tuple[Assessment, bool]:
    """Ask one item until it is answered (True) or skipped (False); Quit on q.

    A quick item takes a level (and a confidence), a detailed one a criterion state. Notes
    may come first, any number; each is saved at once, and so is the answer.
    """
    criterion = item.criterion
    dimension_id = item.dimension.id
    if criterion is None:
        prompt, parse, help_text = "Level> ", parse_level, LEVEL_PROMPT
    else:
        prompt, parse, help_text = "Answer> ", parse_state, STATE_PROMPT
    while True:
        choice = parse(_ask(term, prompt))
        if choice is None or choice == "help":
            term.show(help_text)
            continue
        if choice == "quit":
            raise Quit()
        if choice == "skip":
            return assessment, False
        answer = assessment.answers[dimension_id]
        if choice == "note":
            note = _ask(term, "Note (Enter to cancel): ").strip()
            if note:
                if criterion is None:
                    answer = answer.with_notes(note)
                else:
                    answer = answer.with_criterion_note(criterion.id, note)
                assessment = assessment.with_answer(dimension_id, answer)
                save(assessment)
            continue
        if criterion is None:
            assert isinstance(choice, int)
            answer = answer.with_level(choice, _ask_confidence(term))
        else:
            answer = answer.with_state(criterion.id, str(choice))
        assessment = assessment.with_answer(dimension_id, answer)
        save(assessment)
        return assessment, True


def _ask_level(
    assessment: Assessment,
    catalog: Catalog,
    term: Terminal,
    item: Item,
    number: int,
    total: int,
    save: Callable[[Assessment], None],
) -> tuple[Assessment, bool]:
    from rich.rule import Rule
    from rich.table import Table

    dimension = item.dimension
    levels = Table.grid(padding=(0, 1))
    levels.add_column(justify="right", style="bold")
    levels.add_column()
    levels.add_row("0", NOT_STARTED)
    for level in dimension.levels:
        summary = esc(level.summary) if level.defined else "[dim](not defined by the model yet)[/]"
        levels.add_row(str(level.level), f"[bold]{level.name}[/]: {summary}")
    term.show(
        Rule(_heading(catalog, item, number, total), align="left"),
        f"[dim]{esc(dimension.id)}[/]  {esc(dimension.description)}",
        levels,
        f"[italic]{IN_BETWEEN}[/]",
        LEVEL_PROMPT,
    )
    return _answer_item(assessment, term, item, save)


def _ask_confidence(term: Terminal) -> float | None:
    while True:
        value = parse_confidence(_ask(term, "How sure are you, 0-100%? (Enter to leave out) "))
        if value != "invalid":
            return value if isinstance(value, float) else None
        term.show("[yellow]A number from 0 to 100, e.g. 70, or Enter.[/]")


def _ask_criterion(
    assessment: Assessment,
    catalog: Catalog,
    term: Terminal,
    item: Item,
    number: int,
    total: int,
    save: Callable[[Assessment], None],
) -> tuple[Assessment, bool]:
    criterion = item.criterion
    assert criterion is not None
    term.show(
        f"\n[dim]\\[{number}/{total}] {esc(criterion.id)}[/]\n{esc(criterion.statement)}",
        f"[bold]{esc(criterion.question)}[/]",
    )
    return _answer_item(assessment, term, item, save)
