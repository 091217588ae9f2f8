"""GitHub Actions (and reusable workflows) that do something cnmm looks for.

Matched by `owner/repo[/path]`, never by a substring of the name: `my-org/trivy-notes` is not
Trivy. Setup-only actions (`sigstore/cosign-installer`, `docker/setup-buildx-action`,
`anchore/sbom-action/download-syft`, `snyk/actions/setup`, `ko-build/setup-ko`...) install a
tool and do nothing by themselves; the later `run:` step that uses the tool is the evidence.
Inputs that change the meaning are read: `sbom:`/`provenance:`/`attests:` of
docker/build-push-action, `format:` of trivy-action (an SBOM instead of a scan), `args:` of
goreleaser-action, the command inputs of actions that run a shell command for you.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from typing import Any

from cnmm.collect.ci.commands import Classifier
from cnmm.collect.ci.tools import EPHEMERAL_CLUSTER, Found, truthy
from cnmm.facts.ci import (
    DEPLOY,
    IMAGE_BUILD,
    POLICY_TEST,
    PROVENANCE,
    SBOM,
    SIGNING,
    TEST,
    VULNERABILITY_SCAN,
)

# owner/repo (or owner/repo/path) -> (kind, tool) pairs; a prefix "owner/repo/" matches paths.
_FIXED: dict[str, tuple[tuple[str, str], ...]] = {
    "github/codeql-action/analyze": ((VULNERABILITY_SCAN, "codeql"),),
    "github/codeql-action/init": ((VULNERABILITY_SCAN, "codeql"),),
    "anchore/scan-action": ((VULNERABILITY_SCAN, "grype"),),
    "anchore/sbom-action": ((SBOM, "syft"),),
    "golang/govulncheck-action": ((VULNERABILITY_SCAN, "govulncheck"),),
    "actions/dependency-review-action": ((VULNERABILITY_SCAN, "dependency-review"),),
    "semgrep/semgrep-action": ((VULNERABILITY_SCAN, "semgrep"),),
    "returntocorp/semgrep-action": ((VULNERABILITY_SCAN, "semgrep"),),
    "securego/gosec": ((VULNERABILITY_SCAN, "gosec"),),
    "pycqa/bandit-action": ((VULNERABILITY_SCAN, "bandit"),),
    "pypa/gh-action-pip-audit": ((VULNERABILITY_SCAN, "pip-audit"),),
    "dependency-check/dependency-check_action": ((VULNERABILITY_SCAN, "dependency-check"),),
    "rustsec/audit-check": ((VULNERABILITY_SCAN, "cargo-audit"),),
    "actions-rs/audit-check": ((VULNERABILITY_SCAN, "cargo-audit"),),
    "embarkstudios/cargo-deny-action": ((VULNERABILITY_SCAN, "cargo-deny"),),
    "sonatype-nexus-community/nancy-github-action": ((VULNERABILITY_SCAN, "nancy"),),
    "zaproxy/action-baseline": ((VULNERABILITY_SCAN, "zap"),),
    "zaproxy/action-full-scan": ((VULNERABILITY_SCAN, "zap"),),
    "zaproxy/action-api-scan": ((VULNERABILITY_SCAN, "zap"),),
    "azure/container-scan": ((VULNERABILITY_SCAN, "trivy"),),
    "crazy-max/ghaction-container-scan": ((VULNERABILITY_SCAN, "trivy"),),
    "cyclonedx/gh-node-module-generatebom": ((SBOM, "cyclonedx"),),
    "cyclonedx/gh-python-generate-sbom": ((SBOM, "cyclonedx"),),
    "cyclonedx/gh-gomod-generate-sbom": ((SBOM, "cyclonedx"),),
    "cyclonedx/gh-dotnet-generate-sbom": ((SBOM, "cyclonedx"),),
    "advanced-security/sbom-generator-action": ((SBOM, "github-sbom"),),
    "actions/attest-sbom": ((SBOM, "github-attestation"),),
    "sigstore/gh-action-sigstore-python": ((SIGNING, "sigstore"),),
    "notaryproject/notation-action/sign": ((SIGNING, "notation"),),
    "actions/attest-build-provenance": ((PROVENANCE, "github-attestation"),),
    "philips-labs/slsa-provenance-action": ((PROVENANCE, "slsa-provenance-action"),),
    "redhat-actions/buildah-build": ((IMAGE_BUILD, "buildah"),),
    "redhat-actions/s2i-build": ((IMAGE_BUILD, "s2i"),),
    "mr-smithers-excellent/docker-build-push": ((IMAGE_BUILD, "docker"),),
    "elgohr/publish-docker-github-action": ((IMAGE_BUILD, "docker"),),
    "whoan/docker-build-with-cache-action": ((IMAGE_BUILD, "docker"),),
    "macbre/push-to-ghcr": ((IMAGE_BUILD, "docker"),),
    "int128/kaniko-action": ((IMAGE_BUILD, "kaniko"),),
    "aevea/action-kaniko": ((IMAGE_BUILD, "kaniko"),),
    "azure/k8s-deploy": ((DEPLOY, "kubectl"),),
    "deliverybot/helm": ((DEPLOY, "helm"),),
    "bitovi/github-actions-deploy-eks-helm": ((DEPLOY, "helm"),),
    "google-github-actions/deploy-cloudrun": ((DEPLOY, "cloud-run"),),
    "aws-actions/amazon-ecs-deploy-task-definition": ((DEPLOY, "ecs"),),
    "omegion/argocd-actions": ((DEPLOY, "argocd"),),
    "instrumenta/conftest-action": ((POLICY_TEST, "conftest"),),
    "cypress-io/github-action": ((TEST, "cypress"),),
    "helm/kind-action": ((EPHEMERAL_CLUSTER, "kind"),),
    "engineerd/setup-kind": ((EPHEMERAL_CLUSTER, "kind"),),
    "container-tools/kind-action": ((EPHEMERAL_CLUSTER, "kind"),),
    "medyagh/setup-minikube": ((EPHEMERAL_CLUSTER, "minikube"),),
    "manusa/actions-setup-minikube": ((EPHEMERAL_CLUSTER, "minikube"),),
    "absaoss/k3d-action": ((EPHEMERAL_CLUSTER, "k3d"),),
    "nolar/setup-k3d-k3s": ((EPHEMERAL_CLUSTER, "k3d"),),
    "debianmaster/actions-k3s": ((EPHEMERAL_CLUSTER, "k3s"),),
    "jupyterhub/action-k3s-helm": ((EPHEMERAL_CLUSTER, "k3s"),),
    "replicatedhq/replicated-actions/create-cluster": ((EPHEMERAL_CLUSTER, "replicated"),),
}
# Whole repositories: any action or reusable workflow in them.
_REPOSITORIES: dict[str, tuple[tuple[str, str], ...]] = {
    "slsa-framework/slsa-github-generator": ((PROVENANCE, "slsa-github-generator"),),
    "google/osv-scanner-action": ((VULNERABILITY_SCAN, "osv-scanner"),),
    "google/osv-scanner": ((VULNERABILITY_SCAN, "osv-scanner"),),
    "snyk/actions": ((VULNERABILITY_SCAN, "snyk"),),
}
_SETUP_ONLY = frozenset(
    {
        "anchore/sbom-action/download-syft",
        "anchore/sbom-action/publish-sbom",
        "snyk/actions/setup",
        "google/osv-scanner/actions/setup",
    }
)
# Inputs holding a shell command that the action runs for you.
_COMMAND_INPUTS = {
    "nick-fields/retry": "command",
    "nick-invision/retry": "command",
    "reactivecircus/android-emulator-runner": "script",
    "coactions/setup-xvfb": "run",
    "gabrielbb/xvfb-action": "run",
    "paambaati/codeclimate-action": "coverageCommand",
    "wyrihaximus/github-action-helm3": "exec",
    "stefanprodan/kube-tools": "command",
    "koslib/helm-eks-action": "command",
    "steebchen/kubectl": "command",
    "addnab/docker-run-action": "run",
    "uraimo/run-on-arch-action": "run",
    "ankane/setup-postgres": "",
    "mathieudutour/github-tag-action": "",
}


def action_name(uses: str) -> str:
    """`Owner/Repo/path@ref` -> `owner/repo/path` (lower-case, without the ref)."""
    return uses.split("@", 1)[0].strip().rstrip("/").lower()


def action_found(
    classifier: Classifier, uses: str, inputs: Mapping[str, Any], cwd: str = ""
) -> list[Found]:
    """Activities of one `uses:` (a step action or a reusable workflow call)."""
    name = action_name(uses)
    detail = uses
    if name in _SETUP_ONLY:
        return []
    parts = name.split("/")
    repository = "/".join(parts[:2])
    found = [Found(kind, tool, detail) for kind, tool in _FIXED.get(name, ())]
    found += [Found(kind, tool, detail) for kind, tool in _REPOSITORIES.get(repository, ())]
    if name == "actions/attest":
        predicate = str(inputs.get("predicate-type", ""))
        if "slsa.dev/provenance" in predicate:
            found.append(Found(PROVENANCE, "github-attestation", detail))
        elif "spdx" in predicate or "cyclonedx" in predicate:
            found.append(Found(SBOM, "github-attestation", detail))
    elif name in ("docker/build-push-action", "docker/bake-action"):
        found.append(Found(IMAGE_BUILD, "buildx", detail))
        attests = str(inputs.get("attests", ""))
        if truthy(inputs.get("sbom")) or "type=sbom" in attests:
            found.append(Found(SBOM, "buildx", detail))
        provenance = inputs.get("provenance")
        if (provenance is not None and truthy(provenance)) or "type=provenance" in attests:
            found.append(Found(PROVENANCE, "buildx", detail))
    elif name == "aquasecurity/trivy-action":
        fmt = str(inputs.get("format", "")).lower()
        kind = SBOM if fmt in ("cyclonedx", "spdx", "spdx-json") else VULNERABILITY_SCAN
        found.append(Found(kind, "trivy", detail))
    elif name == "docker/scout-action":
        command = str(inputs.get("command", ""))
        if any(c in command for c in ("cves", "quickview", "compare", "recommendations")):
            found.append(Found(VULNERABILITY_SCAN, "docker-scout", detail))
        if "sbom" in command:
            found.append(Found(SBOM, "docker-scout", detail))
    elif name == "goreleaser/goreleaser-action":
        args = _split(inputs.get("args", "release"))
        workdir = str(inputs.get("workdir", "") or "")
        base = workdir if workdir not in ("", ".") else cwd
        found.extend(classifier.argv(["goreleaser", *args], base))
    elif name in ("gradle/gradle-build-action", "gradle/actions/setup-gradle") and inputs.get(
        "arguments"
    ):
        found.extend(classifier.argv(["gradle", *_split(inputs.get("arguments"))], cwd))
    elif name == "actions-rs/cargo":
        command = str(inputs.get("command", ""))
        found.extend(classifier.argv(["cargo", command, *_split(inputs.get("args", ""))], cwd))
    elif name == "actions-hub/kubectl":
        found.extend(classifier.argv(["kubectl", *_split(inputs.get("args", ""))], cwd))
    elif name == "clowdhaus/argo-cd-action":
        command = str(inputs.get("command", ""))
        found.extend(
            classifier.argv(["argocd", *_split(command), *_split(inputs.get("options", ""))], cwd)
        )
    elif name == "cypress-io/github-action" and not truthy(inputs.get("runTests", True)):
        found = [f for f in found if f.kind != TEST]
    key = _COMMAND_INPUTS.get(name)
    if key and isinstance(inputs.get(key), str):
        found.extend(classifier.script(str(inputs[key]), cwd))
    return found


def _split(value: Any) -> list[str]:
    try:
        return shlex.split(str(value or ""), comments=False)
    except ValueError:
        return str(value or "").split()
