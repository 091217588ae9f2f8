"""Terminal report of one assessment or a set, drawn with rich (pure: returns the text).

Fits 80 columns: dimension names are shortened, not the figures. Colour only when asked
(a terminal); plain text otherwise.
"""

from __future__ import annotations

from io import StringIO
from typing import Any

from cnmm.report.summary import (
    confidence_text,
    counted,
    dimension_state,
    display_subject,
    horizon_items,
    input_roots,
    level_label,
    number,
    plural,
    progress_text,
    qualified_names,
    scope_title,
    side_by_side,
    summarise,
    target_text,
    toward,
    where,
)

MAX_STEPS = 8
_BASIS = {
    "evidence": "evidence",
    "self-assessed": "answers",
    "self-reported": "stated",
    "evidence+answers": "evid+answ",
    "none": "-",
}
MAX_FAILING = 3


def _console(width: int, color: bool) -> Any:
    from rich.console import Console

    return Console(
        file=StringIO(), width=width, color_system="standard" if color else None,
        force_terminal=color, no_color=not color, highlight=False, soft_wrap=False,
        emoji=False,
    )  # fmt: skip


def _text(console: Any) -> str:
    """What the console recorded, without the spaces rich pads every line with."""
    return "\n".join(line.rstrip() for line in console.file.getvalue().split("\n"))


def _bar(dim: dict[str, Any]) -> str:
    """Five cells, one per level: ■ achieved, ▣ next level half way or more, □ not yet."""
    if not counted(dim):
        return "·····"
    level = int(dim["level"])
    cells = ["■"] * level
    if level < 5:
        cells.append("▣" if (dim.get("progress") or 0) >= 0.5 else "□")
    return ("".join(cells) + "□" * 5)[:5]


def _state(state: str) -> str:
    """A level as a narrow cell: `not assessed` becomes `-` (see the legend)."""
    return "-" if state == "not assessed" else state


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def _print_scope(console: Any, doc: dict[str, Any], *, compact: bool = False) -> None:
    from rich import box
    from rich.table import Table

    s = summarise(doc)
    labels = qualified_names(doc["dimensions"], doc["aspects"])
    roots = input_roots(doc)
    console.print(
        f"[bold]{scope_title(doc['scope'])}[/bold] · {doc['model']['name']} "
        f"{doc['model']['version']}",
        markup=True,
    )
    console.print(s.headline, markup=False)
    console.print(
        f"Floor {level_label(s.floor)} · median {number(s.median)} · {s.below_target} below "
        f"target · {plural(s.discrepancies, 'discrepancy', 'discrepancies')} · "
        f"{s.evidence_checked} of {s.assessed} dimensions checked by evidence",
        markup=False,
    )
    if not compact:
        aspects = Table(box=box.SIMPLE_HEAD, pad_edge=False, title=None)
        aspects.add_column("Aspect")
        aspects.add_column("Floor", justify="right")
        aspects.add_column("Median", justify="right")
        for a in doc["aspects"]:
            aspects.add_row(a["name"], level_label(a["floor"]), number(a["median"]))
        console.print(aspects)
        table = Table(box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True)
        table.add_column("Dimension", no_wrap=True, width=30)
        table.add_column("Lvl", justify="right", no_wrap=True, width=3)
        table.add_column("1-5", no_wrap=True, width=5)
        table.add_column("Tgt", justify="right", width=3)
        table.add_column("Prog", justify="right", width=4)
        table.add_column("Conf", justify="right", width=4)
        table.add_column("Basis", no_wrap=True, width=10)
        previous = None
        for d in doc["dimensions"]:
            if previous is not None and d["aspect"] != previous:
                table.add_section()
            previous = d["aspect"]
            table.add_row(
                _short(labels[d["id"]], 30),
                _state(dimension_state(d)),
                _bar(d),
                target_text(d),
                progress_text(d),
                confidence_text(d),
                _BASIS.get(d["basis"], d["basis"]),
            )
        console.print(table)
    if doc["discrepancies"]:
        console.print("[bold]Discrepancies[/bold] (answers contradicted by evidence)")
        for x in doc["discrepancies"]:
            what = x.get("statement") or "the level claimed for the dimension"
            console.print(
                f"- {labels.get(x['dimension'], x['dimension'])}: {what}\n  {x['detail']}",
                markup=False,
            )
            for f in x.get("failing", [])[:MAX_FAILING]:
                at = where(f, roots)
                subject = display_subject(f["subject"], roots)
                console.print(f"    {f['rule']} {subject}" + (f" at {at}" if at else ""),
                              markup=False)  # fmt: skip
    if s.gaps:
        console.print("[bold]Top gaps[/bold]")
        for d in s.gaps:
            console.print(
                f"- {d['label']}: level {d['level']} of target {d['target']}" + toward(d),
                markup=False,
            )
    now = horizon_items(doc, "now")
    if now:
        console.print(f"[bold]Next steps[/bold] ({len(now)} to reach the next levels)")
        for item in s.next_steps if compact else now[:MAX_STEPS]:
            projects = ", ".join(p["name"] for p in item["projects"][:3])
            console.print(
                f"- {labels.get(item['dimension'], item['dimension_name'])} → L{item['level']} "
                f"({item['effort']}): "
                f"{item['statement']}" + (f" [helps: {projects}]" if projects else ""),
                markup=False,
            )
        listed = len(s.next_steps) if compact else min(len(now), MAX_STEPS)
        if len(now) > listed:
            console.print(f"  … {len(now) - listed} more: see the roadmap (cnmm roadmap FILE)",
                          markup=False)  # fmt: skip
    if s.unassessed:
        console.print(
            f"Not assessed ({len(s.unassessed)}): " + ", ".join(u["label"] for u in s.unassessed),
            markup=False,
        )
    for e in doc.get("errors", []):
        console.print(f"could not read {e['path']}: {e['reason']}", markup=False)


def render_terminal(doc: dict[str, Any], *, width: int = 80, color: bool = False) -> str:
    """One assessment as terminal text, `width` columns wide."""
    console = _console(width, color)
    _print_scope(console, doc)
    return _text(console)


def render_terminal_set(data: dict[str, Any], *, width: int = 80, color: bool = False) -> str:
    """Several scopes: levels side by side, then each scope's summary, gaps and next steps."""
    from rich import box
    from rich.table import Table

    console = _console(width, color)
    docs = data["assessments"]
    names = [str(d["scope"].get("name", "")) for d in docs]
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, title="Levels side by side",
                  title_justify="left")  # fmt: skip
    table.add_column("Dimension", no_wrap=True, max_width=30)
    for name in names:
        table.add_column(_short(name, 10), justify="right", no_wrap=True)
    table.add_column("Floor", justify="right")
    for row in side_by_side(data):
        cells = [_state(c) for c in row.states]
        table.add_row(_short(row.label, 30), *cells, number(row.floor))
    table.add_row(
        "Overall floor",
        *(level_label(d["overall"]["floor"]).split(" ")[0] for d in docs),
        "",
        style="bold" if color else None,
    )
    console.print(table)
    console.print("- = not assessed, n/a = not applicable", markup=False)
    for doc in docs:
        console.print()
        _print_scope(console, doc, compact=True)
    return _text(console)
