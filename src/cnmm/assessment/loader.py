"""Read and check assessment files; every problem is reported as `file:line: what is wrong`.

Two passes, both collecting every problem of the file rather than stopping at the first:
the published JSON Schema (schema/assessment.schema.json) checks the structure, then the
catalog checks the meaning (known dimension and criterion IDs, criteria under their own
dimension, the model version, real dates, quick and detailed answers not mixed in one
dimension). Error texts are written for people editing the file, with a "did you mean" when
an ID is close to a real one.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date as Date
from difflib import get_close_matches
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cnmm.assessment.model import (
    FORMAT,
    STATES,
    Assessment,
    Assessor,
    DimensionAnswer,
    Scope,
)
from cnmm.catalog.model import Aspect, Catalog, Criterion, Dimension
from cnmm.yamlsource import (
    TOO_DEEP,
    SourcedYaml,
    YamlSourceError,
    parse_sourced_yaml,
    read_sourced_yaml,
)

if TYPE_CHECKING:
    from jsonschema import ValidationError

# An assessment of the whole model with comments is about 150 KiB; anything far larger is a
# mistake (a log, a dump) and is refused before parsing.
MAX_FILE_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an assessment file."""

    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"

    def to_json(self) -> dict[str, Any]:
        """JSON form: file, line (or null) and message."""
        return {"file": self.path, "line": self.line, "message": self.message}


