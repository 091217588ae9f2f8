"""The catalog as JSON-ready data, a Markdown handbook and CSV rows (pure functions)."""

from __future__ import annotations

import csv
import io
from typing import Any

from cnmm.catalog.model import (
    LEVEL_NAMES,
    Aspect,
    Catalog,
    Criterion,
    Dimension,
    Level,
    Project,
    Source,
)


def source_json(source: Source) -> dict[str, Any]:
    """JSON form of a seed citation."""
    data: dict[str, Any] = {"file": source.file, "section": source.section}
    if source.level:
        data["level"] = source.level
    return data


def criterion_json(catalog: Catalog, criterion: Criterion) -> dict[str, Any]:
    """JSON form of one criterion, projects expanded with their CNCF maturity."""
    return {
        "id": criterion.id,
        "dimension": criterion.dimension,
        "level": criterion.level,
        "statement": criterion.statement,
        "question": criterion.question,
        "effort": criterion.effort,
        "remediation": criterion.remediation,
        "evidence": {
            "rules": list(criterion.evidence.rules),
            "threshold": criterion.evidence.threshold,
            "match": criterion.evidence.match,
        },
        "projects": [
            {
                "name": name,
                "maturity": catalog.projects[name].maturity
                if name in catalog.projects
                else "unknown",
            }
            for name in criterion.projects
        ],
        "source": source_json(criterion.source),
    }


def project_json(project: Project) -> dict[str, Any]:
    """JSON form of one project, with every fact the catalog holds about it."""
    return {
        "name": project.name,
        "maturity": project.maturity,
        "kind": project.kind,
        "part_of": project.part_of,
        "aliases": list(project.aliases),
        "verified": project.verified,
        "url": project.url,
        "description": project.description,
    }


def level_json(catalog: Catalog, level: Level) -> dict[str, Any]:
    """JSON form of one level of a dimension."""
    return {
        "level": level.level,
        "name": level.name,
        "summary": level.summary,
        "defined": level.defined,
        "criteria": [criterion_json(catalog, c) for c in level.criteria],
    }


def dimension_json(catalog: Catalog, dimension: Dimension) -> dict[str, Any]:
    """JSON form of one dimension with its five levels."""
    return {
        "id": dimension.id,
        "aspect": dimension.aspect,
        "name": dimension.name,
        "description": dimension.description,
        "source": source_json(dimension.source),
        "levels": [level_json(catalog, level) for level in dimension.levels],
    }


def aspect_json(catalog: Catalog, aspect: Aspect, with_dimensions: bool = True) -> dict[str, Any]:
    """JSON form of one aspect."""
    data: dict[str, Any] = {
        "id": aspect.id,
        "name": aspect.name,
        "description": aspect.description,
        "level_overview": {str(k): v for k, v in sorted(aspect.level_overview.items())},
        "source": source_json(aspect.source),
    }
    if with_dimensions:
        data["dimensions"] = [dimension_json(catalog, d) for d in aspect.dimensions]
    return data


def catalog_json(catalog: Catalog) -> dict[str, Any]:
    """The whole catalog in the documented export form (see docs/catalog-format.md)."""
    return {
        "model": {
            "name": catalog.name,
            "version": catalog.version,
            "licence": catalog.licence,
            "attribution": catalog.attribution,
        },
        "levels": [
            {"level": n, "name": lv_name, "summary": catalog.level_summaries.get(n, "")}
            for n, lv_name in LEVEL_NAMES.items()
        ],
        "aspects": [aspect_json(catalog, aspect) for aspect in catalog.aspects],
        "projects_as_of": catalog.projects_as_of,
        "projects": [
            project_json(p) for p in sorted(catalog.projects.values(), key=lambda p: p.name.lower())
        ],
        "kpis": catalog.kpis,
        "certification_guidance": catalog.certification_guidance,
        "certifications": catalog.certifications,
        "prerequisites": catalog.prerequisites,
    }


def project_usage(catalog: Catalog) -> list[dict[str, Any]]:
    """Every project with its maturity and the criteria that name it."""
    used: dict[str, list[str]] = {name: [] for name in catalog.projects}
    for criterion in catalog.criteria():
        for name in criterion.projects:
            used.setdefault(name, []).append(criterion.id)
    return [
        {
            **(
                project_json(catalog.projects[name])
                if name in catalog.projects
                else {"name": name, "maturity": "unknown", "url": None}
            ),
            "criteria": ids,
            "dimensions": sorted({cid.rsplit(".", 2)[0] for cid in ids}),
        }
        for name, ids in sorted(used.items(), key=lambda kv: kv[0].lower())
    ]


def _anchor(text: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in text.lower()).strip("-")


def _dimension_anchor(dimension_id: str) -> str:
    # prefixed: `business.outcomes` would otherwise collide with the "Business Outcomes" aspect
    return "dimension-" + _anchor(dimension_id)


