"""One entry point for every report format, all rendered from the assessment JSON (pure).

The input is an assessment result document (`cnmm/assessment-result/v1`) or a set of them
(`cnmm/assessment-set/v1`, several scopes); `documents()` gives the scopes either way.
`validate_document()` checks a document against the published schema
(schema/assessment-result.v1.schema.json) so that a hand-edited or foreign file fails with a
clear message instead of a stack trace.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

FORMATS = ("terminal", "markdown", "html", "json", "sarif", "junit", "pdf")
RESULT_SCHEMA = "cnmm/assessment-result/v1"
SET_SCHEMA = "cnmm/assessment-set/v1"


class DocumentError(ValueError):
    """The JSON is not a cnmm assessment document this version can render."""


@cache
def result_schema() -> dict[str, Any]:
    """The published JSON Schema of assessment documents (single and set)."""
    text = resources.files("cnmm.report") / "schema" / "assessment-result.v1.schema.json"
    return dict(json.loads(text.read_text(encoding="utf-8")))


def validate_document(data: Any) -> None:
    """Raise DocumentError naming the first problems when `data` is not a valid document."""
    import jsonschema

    if not isinstance(data, dict):
        raise DocumentError("not a cnmm assessment document (expected a JSON object)")
    schema = str(data.get("schema", ""))
    if schema not in (RESULT_SCHEMA, SET_SCHEMA):
        raise DocumentError(
            f"schema {schema or '(missing)'!r} is not {RESULT_SCHEMA!r} or {SET_SCHEMA!r}"
        )
    # Validate against the branch the document names, so errors point inside it rather than
    # at a failed oneOf over the whole document.
    branch = {k: v for k, v in result_schema().items() if k != "oneOf"}
    branch["$ref"] = "#/$defs/set" if schema == SET_SCHEMA else "#/$defs/result"
    validator = jsonschema.Draft202012Validator(branch)
    errors = sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        lines = [
            f"/{'/'.join(str(p) for p in e.absolute_path)}: {e.message[:200]}" for e in errors[:5]
        ]
        more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
        raise DocumentError("invalid assessment document:\n  " + "\n  ".join(lines) + more)


def documents(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The single-scope documents of a document or a set."""
    if data.get("schema") == SET_SCHEMA:
        return list(data["assessments"])
    return [data]


def _sarif(docs: list[dict[str, Any]]) -> dict[str, Any]:
    """SARIF 2.1.0: one run per scope, failing findings with their file locations."""
    from types import SimpleNamespace

    from cnmm.findings import Exemption, Finding, Location, Outcome, Subject
    from cnmm.report.sarif import findings_to_sarif

    runs = []
    log: dict[str, Any] = {}
    for doc in docs:
        findings = []
        for f in doc.get("findings", []):
            subject = f.get("subject") or {}
            location = f.get("location")
            exemption = f.get("exemption")
            findings.append(
                Finding(
                    rule=f["rule"],
                    outcome=Outcome(f["outcome"]),
                    subject=Subject(
                        kind=subject.get("kind", ""),
                        name=subject.get("name", ""),
                        namespace=subject.get("namespace"),
                    ),
                    message=f.get("message", ""),
                    location=Location(location["path"], location.get("line"))
                    if location and location.get("path")
                    else None,
                    remediation=f.get("remediation"),
                    exemption=Exemption(
                        reason=exemption.get("reason", ""),
                        origin=exemption.get("origin", "cnmm.yaml"),
                        expires=exemption.get("expires"),
                        expired=bool(exemption.get("expired")),
                    )
                    if exemption
                    else None,
                )
            )
        rules = {
            rule_id: SimpleNamespace(title=meta.get("title"), remediation=meta.get("remediation"))
            for rule_id, meta in (doc.get("rules") or {}).items()
        }
        log = findings_to_sarif(findings, rules)
        run = log["runs"][0]
        scope = doc["scope"]
        # Keeps the runs of several scopes apart in code-scanning tools.
        run["automationDetails"] = {"id": f"cnmm/{scope.get('kind')}/{scope.get('name')}/"}
        runs.append(run)
    log["runs"] = runs
    return log


def render(data: dict[str, Any], fmt: str, *, width: int = 80, color: bool = False) -> str | bytes:
    """Render a document or a set in `fmt` (one of FORMATS); pdf gives bytes."""
    docs = documents(data)
    several = len(docs) > 1
    if fmt == "json":
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if fmt == "terminal":
        from cnmm.report.terminal import render_terminal, render_terminal_set

        if several:
            return render_terminal_set(data, width=width, color=color)
        return render_terminal(docs[0], width=width, color=color)
    if fmt == "markdown":
        from cnmm.report.markdown import render_markdown, render_markdown_set

        return render_markdown_set(data) if several else render_markdown(docs[0])
    if fmt == "sarif":
        return json.dumps(_sarif(docs), indent=2, ensure_ascii=False) + "\n"
    if fmt == "junit":
        from cnmm.report.junit import render_junit

        return render_junit(docs)
    if fmt in ("html", "pdf"):
        from cnmm.report.html import render_html, render_set_html

        page = render_set_html(data) if several else render_html(docs[0])
        if fmt == "html":
            return page
        from cnmm.report.pdf import html_to_pdf

        return html_to_pdf(page)
    raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
