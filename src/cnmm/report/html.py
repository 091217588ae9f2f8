"""One self-contained HTML report per scope, plus an overview page for several scopes (pure).

Everything is inline (CSS, SVG); there are no scripts and nothing is fetched, so the file
works offline and a Content-Security-Policy forbids any request. Every piece of text that
comes from users or scanned files is escaped; links are only made for http(s) URLs and for
the local files evidence points at.
"""

from __future__ import annotations

import math
import re
from html import escape
from pathlib import PurePath
from typing import Any

from cnmm.report.summary import (
    BASIS_LABELS,
    LEVEL_NAMES,
    Summary,
    confidence_text,
    counted,
    dimension_state,
    display_subject,
    input_roots,
    level_label,
    number,
    percent,
    plural,
    progress_known,
    progress_text,
    qualified_names,
    scope_title,
    side_by_side,
    summarise,
    target_text,
    toward,
    where,
)

_VERDICT = {
    "met": ("ok", "met"),
    "partial": ("warn", "partial"),
    "not-met": ("bad", "not met"),
    "not-applicable": ("muted", "n/a"),
    "unknown": ("muted", "unknown"),
    "not-available": ("muted", "not available"),
}
_STEP_STATE = {
    "unknown": "not answered yet",
    "not-met": "not met",
    "partial": "partly met",
}
_CRITERION_BASIS = {
    "evidence": "evidence",
    "answer": "answer",
    "both-agree": "answer + evidence agree",
    "conflict": "answer contradicted by evidence",
    "none": "no answer, no evidence",
}
# One colour per aspect for the radar spokes and labels (colour-blind safe palette).
_ASPECT_COLOURS = ["#0072b2", "#d55e00", "#009e73", "#cc79a7", "#8a6d00", "#56b4e9"]
_SERIES_COLOURS = ["#1f5fa8", "#c2412d", "#2f8f5b", "#7b4fa0", "#8a6d00", "#0b7285"]

_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
    "form-action 'none'"
)

_CSS = """
:root{--ink:#1b2430;--muted:#5b6675;--line:#d5dbe3;--soft:#f4f6f9;--ok:#1e7a4a;--warn:#9a6400;
--bad:#b3321f;--accent:#1f5fa8;--l0:#eef1f5;--l1:#d7e6f7;--l2:#aecdee;--l3:#7eb0e2;--l4:#4a8bd0;
--l5:#1f5fa8}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{font:15px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,"Liberation Sans",sans-serif;
color:var(--ink);margin:0;background:#fff}
main{max-width:1120px;margin:0 auto;padding:28px 24px 48px}
a{color:var(--accent)}
h1{font-size:28px;line-height:1.25;margin:0 0 6px}
h2{font-size:21px;margin:40px 0 10px;padding-bottom:6px;border-bottom:2px solid var(--line)}
h3{font-size:17px;margin:22px 0 8px}h4{font-size:15px;margin:16px 0 6px}
p{margin:8px 0}
.meta{color:var(--muted);font-size:13px;margin:0}
.headline{font-size:18px;line-height:1.5;margin:14px 0 16px;max-width:62em}
.figures{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:10px;
margin:14px 0;
padding:0}
.figure{border:1px solid var(--line);border-radius:8px;padding:10px 12px;background:var(--soft);
margin:0}
.figure dt{color:var(--muted);font-size:13px}
.figure dd{margin:2px 0 0;font-size:26px;font-weight:700}
.figure dd.hint{font-size:12px;font-weight:400;color:var(--muted);line-height:1.3}
.figure dd small{font-size:13px;font-weight:400;color:var(--muted)}
.two{display:grid;grid-template-columns:1fr 1fr;gap:24px}
@media (max-width:760px){.two{grid-template-columns:1fr}}
.callout{border-left:4px solid var(--bad);background:#fdf1ef;padding:8px 12px;margin:12px 0}
.note{border-left:4px solid var(--warn);background:#fff7e6;padding:8px 12px;margin:12px 0}
table{border-collapse:collapse;width:100%;margin:8px 0 14px;font-size:14px}
caption{text-align:left;font-weight:600;padding:4px 0;color:var(--ink)}
th,td{border-bottom:1px solid var(--line);padding:6px 8px;text-align:left;vertical-align:top}
thead th{background:var(--soft);font-weight:600;font-size:13px}
td.num,th.num{text-align:right;white-space:nowrap}
.ok{color:var(--ok)}.warn{color:var(--warn)}.bad{color:var(--bad)}.muted{color:var(--muted)}
.verdict{font-weight:600;white-space:nowrap}
.lv{display:inline-block;min-width:2.2em;padding:0 7px;border-radius:10px;font-size:13px;
font-weight:600;text-align:center;white-space:nowrap;border:1px solid var(--line)}
.lv0{background:var(--l0)}.lv1{background:var(--l1)}.lv2{background:var(--l2)}
.lv3{background:var(--l3)}
.lv4{background:var(--l4);color:#fff}.lv5{background:var(--l5);color:#fff}
.lvx{background:#fff;color:var(--muted)}
.bar{display:inline-flex;gap:2px;vertical-align:middle}
.bar i{display:inline-block;width:18px;height:12px;border:1px solid #9fb4cc;background:#fff;
border-radius:2px}
.bar i.on{background:var(--accent);border-color:var(--accent)}
.bar i.part{background:linear-gradient(90deg,var(--l3) var(--p),#fff var(--p))}
.bar i.tgt{outline:2px solid var(--warn);outline-offset:1px}
.charts{display:grid;grid-template-columns:minmax(0,3fr) minmax(0,2fr);gap:24px;
align-items:start}
@media (max-width:900px){.charts{grid-template-columns:1fr}}
figure{margin:0}figcaption{color:var(--muted);font-size:13px;margin-top:4px}
svg.radar{width:100%;height:auto;max-width:820px}
.heat td{text-align:center;font-variant-numeric:tabular-nums}
.legend{display:flex;flex-wrap:wrap;gap:6px 14px;font-size:13px;color:var(--muted);margin:6px 0;
padding:0;list-style:none}
.legend span.sw{display:inline-block;width:12px;height:12px;border-radius:2px;margin-right:5px;
vertical-align:-1px}
details.dim{border:1px solid var(--line);border-radius:8px;margin:8px 0;padding:0 12px;
background:#fff}
details.dim>summary{cursor:pointer;padding:9px 0;font-weight:600;list-style-position:outside}
details.dim[open]>summary{border-bottom:1px solid var(--line);margin-bottom:8px}
summary .sum-meta{font-weight:400;color:var(--muted);font-size:13px;margin-left:6px}
code{font:12.5px/1.4 ui-monospace,"SFMono-Regular",Menlo,Consolas,"Liberation Mono",monospace;
background:var(--soft);padding:0 4px;border-radius:4px;overflow-wrap:anywhere}
ul.failing{margin:4px 0 0;padding-left:18px;font-size:13px;color:var(--muted)}
ul.failing li{margin:2px 0}
.steps td:first-child{width:46%}
.steps tr.group th{background:#fff;border-bottom:1px solid var(--line);padding-top:14px;
font-size:15px}
details.horizon>summary{cursor:pointer}details.horizon>summary h3{display:inline}
.kpi-level{margin:10px 0}
.scope-nav{display:flex;flex-wrap:wrap;gap:8px;margin:10px 0;padding:0;list-style:none}
.scope-nav a{display:inline-block;border:1px solid var(--line);border-radius:14px;
padding:2px 12px;
text-decoration:none}
.skip{position:absolute;left:-9999px}.skip:focus{left:8px;top:8px;background:#fff;padding:4px}
footer{margin-top:48px;padding-top:10px;border-top:1px solid var(--line);color:var(--muted);
font-size:12px}
@media print{
body{font-size:11pt}main{max-width:none;padding:0}
h2{break-after:avoid;page-break-after:avoid}h3,h4{break-after:avoid}
table,figure,.figure,details.dim,tr{break-inside:avoid;page-break-inside:avoid}
details.dim{border:none;padding:0}
details.horizon>summary{list-style:none}
details.dim>summary{list-style:none}
details::details-content{content-visibility:visible;display:block}
a{color:inherit;text-decoration:none}.skip,.scope-nav{display:none}
.lv,.bar i,.heat td,thead th{-webkit-print-color-adjust:exact;print-color-adjust:exact}
}
"""


