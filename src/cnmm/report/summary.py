"""The executive summary every report format shares: where we stand, top gaps, next steps.

Pure functions over the assessment result document (`cnmm/assessment-result/v1`), so the
terminal, Markdown and HTML reports say the same thing in the same order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cnmm.catalog.model import LEVEL_NAMES as MODEL_LEVEL_NAMES

LEVEL_NAMES = {0: "not started", **MODEL_LEVEL_NAMES}
BASIS_LABELS = {
    "evidence": "evidence",
    "self-assessed": "answers",
    "self-reported": "stated level",
    "evidence+answers": "evidence + answers",
    "none": "not assessed",
}
MAX_GAPS = 5
MAX_STEPS = 5
# Criterion bases where evidence had its say (alone, agreeing with an answer, or against it).
BY_EVIDENCE = frozenset({"evidence", "both-agree", "conflict"})


@dataclass(frozen=True)
class Summary:
    """What a leader reads first."""

    headline: str
    floor: int | None
    median: float | None
    assessed: int
    total: int
    applicable: int
    below_target: int
    discrepancies: int
    evidence_share: float | None  # decided criteria judged by evidence, 0..1
    evidence_checked: int  # assessed dimensions where evidence decided at least one criterion
    gaps: tuple[dict[str, Any], ...]
    strengths: tuple[dict[str, Any], ...]
    next_steps: tuple[dict[str, Any], ...]
    unassessed: tuple[dict[str, Any], ...]


def plural(count: int, one: str, many: str) -> str:
    """`1 answer`, `3 answers`."""
    return f"{count} {one if count == 1 else many}"


def scope_title(scope: dict[str, Any]) -> str:
    """`Team payments (acme)`."""
    title = f"{str(scope.get('kind', '')).capitalize()} {scope.get('name', '')}".strip()
    if scope.get("parent"):
        title += f" ({scope['parent']})"
    return title


def level_label(level: int | None) -> str:
    """`2 Operate`, or `-` when there is no level."""
    if level is None:
        return "-"
    return f"{level} {LEVEL_NAMES.get(level, '')}".strip()


def level_phrase(level: int | None) -> str:
    """`level 2 (Operate)` for prose."""
    if level is None:
        return "no level"
    return f"level {level} ({LEVEL_NAMES.get(level, '')})"


def qualified_names(dims: list[dict[str, Any]], aspects: list[dict[str, Any]]) -> dict[str, str]:
    """Dimension id -> a name that is unique in the model (`People · Security` where
    several aspects have a dimension of that name)."""
    aspect_names = {a["id"]: a["name"] for a in aspects}
    counts: dict[str, int] = {}
    for d in dims:
        counts[d["name"]] = counts.get(d["name"], 0) + 1
    return {
        d["id"]: d["name"]
        if counts[d["name"]] == 1
        else f"{aspect_names.get(d['aspect'], d['aspect'])} · {d['name']}"
        for d in dims
    }


def number(value: float | None) -> str:
    """A median or level as short text (`2`, `2.5`, `-`)."""
    return "-" if value is None else f"{value:g}"


def percent(value: float | None) -> str:
    """`75%`, or `-`."""
    return "-" if value is None else f"{round(100 * value)}%"


def progress_known(dim: dict[str, Any]) -> bool:
    """Progress means something: the level was judged criterion by criterion, not stated."""
    return counted(dim) and dim.get("basis") != "self-reported"


def progress_text(dim: dict[str, Any]) -> str:
    """`40%`, or `-` when the progress is not known (a stated level, not assessed)."""
    return percent(dim.get("progress")) if progress_known(dim) else "-"


def confidence_text(dim: dict[str, Any]) -> str:
    """`80%`, or `-` when the dimension has no level that counts."""
    return percent(dim["confidence"]) if counted(dim) else "-"


def target_text(dim: dict[str, Any]) -> str:
    """The target level as text, `-` when there is none."""
    return "-" if dim.get("target") is None else str(dim["target"])


def toward(dim: dict[str, Any]) -> str:
    """` (40% toward level 3)`, or empty when the progress is not known."""
    if not progress_known(dim) or dim["level"] >= 5:
        return ""
    return f" ({percent(dim['progress'])} toward level {dim['level'] + 1})"


def counted(dim: dict[str, Any]) -> bool:
    """True when a dimension has a level that counts in roll-ups."""
    return bool(dim.get("assessed")) and bool(dim.get("applicable")) and dim["level"] is not None


def dimension_state(dim: dict[str, Any]) -> str:
    """How a dimension's level reads: `2`, `n/a` or `not assessed`."""
    if not dim.get("applicable", True):
        return "n/a"
    if not counted(dim):
        return "not assessed"
    return str(dim["level"])