class AssessmentError(ValueError):
    """An invalid assessment file; `str()` is one `file:line: what is wrong` line per problem."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


@cache
def assessment_schema() -> dict[str, Any]:
    """The published JSON Schema of assessment files."""
    text = (resources.files("cnmm.assessment") / "schema" / "assessment.schema.json").read_text(
        encoding="utf-8"
    )
    return dict(json.loads(text))


def load_assessment(path: Path, catalog: Catalog) -> Assessment:
    """Read and check one assessment file; raise AssessmentError listing every problem."""
    assessment, problems = check_assessment(path, catalog)
    if problems or assessment is None:
        raise AssessmentError(problems)
    return assessment


def parse_assessment(text: str, name: str, catalog: Catalog) -> Assessment:
    """Check assessment text (named `name` in messages); raise AssessmentError."""
    doc, problems = _parse(lambda: parse_sourced_yaml(text, name), name)
    if doc is None:
        raise AssessmentError(problems)
    assessment, problems = check_document(doc, catalog)
    if problems or assessment is None:
        raise AssessmentError(problems)
    return assessment


def check_assessment(path: Path, catalog: Catalog) -> tuple[Assessment | None, list[Problem]]:
    """(assessment or None, every problem) for one file; never raises for bad input."""
    name = str(path)
    try:
        size = Path(path).stat().st_size
    except OSError as exc:
        return None, [Problem(name, None, f"cannot read file: {exc.strerror or exc}")]
    if Path(path).is_dir():
        return None, [Problem(name, None, "is a directory, not an assessment file")]
    if size > MAX_FILE_BYTES:
        return None, [
            Problem(
                name,
                None,
                f"file is {size} bytes; assessment files are limited to {MAX_FILE_BYTES} bytes",
            )
        ]
    doc, problems = _parse(lambda: read_sourced_yaml(path), name)
    if doc is None:
        return None, problems
    return check_document(doc, catalog)


def _parse(parse: Callable[[], SourcedYaml], name: str) -> tuple[SourcedYaml | None, list[Problem]]:
    try:
        return parse(), []
    except YamlSourceError as exc:
        return None, [Problem(exc.path, exc.line, exc.reason)]
    except RecursionError:
        return None, [Problem(name, None, TOO_DEEP)]


def check_document(doc: SourcedYaml, catalog: Catalog) -> tuple[Assessment | None, list[Problem]]:
    """Check a parsed document against the schema and the catalog."""
    if doc.data is None:
        return None, [
            Problem(doc.path, None, f"empty file: expected an assessment (`cnmm: {FORMAT}`, ...)")
        ]
    data = _plain(doc.data)
    if not isinstance(data, dict):
        found = _type_name(data)
        return None, [
            Problem(doc.path, 1, f"expected a mapping (`cnmm: {FORMAT}`, ...), found {found}")
        ]
    problems = _schema_problems(doc, data)
    problems += _meaning_problems(doc, data, catalog)
    for dup_path, line in doc.duplicate_keys:
        problems.append(
            Problem(
                doc.path,
                line,
                f"duplicate key {dup_path[-1]!r} in {_label(dup_path[:-1])}: "
                "the later value would silently replace the earlier one",
            )
        )
    problems = _unique_sorted(problems)
    if problems:
        return None, problems
    return _build(data, doc.path), []


# --- structure (JSON Schema) -------------------------------------------------------------


def _schema_problems(doc: SourcedYaml, data: dict[str, Any]) -> list[Problem]:
    import jsonschema  # deferred: only needed when a file is read

    validator = jsonschema.Draft202012Validator(assessment_schema())
    problems: list[Problem] = []
    for error in validator.iter_errors(data):
        problems.extend(_describe(doc, error))
    return problems


def _describe(doc: SourcedYaml, error: ValidationError) -> list[Problem]:
    path = list(error.absolute_path)
    line = doc.line_of(path)
    instance = error.instance
    schema = error.schema if isinstance(error.schema, dict) else {}
    kind = error.validator
    label = _label(path)
    if kind == "additionalProperties" and isinstance(instance, dict):
        allowed = list(schema.get("properties", {}))
        out = []
        for key in instance:
            if key in allowed:
                continue
            hint = _did_you_mean(str(key), allowed)
            where = "at the top level" if not path else f"in {label}"
            out.append(
                Problem(
                    doc.path,
                    doc.line_of([*path, key]),
                    f"unknown key {key!r} {where}{hint} (allowed: {', '.join(allowed)})",
                )
            )
        return out
    if kind == "required" and isinstance(instance, dict):
        out = []
        for key in error.validator_value:
            if key in instance:
                continue
            if not path and key == "cnmm":
                message = f"missing the header `cnmm: {FORMAT}`: is this a cnmm assessment file?"
            else:
                where = "at the top level" if not path else f"in {label}"
                message = f"missing required key {key!r} {where}"
            out.append(Problem(doc.path, line, message))
        return out
    if kind == "const" and path == ["cnmm"]:
        message = (
            f"header `cnmm: {instance}` is not a format this cnmm reads; expected `cnmm: {FORMAT}`"
        )
        return [Problem(doc.path, line, message)]
    if kind == "enum":
        return [Problem(doc.path, line, _enum_message(path, instance, error.validator_value))]
    if kind == "anyOf" and len(path) >= 4 and path[0] == "answers" and path[2] == "criteria":
        return _criterion_answer_problems(doc, error)
    if kind == "type":
        return [Problem(doc.path, line, _type_message(label, instance, error.validator_value))]
    if kind in ("minimum", "maximum"):
        low, high = schema.get("minimum"), schema.get("maximum")
        message = f"{label}: {instance} is out of range {low}..{high}"
        if path and path[-1] == "confidence" and isinstance(instance, int | float) and instance > 1:
            message += f" (write {instance / 100:g} for {instance:g}%)"
        return [Problem(doc.path, line, message)]
    if kind == "minLength":
        return [Problem(doc.path, line, f"{label}: must not be empty")]
    if kind in ("pattern", "format") and path == ["date"]:
        return [Problem(doc.path, line, f"date: expected YYYY-MM-DD, found {instance!r}")]
    return [Problem(doc.path, line, f"{label}: {error.message}")]


def _criterion_answer_problems(doc: SourcedYaml, error: ValidationError) -> list[Problem]:
    """A criterion's answer is a state, empty, or {state, note}: explain which part is wrong."""
    path = list(error.absolute_path)
    line = doc.line_of(path)
    instance = error.instance
    if isinstance(instance, str | bool):
        return [Problem(doc.path, line, _enum_message(path, instance, list(STATES)))]
    if isinstance(instance, dict):
        # Only the errors of the {state, note} branch explain what is wrong with a mapping.
        problems: list[Problem] = []
        for sub in error.context or []:
            if sub.relative_schema_path and sub.relative_schema_path[0] == 2:
                if sub.validator == "anyOf" and isinstance(sub.instance, str):
                    sub_path = list(sub.absolute_path)
                    problems.append(
                        Problem(
                            doc.path,
                            doc.line_of(sub_path),
                            _enum_message(sub_path, sub.instance, list(STATES)),
                        )
                    )
                elif sub.validator != "anyOf":
                    problems.extend(_describe(doc, sub))
                else:
                    problems.append(
                        Problem(
                            doc.path,
                            doc.line_of(list(sub.absolute_path)),
                            f"{_label(list(sub.absolute_path))}: expected a state "
                            f"({', '.join(STATES)}), found {_type_name(sub.instance)}",
                        )
                    )
        if problems:
            return problems
    return [
        Problem(
            doc.path,
            line,
            f"{_label(path)}: expected a state ({', '.join(STATES)}) or "
            f"{{state: ..., note: ...}}, found {_type_name(instance)}",
        )
    ]


