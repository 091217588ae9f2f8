"""The catalog as JSON-ready data, a Markdown handbook and CSV rows (pure functions)."""

from __future__ import annotations

import csv
import io
from typing import Any

from cnmm.catalog.model import Aspect, Catalog, Criterion, Dimension, Level, Source


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
            for n, lv_name in _level_names(catalog).items()
        ],
        "aspects": [aspect_json(catalog, aspect) for aspect in catalog.aspects],
        "projects": [
            {"name": p.name, "maturity": p.maturity, "url": p.url}
            for p in sorted(catalog.projects.values(), key=lambda p: p.name.lower())
        ],
        "kpis": catalog.kpis,
        "certifications": catalog.certifications,
        "prerequisites": catalog.prerequisites,
    }


def _level_names(catalog: Catalog) -> dict[int, str]:
    from cnmm.catalog.model import LEVEL_NAMES

    return dict(LEVEL_NAMES)


def project_usage(catalog: Catalog) -> list[dict[str, Any]]:
    """Every project with its maturity and the criteria that name it."""
    used: dict[str, list[str]] = {name: [] for name in catalog.projects}
    for criterion in catalog.criteria():
        for name in criterion.projects:
            used.setdefault(name, []).append(criterion.id)
    return [
        {
            "name": name,
            "maturity": catalog.projects[name].maturity if name in catalog.projects else "unknown",
            "url": catalog.projects[name].url if name in catalog.projects else None,
            "criteria": ids,
            "dimensions": sorted({cid.rsplit(".", 2)[0] for cid in ids}),
        }
        for name, ids in sorted(used.items(), key=lambda kv: kv[0].lower())
    ]


def _anchor(text: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in text.lower()).strip("-")


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
    for aspect in catalog.aspects:
        out.append(f"- [{aspect.name}](#{_anchor(aspect.name)})")
        for dimension in aspect.dimensions:
            out.append(f"  - [{dimension.name}](#{_anchor(dimension.id)}) (`{dimension.id}`)")
    out += ["", "## Levels", ""]
    for number, name in _level_names(catalog).items():
        out.append(f"{number}. **{name}**: {catalog.level_summaries.get(number, '')}")
    for aspect in catalog.aspects:
        out += ["", f"## {aspect.name}", "", aspect.description, ""]
        for number in sorted(aspect.level_overview):
            out.append(f"- **Level {number}**: {aspect.level_overview[number]}")
        for dimension in aspect.dimensions:
            out += [
                "",
                f'### {dimension.name} <a id="{_anchor(dimension.id)}"></a>',
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
    out += ["", "## Projects", "", "| project | CNCF maturity |", "| --- | --- |"]
    for p in sorted(catalog.projects.values(), key=lambda p: p.name.lower()):
        out.append(f"| {p.name} | {p.maturity} |")
    return "\n".join(out) + "\n"


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