def catalog_markdown(catalog: Catalog) -> str:
    """A readable handbook of the whole model, with a table of contents."""
    out = [
        f"# {catalog.name} {catalog.version}",
        "",
        f"_{catalog.attribution}_",
        "",
        "## Contents",
        "",
    ]
    out.append("- [Levels](#levels)")
    out.append("- [Prerequisites and readiness](#prerequisites-and-readiness)")
    for aspect in catalog.aspects:
        out.append(f"- [{aspect.name}](#{_anchor(aspect.name)})")
        for dimension in aspect.dimensions:
            out.append(
                f"  - [{dimension.name}](#{_dimension_anchor(dimension.id)}) (`{dimension.id}`)"
            )
    out.append("- [Business outcome KPIs](#business-outcome-kpis)")
    out.append("- [CNCF certifications](#cncf-certifications)")
    out.append("- [Projects](#projects)")
    out += ["", "## Levels", ""]
    for number, name in LEVEL_NAMES.items():
        out.append(f"{number}. **{name}**: {catalog.level_summaries.get(number, '')}")
    out += _prerequisites_markdown(catalog.prerequisites)
    for aspect in catalog.aspects:
        out += ["", f"## {aspect.name}", "", aspect.description, ""]
        for number in sorted(aspect.level_overview):
            out.append(f"- **Level {number}**: {aspect.level_overview[number]}")
        for dimension in aspect.dimensions:
            out += [
                "",
                f'### {dimension.name} <a id="{_dimension_anchor(dimension.id)}"></a>',
                "",
                f"`{dimension.id}` · source: {dimension.source.cite()}",
                "",
                dimension.description,
            ]
            for level in dimension.levels:
                out += ["", f"#### Level {level.level}: {level.name}", "", level.summary]
                if not level.defined:
                    out += ["", "_Not defined by the model: scored as not applicable._"]
                    continue
                out.append("")
                for c in level.criteria:
                    extras = [f"effort {c.effort}"]
                    if c.projects:
                        extras.append("projects: " + ", ".join(c.projects))
                    if c.evidence.rules:
                        extras.append("evidence: " + ", ".join(f"`{r}`" for r in c.evidence.rules))
                    out.append(
                        f"- **{c.statement}** `{c.id}` ({'; '.join(extras)}; {c.source.cite()})"
                    )
    out += _kpis_markdown(catalog.kpis)
    out += _certifications_markdown(catalog.certification_guidance, catalog.certifications)
    out += [
        "",
        "## Projects",
        "",
        f"CNCF maturity as of {catalog.projects_as_of}; `*` marks a stage not re-confirmed on "
        "that date. Products are named by the model only as examples.",
        "",
        "| project | CNCF maturity | kind | part of | about |",
        "| --- | --- | --- | --- | --- |",
    ]
    for p in sorted(catalog.projects.values(), key=lambda p: p.name.lower()):
        name = f"[{p.name}]({p.url})" if p.url else p.name
        mark = "" if p.verified else " *"
        out.append(
            f"| {name} | {p.maturity}{mark} | {p.kind} | {p.part_of or ''} | {p.description} |"
        )
    return "\n".join(out) + "\n"


def _prerequisites_markdown(data: Any) -> list[str]:
    if not data:
        return []
    out = ["", "## Prerequisites and readiness", ""]
    for item in data["prerequisites"]:
        out.append(f"- {' '.join(item['statement'].split())}")
    out += ["", "**When is the right time?** Signs that an organisation is ready to start:"]
    for group in data["readiness"]:
        out += ["", f"- _{group['aspect'].capitalize()}_"]
        for item in group["items"]:
            out.append(f"  - [ ] {' '.join(item['statement'].split())}")
    return out


def _kpis_markdown(data: Any) -> list[str]:
    if not data:
        return []
    out = ["", "## Business outcome KPIs", "", "Examples to adapt, not targets."]
    for level in data["levels"]:
        out += ["", f"### Level {level['level']}: {level['name']}", ""]
        out += [" ".join(level["focus"].split()), ""]
        for kpi in level["kpis"]:
            out.append(f"- {kpi['text']} ({kpi['kind']}, {kpi['theme']})")
    return out


def _certifications_markdown(guidance: Any, certifications: Any) -> list[str]:
    if not certifications:
        return []
    out = ["", "## CNCF certifications", "", (guidance or {}).get("guidance", ""), ""]
    out += ["| id | name | levels | requires |", "| --- | --- | --- | --- |"]
    for cert in certifications:
        levels = ", ".join(str(n) for n in cert["levels"]) or "no level given"
        out.append(
            f"| {cert['id']} | {cert['name']} | {levels} | {', '.join(cert['requires']) or '-'} |"
        )
    return out


CSV_COLUMNS = (
    "aspect",
    "dimension",
    "level",
    "level_name",
    "criterion",
    "statement",
    "question",
    "effort",
    "rules",
    "threshold",
    "projects",
    "source",
)


def catalog_csv(catalog: Catalog) -> str:
    """One row per criterion (undefined cells as a row without a criterion)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for dimension in catalog.dimensions():
        for level in dimension.levels:
            rows = level.criteria or (None,)
            for c in rows:
                writer.writerow(
                    [
                        dimension.aspect,
                        dimension.id,
                        level.level,
                        level.name,
                        c.id if c else "",
                        c.statement if c else level.summary,
                        c.question if c else "",
                        c.effort if c else "",
                        " ".join(c.evidence.rules) if c else "",
                        "" if c is None or c.evidence.threshold is None else c.evidence.threshold,
                        "; ".join(c.projects) if c else "",
                        c.source.cite() if c else dimension.source.cite(),
                    ]
                )
    return buffer.getvalue()
