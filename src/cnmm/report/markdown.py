"""Markdown report: fits a pull-request comment or a wiki page (pure).

The summary comes first; the later horizons of the roadmap sit in `<details>` blocks so a
pull-request comment stays short; criterion-by-criterion detail is in the HTML report. Text
from users and scanned files is escaped, so it cannot add links, images or HTML to the page.
"""

from __future__ import annotations

import re
from typing import Any

from cnmm.report.summary import (
    BASIS_LABELS,
    confidence_text,
    dimension_state,
    display_subject,
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

# Enough to stop emphasis, code, links/images and table cells; `<` and `>` become entities.
_SPECIAL = re.compile(r"([\\`*_\[\]|~])")


def md(text: object) -> str:
    """Inline-safe Markdown text: one line, Markdown punctuation and HTML neutralised."""
    flat = " ".join(str("" if text is None else text).split())
    flat = flat.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _SPECIAL.sub(r"\\\1", flat)


def code(text: object) -> str:
    """Inline code that survives backticks inside the text.

    Text with angle brackets is escaped as plain text instead: some Markdown renderers do not
    treat code spans as inert."""
    if any(ch in str(text) for ch in "<>"):
        return md(text)
    flat = " ".join(str(text).split()).replace("|", "\\|")
    fence = "``" if "`" in flat else "`"
    return f"{fence}{flat}{fence}" if flat else ""


def _summary(doc: dict[str, Any], out: list[str], heading: str) -> None:
    s = summarise(doc)
    out += [f"{heading} Summary", "", md(s.headline), ""]
    out += [
        "| Overall floor | Median | Below target | Discrepancies | Checked by evidence |",
        "|---|---|---|---|---|",
        f"| **{level_label(s.floor)}** | {number(s.median)} | {s.below_target} of {s.assessed} | "
        f"{s.discrepancies} | {s.evidence_checked} of {s.assessed} |",
        "",
    ]
    if s.gaps:
        out += [f"{heading}# Top gaps", ""]
        out += [
            f"{i}. **{md(d['label'])}**: level {d['level']} of target {d['target']}" + toward(d)
            for i, d in enumerate(s.gaps, start=1)
        ]
        out.append("")
    if s.next_steps:
        out += [f"{heading}# What to do next", ""]
        out += [
            f"{i}. **{md(item['label'])}** (to level {item['level']}, "
            f"{item['effort']} effort): {md(item['statement'])}"
            for i, item in enumerate(s.next_steps, start=1)
        ]
        out.append("")
    if s.discrepancies:
        out += [f"> **{plural(s.discrepancies, 'answer is', 'answers are')} contradicted by "
                "evidence**; see Discrepancies below.", ""]  # fmt: skip
    if s.unassessed:
        names = ", ".join(md(u["label"]) for u in s.unassessed)
        out += [f"Not assessed yet (no answers, no evidence): {names}.", ""]


def _levels(doc: dict[str, Any], out: list[str], heading: str) -> None:
    out += [f"{heading} Levels", ""]
    out += ["| Aspect | Floor | Median |", "|---|---|---|"]
    for a in doc["aspects"]:
        out.append(f"| {md(a['name'])} | {level_label(a['floor'])} | {number(a['median'])} |")
    out.append("")
    names = {a["id"]: a["name"] for a in doc["aspects"]}
    out += [
        "| Aspect | Dimension | Level | Target | Progress | Confidence | Basis |",
        "|---|---|---|---|---|---|---|",
    ]
    for d in doc["dimensions"]:
        out.append(
            f"| {md(names.get(d['aspect'], d['aspect']))} | {md(d['name'])} | "
            f"{dimension_state(d)} | {target_text(d)} | {progress_text(d)} | "
            f"{confidence_text(d)} | {BASIS_LABELS.get(d['basis'], d['basis'])} |"
        )
    out.append("")


def _failing(failing: list[dict[str, Any]], roots: list[str], limit: int = 5) -> list[str]:
    lines = []
    for f in failing[:limit]:
        at = where(f, roots)
        subject = md(display_subject(f["subject"], roots))
        lines.append(f"  - {code(f['rule'])} {subject}" + (f" at {code(at)}" if at else ""))
    if len(failing) > limit:
        lines.append(f"  - … and {len(failing) - limit} more")
    return lines


def _discrepancies(doc: dict[str, Any], out: list[str], heading: str) -> None:
    roots = input_roots(doc)
    labels = qualified_names(doc["dimensions"], doc["aspects"])
    out += [f"{heading} Discrepancies", ""]
    if not doc["discrepancies"]:
        out += ["None: wherever both exist, answers and evidence agree.", ""]
        return
    policy = doc.get("policy", {}).get("discrepancy_policy", "answers-stand")
    out += [f"Policy: `{policy}`.", ""]
    for x in doc["discrepancies"]:
        subject = x.get("statement") or "claimed level"
        out.append(
            f"- **{md(labels.get(x['dimension'], x['dimension']))}**: {md(subject)}. "
            f"{md(x['detail'])}"
        )
        out += _failing(x.get("failing", []), roots)
    out.append("")


def _items_table(items: list[dict[str, Any]]) -> list[str]:
    lines = [
        "| Dimension | Level | Step | Effort | Confirmed by | Projects |",
        "|---|---|---|---|---|---|",
    ]
    for item in items:
        projects = ", ".join(
            f"[{md(p['name'])}]({p['url']})" if _web(p.get("url")) else md(p["name"])
            for p in item["projects"]
        )
        rules = ", ".join(code(r) for r in item.get("rules", [])) or "answers"
        lines.append(
            f"| {md(item['dimension_name'])} | {item['level']} | {md(item['statement'])}<br>"
            f"_{md(item['remediation'])}_ | {item['effort']} | {rules} | {projects or '-'} |"
        )
    return lines


def _web(url: object) -> bool:
    text = str(url or "")
    return text.startswith(("https://", "http://")) and not re.search(r"[\s()<>]", text)


def _roadmap(doc: dict[str, Any], out: list[str], heading: str) -> None:
    roadmap = doc["roadmap"]
    out += [f"{heading} Roadmap", ""]
    for horizon in roadmap["horizons"]:
        items = horizon["items"]
        title = md(horizon.get("title") or horizon["name"].capitalize())
        if not items:
            out += [f"{heading}# {title} (0)", "", "Nothing in this horizon.", ""]
            continue
        if horizon["name"] == "now":
            out += [f"{heading}# {title} ({len(items)})", "", *_items_table(items), ""]
        else:
            out += [
                f"<details><summary>{title} ({len(items)})</summary>",
                "",
                *_items_table(items),
                "",
                "</details>",
                "",
            ]
    if roadmap.get("kpis"):
        out += [f"{heading}# Business outcomes to track", ""]
        for entry in roadmap["kpis"]:
            out.append(
                f"- **Level {entry['level']} {md(entry.get('name'))}**: {md(entry.get('focus'))}"
            )
            out += [f"  - {md(k['text'])}" for k in entry["kpis"]]
        out.append("")
    if roadmap.get("caveat"):
        out += [f"> {md(roadmap['caveat'])}", ""]


def _scope(doc: dict[str, Any], out: list[str], top: str) -> None:
    heading = top + "#"
    model = doc["model"]
    out += [
        f"{top} Cloud native maturity: {md(scope_title(doc['scope']))}",
        "",
        f"{md(model['name'])} {md(model['version'])} · generated {md(doc.get('generated', ''))} "
        f"by cnmm {md(doc['tool']['version'])}",
        "",
    ]
    _summary(doc, out, heading)
    _levels(doc, out, heading)
    _discrepancies(doc, out, heading)
    _roadmap(doc, out, heading)
    if doc.get("errors"):
        out += [f"{heading} Inputs that could not be read", ""]
        out += [f"- {code(e['path'])}: {md(e['reason'])}" for e in doc["errors"]]
        out.append("")


def render_markdown(doc: dict[str, Any]) -> str:
    """One assessment as GitHub-flavoured Markdown."""
    out: list[str] = []
    _scope(doc, out, "#")
    out.append(f"<sub>{md(doc['model'].get('attribution', ''))}</sub>")
    return "\n".join(out) + "\n"


def render_markdown_set(data: dict[str, Any]) -> str:
    """Several scopes: a side-by-side table, then each scope's report."""
    docs = data["assessments"]
    names = [md(d["scope"].get("name", "")) for d in docs]
    out = ["# Cloud native maturity: side by side", ""]
    out += ["| Dimension | " + " | ".join(names) + " | Floor |"]
    out += ["|---|" + "---|" * (len(names) + 1)]
    for row in side_by_side(data):
        out.append(f"| {md(row.label)} | " + " | ".join(row.states) + f" | {number(row.floor)} |")
    out.append(
        "| **Overall floor** | "
        + " | ".join(f"**{level_label(d['overall']['floor'])}**" for d in docs)
        + " | |"
    )
    out.append("")
    for doc in docs:
        _scope(doc, out, "##")
    out.append(f"<sub>{md(docs[0]['model'].get('attribution', ''))}</sub>")
    return "\n".join(out) + "\n"
