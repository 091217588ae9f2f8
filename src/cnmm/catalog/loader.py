"""Load the catalog from YAML, validate it against its JSON Schemas and check its integrity.

Every problem is reported as `file:line: what is wrong`, all at once, so a broken catalog
can be fixed in one pass.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from cnmm import MODEL_VERSION
from cnmm.catalog.model import (
    LEVEL_NAMES,
    Aspect,
    Catalog,
    Criterion,
    Dimension,
    Evidence,
    Level,
    Project,
    Source,
)
from cnmm.yamlsource import SourcedYaml, YamlSourceError, read_sourced_yaml


class CatalogError(ValueError):
    """The catalog is invalid; `problems` lists each `file:line: reason`."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("invalid catalog:\n  " + "\n  ".join(problems))


def catalog_dir(version: str = MODEL_VERSION) -> Path:
    """Directory of the bundled catalog data for a model version."""
    return Path(str(resources.files("cnmm.catalog") / "data" / version))


@cache
def _schema(name: str) -> dict[str, Any]:
    text = (resources.files("cnmm.catalog") / "schema" / f"{name}.schema.json").read_text()
    return dict(json.loads(text))


def schema_problems(doc: SourcedYaml, schema_name: str) -> list[str]:
    """Validate a sourced document against a bundled schema; return `file:line: reason` lines."""
    import jsonschema  # deferred: only needed when loading

    validator = jsonschema.Draft202012Validator(_schema(schema_name))
    problems = []
    for error in sorted(validator.iter_errors(doc.data), key=lambda e: list(map(str, e.path))):
        where = doc.where(list(error.absolute_path))
        field = "/".join(str(p) for p in error.absolute_path) or "(document)"
        problems.append(f"{where}: {field}: {error.message}")
    for dup_path, line in doc.duplicate_keys:
        problems.append(f"{doc.path}:{line}: duplicate key {dup_path[-1]!r}")
    return problems


def _source(raw: dict[str, Any]) -> Source:
    return Source(file=raw["file"], section=raw["section"], level=raw.get("level"))


def _read(path: Path, schema_name: str | None, problems: list[str]) -> SourcedYaml | None:
    try:
        doc = read_sourced_yaml(path)
    except YamlSourceError as exc:
        problems.append(str(exc))
        return None
    if schema_name:
        found = schema_problems(doc, schema_name)
        if found:
            problems.extend(found)
            return None
    return doc


def _dimension(
    doc: SourcedYaml,
    expected_id: str,
    aspect_id: str,
    aliases: dict[str, str],
    problems: list[str],
) -> Dimension:
    raw = doc.data
    if raw["id"] != expected_id:
        problems.append(f"{doc.where(['id'])}: id {raw['id']!r} does not match file name")
    if raw["aspect"] != aspect_id:
        problems.append(
            f"{doc.where(['aspect'])}: aspect {raw['aspect']!r}, expected {aspect_id!r}"
        )
    levels = []
    for index, raw_level in enumerate(raw["levels"]):
        number = index + 1
        at: list[str | int] = ["levels", index]
        if raw_level["level"] != number:
            problems.append(
                f"{doc.where([*at, 'level'])}: level {raw_level['level']}, expected {number}"
            )
        if raw_level["name"] != LEVEL_NAMES[number]:
            problems.append(
                f"{doc.where([*at, 'name'])}: level {number} is named {LEVEL_NAMES[number]!r}"
            )
        count = len(raw_level["criteria"])
        if raw_level["defined"] and not 2 <= count <= 8:
            problems.append(f"{doc.where(at)}: a defined level needs 2-8 criteria, found {count}")
        if not raw_level["defined"] and count:
            problems.append(f"{doc.where(at)}: a level the model does not define has no criteria")
        criteria = []
        for c_index, rc in enumerate(raw_level["criteria"]):
            prefix = f"{expected_id}.l{number}."
            if not rc["id"].startswith(prefix):
                problems.append(
                    f"{doc.where([*at, 'criteria', c_index, 'id'])}: criterion {rc['id']!r} "
                    f"must start with {prefix!r}"
                )
            ev = rc["evidence"]
            if ev["rules"] and ev["threshold"] is None:
                problems.append(
                    f"{doc.where([*at, 'criteria', c_index, 'evidence'])}: "
                    "cited rules need a threshold"
                )
            criteria.append(
                Criterion(
                    id=rc["id"],
                    dimension=expected_id,
                    level=number,
                    statement=rc["statement"].strip(),
                    question=rc["question"].strip(),
                    effort=rc["effort"],
                    remediation=rc["remediation"].strip(),
                    evidence=Evidence(tuple(ev["rules"]), ev["threshold"], ev.get("match", "all")),
                    # the seed spells some names several ways; store the canonical one
                    projects=tuple(aliases.get(name, name) for name in rc["projects"]),
                    source=_source(rc["source"]),
                )
            )
        levels.append(
            Level(
                level=number,
                name=raw_level["name"],
                defined=raw_level["defined"],
                summary=raw_level["summary"].strip(),
                criteria=tuple(criteria),
            )
        )
    return Dimension(
        id=raw["id"],
        aspect=aspect_id,
        name=raw["name"],
        description=raw["description"].strip(),
        source=_source(raw["source"]),
        levels=tuple(levels),
    )


