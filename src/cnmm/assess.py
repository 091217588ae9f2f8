"""Evidence and answers combined into one assessment (pure functions; I/O lives in the CLI).

Flow: findings -> evidence verdicts per criterion (`cnmm.evidence`) + answers (an assessment
file) -> one verdict per criterion with its basis -> gated levels (`cnmm.scoring`) ->
discrepancies -> roadmap -> the assessment result document (`cnmm/assessment-result/v1`,
documented in docs/assessment-result.md) that every report format renders.

How a criterion's verdict is decided:
- only evidence: the evidence verdict (basis "evidence");
- only an answer: the answer (basis "answer");
- both, agreeing: the answer (basis "both-agree");
- both, contradicting each other (met against not-met, or not-applicable against evidence
  that found failing subjects): a discrepancy (basis "conflict"); the answer stands (policy
  `answers-stand`, the default) or the evidence wins (`evidence-overrides`);
- a `partial` answer next to evidence is people's nuance: it stands and is not flagged.
Evidence that is unknown (no findings, or cnmm could not look) never overrides anything.

A quick (one level) answer is kept as the level, basis "self-reported". Evidence can still
show that it is too high: the evidence cap is one below the lowest level with a criterion the
evidence finds not met. A claimed level above the cap is a dimension discrepancy; under
`evidence-overrides` the level is lowered to the cap. A dimension with neither answers nor
evidence is "not assessed" (basis "none") and left out of the roll-ups rather than counted
as level 0.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cnmm.catalog.model import LEVEL_NAMES, Catalog, Dimension
from cnmm.evidence import EvidenceVerdict, criterion_verdicts
from cnmm.findings import Finding, Outcome
from cnmm.roadmap import DimensionStanding, Roadmap, build_roadmap

if TYPE_CHECKING:
    from cnmm.assessment.model import Assessment, DimensionAnswer
    from cnmm.config import Config
    from cnmm.scoring import DimensionScore, Rollup

SCHEMA = "cnmm/assessment-result/v1"
SET_SCHEMA = "cnmm/assessment-set/v1"
MAX_FAILING_PER_CRITERION = 20
_DECIDED = frozenset({"met", "not-met"})
_EVIDENCE_SAYS = frozenset({"met", "not-met", "not-applicable"})


@dataclass(frozen=True)
class CriterionResult:
    """The verdict on one criterion and where it came from."""

    id: str
    verdict: str
    basis: str  # evidence | answer | both-agree | conflict | none
    answer: str | None
    evidence: EvidenceVerdict | None
    note: str | None = None


@dataclass(frozen=True)
class Discrepancy:
    """An answer the evidence contradicts, or a claimed level the evidence does not support."""

    kind: str  # criterion | dimension
    dimension: str
    dimension_name: str
    detail: str
    criterion: str | None = None
    statement: str | None = None
    answer: str | None = None
    evidence: str | None = None
    claimed_level: int | None = None
    evidence_cap: int | None = None
    failing: tuple[dict[str, Any], ...] = ()

    def to_json(self) -> dict[str, Any]:
        """JSON form (assessment result schema, `discrepancies[]`)."""
        return {
            "kind": self.kind,
            "dimension": self.dimension,
            "dimension_name": self.dimension_name,
            "criterion": self.criterion,
            "statement": self.statement,
            "answer": self.answer,
            "evidence": self.evidence,
            "claimed_level": self.claimed_level,
            "evidence_cap": self.evidence_cap,
            "detail": self.detail,
            "failing": list(self.failing),
        }


@dataclass(frozen=True)
class DimensionResult:
    """One dimension: its score, target, claims, evidence and criterion verdicts."""

    dimension: Dimension
    score: DimensionScore
    basis: str  # evidence | self-assessed | self-reported | evidence+answers | none
    target: int | None
    claimed_level: int | None
    evidence_cap: int | None
    criteria: Mapping[str, CriterionResult]
    answer: DimensionAnswer | None = None
    capped_by_evidence: bool = False

    @property
    def assessed(self) -> bool:
        """False when neither answers nor evidence said anything about the dimension."""
        return self.basis != "none"

    @property
    def level(self) -> int | None:
        """The gated level; None when not applicable or not assessed."""
        if not self.assessed or not self.score.applicable:
            return None
        return int(self.score.level or 0)


@dataclass(frozen=True)
class AssessmentInputs:
    """What went into an assessment, for the record (paths, cluster, answer files)."""

    paths: tuple[str, ...] = ()
    cluster: Mapping[str, Any] | None = None
    answers: tuple[str, ...] = ()


@dataclass(frozen=True)
class AssessmentResult:
    """Everything `cnmm assess` concluded for one scope."""

    scope: Mapping[str, Any]
    dimensions: tuple[DimensionResult, ...]
    aspects: Mapping[str, Rollup]
    overall: Rollup
    discrepancies: tuple[Discrepancy, ...]
    roadmap: Roadmap
    policy: Mapping[str, Any]
    inputs: AssessmentInputs = field(default_factory=AssessmentInputs)
    assessors: tuple[Mapping[str, Any], ...] = ()
    answered_on: str | None = None


def failing_details(
    rules: Sequence[str], failing_by_rule: Mapping[str, list[Finding]]
) -> tuple[dict[str, Any], ...]:
    """The failing findings behind an evidence verdict (at most MAX_FAILING_PER_CRITERION)."""
    details = []
    for rule_id in rules:
        for finding in failing_by_rule.get(rule_id, []):
            details.append(
                {
                    "rule": finding.rule,
                    "subject": str(finding.subject),
                    "message": finding.message,
                    "path": finding.location.path if finding.location else None,
                    "line": finding.location.line if finding.location else None,
                }
            )
            if len(details) >= MAX_FAILING_PER_CRITERION:
                return tuple(details)
    return tuple(details)


def merge_verdict(answer: str | None, evidence: str | None, policy: str) -> tuple[str, str]:
    """(verdict, basis) for one criterion from an answer and an evidence verdict."""
    has_evidence = evidence in _EVIDENCE_SAYS
    if answer is None or answer == "unknown":
        if has_evidence:
            return str(evidence), "evidence"
        return (answer or "unknown"), ("answer" if answer else "none")
    if not has_evidence:
        return answer, "answer"
    if answer == evidence:
        return answer, "both-agree"
    contradiction = (answer in _DECIDED and evidence in _DECIDED) or (
        answer == "not-applicable" and evidence == "not-met"
    )
    if contradiction:
        return (answer if policy == "answers-stand" else str(evidence)), "conflict"
    # partial next to evidence, or met/not-met where evidence found nothing to judge:
    # people's nuance stands and there is nothing to flag.
    return answer, "answer"


def evidence_cap(dimension: Dimension, evidence: Mapping[str, str]) -> int | None:
    """The highest level the evidence allows: one below the lowest level with a criterion the
    evidence finds not met; None when the evidence contradicts no criterion."""
    failed = [
        level.level
        for level in dimension.levels
        for c in level.criteria
        if evidence.get(c.id) == "not-met"
    ]
    return min(failed) - 1 if failed else None


def _evidence_decides(dimension: Dimension, verdicts: Mapping[str, str], level: int | None) -> bool:
    """True when evidence alone settles a level: one is achieved, or the first level that is
    not achieved has a criterion the evidence finds not met (or only partly met)."""
    if level is None or level >= 1:
        return True
    first = next((lv for lv in dimension.levels if lv.defined), None)
    if first is None:
        return True
    return any(verdicts.get(c.id) in ("not-met", "partial") for c in first.criteria)


def _criteria_phrase(count: int, claimed: int) -> str:
    levels = "level 1" if claimed == 1 else f"levels 1-{claimed}"
    return f"{count} {'criterion' if count == 1 else 'criteria'} of {levels}"


def _quick_level(answer: DimensionAnswer | None) -> int | None:
    if answer is None or answer.mode != "quick":
        return None
    return answer.level


def _dimension_basis(results: Iterable[CriterionResult]) -> str:
    bases = {r.basis for r in results if r.basis != "none"}
    if not bases:
        return "none"
    if bases == {"evidence"}:
        return "evidence"
    if bases == {"answer"}:
        return "self-assessed"
    return "evidence+answers"


def _assess_dimension(
    dimension: Dimension,
    answer: DimensionAnswer | None,
    evidence: Mapping[str, EvidenceVerdict],
    failing_by_rule: Mapping[str, list[Finding]],
    config: Config,
    target: int | None,
) -> tuple[DimensionResult, list[Discrepancy]]:
    from cnmm.scoring import not_answered, score_dimension, self_reported

    policy = config.assess.discrepancy_policy
    partial = config.scoring.partial_credit
    detailed = answer is not None and answer.mode == "detailed"
    answers = dict(answer.criteria) if answer is not None and detailed else {}
    notes = dict(answer.criterion_notes) if answer is not None else {}
    results: dict[str, CriterionResult] = {}
    discrepancies: list[Discrepancy] = []
    for level in dimension.levels:
        for criterion in level.criteria:
            ev = evidence.get(criterion.id)
            given = answers.get(criterion.id)
            verdict, basis = merge_verdict(given, ev.verdict if ev else None, policy)
            results[criterion.id] = CriterionResult(
                criterion.id, verdict, basis, given, ev, notes.get(criterion.id)
            )
            if basis == "conflict" and ev is not None:
                counted = f"{ev.passed} passed, {ev.failed} failed"
                discrepancies.append(
                    Discrepancy(
                        kind="criterion",
                        dimension=dimension.id,
                        dimension_name=dimension.name,
                        criterion=criterion.id,
                        statement=criterion.statement,
                        answer=given,
                        evidence=ev.verdict,
                        detail=f"answered {given}, but the evidence says {ev.verdict} ({counted})",
                        failing=failing_details(ev.rules, failing_by_rule),
                    )
                )
    cap = evidence_cap(dimension, {cid: ev.verdict for cid, ev in evidence.items()})
    quick = _quick_level(answer)
    capped = False
    claimed: int | None = None
    if quick is not None:
        claimed = quick
        stated = quick
        if policy == "evidence-overrides" and cap is not None and cap < quick:
            stated, capped = cap, True
        score = self_reported(
            dimension,
            stated,
            answer.confidence if answer else None,
            default_confidence=config.scoring.quick_confidence,
        )
        basis = "self-reported"
    else:
        merged = {cid: r.verdict for cid, r in results.items()}
        basis = _dimension_basis(results.values())
        score = score_dimension(dimension, merged, partial_credit=partial, basis=basis)
        if basis == "evidence" and not _evidence_decides(dimension, merged, score.level):
            # Evidence touched the dimension but proves nothing yet: no level achieved and
            # nothing failing at level 1, only unanswered criteria. Counting that as level 0
            # would drag every floor down for want of answers, so it stays "not assessed".
            basis = "none"
        if basis == "none":
            # no level at all (rather than 0), so the roll-ups leave the dimension out
            score = not_answered(dimension)
        if answers:
            claimed = score_dimension(dimension, answers, partial_credit=partial).level
    if claimed is not None and cap is not None and claimed > cap:
        contradicted = [
            c.id
            for lv in dimension.levels[:claimed]
            for c in lv.criteria
            if c.id in evidence and evidence[c.id].verdict == "not-met"
        ]
        rules = [r for cid in contradicted for r in evidence[cid].rules]
        discrepancies.append(
            Discrepancy(
                kind="dimension",
                dimension=dimension.id,
                dimension_name=dimension.name,
                claimed_level=claimed,
                evidence_cap=cap,
                detail=(
                    f"claimed level {claimed} ({LEVEL_NAMES.get(claimed, claimed)}), but the "
                    f"evidence finds {_criteria_phrase(len(contradicted), claimed)} not met, "
                    f"so it supports at most level {cap}"
                ),
                failing=failing_details(list(dict.fromkeys(rules)), failing_by_rule),
            )
        )
    result = DimensionResult(
        dimension=dimension,
        score=score,
        basis=basis,
        target=target if score.applicable else None,
        claimed_level=claimed,
        evidence_cap=cap,
        criteria=results,
        answer=answer,
        capped_by_evidence=capped,
    )
    return result, discrepancies


def choose_targets(
    catalog: Catalog,
    config: Config,
    answers: Assessment | None,
    targets: Mapping[str, int] | None,
    override: int | None,
) -> dict[str, int]:
    """The target of every dimension.

    `override` (`--target N`) sets every dimension. Otherwise the most specific entry wins
    (a dimension ID before its aspect ID), and for the same ID `--targets FILE` before the
    answers file before cnmm.yaml; anything left gets cnmm.yaml's `assess.default_target`.
    """
    chosen: dict[str, int] = {}
    layers = [dict(config.targets), dict(answers.targets or {}) if answers else {}]
    layers.append(dict(targets or {}))
    for dimension in catalog.dimensions():
        if override is not None:
            chosen[dimension.id] = override
            continue
        value = config.assess.default_target
        for key in (dimension.aspect, dimension.id):
            for layer in layers:
                if key in layer:
                    value = layer[key]
        chosen[dimension.id] = value
    return chosen


def assess(
    catalog: Catalog,
    config: Config,
    findings: Iterable[Finding],
    answers: Assessment | None = None,
    *,
    targets: Mapping[str, int] | None = None,
    default_target: int | None = None,
    inputs: AssessmentInputs | None = None,
) -> AssessmentResult:
    """Combine findings and answers into levels, discrepancies and a roadmap for one scope.

    Targets: see `choose_targets`; `default_target` is `--target N` and overrides all.
    """
    from cnmm.scoring import dimension_weights, rollup

    weights = dimension_weights(catalog, config.scoring.aspect_weights)
    all_findings = list(findings)
    evidence = criterion_verdicts(catalog, all_findings)
    failing_by_rule = _failing_by_rule(all_findings)
    chosen_targets = choose_targets(catalog, config, answers, targets, default_target)
    dims: list[DimensionResult] = []
    discrepancies: list[Discrepancy] = []
    for dimension in catalog.dimensions():
        answer = answers.answers.get(dimension.id) if answers is not None else None
        if answer is not None and not answer.answered:
            answer = None  # listed in the file but not answered yet
        mine = {c.id: evidence[c.id] for c in dimension.criteria() if c.id in evidence}
        result, found = _assess_dimension(
            dimension, answer, mine, failing_by_rule, config, chosen_targets[dimension.id]
        )
        dims.append(result)
        discrepancies.extend(found)
    # rollup leaves out what has no level: dimensions not applicable or not assessed
    aspects = {
        aspect.id: rollup((d.score for d in dims if d.dimension.aspect == aspect.id), weights)
        for aspect in catalog.aspects
    }
    standings = [
        DimensionStanding(
            dimension=d.dimension.id,
            level=d.level or 0,
            target=d.target,
            verdicts={cid: r.verdict for cid, r in d.criteria.items()},
            assessed=d.assessed,
        )
        for d in dims
        if d.score.applicable or not d.assessed
    ]
    scope: dict[str, Any] = {"kind": "application", "name": "unnamed", "parent": None}
    assessors: tuple[Mapping[str, Any], ...] = ()
    answered_on = None
    if answers is not None:
        scope = answers.scope.to_json()
        assessors = tuple({"name": a.name, "role": a.role} for a in answers.assessors)
        answered_on = answers.date.isoformat() if answers.date else None
    elif inputs and inputs.paths:
        scope["name"] = _path_name(inputs.paths[0])
    elif inputs and inputs.cluster:
        scope["name"] = str(inputs.cluster.get("context") or inputs.cluster.get("name") or "")
    return AssessmentResult(
        scope=scope,
        dimensions=tuple(dims),
        aspects=aspects,
        overall=rollup((d.score for d in dims), weights),
        discrepancies=tuple(discrepancies),
        roadmap=build_roadmap(catalog, standings),
        policy={
            "discrepancy_policy": config.assess.discrepancy_policy,
            "partial_credit": config.scoring.partial_credit,
            "low_confidence": config.scoring.low_confidence,
        },
        inputs=inputs or AssessmentInputs(),
        assessors=assessors,
        answered_on=answered_on,
    )


def _path_name(path: str) -> str:
    from pathlib import PurePath

    name = PurePath(path).name
    return name if name not in ("", ".", "..") else path


def _failing_by_rule(findings: Iterable[Finding]) -> dict[str, list[Finding]]:
    failing: dict[str, list[Finding]] = {}
    for finding in findings:
        if finding.counts_as_failure:
            failing.setdefault(finding.rule, []).append(finding)
    return failing


def _rollup_json(r: Rollup) -> dict[str, Any]:
    return {"floor": r.floor, "median": r.median, "profile": dict(r.profile)}


def _evidence_json(
    ev: EvidenceVerdict | None, failing_by_rule: Mapping[str, list[Finding]]
) -> dict[str, Any] | None:
    if ev is None:
        return None
    verdict = "not-available" if ev.verdict == "unknown" else ev.verdict
    return {
        "verdict": verdict,
        "rules": list(ev.rules),
        "passed": ev.passed,
        "failed": ev.failed,
        "ratio": None if ev.ratio is None else round(ev.ratio, 3),
        "threshold": ev.threshold,
        "failing": list(failing_details(ev.rules, failing_by_rule)),
    }


def _answer_json(d: DimensionResult) -> dict[str, Any] | None:
    answer = d.answer
    if answer is None:
        return None
    return {
        "mode": answer.mode,
        "level": answer.level if answer.mode == "quick" else None,
        "confidence": answer.confidence,
        "notes": answer.notes,
        "evidence": list(answer.evidence),
    }


def _finding_counts(findings: Iterable[Finding]) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {}
    for finding in findings:
        per_rule = counts.setdefault(finding.rule, {})
        per_rule[finding.outcome.value] = per_rule.get(finding.outcome.value, 0) + 1
    return dict(sorted(counts.items()))


def _dimension_json(
    d: DimensionResult, failing_by_rule: Mapping[str, list[Finding]]
) -> dict[str, Any]:
    score = d.score
    levels = []
    for level in d.dimension.levels:
        criteria = []
        for criterion in level.criteria:
            r = d.criteria[criterion.id]
            criteria.append(
                {
                    "id": criterion.id,
                    "statement": criterion.statement,
                    "effort": criterion.effort,
                    "verdict": r.verdict,
                    "basis": r.basis,
                    "answer": r.answer,
                    "note": r.note,
                    "evidence": _evidence_json(r.evidence, failing_by_rule),
                }
            )
        levels.append(
            {
                "level": level.level,
                "name": level.name,
                "defined": level.defined,
                "achieved": d.assessed and level.level in score.achieved,
                "summary": level.summary,
                "criteria": criteria,
            }
        )
    assessed = d.assessed and score.applicable
    return {
        "id": d.dimension.id,
        "name": d.dimension.name,
        "aspect": d.dimension.aspect,
        "description": d.dimension.description,
        "level": d.level,
        "target": d.target,
        "progress": round(float(score.progress), 3) if assessed else 0.0,
        "confidence": round(float(score.confidence), 3) if assessed else 0.0,
        "basis": d.basis,
        "applicable": bool(score.applicable),
        "assessed": d.assessed,
        "claimed_level": d.claimed_level,
        "evidence_cap": d.evidence_cap,
        "capped_by_evidence": d.capped_by_evidence,
        "answer": _answer_json(d),
        "levels": levels,
    }


def assessment_json(
    result: AssessmentResult,
    catalog: Catalog,
    *,
    findings: Iterable[Finding] = (),
    errors: Iterable[Mapping[str, Any]] = (),
    inventory: Mapping[str, Any] | None = None,
    rules: Mapping[str, Mapping[str, Any]] | None = None,
    generated: str,
    version: str,
) -> dict[str, Any]:
    """The assessment result document (schema cnmm/assessment-result/v1)."""
    all_findings = list(findings)
    failing_by_rule = _failing_by_rule(all_findings)
    aspect_names = {a.id: a.name for a in catalog.aspects}
    used_rules = {f.rule for f in all_findings if f.outcome is not Outcome.PASS}
    return {
        "schema": SCHEMA,
        "tool": {"name": "cnmm", "version": version},
        "model": {
            "name": catalog.name,
            "version": catalog.version,
            "attribution": catalog.attribution,
        },
        "generated": generated,
        "scope": dict(result.scope),
        "assessors": [dict(a) for a in result.assessors],
        "answered_on": result.answered_on,
        "inputs": {
            "paths": list(result.inputs.paths),
            "cluster": dict(result.inputs.cluster) if result.inputs.cluster else None,
            "answers": list(result.inputs.answers),
        },
        "policy": dict(result.policy),
        "overall": _rollup_json(result.overall),
        "aspects": [
            {"id": aid, "name": aspect_names.get(aid, aid), **_rollup_json(r)}
            for aid, r in result.aspects.items()
        ],
        "dimensions": [_dimension_json(d, failing_by_rule) for d in result.dimensions],
        "discrepancies": [x.to_json() for x in result.discrepancies],
        "roadmap": result.roadmap.to_json(),
        # Passing findings are only counted: a large fleet has tens of thousands of them.
        "finding_counts": _finding_counts(all_findings),
        "findings": [f.to_json() for f in all_findings if f.outcome is not Outcome.PASS],
        # Titles and remediation of the rules behind the findings, so SARIF can be rendered
        # again from this document without the rule modules.
        "rules": {
            rule_id: {"title": meta.get("title"), "remediation": meta.get("remediation")}
            for rule_id, meta in sorted((rules or {}).items())
            if rule_id in used_rules
        },
        "errors": [dict(e) for e in errors],
        "inventory": dict(inventory or {}),
    }


def assessment_set(docs: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """One document for one scope; a set document (with a side-by-side roll-up) for several.

    The roll-up gives, per dimension, the level of each scope (in `assessments` order) and
    their floor and median; per scope, its overall floor and median.
    """
    if len(docs) == 1:
        return dict(docs[0])
    from statistics import median

    first = docs[0]
    rows = []
    for index, dim in enumerate(first["dimensions"]):
        levels = [doc["dimensions"][index]["level"] for doc in docs]
        values = [v for v in levels if v is not None]
        rows.append(
            {
                "id": dim["id"],
                "name": dim["name"],
                "aspect": dim["aspect"],
                "levels": levels,
                "floor": min(values) if values else None,
                "median": median(values) if values else None,
            }
        )
    return {
        "schema": SET_SCHEMA,
        "tool": first["tool"],
        "model": first["model"],
        "generated": first["generated"],
        "assessments": [dict(d) for d in docs],
        "rollup": {
            "scopes": [
                {**d["scope"], "floor": d["overall"]["floor"], "median": d["overall"]["median"]}
                for d in docs
            ],
            "dimensions": rows,
        },
    }