def _e(value: object) -> str:
    return escape("" if value is None else str(value), quote=True)


def _slug(text: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in text.lower()).strip("-") or "x"


def _safe_url(url: str) -> str | None:
    """The URL when it is a web link people may follow; None otherwise (no javascript: etc.)."""
    cleaned = url.strip()
    if cleaned.lower().startswith(("https://", "http://")) and not any(
        ch.isspace() or ord(ch) < 32 for ch in cleaned
    ):
        return cleaned
    return None


def _link(url: str | None, text: str) -> str:
    safe = _safe_url(url) if url else None
    if safe is None:
        return _e(text)
    return f'<a href="{_e(safe)}" rel="noopener noreferrer">{_e(text)}</a>'


def _file_link(entry: dict[str, Any], roots: list[str]) -> str:
    """`path:line` of evidence; a link to the local file when the path is absolute."""
    shown = where(entry, roots)
    if not shown:
        return ""
    path = entry.get("path") or ""
    if PurePath(path).is_absolute() and not path.startswith(("cluster:", "<")):
        uri = PurePath(path).as_uri()
        return f'<a href="{_e(uri)}"><code>{_e(shown)}</code></a>'
    return f"<code>{_e(shown)}</code>"


def _level_badge(level: int | None, state: str | None = None) -> str:
    if level is None:
        text = state or "-"
        return f'<span class="lv lvx">{_e(text)}</span>'
    return f'<span class="lv lv{int(level)}">{_e(level_label(level))}</span>'


def _bar(dim: dict[str, Any]) -> str:
    """Five cells: achieved levels filled, the next one filled by its progress, target ringed."""
    if not counted(dim):
        return '<span class="bar" aria-hidden="true">' + "<i></i>" * 5 + "</span>"
    level = int(dim["level"])
    target = dim.get("target")
    cells = []
    for n in range(1, 6):
        classes = []
        style = ""
        if n <= level:
            classes.append("on")
        elif n == level + 1 and dim.get("progress"):
            classes.append("part")
            style = f' style="--p:{round(100 * dim["progress"])}%"'
        if target == n:
            classes.append("tgt")
        cells.append(f'<i class="{" ".join(classes)}"{style}></i>')
    return f'<span class="bar" aria-hidden="true">{"".join(cells)}</span>'


def _verdict(verdict: str) -> str:
    css, text = _VERDICT.get(verdict, ("muted", verdict))
    return f'<span class="verdict {css}">{_e(text)}</span>'


# ---------------------------------------------------------------- charts


def _short_name(dim: dict[str, Any]) -> str:
    name = str(dim.get("label") or dim.get("name") or dim["id"])
    return name if len(name) <= 24 else name[:22].rstrip() + "…"