def _enum_message(path: Sequence[Any], value: Any, allowed: Sequence[Any]) -> str:
    names = ", ".join(str(a) for a in allowed)
    hint = _did_you_mean(str(value), [str(a) for a in allowed]) if isinstance(value, str) else ""
    if path and path[-1] == "kind" and path[:1] == ["scope"]:
        return f"scope kind {value!r} is not one of: {names}{hint}"
    if isinstance(value, bool):
        # YAML reads yes/no/on/off as booleans; a state must be one of the words below.
        return (
            f"{_label(path)}: YAML reads this as {str(value).lower()} (yes/no/on/off); "
            f"use one of: {names}"
        )
    what = "a state" if set(map(str, allowed)) == set(STATES) else "allowed"
    return f"{_label(path)}: {value!r} is not {what}; use one of: {names}{hint}"


def _type_message(label: str, instance: Any, expected: Any) -> str:
    wanted = [expected] if isinstance(expected, str) else list(expected)
    wanted = [w for w in wanted if w != "null"] or wanted
    words = {
        "object": "a mapping",
        "array": "a list",
        "string": "text",
        "integer": "a whole number",
        "number": "a number",
        "null": "nothing",
    }
    text = " or ".join(words.get(w, w) for w in wanted)
    message = f"{label}: expected {text}, found {_type_name(instance)}"
    if "string" in wanted and isinstance(instance, bool | int | float):
        message += " (put it in quotes)"
    return message


# --- meaning (catalog) -------------------------------------------------------------------


def _meaning_problems(doc: SourcedYaml, data: dict[str, Any], catalog: Catalog) -> list[Problem]:
    problems: list[Problem] = []

    def add(path: Sequence[str | int], message: str) -> None:
        problems.append(Problem(doc.path, doc.line_of(path), message))

    model = data.get("model")
    if isinstance(model, str) and model and model != catalog.version:
        add(
            ["model"],
            f"model {model!r} does not match the model this cnmm knows ({catalog.version}); "
            f"answers are only comparable within one model version",
        )
    raw_date = data.get("date")
    if isinstance(raw_date, str) and len(raw_date) == 10:
        try:
            Date.fromisoformat(raw_date)
        except ValueError:
            add(["date"], f"date {raw_date!r} is not a real calendar date")
    dimension_ids = [d.id for d in catalog.dimensions()]
    aspect_ids = [a.id for a in catalog.aspects]
    targets = data.get("targets")
    if isinstance(targets, dict):
        for key in targets:
            found = catalog.find(str(key))
            if not isinstance(found, Dimension | Aspect):
                hint = _suggest_id(str(key), dimension_ids + aspect_ids)
                add(["targets", key], f"targets: unknown dimension or aspect {key!r}{hint}")
    answers = data.get("answers")
    if not isinstance(answers, dict):
        return problems
    for key, value in answers.items():
        at: list[str | int] = ["answers", key]
        found = catalog.find(str(key))
        if isinstance(found, Criterion):
            add(
                at,
                f"{key!r} is a criterion, not a dimension: put it under "
                f"answers: {found.dimension}: criteria:",
            )
            continue
        if isinstance(found, Aspect):
            add(at, f"{key!r} is an aspect: answers are given per dimension ({key}.*)")
            continue
        if not isinstance(found, Dimension):
            hint = _suggest_id(str(key), dimension_ids)
            add(at, f"unknown dimension {key!r}{hint}")
            continue
        if not isinstance(value, dict):
            continue
        if "level" in value and "criteria" in value:
            add(
                at,
                f"{key}: give either `level` (quick answer) or `criteria` (detailed answers), "
                "not both",
            )
        elif value.get("confidence") is not None and "criteria" in value:
            add(
                [*at, "confidence"],
                f"{key}: `confidence` goes with a quick `level`; detailed answers get their "
                "confidence from `unknown` answers",
            )
        criteria = value.get("criteria")
        if isinstance(criteria, dict):
            problems.extend(_criterion_id_problems(doc, found, criteria, catalog))
    return problems


