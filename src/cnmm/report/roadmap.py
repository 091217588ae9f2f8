"""`cnmm roadmap` output: the next steps of saved assessments as plain text or Markdown."""

from __future__ import annotations

from typing import Any

from cnmm.report.markdown import md
from cnmm.report.summary import scope_title


def roadmap_text(docs: list[dict[str, Any]], horizon: str | None, *, markdown: bool) -> str:
    """The roadmaps of assessment documents as plain text or Markdown (one horizon or all)."""

    def t(text: object) -> str:
        return md(text) if markdown else str(text)

    lines: list[str] = []
    for doc in docs:
        roadmap = doc["roadmap"]
        title = f"Roadmap for {scope_title(doc['scope'])}"
        lines.append(f"# {t(title)}" if markdown else title)
        for h in roadmap["horizons"]:
            if horizon not in (None, h["name"]):
                continue
            head = f"{h.get('title') or h['name'].capitalize()} ({len(h['items'])} steps)"
            lines += ["", f"## {t(head)}" if markdown else head]
            if not h["items"]:
                lines.append("Nothing in this horizon.")
            for item in h["items"]:
                projects = ", ".join(f"{p['name']} ({p['maturity']})" for p in item["projects"])
                lines.append(
                    f"- [{item['dimension_name']} → level {item['level']}, {item['effort']} "
                    f"effort] {t(item['statement'])}"
                )
                lines.append(f"  To do: {t(item['remediation'])}")
                if item.get("rules"):
                    lines.append(f"  Confirmed by: {', '.join(item['rules'])}")
                if projects:
                    lines.append(f"  Projects that help: {t(projects)}")
        if roadmap.get("unassessed"):
            names = ", ".join(u["dimension_name"] for u in roadmap["unassessed"])
            lines += ["", f"To assess first (no answers, no evidence): {t(names)}"]
        if roadmap.get("kpis") and horizon in (None, "now", "next"):
            head = "Business outcomes to track"
            lines += ["", f"## {head}" if markdown else head]
            for entry in roadmap["kpis"]:
                lines.append(f"- Level {entry['level']} {entry.get('name', '')}: "
                             f"{t(entry.get('focus', ''))}")  # fmt: skip
                lines += [f"  - {t(k['text'])}" for k in entry["kpis"]]
        lines += ["", f"Note: {t(roadmap['caveat'])}", ""]
    return "\n".join(lines)