def radar_svg(
    dims: list[dict[str, Any]],
    series: list[tuple[str, list[int | None]]],
    *,
    targets: list[int | None] | None = None,
    title: str = "Level per dimension",
) -> str:
    """A radar chart: one spoke per dimension (coloured by aspect), one polygon per series.

    Spokes start half a step off vertical so that no label sits straight above the centre;
    labels on the right are left-aligned and on the left right-aligned, which keeps
    neighbouring labels apart. Missing values (not assessed) are drawn at 0 with a hollow dot.
    """
    n = len(dims)
    if n < 3:
        return ""
    width, height = 800, 580
    cx, cy, radius = width / 2, height / 2 + 2, 195.0
    aspects = list(dict.fromkeys(d["aspect"] for d in dims))
    colour = {a: _ASPECT_COLOURS[i % len(_ASPECT_COLOURS)] for i, a in enumerate(aspects)}

    def angle(i: int) -> float:
        return -math.pi / 2 + 2 * math.pi * (i + 0.5) / n

    def point(i: int, value: float) -> tuple[float, float]:
        r = radius * value / 5
        return cx + r * math.cos(angle(i)), cy + r * math.sin(angle(i))

    desc = "; ".join(
        f"{d.get('label') or d['name']}: "
        + ", ".join(f"{label} {'-' if v[i] is None else v[i]}" for label, v in series)
        + (f", target {targets[i]}" if targets and targets[i] is not None else "")
        for i, d in enumerate(dims)
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="radar" role="img" '
        f'viewBox="0 0 {width} {height}" aria-labelledby="radar-title radar-desc">'
        f'<title id="radar-title">{_e(title)}</title><desc id="radar-desc">{_e(desc)}</desc>'
    ]
    for ring in range(1, 6):
        pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in (point(i, ring) for i in range(n)))
        parts.append(f'<polygon points="{pts}" fill="none" stroke="#d5dbe3"/>')
        x, y = point(n - 1, ring)
        parts.append(
            f'<text x="{cx + 3:.1f}" y="{cy - radius * ring / 5 - 2:.1f}" font-size="10" '
            f'fill="#5b6675">{ring}</text>'
        )
    for i, d in enumerate(dims):
        x, y = point(i, 5)
        parts.append(
            f'<line x1="{cx}" y1="{cy}" x2="{x:.1f}" y2="{y:.1f}" stroke="{colour[d["aspect"]]}" '
            'stroke-opacity=".35"/>'
        )
        lx, ly = point(i, 5.35)
        anchor = "start" if lx >= cx else "end"
        dy = 4 if abs(ly - cy) < radius * 0.8 else (0 if ly < cy else 9)
        parts.append(
            f'<text x="{lx:.1f}" y="{ly + dy:.1f}" font-size="13" text-anchor="{anchor}" '
            f'fill="{colour[d["aspect"]]}">{_e(_short_name(d))}</text>'
        )
    if targets:
        pts = " ".join(
            f"{x:.1f},{y:.1f}" for x, y in (point(i, float(t or 0)) for i, t in enumerate(targets))
        )
        parts.append(
            f'<polygon class="target" points="{pts}" fill="none" stroke="#9a6400" '
            'stroke-width="1.5" stroke-dasharray="5 4"/>'
        )
    for s_index, (label, values) in enumerate(series):
        tint = _SERIES_COLOURS[s_index % len(_SERIES_COLOURS)]
        pts = " ".join(
            f"{x:.1f},{y:.1f}" for x, y in (point(i, float(v or 0)) for i, v in enumerate(values))
        )
        fill = ".18" if len(series) == 1 else ".08"
        parts.append(
            f'<polygon class="series" data-series="{_e(label)}" points="{pts}" fill="{tint}" '
            f'fill-opacity="{fill}" stroke="{tint}" stroke-width="2.2"/>'
        )
        for i, v in enumerate(values):
            x, y = point(i, float(v or 0))
            hollow = v is None
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.2" fill="{"#fff" if hollow else tint}" '
                f'stroke="{tint}"/>'
            )
    parts.append("</svg>")
    return "".join(parts)


def _radar_legend(dims: list[dict[str, Any]], doc_aspects: list[dict[str, Any]],
                  series: list[str], with_target: bool) -> str:  # fmt: skip
    names = {a["id"]: a["name"] for a in doc_aspects}
    aspects = list(dict.fromkeys(d["aspect"] for d in dims))
    items = [
        f'<li><span class="sw" style="background:{_ASPECT_COLOURS[i % 6]}"></span>'
        f"{_e(names.get(a, a))}</li>"
        for i, a in enumerate(aspects)
    ]
    items += [
        f'<li><span class="sw" style="background:{_SERIES_COLOURS[i % 6]}"></span>{_e(label)}</li>'
        for i, label in enumerate(series)
    ]
    if with_target:
        items.append('<li><span class="sw" style="border:2px dashed #9a6400"></span>target</li>')
    items.append("<li>hollow dot: not assessed</li>")
    return f'<ul class="legend">{"".join(items)}</ul>'


def heatmap_html(doc: dict[str, Any]) -> str:
    """Aspect x level table: how many of the aspect's assessed dimensions reached each level."""
    rows = []
    for aspect in doc["aspects"]:
        dims = [d for d in doc["dimensions"] if d["aspect"] == aspect["id"] and counted(d)]
        cells = []
        for level in range(1, 6):
            reached = sum(1 for d in dims if d["level"] >= level)
            share = reached / len(dims) if dims else 0.0
            colour = f"rgba(31,95,168,{0.08 + 0.72 * share:.2f})" if dims else "#f4f6f9"
            ink = "#fff" if share > 0.6 else "#1b2430"
            text = f"{reached}/{len(dims)}" if dims else "-"
            label = (
                f"{aspect['name']}: {reached} of {len(dims)} assessed dimensions reached "
                f"level {level}"
                if dims
                else f"{aspect['name']}: no assessed dimension"
            )
            cells.append(
                f'<td style="background:{colour};color:{ink}" title="{_e(label)}">'
                f'{_e(text)}<span class="skip"> {_e(label)}</span></td>'
            )
        rows.append(f'<tr><th scope="row">{_e(aspect["name"])}</th>{"".join(cells)}</tr>')
    head = "".join(f'<th scope="col">{n} {LEVEL_NAMES[n]}</th>' for n in range(1, 6))
    return (
        '<table class="heat" id="heatmap"><caption>Aspect × level: assessed dimensions that '
        "reached each level</caption>"
        f'<thead><tr><th scope="col">Aspect</th>{head}</tr></thead><tbody>{"".join(rows)}'
        "</tbody></table>"
    )