def _criterion_id_problems(
    doc: SourcedYaml, dimension: Dimension, criteria: Mapping[Any, Any], catalog: Catalog
) -> list[Problem]:
    problems = []
    own = [c.id for c in dimension.criteria()]
    for cid in criteria:
        at = ["answers", dimension.id, "criteria", cid]
        found = catalog.find(str(cid))
        if isinstance(found, Criterion):
            if found.dimension == dimension.id:
                continue
            message = (
                f"criterion {cid!r} belongs to dimension {found.dimension!r}, not "
                f"{dimension.id!r}: move it under answers: {found.dimension}: criteria:"
            )
        elif isinstance(found, Dimension | Aspect):
            message = f"{cid!r} is not a criterion of {dimension.id}"
        else:
            hint = _suggest_id(str(cid), own) or _suggest_id(
                str(cid), [c.id for c in catalog.criteria()]
            )
            message = f"unknown criterion {cid!r} in {dimension.id}{hint}"
        problems.append(Problem(doc.path, doc.line_of(at), message))
    return problems


def _suggest_id(value: str, candidates: Sequence[str]) -> str:
    """`; did you mean X?` from full IDs, or from their last part (`container-runtime`)."""
    close = get_close_matches(value, candidates, n=1, cutoff=0.75)
    if not close:
        tails = {c.rsplit(".", 1)[-1]: c for c in candidates}
        tail_close = get_close_matches(value.rsplit(".", 1)[-1], list(tails), n=1, cutoff=0.8)
        close = [tails[t] for t in tail_close]
    return f"; did you mean {close[0]!r}?" if close else ""


def _did_you_mean(value: str, candidates: Sequence[str]) -> str:
    close = get_close_matches(value, candidates, n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


# --- building the typed model -------------------------------------------------------------


def _build(data: dict[str, Any], path: str) -> Assessment:
    raw_scope = data["scope"]
    answers: dict[str, DimensionAnswer] = {}
    for dimension_id, raw in (data.get("answers") or {}).items():
        raw = raw or {}
        notes = raw.get("notes") or None
        evidence = tuple(raw.get("evidence") or ())
        if "criteria" in raw:
            states: dict[str, str] = {}
            criterion_notes: dict[str, str] = {}
            pending: list[str] = []
            for cid, value in (raw["criteria"] or {}).items():
                state, note = (
                    (value.get("state"), value.get("note"))
                    if isinstance(value, dict)
                    else (value, None)
                )
                if state is None:
                    pending.append(cid)
                else:
                    states[cid] = state
                if note:
                    criterion_notes[cid] = note
            answers[dimension_id] = DimensionAnswer(
                mode="detailed",
                notes=notes,
                evidence=evidence,
                criteria=states,
                criterion_notes=criterion_notes,
                pending=tuple(pending),
            )
        else:
            confidence = raw.get("confidence")
            answers[dimension_id] = DimensionAnswer(
                mode="quick",
                level=raw.get("level"),
                confidence=float(confidence) if confidence is not None else None,
                notes=notes,
                evidence=evidence,
            )
    return Assessment(
        model=data["model"],
        scope=Scope(kind=raw_scope["kind"], name=raw_scope["name"], parent=raw_scope.get("parent")),
        date=Date.fromisoformat(data["date"]),
        assessors=tuple(
            Assessor(name=a["name"], role=a.get("role")) for a in data.get("assessors") or ()
        ),
        targets=dict(data.get("targets") or {}),
        answers=answers,
        path=path,
    )


# --- helpers -----------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """YAML dates become ISO strings so the schema (JSON types) can check them."""
    if isinstance(value, Date):  # a datetime is a Date too
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _label(path: Sequence[Any]) -> str:
    if not path:
        return "the document"
    # answers/<dimension>/criteria/<criterion>/x reads better as <criterion>/x
    path = list(path)
    if path[0] == "answers" and len(path) > 1:
        path = path[3:] if len(path) > 3 and path[2] == "criteria" else path[1:]
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f"/{part}" if text else str(part))
    return text


def _type_name(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a yes/no value)"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the text {value!r}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


def _unique_sorted(problems: list[Problem]) -> list[Problem]:
    seen: set[Problem] = set()
    unique = []
    for problem in problems:
        if problem not in seen:
            seen.add(problem)
            unique.append(problem)
    return sorted(unique, key=lambda p: p.line or 0)
