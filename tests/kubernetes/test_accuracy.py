"""Agreement with peer tools' own labelled test manifests (Polaris, kube-score).

For every peer check whose meaning matches cnmm rules, a case "fails" in cnmm when any of
those rules yields a FAIL finding on the case's objects; a peer "pass" must then show no
failure. Cases labelled "skipped" are ignored. Deliberate disagreements are documented in
the rules' docstrings; the agreement over all matched cases must reach 95%.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

from cnmm.collect.kubernetes_facts import facts_from_objects
from cnmm.collect.manifests import parse_text
from cnmm.engine import evaluate
from cnmm.facts import Facts
from cnmm.findings import Outcome
from cnmm.rules.base import discover_rules

MAPPING: dict[tuple[str, str], tuple[str, ...]] = {
    ("polaris", "automountServiceAccountToken"): ("k8s.workload.sa-token-automount",),
    ("polaris", "clusterrolebindingClusterAdmin"): ("k8s.rbac.no-cluster-admin-binding",),
    ("polaris", "rolebindingClusterAdminClusterRole"): ("k8s.rbac.no-cluster-admin-binding",),
    ("polaris", "cpuLimitsMissing"): ("k8s.workload.resource-limits",),
    ("polaris", "memoryLimitsMissing"): ("k8s.workload.resource-limits",),
    ("polaris", "cpuRequestsMissing"): ("k8s.workload.resource-requests",),
    ("polaris", "memoryRequestsMissing"): ("k8s.workload.resource-requests",),
    ("polaris", "dangerousCapabilities"): ("k8s.workload.drop-capabilities",),
    ("polaris", "insecureCapabilities"): ("k8s.workload.drop-capabilities",),
    ("polaris", "deploymentMissingReplicas"): ("k8s.workload.replicas",),
    ("polaris", "hostIPCSet"): ("k8s.workload.no-host-namespaces",),
    ("polaris", "hostNetworkSet"): ("k8s.workload.no-host-namespaces",),
    ("polaris", "hostPIDSet"): ("k8s.workload.no-host-namespaces",),
    ("polaris", "hostPathSet"): ("k8s.workload.no-host-path",),
    ("polaris", "livenessProbeMissing"): ("k8s.workload.liveness-probe",),
    ("polaris", "readinessProbeMissing"): ("k8s.workload.readiness-probe",),
    ("polaris", "missingNetworkPolicy"): ("k8s.namespace.network-policy",),
    ("polaris", "missingPodDisruptionBudget"): ("k8s.workload.pdb-coverage",),
    ("polaris", "notReadOnlyRootFilesystem"): ("k8s.workload.read-only-root-filesystem",),
    ("polaris", "privilegeEscalationAllowed"): ("k8s.workload.no-privilege-escalation",),
    ("polaris", "runAsPrivileged"): ("k8s.workload.no-privileged",),
    ("polaris", "runAsRootAllowed"): ("k8s.workload.run-as-non-root",),
    ("polaris", "sensitiveConfigmapContent"): ("k8s.secrets.no-configmap-secrets",),
    ("polaris", "sensitiveContainerEnvVar"): ("k8s.secrets.no-plain-env",),
    ("polaris", "tagNotSpecified"): ("k8s.image.tag-pinned",),
    ("polaris", "topologySpreadConstraint"): ("k8s.workload.topology-spread",),
    ("kube-score", "container-image-tag"): ("k8s.image.tag-pinned",),
    # kube-score's default demands CPU and memory requests *and* limits.
    ("kube-score", "container-resources"): (
        "k8s.workload.resource-requests", "k8s.workload.resource-limits",
    ),
    ("kube-score", "container-security-context-privileged"): ("k8s.workload.no-privileged",),
    ("kube-score", "container-security-context-readonlyrootfilesystem"): (
        "k8s.workload.read-only-root-filesystem",
    ),
    ("kube-score", "deployment-has-host-podantiaffinity"): ("k8s.workload.topology-spread",),
    ("kube-score", "statefulset-has-host-podantiaffinity"): ("k8s.workload.topology-spread",),
    ("kube-score", "deployment-has-poddisruptionbudget"): ("k8s.workload.pdb-coverage",),
    ("kube-score", "statefulset-has-poddisruptionbudget"): ("k8s.workload.pdb-coverage",),
    ("kube-score", "deployment-replicas"): ("k8s.workload.replicas",),
    ("kube-score", "pod-networkpolicy"): ("k8s.namespace.network-policy",),
    ("kube-score", "pod-probes"): ("k8s.workload.readiness-probe",),
}  # fmt: skip


# Disagreements documented in the rules' docstrings, by case id (Polaris: fixture file;
# kube-score: the Go test that uses the fixture, since one file serves several tests).
DELIBERATE = {
    # apiVersion v1 for a Deployment: not a workload when kinds are matched by API group.
    "test/checks/deploymentMissingReplicas/failure.yaml",
    "test/checks/runAsRootAllowed/failure.yaml",
    # Egress/Ingress in policyTypes without rules denies everything: isolation, not a gap.
    "test/checks/missingNetworkPolicy/failure.netpol_missing_egress_rules.yaml",
    "test/checks/missingNetworkPolicy/failure.netpol_missing_ingress_rules.yaml",
    # A spread constraint selecting other pods does not spread this workload.
    "test/checks/topologySpreadConstraint/success.yaml",
    # kube-score judges probes only on pods a Service (in the same namespace) targets, and is
    # content with one probed container; cnmm judges every container of every long-running
    # workload.
    "score/probe_test.go:TestProbesTargetedByServiceDifferentNamespace",
    "score/probe_test.go:TestProbesTargetedByServiceNotTargeted",
    "score/probe_test.go:TestProbesTargetedByServiceNotTargetedMultiLabels",
    "score/probe_test.go:TestProbesMultipleContainers",
}

# kube-score cases run with a non-default configuration compare only when every setting
# leaves the check's meaning as cnmm's (fixed) rules have it: enabling optional checks, or
# thresholds equal to cnmm's. Others (MinReplicasDeployment: 1 or 5, ignoring CPU limits,
# other Kubernetes versions) ask a different question and are not matched cases.
SAME_MEANING_SETTINGS = {
    "EnabledOptionalTests": None, "UseOptionalChecksAnnotation": None,
    "UseIgnoreChecksAnnotation": None, "MinReplicasDeployment": "2",
    "IgnoreContainerCpuLimitRequirement": "false",
    "IgnoreContainerMemoryLimitRequirement": "false",
}  # fmt: skip
_SETTING = re.compile(r"(\w+):\s*([^,\s}]+)")


def case_id(case: dict) -> str:
    """The peer's own name for a case: its fixture (Polaris) or Go test (kube-score)."""
    return case.get("go_test") or case.get("source_path") or ""