# ---------------------------------------------------------------- sections


def _header(doc: dict[str, Any]) -> str:
    model = doc["model"]
    meta = [
        f"{_e(model['name'])} {_e(model['version'])}",
        f"generated {_e(doc.get('generated', ''))} by cnmm {_e(doc['tool']['version'])}",
    ]
    if doc.get("answered_on"):
        meta.append(f"answers dated {_e(doc['answered_on'])}")
    if doc.get("assessors"):
        people = ", ".join(
            _e(a["name"]) + (f" ({_e(a['role'])})" if a.get("role") else "")
            for a in doc["assessors"]
        )
        meta.append(f"assessors: {people}")
    return (
        f"<header><h1>Cloud native maturity: {_e(scope_title(doc['scope']))}</h1>"
        f'<p class="meta">{" · ".join(meta)}</p></header>'
    )


def _toward(d: dict[str, Any]) -> str:
    return _e(toward(d).strip())


def _summary_section(doc: dict[str, Any]) -> str:
    s = summarise(doc)
    figures = [
        ("Overall floor", _level_badge(s.floor) if s.floor is not None else "-",
         "weakest assessed dimension"),
        ("Median level", _e(number(s.median)), "half the dimensions are at or above"),
        ("Below target", _e(s.below_target), f"of {s.assessed} assessed"),
        ("Discrepancies", _e(s.discrepancies), "answers contradicted by evidence"),
        ("Checked by evidence", f"{s.evidence_checked}<small>/{s.assessed}</small>",
         "assessed dimensions with evidence"),
        ("Assessed", f"{s.assessed}<small>/{s.applicable}</small>", "applicable dimensions"),
    ]  # fmt: skip
    cards = "".join(
        f'<div class="figure"><dt>{_e(label)}</dt><dd>{value}</dd>'
        f'<dd class="hint">{_e(hint)}</dd></div>'
        for label, value, hint in figures
    )
    gaps = "".join(
        f"<li><strong>{_e(d['label'])}</strong>: level {_e(d['level'])} of target "
        f'{_e(d["target"])} <span class="meta">{_toward(d)}</span></li>'
        for d in s.gaps
    )
    steps = "".join(
        f"<li><strong>{_e(i['label'])}</strong> (to level {i['level']}): "
        f'{_e(i["statement"])} <span class="meta">{_e(i["effort"])} effort</span></li>'
        for i in s.next_steps
    )
    html = [
        '<section id="summary" aria-labelledby="summary-h"><h2 id="summary-h">Executive summary'
        "</h2>",
        f'<p class="headline">{_e(s.headline)}</p>',
        f'<dl class="figures">{cards}</dl>',
        '<div class="two"><div><h3>Top gaps</h3>',
        f"<ol>{gaps}</ol>" if gaps else "<p>No assessed dimension is below its target.</p>",
        "</div><div><h3>What to do next</h3>",
        f"<ol>{steps}</ol>" if steps else "<p>Nothing planned: every target is met.</p>",
        '<p class="meta">The full list, with projects and KPIs, is in the '
        '<a href="#roadmap">roadmap</a>.</p></div></div>',
    ]
    if s.discrepancies:
        html.append(
            f'<p class="callout"><strong>{_e(plural(s.discrepancies, "answer is", "answers are"))}'
            " contradicted by evidence.</strong> Review them before relying on the levels: see "
            '<a href="#discrepancies">discrepancies</a>.</p>'
        )
    if s.unassessed:
        names = ", ".join(_e(u["label"]) for u in s.unassessed)
        html.append(
            f'<p class="note">{_e(plural(len(s.unassessed), "dimension has", "dimensions have"))}'
            f" neither answers nor evidence and {'is' if len(s.unassessed) == 1 else 'are'} left "
            f"out of the roll-ups: {names}. Run "
            "<code>cnmm questionnaire</code> to answer them.</p>"
        )
    html.append("</section>")
    return "".join(html)