SUPPORTING_FILES = ("kpis", "certifications", "prerequisites")


def _projects(
    doc: SourcedYaml | None, problems: list[str]
) -> tuple[dict[str, Project], dict[str, str]]:
    """Projects by canonical name, and every alias mapped to its canonical name."""
    projects: dict[str, Project] = {}
    aliases: dict[str, str] = {}
    if doc is None:
        return projects, aliases
    for index, raw in enumerate(doc.data["projects"]):
        name = raw["name"]
        if name in projects or name in aliases:
            problems.append(f"{doc.where(['projects', index, 'name'])}: duplicate project {name!r}")
            continue
        for alias in raw.get("aliases", []):
            if alias in projects or alias in aliases:
                problems.append(
                    f"{doc.where(['projects', index, 'aliases'])}: alias {alias!r} is already used"
                )
            aliases[alias] = name
        projects[name] = Project(
            name=name,
            maturity=raw["maturity"],
            url=raw.get("url"),
            description=" ".join(raw["description"].split()),
            aliases=tuple(raw.get("aliases", [])),
            part_of=raw.get("part_of"),
            kind=raw.get("kind", "project"),
            verified=raw["verified"],
        )
    clash = sorted(set(projects) & set(aliases))
    for name in clash:
        problems.append(f"{doc.path}: {name!r} is both a project name and an alias")
    return projects, aliases


def _supporting(name: str, doc: SourcedYaml, problems: list[str]) -> Any:
    """Integrity checks the schema cannot express for kpis/certifications/prerequisites."""
    data = doc.data
    if name == "kpis":
        for index, level in enumerate(data["levels"]):
            if level["level"] != index + 1:
                problems.append(
                    f"{doc.where(['levels', index, 'level'])}: level {level['level']}, "
                    f"expected {index + 1}"
                )
            if level["name"] != LEVEL_NAMES[index + 1]:
                problems.append(
                    f"{doc.where(['levels', index, 'name'])}: level {index + 1} is named "
                    f"{LEVEL_NAMES[index + 1]!r}"
                )
    ids: dict[str, str] = {}
    for path, item_id in _ids(data, ()):
        where = doc.where(list(path))
        if item_id in ids:
            problems.append(f"{where}: duplicate id {item_id!r} (first at {ids[item_id]})")
        ids.setdefault(item_id, where)
    return data