def summarise(doc: dict[str, Any]) -> Summary:
    """The summary of one assessment document."""
    dims = doc["dimensions"]
    assessed = [d for d in dims if counted(d)]
    applicable = [d for d in dims if d.get("applicable", True)]
    below = [d for d in assessed if d.get("target") is not None and d["level"] < d["target"]]
    gaps = sorted(below, key=lambda d: (d["level"] - d["target"], d["level"], -d["progress"]))
    strengths = sorted(assessed, key=lambda d: (-d["level"], -d["progress"]))
    overall = doc["overall"]
    floor, median = overall.get("floor"), overall.get("median")
    decided = [
        c
        for d in dims
        for lv in d["levels"]
        for c in lv["criteria"]
        if c["verdict"] in ("met", "not-met", "partial", "not-applicable")
    ]
    by_evidence = [c for c in decided if c["basis"] in BY_EVIDENCE]
    labels = qualified_names(dims, doc["aspects"])
    name = str(doc["scope"].get("name", ""))
    if floor is None:
        headline = f"{name} has no assessed dimension yet: answer the questionnaire or scan."
    else:
        headline = (
            f"{name} stands at {level_phrase(floor)} overall, the level of its weakest "
            f"assessed dimension. Half of its {len(assessed)} assessed dimensions are at level "
            f"{number(median)} or above; {len(below)} are below their target."
        )
    steps: list[dict[str, Any]] = []
    seen: set[str] = set()
    now = horizon_items(doc, "now")
    # One step per dimension first, so the short list shows breadth rather than one area.
    for item in now:
        if item["dimension"] not in seen and len(steps) < MAX_STEPS:
            steps.append({**item, "label": labels[item["dimension"]]})
            seen.add(item["dimension"])
    for item in now:
        if len(steps) >= MAX_STEPS:
            break
        if not any(step["criterion"] == item["criterion"] for step in steps):
            steps.append({**item, "label": labels[item["dimension"]]})
    return Summary(
        headline=headline,
        floor=floor,
        median=median,
        assessed=len(assessed),
        total=len(dims),
        applicable=len(applicable),
        below_target=len(below),
        discrepancies=len(doc["discrepancies"]),
        evidence_share=(len(by_evidence) / len(decided)) if decided else None,
        evidence_checked=sum(
            1
            for d in assessed
            if any(c["basis"] in BY_EVIDENCE for lv in d["levels"] for c in lv["criteria"])
        ),
        gaps=tuple({**d, "label": labels[d["id"]]} for d in gaps[:MAX_GAPS]),
        strengths=tuple({**d, "label": labels[d["id"]]} for d in strengths[:3]),
        next_steps=tuple(steps),
        unassessed=tuple(
            {**u, "label": labels.get(u["dimension"], u["dimension_name"])}
            for u in doc["roadmap"].get("unassessed", [])
        ),
    )


def horizon_items(doc: dict[str, Any], name: str) -> list[dict[str, Any]]:
    """The roadmap items of one horizon (`now`, `next`, `later`) of a document."""
    return next((h["items"] for h in doc["roadmap"]["horizons"] if h["name"] == name), [])


@dataclass(frozen=True)
class SideBySideRow:
    """One dimension of a set's roll-up: its level in each scope and the floor across them."""

    label: str  # unique in the model (see qualified_names)
    levels: tuple[int | None, ...]
    states: tuple[str, ...]  # each level as it reads: `2`, `n/a` or `not assessed`
    floor: int | None


def side_by_side(data: dict[str, Any]) -> list[SideBySideRow]:
    """The rows of a set document's side-by-side table, in model order."""
    docs = data["assessments"]
    index = {d["id"]: i for i, d in enumerate(docs[0]["dimensions"])}
    labels = qualified_names(docs[0]["dimensions"], docs[0]["aspects"])
    rows = []
    for row in data["rollup"]["dimensions"]:
        levels = tuple(row["levels"])
        states = tuple(
            dimension_state(doc["dimensions"][index[row["id"]]]) if v is None else str(v)
            for v, doc in zip(levels, docs, strict=True)
        )
        rows.append(SideBySideRow(labels[row["id"]], levels, states, row["floor"]))
    return rows


def input_roots(doc: dict[str, Any]) -> list[str]:
    """The scanned inputs of a document, to show finding paths relative to them."""
    return list(doc.get("inputs", {}).get("paths", []))


def display_path(path: str | None, roots: list[str]) -> str:
    """A finding's path as people read it: relative to the scanned input it came from."""
    if not path:
        return ""
    from pathlib import PurePath

    candidate = PurePath(path)
    for root in sorted(roots, key=len, reverse=True):
        base = PurePath(root)
        try:
            relative = candidate.relative_to(base)
        except ValueError:
            continue
        # Keep the input's own name so that two repositories stay distinguishable.
        return str(PurePath(base.name) / relative) if base.name else str(relative)
    return path


def display_subject(subject: str, roots: list[str]) -> str:
    """A finding's subject with any scanned input's absolute path shortened to its name."""
    from pathlib import PurePath

    for root in sorted(roots, key=len, reverse=True):
        if root and PurePath(root).is_absolute() and root in subject:
            subject = subject.replace(root, PurePath(root).name)
    return subject


def where(entry: dict[str, Any], roots: list[str]) -> str:
    """`path:line` (or `path`) of a failing finding, for display."""
    shown = display_path(entry.get("path"), roots)
    if shown and entry.get("line"):
        return f"{shown}:{entry['line']}"
    return shown