def _levels_table(doc: dict[str, Any]) -> str:
    labels = qualified_names(doc["dimensions"], doc["aspects"])
    rows = []
    for d in doc["dimensions"]:
        state = dimension_state(d)
        level = _level_badge(d["level"] if counted(d) else None, state)
        rows.append(
            f'<tr><th scope="row"><a href="#dim-{_e(d["id"])}">{_e(labels[d["id"]])}</a></th>'
            f'<td>{level}</td><td>{_bar(d)}</td><td class="num">{_e(target_text(d))}</td>'
            f'<td class="num">{progress_text(d)}</td>'
            f'<td class="num">{confidence_text(d)}</td>'
            f"<td>{_e(BASIS_LABELS.get(d['basis'], d['basis']))}</td></tr>"
        )
    return (
        '<table id="levels"><caption>Level by dimension (gated; bar: achieved levels, progress '
        "toward the next, target ringed)</caption><thead><tr>"
        '<th scope="col">Dimension</th><th scope="col">Level</th><th scope="col">Levels 1-5</th>'
        '<th scope="col" class="num">Target</th><th scope="col" class="num">Progress</th>'
        '<th scope="col" class="num">Confidence</th><th scope="col">Basis</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def _aspects_table(doc: dict[str, Any]) -> str:
    rows = "".join(
        f'<tr><th scope="row">{_e(a["name"])}</th><td>{_level_badge(a["floor"])}</td>'
        f'<td class="num">{_e(number(a["median"]))}</td></tr>'
        for a in doc["aspects"]
    )
    overall = doc["overall"]
    rows += (
        f'<tr><th scope="row">Overall</th><td>{_level_badge(overall["floor"])}</td>'
        f'<td class="num">{_e(number(overall["median"]))}</td></tr>'
    )
    return (
        '<table id="aspects"><caption>Aspects: floor (weakest dimension) and median</caption>'
        '<thead><tr><th scope="col">Aspect</th><th scope="col">Floor</th>'
        f'<th scope="col" class="num">Median</th></tr></thead><tbody>{rows}</tbody></table>'
    )


def _charts_section(doc: dict[str, Any]) -> str:
    labels = qualified_names(doc["dimensions"], doc["aspects"])
    dims = [{**d, "label": labels[d["id"]]} for d in doc["dimensions"] if d.get("applicable", True)]
    values = [d["level"] if counted(d) else None for d in dims]
    targets = [d.get("target") for d in dims]
    radar = radar_svg(dims, [("level", values)], targets=targets,
                      title="Level per dimension against target")  # fmt: skip
    return (
        '<section id="charts" aria-labelledby="charts-h"><h2 id="charts-h">Where we stand</h2>'
        '<div class="charts"><figure>'
        f"{radar}{_radar_legend(dims, doc['aspects'], ['level'], True)}"
        "<figcaption>Each spoke is a dimension, coloured by aspect; the filled shape is the "
        "gated level, the dashed line the target. The same figures are in the table below."
        f"</figcaption></figure><div>{_aspects_table(doc)}{heatmap_html(doc)}</div></div>"
        f"{_levels_table(doc)}</section>"
    )


def _failing_list(failing: list[dict[str, Any]], roots: list[str]) -> str:
    if not failing:
        return ""
    items = []
    for f in failing[:20]:
        location = _file_link(f, roots)
        message = f" – {_e(f['message'])}" if f.get("message") else ""
        items.append(
            f"<li><code>{_e(f['rule'])}</code> {_e(display_subject(f['subject'], roots))}"
            f"{' at ' + location if location else ''}{message}</li>"
        )
    more = f"<li>… and {len(failing) - 20} more</li>" if len(failing) > 20 else ""
    return f'<ul class="failing">{"".join(items)}{more}</ul>'


def _discrepancies_section(doc: dict[str, Any], roots: list[str]) -> str:
    labels = qualified_names(doc["dimensions"], doc["aspects"])
    items = doc["discrepancies"]
    html = [
        '<section id="discrepancies" aria-labelledby="disc-h"><h2 id="disc-h">Discrepancies: '
        "answers against evidence</h2>"
    ]
    if not items:
        html.append("<p>None: wherever both exist, answers and evidence agree.</p>")
    else:
        policy = doc.get("policy", {}).get("discrepancy_policy", "answers-stand")
        rule = (
            "answers stand and are flagged here"
            if policy == "answers-stand"
            else "evidence overrides the answers"
        )
        html.append(
            f"<p>Policy (cnmm.yaml <code>assess.discrepancy_policy</code>): "
            f"<strong>{_e(policy)}</strong>, so {rule}.</p>"
        )
        rows = []
        for x in items:
            if x["kind"] == "criterion":
                what = (
                    f"<strong>{_e(x.get('statement') or x['criterion'])}</strong>"
                    f'<div class="meta"><code>{_e(x["criterion"])}</code></div>'
                )
                said = f"{_verdict(x['answer'])} answered · {_verdict(x['evidence'])} evidence"
            else:
                what = "<strong>Level claimed for the dimension</strong>"
                said = (
                    f"claimed {_level_badge(x['claimed_level'])} · evidence allows at most "
                    f"{_level_badge(x['evidence_cap'])}"
                )
            rows.append(
                f"<tr><td>{_e(labels.get(x['dimension'], x['dimension']))}</td><td>{what}</td>"
                f'<td>{said}<div class="meta">{_e(x["detail"])}</div>'
                f"{_failing_list(x.get('failing', []), roots)}</td></tr>"
            )
        html.append(
            '<table id="discrepancy-table"><thead><tr><th scope="col">Dimension</th>'
            '<th scope="col">What</th><th scope="col">Answer and evidence</th></tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>"
        )
    html.append("</section>")
    return "".join(html)


def _projects(item: dict[str, Any]) -> str:
    return ", ".join(
        f'{_link(p.get("url"), p["name"])} <span class="meta">{_e(p["maturity"])}</span>'
        for p in item["projects"]
    )


def _roadmap_section(doc: dict[str, Any]) -> str:
    labels = qualified_names(doc["dimensions"], doc["aspects"])
    roadmap = doc["roadmap"]
    html = [
        '<section id="roadmap" aria-labelledby="roadmap-h"><h2 id="roadmap-h">Roadmap</h2>',
        "<p>The criteria still to meet up to each dimension's target, in gated order: a level "
        "counts only once every level below it is met. Projects are CNCF graduated and "
        "incubating ones first; sandbox projects are suggested only for levels 4-5.</p>",
    ]
    for horizon in roadmap["horizons"]:
        items = horizon["items"]
        title = horizon.get("title") or horizon["name"].capitalize()
        count = f'<span class="meta">({plural(len(items), "step", "steps")})</span>'
        if not items:
            html.append(
                f'<h3 id="horizon-{_e(horizon["name"])}">{_e(title)} {count}</h3>'
                '<p class="meta">Nothing in this horizon.</p>'
            )
            continue
        groups: dict[tuple[str, int], list[dict[str, Any]]] = {}
        for item in items:
            groups.setdefault((item["dimension"], item["level"]), []).append(item)
        bodies = []
        for (dim_id, level), group in groups.items():
            first = group[0]
            rows = [
                f'<tr class="group"><th colspan="4" scope="rowgroup">'
                f"{_e(labels.get(dim_id, first['dimension_name']))} "
                f'<span class="meta">to level {level} {_e(first.get("level_name", ""))}, now at '
                f"level {_e(first.get('current_level', ''))}</span></th></tr>"
            ]
            for item in group:
                rules = ", ".join(f"<code>{_e(r)}</code>" for r in item.get("rules", []))
                state = _STEP_STATE.get(item.get("verdict", ""), item.get("verdict", ""))
                rows.append(
                    f'<tr><td>{_e(item["statement"])}<div class="meta">{_e(state)} · '
                    f"{_e(item['remediation'])}</div></td><td>{_e(item['effort'])}</td>"
                    f"<td>{rules or '<span class=meta>answers</span>'}</td>"
                    f"<td>{_projects(item) or '-'}</td></tr>"
                )
            bodies.append(f"<tbody>{''.join(rows)}</tbody>")
        table = (
            '<table class="steps"><thead><tr><th scope="col">Step, its state and how</th>'
            '<th scope="col">Effort</th><th scope="col">Confirmed by</th>'
            f'<th scope="col">Projects that help</th></tr></thead>{"".join(bodies)}</table>'
        )
        if horizon["name"] == "now":
            html.append(f'<h3 id="horizon-now">{_e(title)} {count}</h3>{table}')
        else:
            html.append(
                f'<details class="horizon" id="horizon-{_e(horizon["name"])}"><summary>'
                f"<h3>{_e(title)} {count}</h3></summary>{table}</details>"
            )
    if roadmap.get("unassessed"):
        names = "".join(
            f"<li>{_e(labels.get(u['dimension'], u['dimension_name']))} "
            f'<span class="meta">(target {u["target"]})</span>'
            "</li>"
            for u in roadmap["unassessed"]
        )
        html.append(
            '<h3 id="unassessed">To assess first</h3><p>These dimensions have neither answers '
            f"nor evidence; answer their questions before planning work on them.</p><ul>{names}"
            "</ul>"
        )
    html.append('<h3 id="kpis">Business outcomes to track</h3>')
    if roadmap.get("kpis"):
        for entry in roadmap["kpis"]:
            kpis = "".join(f"<li>{_e(k['text'])}</li>" for k in entry["kpis"])
            html.append(
                f'<div class="kpi-level"><h4>Level {entry["level"]} {_e(entry.get("name"))}</h4>'
                f"<p>{_e(entry.get('focus'))}</p><ul>{kpis}</ul></div>"
            )
        html.append(
            '<p class="meta">The model gives these KPIs as examples to adapt, not as targets.</p>'
        )
    else:
        html.append('<p class="meta">No level is being worked on.</p>')
    if roadmap.get("caveat"):
        html.append(f'<p class="note" role="note" id="caveat">{_e(roadmap["caveat"])}</p>')
    html.append("</section>")
    return "".join(html)


def _dimension_detail(d: dict[str, Any], roots: list[str]) -> str:
    badge = _level_badge(d["level"] if counted(d) else None, dimension_state(d))
    head = (
        f'<summary>{_e(d["name"])} {badge}<span class="sum-meta">target {_e(target_text(d))} · '
        f"{_e(BASIS_LABELS.get(d['basis'], d['basis']))}"
        + (f" · progress {progress_text(d)}" if progress_known(d) else "")
        + "</span></summary>"
    )
    body = [f'<p class="meta"><code>{_e(d["id"])}</code> · {_e(d.get("description", ""))}</p>']
    answer = d.get("answer") or {}
    facts = []
    if answer.get("mode") == "quick" and answer.get("level") is not None:
        conf = f", confidence {percent(answer['confidence'])}" if answer.get("confidence") else ""
        facts.append(f"Stated level {_e(answer['level'])}{conf} (quick answer).")
    if d.get("claimed_level") is not None and answer.get("mode") == "detailed":
        facts.append(f"The answers alone give level {_e(d['claimed_level'])}.")
    if d.get("evidence_cap") is not None:
        facts.append(f"Evidence allows at most level {_e(d['evidence_cap'])}.")
    if d.get("capped_by_evidence"):
        facts.append("The level was lowered to what the evidence allows (evidence-overrides).")
    if facts:
        body.append(f"<p>{' '.join(facts)}</p>")
    if answer.get("notes"):
        body.append(f"<p><strong>Notes:</strong> {_e(answer['notes'])}</p>")
    if answer.get("evidence"):
        links = ", ".join(_link(link, link) for link in answer["evidence"])
        body.append(f"<p><strong>Cited by the assessors:</strong> {links}</p>")
    quick = answer.get("mode") == "quick"
    for level in d["levels"]:
        mark = "achieved" if level.get("achieved") else "not achieved"
        if quick and level.get("achieved"):
            mark = "achieved as stated"
        body.append(
            f"<h4>Level {level['level']} {_e(level['name'])} "
            f'<span class="meta">({mark if level["defined"] else "not defined by the model"})'
            f'</span></h4><p class="meta">{_e(level["summary"])}</p>'
        )
        if not level["defined"] or not level["criteria"]:
            continue
        rows = []
        for c in level["criteria"]:
            ev = c.get("evidence") or {}
            evidence = ""
            if ev:
                judged = ev.get("passed", 0) + ev.get("failed", 0)
                ratio = f" ({ev.get('passed', 0)}/{judged} passed)" if judged else ""
                rules = ", ".join(f"<code>{_e(r)}</code>" for r in ev.get("rules", []))
                evidence = (
                    f"{_verdict(ev.get('verdict', 'unknown'))}{ratio}"
                    f'<div class="meta">{rules}</div>{_failing_list(ev.get("failing", []), roots)}'
                )
            answer_cell = _verdict(c["answer"]) if c.get("answer") else "-"
            if quick and c["basis"] == "none":
                # A quick answer states the level as a whole; its criteria were not asked.
                verdict_cell = '<span class="verdict muted">not asked</span>'
                verdict_cell += '<div class="meta">quick answer: level stated as a whole</div>'
            else:
                verdict_cell = (
                    f'{_verdict(c["verdict"])}<div class="meta">'
                    f"{_e(_CRITERION_BASIS.get(c['basis'], c['basis']))}</div>"
                )
            if c.get("note"):
                answer_cell += f'<div class="meta">{_e(c["note"])}</div>'
            rows.append(
                f'<tr><td>{_e(c["statement"])}<div class="meta"><code>{_e(c["id"])}</code>'
                f"</div></td><td>{verdict_cell}</td>"
                f"<td>{answer_cell}</td><td>{evidence or '-'}</td></tr>"
            )
        body.append(
            f'<table><caption class="skip">Criteria of level {level["level"]}</caption><thead>'
            '<tr><th scope="col">Criterion</th><th scope="col">Verdict</th>'
            '<th scope="col">Answer</th><th scope="col">Evidence</th></tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>"
        )
    return f'<details class="dim" id="dim-{_e(d["id"])}">{head}{"".join(body)}</details>'


def _dimensions_section(doc: dict[str, Any], roots: list[str]) -> str:
    html = [
        '<section id="dimensions" aria-labelledby="dims-h"><h2 id="dims-h">Dimensions in '
        "detail</h2><p>Open a dimension to see every criterion, its verdict and where it came "
        "from: the answer, the evidence (rules, failing objects with file and line), or both.</p>"
    ]
    for aspect in doc["aspects"]:
        dims = [d for d in doc["dimensions"] if d["aspect"] == aspect["id"]]
        if not dims:
            continue
        html.append(f"<h3>{_e(aspect['name'])}</h3>")
        html.extend(_dimension_detail(d, roots) for d in dims)
    html.append("</section>")
    return "".join(html)


def _errors_section(doc: dict[str, Any]) -> str:
    errors = doc.get("errors", [])
    if not errors:
        return ""
    items = "".join(
        f"<li><code>{_e(e.get('path'))}</code>: {_e(e.get('reason'))}</li>" for e in errors
    )
    return (
        '<section id="errors" aria-labelledby="errors-h"><h2 id="errors-h">Inputs that could not '
        f"be read</h2><p>The rest of the assessment is complete; these were skipped.</p>"
        f"<ul>{items}</ul></section>"
    )


def _method_section(doc: dict[str, Any]) -> str:
    inputs = doc.get("inputs", {})
    sources = []
    if inputs.get("paths"):
        sources.append("files: " + ", ".join(f"<code>{_e(p)}</code>" for p in inputs["paths"]))
    if inputs.get("cluster"):
        cluster = inputs["cluster"]
        sources.append(f"cluster: <code>{_e(cluster.get('context') or cluster.get('name'))}</code>")
    if inputs.get("answers"):
        sources.append("answers: " + ", ".join(f"<code>{_e(p)}</code>" for p in inputs["answers"]))
    return (
        '<section id="method" aria-labelledby="method-h"><h2 id="method-h">How to read this '
        "report</h2><ul>"
        "<li><strong>Levels are gated</strong>: a dimension is at level N only when every "
        "applicable criterion of levels 1 to N is met. Progress is the share of the next level's "
        "criteria met (partial counts half by default).</li>"
        "<li><strong>Roll-ups</strong> give the floor (the weakest dimension) and the median, "
        "never an average, so one weak area cannot hide behind strong ones.</li>"
        "<li><strong>Basis</strong> says where a level comes from: evidence (rules over "
        "configuration, repositories or a cluster), answers (people's assessment), both, or a "
        "stated level (a quick answer). Confidence drops when criteria are unknown.</li>"
        "<li><strong>Discrepancies</strong> are answers that the evidence contradicts; a claimed "
        "level above what the evidence allows is flagged too.</li>"
        f"<li>Inputs: {'; '.join(sources) or 'none recorded'}.</li></ul></section>"
    )


def _prefix_ids(html: str, prefix: str) -> str:
    """Prefix every id and in-page reference, so several scopes can share one page.

    Safe on this markup: all user text is escaped, so a double quote only ever delimits an
    attribute the renderer wrote itself.
    """
    html = re.sub(r'\b(id|for)="([^"]+)"', lambda m: f'{m[1]}="{prefix}{m[2]}"', html)
    html = re.sub(
        r'aria-labelledby="([^"]+)"',
        lambda m: 'aria-labelledby="' + " ".join(prefix + p for p in m[1].split()) + '"',
        html,
    )
    return re.sub(r'href="#([^"]+)"', lambda m: f'href="#{prefix}{m[1]}"', html)


def scope_body(doc: dict[str, Any], *, back_link: str | None = None, id_prefix: str = "") -> str:
    """The report of one scope as an `<article>` (used alone or inside the overview page)."""
    roots = input_roots(doc)
    body = (
        _header(doc)
        + _summary_section(doc)
        + _charts_section(doc)
        + _discrepancies_section(doc, roots)
        + _roadmap_section(doc)
        + _dimensions_section(doc, roots)
        + _errors_section(doc)
        + _method_section(doc)
    )
    if id_prefix:
        body = _prefix_ids(body, id_prefix)
    back = f'<p class="meta"><a href="{_e(back_link)}">← all scopes</a></p>' if back_link else ""
    slug = _e(_slug(str(doc["scope"].get("name", ""))))
    return f'<article id="scope-{slug}" class="scope">{back}{body}</article>'


def _page(title: str, body: str, attribution: str) -> str:
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">'
        '<meta name="generator" content="cnmm">'
        f"<title>{_e(title)}</title><style>{_CSS}</style></head><body>"
        '<a class="skip" href="#summary">Skip to the summary</a>'
        f"<main>{body}<footer>{_e(attribution)} Levels are gated: a level counts only when it "
        "and every level below it are met.</footer></main></body></html>"
    )


