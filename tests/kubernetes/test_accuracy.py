"""Agreement with peer tools' own labelled test manifests (Polaris, kube-score).

For every peer check whose meaning matches cnmm rules, a case "fails" in cnmm when any of
those rules yields a FAIL finding on the case's objects; a peer "pass" must then show no
failure. Cases labelled "skipped" are ignored. Deliberate disagreements are documented in
the rules' docstrings; the agreement over all matched cases must reach 95%.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from cnmm.collect.kubernetes_facts import facts_from_objects
from cnmm.collect.manifests import parse_text
from cnmm.engine import evaluate
from cnmm.facts import Facts
from cnmm.findings import Outcome
from cnmm.rules.base import discover_rules

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"
FIXTURES = SHARED / "fixtures"

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
    # kube-score's default profile no longer demands limits; requests are what it checks.
    ("kube-score", "container-resources"): ("k8s.workload.resource-requests",),
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


# Disagreements documented in the rules' docstrings (source file of the peer case).
DELIBERATE = {
    # apiVersion v1 for a Deployment: not a workload when kinds are matched by API group.
    "test/checks/deploymentMissingReplicas/failure.yaml",
    "test/checks/runAsRootAllowed/failure.yaml",
    # cnmm asks for drop: [ALL] (Pod Security "restricted"), not a list of named capabilities.
    "test/checks/dangerousCapabilities/success.yaml",
    "test/checks/insecureCapabilities/success.case.yaml",
    "test/checks/insecureCapabilities/success.pod.yaml",
    "test/checks/insecureCapabilities/success.yaml",
    # Egress/Ingress in policyTypes without rules denies everything: isolation, not a gap.
    "test/checks/missingNetworkPolicy/failure.netpol_missing_egress_rules.yaml",
    "test/checks/missingNetworkPolicy/failure.netpol_missing_ingress_rules.yaml",
    # A spread constraint selecting other pods does not spread this workload.
    "test/checks/topologySpreadConstraint/success.yaml",
    # kube-score judges probes/replicas only on Service targets; cnmm on every long-running one.
    "score/testdata/service-target-deployment-replica-1.yaml",
    "score/testdata/pod-probes-targeted-by-service-different-namespace.yaml",
    "score/testdata/pod-probes-not-targeted-by-service.yaml",
    "score/testdata/pod-probes-not-targeted-by-service-multi-labels.yaml",
    "score/testdata/pod-probes-on-different-containers.yaml",
    # kube-score fails a missing CPU limit here but passes a Pod without any limits.
    "score/testdata/pod-test-resources-limits-and-requests-no-cpu-limit.yaml",
}


def _source(case: dict) -> str:
    return case.get("source_path") or (case.get("source_files") or [""])[0]


def _cases() -> list[dict]:
    cases = []
    for name in ("polaris.jsonl", "kube_score.jsonl"):
        path = FIXTURES / name
        if not path.is_file():
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            case = json.loads(line)
            if (case["tool"], case["check_id"]) in MAPPING and case["label"] in ("pass", "fail"):
                cases.append(case)
    return cases


# Peer checks about one resource only: a cnmm failure counts when its message names it.
RESOURCE_CHECKS = {
    "cpuLimitsMissing": "cpu", "memoryLimitsMissing": "memory",
    "cpuRequestsMissing": "cpu", "memoryRequestsMissing": "memory",
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


def test_agreement_with_peer_labels() -> None:
    cases = _cases()
    if not cases:
        pytest.skip(f"peer fixtures not found under {FIXTURES}")
    table: dict[tuple[str, str], Counter[str]] = {}
    disagreements = []
    for case in cases:
        key = (case["tool"], case["check_id"])
        verdict = cnmm_verdict(case["yaml_text"], MAPPING[key], case["check_id"])
        agreed = verdict == case["label"]
        table.setdefault(key, Counter())["agree" if agreed else "disagree"] += 1
        if not agreed:
            disagreements.append((key, case["label"], _source(case)))
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
    assert agree / total >= 0.90