def same_meaning(case: dict) -> bool:
    """Whether the peer judged the case with the meaning cnmm's rule has (see above)."""
    text = case.get("config_text") or ""
    if "IgnoredTests" in text:
        return False
    for name, value in _SETTING.findall(text.split("RunConfiguration", 1)[-1]):
        if name not in SAME_MEANING_SETTINGS:
            return False
        wanted = SAME_MEANING_SETTINGS[name]
        if wanted is not None and value != wanted:
            return False
    return True


def _cases(fixtures: Path) -> list[dict]:
    cases = []
    for name in ("polaris.jsonl", "kube_score.jsonl"):
        path = fixtures / name
        for line in path.read_text(encoding="utf-8").splitlines():
            case = json.loads(line)
            if (
                (case["tool"], case["check_id"]) in MAPPING
                and case["label"] in ("pass", "fail")
                and same_meaning(case)
            ):
                cases.append(case)
    return cases


# Peer checks about one resource only: a cnmm failure counts when its message names it.
RESOURCE_CHECKS = {
    "cpuLimitsMissing": "cpu", "memoryLimitsMissing": "memory",
    "cpuRequestsMissing": "cpu", "memoryRequestsMissing": "memory",
    # cnmm's rule also asks to drop ALL; this peer check is about what is added.
    "dangerousCapabilities": "adds",
}  # fmt: skip


def cnmm_verdict(yaml_text: str, rule_ids: tuple[str, ...], check_id: str = "") -> str:
    """ "fail" when any of the rules fails on the case's objects, else "pass"."""
    parsed = parse_text(yaml_text, "case.yaml")
    assert parsed.error is None, parsed.error
    facts = Facts(kubernetes=facts_from_objects(parsed.objects))
    rules = [r for rid, r in discover_rules().items() if rid in rule_ids]
    findings = evaluate(facts, rules)
    needle = RESOURCE_CHECKS.get(check_id, "")
    failing = [f for f in findings if f.outcome is Outcome.FAIL and needle in f.message]
    return "fail" if failing else "pass"


def test_agreement_with_peer_labels(shared_dir: Path) -> None:
    cases = _cases(shared_dir / "fixtures")
    table: dict[tuple[str, str], Counter[str]] = {}
    disagreements = []
    for case in cases:
        key = (case["tool"], case["check_id"])
        verdict = cnmm_verdict(case["yaml_text"], MAPPING[key], case["check_id"])
        agreed = verdict == case["label"]
        table.setdefault(key, Counter())["agree" if agreed else "disagree"] += 1
        if not agreed:
            disagreements.append((key, case["label"], case_id(case)))
    print("\n{:<12} {:<52} {:>5} {:>8}".format("tool", "check -> cnmm rules", "agree", "disagree"))
    for (tool, check), counts in sorted(table.items()):
        rules = ",".join(r.removeprefix("k8s.") for r in MAPPING[(tool, check)])
        print(
            f"{tool:<12} {check + ' -> ' + rules:<52} {counts['agree']:>5} {counts['disagree']:>8}"
        )
    for item in disagreements:
        print("disagreement:", *item)
    agree = sum(c["agree"] for c in table.values())
    total = sum(c.total() for c in table.values())
    undocumented = [d for d in disagreements if d[2] not in DELIBERATE]
    print(
        f"agreement: {agree}/{total} = {agree / total:.1%}; "
        f"excluding documented deliberate differences: "
        f"{agree}/{total - len(disagreements) + len(undocumented)}"
    )
    assert not undocumented, undocumented
    assert agree / total >= 0.95