def render_html(doc: dict[str, Any], *, back_link: str | None = None) -> str:
    """One assessment as one HTML page that works offline."""
    title = f"Cloud native maturity: {scope_title(doc['scope'])}"
    return _page(title, scope_body(doc, back_link=back_link), doc["model"].get("attribution", ""))


def _overview(data: dict[str, Any], links: list[str] | None) -> str:
    docs = data["assessments"]
    names = [str(d["scope"].get("name", "")) for d in docs]
    first = docs[0]
    labels = qualified_names(first["dimensions"], first["aspects"])
    # A spoke for every dimension some scope finds applicable.
    dims = [
        {**d, "label": labels[d["id"]]}
        for i, d in enumerate(first["dimensions"])
        if any(doc["dimensions"][i].get("applicable", True) for doc in docs)
    ]
    index = {d["id"]: i for i, d in enumerate(first["dimensions"])}
    summaries = [summarise(doc) for doc in docs]
    series = [
        (name, [doc["dimensions"][index[d["id"]]]["level"] for d in dims])
        for name, doc in zip(names, docs, strict=True)
    ]
    radar = radar_svg(dims, series, title="Level per dimension, by scope")
    nav = "".join(
        f'<li><a href="{_e(links[i] if links else "#scope-" + _slug(name))}">'
        f"{_e(scope_title(docs[i]['scope']))}</a></li>"
        for i, name in enumerate(names)
    )
    scope_rows = "".join(
        f'<tr><th scope="row">{_e(scope_title(doc["scope"]))}</th>'
        f"<td>{_level_badge(doc['overall']['floor'])}</td>"
        f'<td class="num">{_e(number(doc["overall"]["median"]))}</td>'
        f'<td class="num">{s.below_target}</td>'
        f'<td class="num">{s.discrepancies}</td></tr>'
        for doc, s in zip(docs, summaries, strict=True)
    )
    head = "".join(f'<th scope="col">{_e(n)}</th>' for n in names)
    dim_rows = []
    for row in side_by_side(data):
        cells = "".join(
            f"<td>{_level_badge(v, state)}</td>"
            for v, state in zip(row.levels, row.states, strict=True)
        )
        dim_rows.append(
            f'<tr><th scope="row">{_e(row.label)}</th>{cells}'
            f"<td>{_level_badge(row.floor)}</td></tr>"
        )
    parent = next((d["scope"].get("parent") for d in docs if d["scope"].get("parent")), None)
    title = f"Cloud native maturity: {parent}" if parent else "Cloud native maturity: overview"
    return (
        '<article id="overview"><header>'
        f'<h1>{_e(title)}</h1><p class="meta">{len(docs)} scopes · '
        f"{_e(first['model']['name'])} {_e(first['model']['version'])} · generated "
        f"{_e(data.get('generated', ''))} by cnmm {_e(data['tool']['version'])}</p>"
        f'<nav aria-label="Scopes"><ul class="scope-nav">{nav}</ul></nav></header>'
        '<section id="summary" aria-labelledby="ov-h"><h2 id="ov-h">Side by side</h2>'
        '<table id="scopes"><thead><tr><th scope="col">Scope</th><th scope="col">Overall floor'
        '</th><th scope="col" class="num">Median</th><th scope="col" class="num">Below target'
        '</th><th scope="col" class="num">Discrepancies</th></tr></thead>'
        f"<tbody>{scope_rows}</tbody></table>"
        f'<div class="charts"><figure>{radar}'
        f"{_radar_legend(dims, first['aspects'], names, False)}"
        "<figcaption>One shape per scope; the table below gives the same levels.</figcaption>"
        f"</figure><div>{_overview_starts(docs, summaries)}</div></div>"
        '<table id="side-by-side"><caption>Level per dimension and scope</caption><thead><tr>'
        f'<th scope="col">Dimension</th>{head}<th scope="col">Floor</th></tr></thead>'
        f"<tbody>{''.join(dim_rows)}</tbody></table></section></article>"
    )