def _ids(node: Any, path: tuple[str | int, ...]) -> Iterable[tuple[tuple[str | int, ...], str]]:
    """Every `id` value in a document, with its data path."""
    if isinstance(node, dict):
        if isinstance(node.get("id"), str):
            yield (*path, "id"), node["id"]
        for key, value in node.items():
            yield from _ids(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _ids(value, (*path, index))


def _check_integrity(
    catalog: Catalog, locations: dict[str, str], known_rules: Iterable[str] | None
) -> list[str]:
    problems = []
    seen: dict[str, str] = {}
    rules = set(known_rules) if known_rules is not None else None
    for criterion in catalog.criteria():
        where = locations.get(criterion.id, criterion.dimension)
        if criterion.id in seen:
            problems.append(
                f"{where}: duplicate criterion id {criterion.id!r} (first at {seen[criterion.id]})"
            )
        seen[criterion.id] = where
        for name in criterion.projects:
            if name not in catalog.projects:
                problems.append(f"{where}: project {name!r} is not in projects.yaml")
        if rules is not None:
            for rule_id in criterion.evidence.rules:
                if rule_id not in rules:
                    problems.append(f"{where}: cites unknown rule {rule_id!r}")
    return problems


def load_catalog_from(directory: Path, known_rules: Iterable[str] | None = None) -> Catalog:
    """Load and validate a catalog directory; raise CatalogError listing every problem."""
    problems: list[str] = []
    index = _read(directory / "model.yaml", "model", problems)
    if index is None:
        raise CatalogError(problems)
    projects_doc = _read(directory / "projects.yaml", "projects", problems)
    projects, aliases = _projects(projects_doc, problems)
    aspects = []
    locations: dict[str, str] = {}
    listed = {d for a in index.data["aspects"] for d in a["dimensions"]}
    for path in sorted((directory / "dimensions").glob("*.yaml")):
        if path.stem not in listed:
            problems.append(f"{path}: dimension {path.stem!r} is not listed in model.yaml")
    for a_index, raw_aspect in enumerate(index.data["aspects"]):
        aspect_id = raw_aspect["id"]
        aspect_path = directory / "aspects" / f"{aspect_id}.yaml"
        if not aspect_path.exists():
            problems.append(f"{index.where(['aspects', a_index])}: missing {aspect_path}")
            continue
        aspect_doc = _read(aspect_path, "aspect", problems)
        dimensions = []
        for d_index, dimension_id in enumerate(raw_aspect["dimensions"]):
            path = directory / "dimensions" / f"{dimension_id}.yaml"
            if not path.exists():
                where = index.where(["aspects", a_index, "dimensions", d_index])
                problems.append(f"{where}: missing {path}")
                continue
            doc = _read(path, "dimension", problems)
            if doc is None:
                continue
            dimension = _dimension(doc, dimension_id, aspect_id, aliases, problems)
            for li, level in enumerate(dimension.levels):
                for ci, criterion in enumerate(level.criteria):
                    locations[criterion.id] = doc.where(["levels", li, "criteria", ci, "id"])
            dimensions.append(dimension)
        if aspect_doc is None:
            continue
        raw = aspect_doc.data
        aspects.append(
            Aspect(
                id=aspect_id,
                name=raw["name"],
                description=raw["description"].strip(),
                level_overview={int(k): str(v).strip() for k, v in raw["level_overview"].items()},
                source=Source(raw["source"]["file"], raw["source"]["section"]),
                dimensions=tuple(dimensions),
            )
        )
    extras: dict[str, Any] = {}
    for name in SUPPORTING_FILES:
        path = directory / f"{name}.yaml"
        if not path.exists():
            problems.append(f"{path}: missing (the catalog needs {name}.yaml)")
            extras[name] = None
            continue
        doc = _read(path, name, problems)
        extras[name] = _supporting(name, doc, problems) if doc else None
    catalog = Catalog(
        name=index.data["name"],
        version=index.data["version"],
        licence=index.data["licence"],
        attribution=" ".join(index.data["attribution"].split()),
        level_summaries={lv["level"]: lv["summary"] for lv in index.data["levels"]},
        aspects=tuple(aspects),
        projects=projects,
        projects_as_of=str(projects_doc.data["as_of"]) if projects_doc else "",
        kpis=extras["kpis"],
        certifications=extras["certifications"]["certifications"]
        if extras["certifications"]
        else None,
        certification_guidance={
            "source": extras["certifications"]["source"],
            "guidance": " ".join(extras["certifications"]["guidance"].split()),
        }
        if extras["certifications"]
        else None,
        prerequisites=extras["prerequisites"],
    )
    problems.extend(_check_integrity(catalog, locations, known_rules))
    if problems:
        raise CatalogError(problems)
    return catalog


@cache
def load_catalog(version: str = MODEL_VERSION) -> Catalog:
    """Load the bundled catalog for a model version (cached); raise CatalogError if invalid."""
    return load_catalog_from(catalog_dir(version))
