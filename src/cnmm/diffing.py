"""What moved between two assessment documents (pure).

Scopes are matched by kind and name. For each scope: the overall and aspect floors and
medians, dimensions whose level went up or down (or whose progress moved), criteria newly met
or no longer met, and discrepancies that appeared or were resolved. `regressions` counts what
got worse, so CI can fail on it.
"""

from __future__ import annotations

from typing import Any

SCHEMA = "cnmm/assessment-diff/v1"


def _key(doc: dict[str, Any]) -> str:
    scope = doc["scope"]
    return f"{scope['kind']} {scope['name']}"


def _criteria(doc: dict[str, Any]) -> dict[str, tuple[str, str, str]]:
    """criterion id -> (verdict, dimension name, statement)."""
    return {
        c["id"]: (c["verdict"], d["name"], c["statement"])
        for d in doc["dimensions"]
        for level in d["levels"]
        for c in level["criteria"]
    }


def _discrepancy_key(x: dict[str, Any]) -> str:
    return f"{x['kind']}:{x.get('criterion') or x['dimension']}"


def _rank(level: int | None, progress: float) -> tuple[int, float]:
    return (-1 if level is None else level, progress)


def _dimensions(before: dict[str, Any], after: dict[str, Any]) -> list[dict[str, Any]]:
    old = {d["id"]: d for d in before["dimensions"]}
    moved = []
    for d in after["dimensions"]:
        was = old.get(d["id"])
        if was is None:
            continue
        if (was["level"], was["progress"]) == (d["level"], d["progress"]):
            continue
        old_rank = _rank(was["level"], was["progress"])
        new_rank = _rank(d["level"], d["progress"])
        moved.append(
            {
                "id": d["id"],
                "name": d["name"],
                "old_level": was["level"],
                "new_level": d["level"],
                "old_progress": was["progress"],
                "new_progress": d["progress"],
                "direction": "up" if new_rank > old_rank else "down",
                "level_changed": was["level"] != d["level"],
            }
        )
    return moved


def _scope_diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    old_verdicts = _criteria(before)
    newly_met, no_longer_met, other = [], [], []
    for cid, (verdict, dim_name, statement) in _criteria(after).items():
        if cid not in old_verdicts or old_verdicts[cid][0] == verdict:
            continue
        entry = {
            "id": cid,
            "dimension": dim_name,
            "statement": statement,
            "old": old_verdicts[cid][0],
            "new": verdict,
        }
        if verdict == "met":
            newly_met.append(entry)
        elif old_verdicts[cid][0] == "met":
            no_longer_met.append(entry)
        else:
            other.append(entry)
    old_disc = {_discrepancy_key(x): x for x in before["discrepancies"]}
    new_disc = {_discrepancy_key(x): x for x in after["discrepancies"]}
    aspects_before = {a["id"]: a for a in before["aspects"]}
    aspects = [
        {
            "id": a["id"],
            "name": a["name"],
            "old_floor": aspects_before[a["id"]]["floor"],
            "new_floor": a["floor"],
            "old_median": aspects_before[a["id"]]["median"],
            "new_median": a["median"],
        }
        for a in after["aspects"]
        if a["id"] in aspects_before
        and (aspects_before[a["id"]]["floor"], aspects_before[a["id"]]["median"])
        != (a["floor"], a["median"])
    ]
    dimensions = _dimensions(before, after)
    appeared = [new_disc[k] for k in new_disc if k not in old_disc]
    regressions = (
        sum(1 for d in dimensions if d["direction"] == "down" and d["level_changed"])
        + len(no_longer_met)
        + len(appeared)
    )
    return {
        "scope": _key(after),
        "overall": {
            "old_floor": before["overall"]["floor"],
            "new_floor": after["overall"]["floor"],
            "old_median": before["overall"]["median"],
            "new_median": after["overall"]["median"],
        },
        "aspects": aspects,
        "dimensions": dimensions,
        "criteria": {"newly_met": newly_met, "no_longer_met": no_longer_met, "changed": other},
        "discrepancies": {
            "new": appeared,
            "resolved": [old_disc[k] for k in old_disc if k not in new_disc],
        },
        "regressions": regressions,
    }


def diff_assessments(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> dict[str, Any]:
    """The changes between two lists of single-scope documents (see module docstring)."""
    old_by = {_key(d): d for d in old}
    new_by = {_key(d): d for d in new}
    notes = [f"only in the old file: {k}" for k in old_by if k not in new_by]
    notes += [f"only in the new file: {k}" for k in new_by if k not in old_by]
    scopes = []
    for key, after in new_by.items():
        before = old_by.get(key)
        if before is None:
            continue
        if before["model"]["version"] != after["model"]["version"]:
            notes.append(
                f"{key}: model version changed ({before['model']['version']} -> "
                f"{after['model']['version']}); criteria may not compare"
            )
        scopes.append(_scope_diff(before, after))
    return {
        "schema": SCHEMA,
        "scopes": scopes,
        "notes": notes,
        "regressions": sum(s["regressions"] for s in scopes),
    }


def _level(value: Any) -> str:
    return "-" if value is None else str(value)


def render_diff_text(changes: dict[str, Any], *, markdown: bool = False) -> str:
    """The diff as plain text (terminal) or Markdown (a pull-request comment)."""
    bullet = "- "
    lines: list[str] = []
    for s in changes["scopes"]:
        o = s["overall"]
        title = f"{s['scope']}: overall floor {_level(o['old_floor'])} -> {_level(o['new_floor'])}"
        title += f", median {_level(o['old_median'])} -> {_level(o['new_median'])}"
        lines.append(f"### {title}" if markdown else title)
        heading = len(lines)
        for d in s["dimensions"]:
            arrow = "up" if d["direction"] == "up" else "DOWN"
            lines.append(
                f"{bullet}{arrow} {d['name']}: level {_level(d['old_level'])} -> "
                f"{_level(d['new_level'])}, progress {round(100 * d['old_progress'])}% -> "
                f"{round(100 * d['new_progress'])}%"
            )
        for label, key in (("newly met", "newly_met"), ("no longer met", "no_longer_met"),
                           ("changed", "changed")):  # fmt: skip
            for c in s["criteria"][key]:
                change = f"({c['old']} -> {c['new']})"
                lines.append(f"{bullet}{label}: {c['dimension']}: {c['statement']} {change}")
        for x in s["discrepancies"]["new"]:
            lines.append(f"{bullet}new discrepancy: {x.get('dimension_name', x['dimension'])}: "
                         f"{x['detail']}")  # fmt: skip
        for x in s["discrepancies"]["resolved"]:
            lines.append(f"{bullet}resolved discrepancy: "
                         f"{x.get('dimension_name', x['dimension'])}: {x['detail']}")  # fmt: skip
        if len(lines) == heading:  # nothing listed under the title
            lines.append(f"{bullet}no change in levels, criteria or discrepancies")
    for note in changes["notes"]:
        lines.append(f"note: {note}")
    if not changes["scopes"] and not changes["notes"]:
        lines.append("No scope in common.")
    return "\n".join(lines) + "\n"