def _overview_starts(docs: list[dict[str, Any]], summaries: list[Summary]) -> str:
    """Per scope: its weakest point and where to start, for the overview's side column."""
    parts = ["<h3>Where each scope should start</h3>"]
    for doc, s in zip(docs, summaries, strict=True):
        steps = "".join(
            f"<li><strong>{_e(step['label'])}</strong>: {_e(step['statement'])}</li>"
            for step in s.next_steps[:3]
        )
        parts.append(
            f"<h4>{_e(scope_title(doc['scope']))}</h4>"
            f'<p class="meta">floor {_e(level_label(s.floor))} · '
            f"{plural(s.discrepancies, 'discrepancy', 'discrepancies')}</p>"
            + (f"<ol>{steps}</ol>" if steps else "<p>Every target is met.</p>")
        )
    return "".join(parts)


def render_set_html(data: dict[str, Any], *, links: list[str] | None = None) -> str:
    """The overview of several scopes: side-by-side levels and a radar with one shape each.

    With `links` (one file name per scope) the page links to the scopes' own reports;
    without, every scope's full report follows the overview on the same page.
    """
    body = _overview(data, links)
    if links is None:
        body += "".join(
            scope_body(doc, back_link="#overview", id_prefix=f"s{i}-")
            for i, doc in enumerate(data["assessments"])
        )
    attribution = data["assessments"][0]["model"].get("attribution", "")
    return _page("Cloud native maturity: overview", body, attribution)
