"""Command words and what they do: the tables behind `cnmm.collect.ci.commands`.

`classify_word(name, args, words, detail)` judges one simple command once wrappers are
peeled off: the command word (basename, lower-case) and its subcommand decide, and a few
arguments change the meaning (`--dry-run`, `-DskipTests`, `-x test`, `--sbom`, `--format
cyclonedx`...). Maven goals, Gradle tasks, tox/nox environments and goreleaser
configurations have their own readers here. Nothing in this module reads files.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

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

EPHEMERAL_CLUSTER = "ephemeral-cluster"  # internal marker: the job runs a throwaway cluster
DETAIL_LENGTH = 160


@dataclass(frozen=True)
class Found:
    """An activity found in a script: kind, tool, the command, its 0-based line, and via."""

    kind: str
    tool: str
    detail: str
    line: int = 0
    via: tuple[str, ...] = ()


def command_name(word: str) -> str:
    """The command a word names: basename, lower-case, without .exe/.cmd/.bat/.ps1."""
    base = word.rstrip("/").rsplit("/", 1)[-1].rsplit("\\", 1)[-1].lower()
    for suffix in (".exe", ".cmd", ".bat", ".ps1"):
        if base.endswith(suffix):
            return base[: -len(suffix)]
    return base


def detail_of(words: Sequence[str]) -> str:
    text = " ".join(words)
    return text if len(text) <= DETAIL_LENGTH else text[: DETAIL_LENGTH - 3] + "..."


def skip_options(words: Sequence[str], with_value: Iterable[str] = ()) -> list[str]:
    """Drop leading options (and the values of those in `with_value`), and a `--`."""
    valued = set(with_value)
    index = 0
    while index < len(words):
        word = words[index]
        if word == "--":
            return list(words[index + 1 :])
        if not word.startswith("-") or word == "-":
            break
        index += 2 if word in valued else 1
    return list(words[index:])


def positional(words: Sequence[str], with_value: Iterable[str] = ()) -> list[str]:
    """Non-option words (skipping the values of options in `with_value`)."""
    valued = set(with_value)
    out: list[str] = []
    skip = False
    for word in words:
        if skip:
            skip = False
            continue
        if word.startswith("-") and word != "-":
            skip = word in valued
            continue
        out.append(word)
    return out


def flag_value(words: Sequence[str], *names: str) -> str | None:
    """The value of `--name value` or `--name=value` (the last one wins); "" for a bare flag."""
    found: str | None = None
    for index, word in enumerate(words):
        for name in names:
            if word == name:
                nxt = words[index + 1] if index + 1 < len(words) else ""
                found = "" if nxt.startswith("-") else nxt
            elif word.startswith(name + "="):
                found = word.split("=", 1)[1]
    return found


def truthy(value: Any) -> bool:
    """A CI input that switches something on (`${{ ... }}` expressions count as on)."""
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    text = str(value).strip().strip("'\"").lower()
    return text not in ("", "false", "0", "no", "off", "none", "null")


def image_repository(image: str) -> str:
    """`registry/owner/name:tag@digest` -> `owner/name` (registry and tag removed), lower-case."""
    ref = image.strip().split("@", 1)[0]
    slash = ref.rfind("/")
    colon = ref.rfind(":")
    if colon > slash:
        ref = ref[:colon]
    parts = ref.split("/")
    if len(parts) > 1 and ("." in parts[0] or ":" in parts[0] or parts[0] == "localhost"):
        parts = parts[1:]
    return "/".join(parts).lower()


# Container images whose entrypoint is a known tool: running them with arguments runs it.
IMAGE_TOOLS = {
    "aquasec/trivy": "trivy",
    "aquasecurity/trivy": "trivy",
    "anchore/grype": "grype",
    "anchore/syft": "syft",
    "google/osv-scanner": "osv-scanner",
    "snyk/snyk": "snyk",
    "snyk/snyk-cli": "snyk",
    "sigstore/cosign": "cosign",
    "projectsigstore/cosign": "cosign",
    "sigstore/cosign/cosign": "cosign",
    "kaniko-project/executor": "/kaniko/executor",
    "goreleaser/goreleaser": "goreleaser",
    "goreleaser/goreleaser-pro": "goreleaser",
    "returntocorp/semgrep": "semgrep",
    "semgrep/semgrep": "semgrep",
    "openpolicyagent/opa": "opa",
    "openpolicyagent/conftest": "conftest",
    "bitnami/kubectl": "kubectl",
    "lachlanevenson/k8s-kubectl": "kubectl",
    "cloud-builders/kubectl": "kubectl",
    "alpine/helm": "helm",
    "lachlanevenson/k8s-helm": "helm",
    "owasp/dependency-check": "dependency-check",
    "k8s-skaffold/skaffold": "skaffold",
    "buildpacksio/pack": "pack",
    "securego/gosec": "gosec",
    "cloud-builders/docker": "docker",
    "cloud-builders/gcloud": "gcloud",
    "cloud-builders/gke-deploy": "gke-deploy",
    "cloud-builders/go": "go",
    "cloud-builders/npm": "npm",
    "cloud-builders/yarn": "yarn",
    "cloud-builders/mvn": "mvn",
    "cloud-builders/gradle": "gradle",
    "cloud-builders/bazel": "bazel",
    "fluxcd/flux-cli": "flux",
    "kyverno/kyverno-cli": "kyverno",
    "aquasec/trivy-operator": "",
    "cloud-builders/gcloud-slim": "gcloud",
    "anchore/grype-db": "",
}

# --- tests -------------------------------------------------------------------------------

TEST_NAME = re.compile(
    r"^(test|tests|check|unit|units|unittests?|integration|e2e|coverage|cover|"
    r"(test|tests|unit|integration|e2e|acceptance|functional)[-_:.].*|"
    r".*[-_:.](test|tests|unit|unittests?|e2e|integration))$"
)
_TEST_ENVS = re.compile(  # tox environments / nox sessions that run tests
    r"^(.*[-_])?(py|pypy)(\d.*|\$.*|[-_.].*)?$|^\{.*\}.*|^(.*[-_])?(tests?|unit|unittests?|"
    r"integration|e2e|functional|cov|coverage)([-_].*)?$|^\d+\.\d+.*$"
)
_GRADLE_TEST_TASK = re.compile(r"^(test|check|build|connectedCheck|test[A-Z0-9]\w*|\w*Tests?)$")
_MAVEN_TEST_GOALS = frozenset(
    {
        "test",
        "verify",
        "install",
        "package",
        "integration-test",
        "deploy",
        "surefire:test",
        "failsafe:integration-test",
    }
)
_SIMPLE_TESTS = {
    "pytest": "pytest",
    "py.test": "pytest",
    "nose2": "nose",
    "nosetests": "nose",
    "gotestsum": "gotestsum",
    "jest": "jest",
    "mocha": "mocha",
    "ava": "ava",
    "jasmine": "jasmine",
    "rspec": "rspec",
    "phpunit": "phpunit",
    "pest": "pest",
    "ctest": "ctest",
    "bats": "bats",
    "shellspec": "shellspec",
    "behave": "behave",
    "cucumber": "cucumber",
    "cucumber-js": "cucumber",
    "robot": "robot",
    "prove": "prove",
    "busted": "busted",
    "wdio": "webdriverio",
    "testcafe": "testcafe",
    "tap": "tap",
    "vstest.console": "vstest",
    "trial": "trial",
    "green": "green",
    "ward": "ward",
    "newman": "newman",
    "codeceptjs": "codeceptjs",
    "karma": "karma",
    "tape": "tape",
    "uvu": "uvu",
    "unittest": "unittest",
    "gotest": "go test",
}
_SUBCOMMAND_TESTS = {
    ("go", "test"): "go test",
    ("cargo", "test"): "cargo test",
    ("cargo", "nextest"): "cargo test",
    ("cargo", "llvm-cov"): "cargo test",
    ("cargo", "tarpaulin"): "cargo test",
    ("dotnet", "test"): "dotnet test",
    ("deno", "test"): "deno test",
    ("bun", "test"): "bun test",
    ("mix", "test"): "mix test",
    ("swift", "test"): "swift test",
    ("flutter", "test"): "flutter test",
    ("dart", "test"): "dart test",
    ("lein", "test"): "lein test",
    ("stack", "test"): "stack test",
    ("cabal", "test"): "cabal test",
    ("meson", "test"): "meson test",
    ("bazel", "test"): "bazel test",
    ("bazelisk", "test"): "bazel test",
    ("buck", "test"): "buck test",
    ("buck2", "test"): "buck test",
    ("pants", "test"): "pants test",
    ("playwright", "test"): "playwright",
    ("cypress", "run"): "cypress",
    ("ng", "test"): "ng test",
    ("react-scripts", "test"): "jest",
    ("vitest", "run"): "vitest",
    ("kuttl", "test"): "kuttl",
    ("kubectl-kuttl", "test"): "kuttl",
    ("chainsaw", "test"): "chainsaw",
    ("hatch", "test"): "hatch test",
    ("rails", "test"): "rails test",
    ("rails", "spec"): "rspec",
    ("artisan", "test"): "phpunit",
    ("ct", "install"): "chart-testing",
    ("ct", "lint-and-install"): "chart-testing",
    ("zig", "build"): "",
    ("richgo", "test"): "go test",
    ("gradle", "test"): "gradle",
    ("sbt", "test"): "sbt",
    ("hurl", "--test"): "hurl",
    ("vue-cli-service", "test:unit"): "vue-cli-service",
    ("xcodebuild", "test"): "xcodebuild test",
    ("pdm", "test"): "pdm test",
    ("composer", "test"): "composer test",
    ("node", "--test"): "node --test",
}

# --- security, supply chain, deploy --------------------------------------------------------

_SCANNERS_ANY = {
    "govulncheck": "govulncheck",
    "pip-audit": "pip-audit",
    "gosec": "gosec",
    "bandit": "bandit",
    "semgrep": "semgrep",
    "dependency-check": "dependency-check",
    "dependency-check.sh": "dependency-check",
    "bundler-audit": "bundler-audit",
    "bundle-audit": "bundler-audit",
    "nancy": "nancy",
    "clair-scanner": "clair",
    "clairctl": "clair",
    "retire": "retire.js",
    "audit-ci": "npm-audit",
    "better-npm-audit": "npm-audit",
    "improved-yarn-audit": "yarn-audit",
    "trufflehog": "",
    "gitleaks": "",
    "checkov": "",
    "kubescape": "",
    "tfsec": "",
    "njsscan": "njsscan",
    "brakeman": "brakeman",
    "cargo-audit": "cargo-audit",
    "safety": "safety",
    "jake": "jake",
    "owasp-dependency-check": "dependency-check",
}
_SBOM_COMMANDS = {
    "cyclonedx-py": "cyclonedx",
    "cyclonedx-bom": "cyclonedx",
    "cyclonedx-gomod": "cyclonedx",
    "cyclonedx-npm": "cyclonedx",
    "cyclonedx-node-npm": "cyclonedx",
    "cyclonedx-cli": "cyclonedx",
    "cyclonedx": "cyclonedx",
    "cdxgen": "cdxgen",
    "sbom-tool": "sbom-tool",
    "spdx-sbom-generator": "spdx-sbom-generator",
    "cyclonedx-php-composer": "cyclonedx",
    "cyclonedx-ruby": "cyclonedx",
    "cyclonedx-dotnet": "cyclonedx",
    "tern": "tern",
}
_EPHEMERAL = {
    ("kind", "create"),
    ("minikube", "start"),
    ("k3d", "cluster"),
    ("k3d", "create"),
    ("ctlptl", "create"),
    ("ctlptl", "apply"),
    ("kind", "load"),
}
_KUBECTL_GLOBALS = (
    "-n",
    "--namespace",
    "--context",
    "--kubeconfig",
    "-s",
    "--server",
    "--token",
    "--as",
    "--cluster",
    "--user",
    "--request-timeout",
)
_HELM_GLOBALS = (
    "--kube-context",
    "--kubeconfig",
    "-n",
    "--namespace",
    "--repository-config",
    "--registry-config",
    "--kube-apiserver",
    "--kube-token",
)


def classify_word(name: str, args: list[str], words: list[str], detail: str) -> list[Found]:
    """Activities of a simple command, decided by its command word and arguments."""
    sub = args[0] if args else ""
    found: list[Found] = []

    def add(kind: str, tool: str) -> None:
        found.append(Found(kind, tool, detail))

    # tests
    if name in _SIMPLE_TESTS and not any(a in ("--collect-only", "--co") for a in args):
        add(TEST, _SIMPLE_TESTS[name])
    elif _SUBCOMMAND_TESTS.get((name, sub)):
        if not (name == "go" and "-c" in args) and not (name == "cargo" and "--no-run" in args):
            add(TEST, _SUBCOMMAND_TESTS[(name, sub)])
    elif name == "ginkgo" and sub not in (
        "build",
        "bootstrap",
        "generate",
        "outline",
        "labels",
        "unfocus",
        "version",
        "help",
    ):
        add(TEST, "ginkgo")
    elif name == "vitest" and sub not in ("bench", "list"):
        add(TEST, "vitest")
    elif name in ("tox", "nox"):
        if _runs_test_envs(name, args):
            add(TEST, name)
    elif name in ("mvn", "mvnw", "maven"):
        found.extend(maven_activities(args, detail))
    elif name in ("gradle", "gradlew"):
        found.extend(gradle_activities(args, detail))
    elif name == "sbt" and any(
        re.fullmatch(r"\+?(test|testOnly|testQuick|it:test|IntegrationTest/test)", p.strip())
        for a in args
        for p in re.split(r"[;\s]+", a)
        if p
    ):
        add(TEST, "sbt")
    elif name == "rake" and (not args or sub in ("test", "spec", "default")):
        add(TEST, "rake")
    elif name == "zig" and args[:2] == ["build", "test"]:
        add(TEST, "zig test")
    elif name == "r" and args[:2] == ["CMD", "check"]:
        add(TEST, "R CMD check")
    elif name in (
        "task",
        "just",
        "mage",
        "invoke",
        "inv",
        "poe",
        "cargo-make",
        "earthly",
        "hatch-script",
        "composer",
        "lerna",
        "turbo",
        "rush",
        "rushx",
        "nx",
        "moon",
    ) or (name == "cargo" and sub == "make"):
        names = _runner_targets(name, args)
        if any(TEST_NAME.match(t) and t != "check" for t in names) or (
            name == "nx" and "test" in names
        ):
            add(TEST, f"{name} test" if name != "hatch-script" else "hatch")
    elif name == "helm" and sub == "unittest":
        add(TEST, "helm-unittest")
    elif name == "kubectl" and sub in ("kuttl",) and args[1:2] == ["test"]:
        add(TEST, "kuttl")

    # container images
    if (
        name == "/kaniko/executor"
        or words[0].endswith("/kaniko/executor")
        or (
            name == "executor"
            and "--context" in " ".join(args)
            and "--destination" in " ".join(args)
        )
    ):
        add(IMAGE_BUILD, "kaniko")
    elif name == "buildah" and sub in ("bud", "build", "build-using-dockerfile", "commit"):
        add(IMAGE_BUILD, "buildah")
    elif name == "ko" and sub in ("build", "publish", "resolve", "apply", "create", "run"):
        add(IMAGE_BUILD, "ko")
        if sub in ("apply", "create"):
            add(DEPLOY, "ko")
        sbom = flag_value(args, "--sbom")
        if sbom and sbom != "none":
            add(SBOM, "ko")
    elif name == "pack" and sub == "build":
        add(IMAGE_BUILD, "pack")
    elif name == "skaffold" and sub in ("build", "run"):
        add(IMAGE_BUILD, "skaffold")
        if sub == "run":
            add(DEPLOY, "skaffold")
    elif name == "skaffold" and sub in ("deploy", "apply"):
        add(DEPLOY, "skaffold")
    elif name == "s2i" and sub == "build":
        add(IMAGE_BUILD, "s2i")
    elif name == "apko" and sub in ("build", "publish"):
        add(IMAGE_BUILD, "apko")
    elif name == "depot" and sub in ("build", "bake"):
        add(IMAGE_BUILD, "depot")
    elif name in ("buildctl", "buildctl-daemonless.sh", "buildctl-daemonless") and sub == ("build"):
        add(IMAGE_BUILD, "buildkit")
    elif name == "img" and sub == "build":
        add(IMAGE_BUILD, "img")
    elif name == "jib" and sub in ("build", "jar", "war"):
        add(IMAGE_BUILD, "jib")
    elif name == "gcloud" and args[:2] == ["builds", "submit"]:
        add(IMAGE_BUILD, "cloud-build")
    elif name == "az" and args[:2] == ["acr", "build"]:
        add(IMAGE_BUILD, "acr-build")
    elif name == "oc" and sub == "start-build":
        add(IMAGE_BUILD, "openshift-build")
    elif name == "werf" and sub in ("build", "converge"):
        add(IMAGE_BUILD, "werf")
        if sub == "converge":
            add(DEPLOY, "werf")

    # vulnerability scanning
    if name == "trivy":
        scan = positional(
            args,
            (
                "-f",
                "--format",
                "-o",
                "--output",
                "-s",
                "--severity",
                "--scanners",
                "--exit-code",
                "-t",
                "--template",
            ),
        )
        fmt = (flag_value(args, "-f", "--format") or "").lower()
        if scan and scan[0] in (
            "image",
            "i",
            "fs",
            "filesystem",
            "repo",
            "repository",
            "rootfs",
            "config",
            "conf",
            "k8s",
            "kubernetes",
            "sbom",
            "vm",
            "aws",
        ):
            if fmt in ("cyclonedx", "spdx", "spdx-json"):
                add(SBOM, "trivy")
            else:
                add(VULNERABILITY_SCAN, "trivy")
    elif name == "grype" and sub not in ("db", "version", "completion", "config"):
        add(VULNERABILITY_SCAN, "grype")
    elif name == "snyk" and sub in ("test", "monitor", "container", "code", "iac"):
        add(VULNERABILITY_SCAN, "snyk")
    elif name == "osv-scanner" and sub not in ("fix",):
        add(VULNERABILITY_SCAN, "osv-scanner")
    elif _SCANNERS_ANY.get(name):
        if name != "safety" or sub in ("check", "scan", ""):
            add(VULNERABILITY_SCAN, _SCANNERS_ANY[name])
    elif name == "cargo" and sub == "audit":
        add(VULNERABILITY_SCAN, "cargo-audit")
    elif name == "cargo" and sub == "deny" and "check" in args:
        checks = args[args.index("check") + 1 :]
        if not positional(checks) or "advisories" in checks:
            add(VULNERABILITY_SCAN, "cargo-deny")
    elif name == "codeql" and args[:2] == ["database", "analyze"]:
        add(VULNERABILITY_SCAN, "codeql")
    elif name == "dotnet" and sub == "list" and "--vulnerable" in args:
        add(VULNERABILITY_SCAN, "dotnet-vulnerable")
    elif name == "composer" and sub == "audit":
        add(VULNERABILITY_SCAN, "composer-audit")
    elif (name == "jf" and sub in ("audit", "scan")) or (name == "jfrog" and sub == "xr"):
        add(VULNERABILITY_SCAN, "jfrog-xray")
    elif name == "bundle" and sub == "audit":
        add(VULNERABILITY_SCAN, "bundler-audit")

    # SBOM
    if name == "syft" and sub not in (
        "version",
        "login",
        "completion",
        "convert",
        "cataloger",
        "config",
    ):
        add(SBOM, "syft")
        if sub == "attest":
            add(SIGNING, "syft")
    elif name in _SBOM_COMMANDS and sub not in ("validate", "diff", "analyze", "merge"):
        add(SBOM, _SBOM_COMMANDS[name])
    elif name == "bom" and sub == "generate":
        add(SBOM, "bom")
    elif name == "cargo" and sub in ("cyclonedx", "sbom"):
        add(SBOM, "cyclonedx" if sub == "cyclonedx" else "cargo-sbom")
    elif name == "dotnet" and sub.lower() in ("cyclonedx",):
        add(SBOM, "cyclonedx")

    # signing and provenance
    if name == "cosign" and sub in ("sign", "sign-blob", "attest", "attest-blob"):
        add(SIGNING, "cosign")
        kind = (flag_value(args, "--type") or "").lower()
        if sub.startswith("attest") and kind.startswith("slsaprovenance"):
            add(PROVENANCE, "cosign")
        if sub.startswith("attest") and kind in ("spdx", "spdxjson", "cyclonedx"):
            add(SBOM, "cosign")
    elif name == "notation" and sub == "sign":
        add(SIGNING, "notation")
    elif name == "sigstore" and sub == "sign":
        add(SIGNING, "sigstore")
    elif name == "witness" and sub == "run":
        add(PROVENANCE, "witness")
    elif name == "gh" and args[:2] == ["attestation", "create"]:
        add(PROVENANCE, "github-attestation")

    # deployment
    if name in ("kubectl", "oc") and not _dry_run(args):
        rest = positional(
            args,
            (
                *_KUBECTL_GLOBALS,
                "-f",
                "--filename",
                "-k",
                "-l",
                "-o",
                "--selector",
                "--field-manager",
            ),
        )
        verb = rest[0] if rest else ""
        from_files = any(
            a in ("-f", "--filename", "-k", "--kustomize")
            or a.startswith(("--filename=", "--kustomize=", "-f="))
            for a in args
        )
        if (
            verb == "apply"
            or (verb in ("create", "replace") and from_files)
            or (verb == "set" and rest[1:2] == ["image"])
            or (verb == "rollout" and rest[1:2] and rest[1] in ("restart", "undo"))
            or (name == "oc" and verb in ("new-app", "rollout"))
        ):
            add(DEPLOY, "oc" if name == "oc" else "kubectl")
        elif (
            verb == "argo"
            and rest[1:2] == ["rollouts"]
            and rest[2:3]
            and rest[2] in ("set", "promote", "deploy")
        ):
            add(DEPLOY, "argo-rollouts")
        elif verb in ("kyverno",) and rest[1:2] and rest[1] in ("test", "apply"):
            add(POLICY_TEST, "kyverno")
    elif name == "helm" and not _dry_run(args):
        rest = positional(
            args,
            (
                *_HELM_GLOBALS,
                "-f",
                "--values",
                "--set",
                "--version",
                "--timeout",
                "--set-string",
                "--repo",
            ),
        )
        if (rest[:1] and rest[0] in ("upgrade", "install")) or (
            rest[:1] and rest[0] == "secrets" and rest[1:2] and rest[1] in ("upgrade", "install")
        ):
            add(DEPLOY, "helm")
    elif name == "helmfile" and not _dry_run(args):
        rest = positional(args, ("-f", "--file", "-e", "--environment", "-l", "--selector"))
        if rest[:1] and rest[0] in ("apply", "sync", "deploy"):
            add(DEPLOY, "helmfile")
    elif (
        name == "argocd"
        and sub == "app"
        and args[1:2]
        and args[1] in ("sync", "create", "set", "rollback", "patch", "actions")
    ):
        add(DEPLOY, "argocd")
    elif (
        name == "flux"
        and (
            sub in ("reconcile", "create", "bootstrap", "resume")
            or args[:2] == ["push", "artifact"]
        )
        and "--export" not in args
    ):
        add(DEPLOY, "flux")
    elif name == "kapp" and sub == "deploy":
        add(DEPLOY, "kapp")
    elif (
        name == "kn" and sub == "service" and args[1:2] and args[1] in ("create", "update", "apply")
    ):
        add(DEPLOY, "knative")
    elif name == "gcloud" and (
        args[:2] == ["run", "deploy"]
        or args[:3] in (["run", "services", "replace"], ["run", "services", "update"])
    ):
        add(DEPLOY, "cloud-run")
    elif name == "gcloud" and args[:3] == ["deploy", "releases", "create"]:
        add(DEPLOY, "cloud-deploy")
    elif name == "gke-deploy" and sub in ("run", "apply"):
        add(DEPLOY, "gke-deploy")
    elif name == "aws" and args[:2] == ["ecs", "update-service"]:
        add(DEPLOY, "ecs")
    elif name == "az" and args[:2] in (["containerapp", "update"], ["containerapp", "up"]):
        add(DEPLOY, "container-apps")
    elif name in ("tk", "tanka") and sub == "apply":
        add(DEPLOY, "tanka")
    elif name == "devspace" and sub == "deploy":
        add(DEPLOY, "devspace")
    elif name == "kubecfg" and sub == "update":
        add(DEPLOY, "kubecfg")

    # policy tests
    if name == "opa" and sub == "test":
        add(POLICY_TEST, "opa")
    elif name == "conftest" and sub in ("test", "verify"):
        add(POLICY_TEST, "conftest")
    elif name in ("kyverno", "kubectl-kyverno") and sub in ("test", "apply"):
        add(POLICY_TEST, "kyverno")
    elif name == "gator" and sub in ("verify", "test"):
        add(POLICY_TEST, "gatekeeper")

    # throwaway clusters
    if (name, sub) in _EPHEMERAL or (name == "k3s" and sub == "server"):
        add(EPHEMERAL_CLUSTER, name)
    return found


def _dry_run(args: Sequence[str]) -> bool:
    value = flag_value(args, "--dry-run")
    if value is None:
        return "--dry-run" in args or "--dry_run" in args
    return value.lower() not in ("none", "false")


def _runs_test_envs(tool: str, args: list[str]) -> bool:
    """tox/nox run tests unless every selected environment is a lint/docs/build one."""
    selected: list[str] = []
    flags = ("-e", "--env", "-s", "--session", "--sessions")
    for index, word in enumerate(args):
        if word in flags and index + 1 < len(args):
            selected.extend(args[index + 1].split(","))
        elif any(word.startswith(f + "=") for f in flags if f.startswith("--")):
            selected.extend(word.split("=", 1)[1].split(","))
    if tool == "nox" and "-s" in args:
        start = args.index("-s") + 1
        for word in args[start:]:
            if word.startswith("-"):
                break
            selected.append(word)
    if "--list" in args or "-l" in args or "--notest" in args:
        return False
    if not selected:
        return True  # the default environments/sessions: the project's test matrix
    return any(_TEST_ENVS.match(env.strip()) for env in selected if env.strip())


def _runner_targets(name: str, args: list[str]) -> list[str]:
    """Target/script names given to a task runner (`task test`, `nx run app:test`...)."""
    targets: list[str] = []
    for index, word in enumerate(args):
        if word.startswith("-"):
            if "=" in word and word.split("=", 1)[0] in ("--target", "-t", "--targets"):
                targets.extend(word.split("=", 1)[1].split(","))
            elif word in ("-t", "--target", "--targets") and index + 1 < len(args):
                targets.extend(args[index + 1].split(","))
            continue
        if name in ("nx", "moon") and ":" in word:
            targets.append(word.rsplit(":", 1)[1])
        elif word not in ("run", "run-many", "affected", "run-script"):
            targets.append(word)
    return targets


def maven_activities(args: list[str], detail: str) -> list[Found]:
    goals = positional(
        args,
        (
            "-f",
            "--file",
            "-pl",
            "--projects",
            "-P",
            "--activate-profiles",
            "-s",
            "--settings",
            "-gs",
            "-T",
            "--threads",
            "-rf",
            "-t",
            "--resume-from",
            "-b",
            "-l",
            "--log-file",
        ),
    )
    joined = " ".join(args)
    found: list[Found] = []
    skip = re.search(r"-D(skipTests|maven\.test\.skip)(=true)?(\s|$)", joined + " ")
    if not skip and any(g in _MAVEN_TEST_GOALS for g in goals):
        found.append(Found(TEST, "maven", detail))
    if (
        any(
            re.search(r"(^|:)(jib|jib-maven-plugin)(:[\w.-]+)*:(build|dockerBuild|buildTar)$", g)
            or g.endswith("spring-boot:build-image")
            or g.endswith("spring-boot:build-image-no-fork")
            or re.search(r"(^|:)(docker|dockerfile|k8s|oc|fabric8):build$", g)
            for g in goals
        )
        or "-Dquarkus.container-image.build=true" in args
    ):
        found.append(Found(IMAGE_BUILD, "jib" if "jib" in joined else "maven", detail))
    if any(re.search(r"(^|:)(k8s|oc|fabric8):(apply|deploy)$", g) for g in goals):
        found.append(Found(DEPLOY, "jkube", detail))
    if any("cyclonedx" in g or g.startswith("spdx:") or ":spdx-maven-plugin:" in g for g in goals):
        found.append(Found(SBOM, "cyclonedx" if "cyclonedx" in joined else "spdx", detail))
    if any("dependency-check" in g and g.endswith((":check", ":aggregate")) for g in goals):
        found.append(Found(VULNERABILITY_SCAN, "dependency-check", detail))
    if any(
        g.endswith("ossindex:audit") or g.endswith(":ossindex-maven-plugin:audit") for g in goals
    ):
        found.append(Found(VULNERABILITY_SCAN, "ossindex", detail))
    if any(g.endswith("snyk:test") for g in goals):
        found.append(Found(VULNERABILITY_SCAN, "snyk", detail))
    return found


def gradle_activities(args: list[str], detail: str) -> list[Found]:
    excluded = {
        args[i + 1].rsplit(":", 1)[-1]
        for i, a in enumerate(args[:-1])
        if a in ("-x", "--exclude-task")
    }
    tasks = [
        t.rsplit(":", 1)[-1]
        for t in positional(
            args,
            (
                "-x",
                "--exclude-task",
                "-p",
                "--project-dir",
                "-b",
                "--build-file",
                "-c",
                "--settings-file",
                "-I",
                "--init-script",
                "--console",
                "-g",
                "--gradle-user-home",
                "--max-workers",
                "--warning-mode",
                "--priority",
            ),
        )
    ]
    found: list[Found] = []
    test_tasks = [t for t in tasks if _GRADLE_TEST_TASK.match(t) and t not in excluded]
    if test_tasks and not (set(test_tasks) <= {"build", "check"} and "test" in excluded):
        found.append(Found(TEST, "gradle", detail))
    if any(
        t
        in (
            "jib",
            "jibDockerBuild",
            "jibBuildTar",
            "bootBuildImage",
            "dockerBuildImage",
            "buildImage",
            "dockerBuild",
        )
        for t in tasks
    ):
        found.append(
            Found(
                IMAGE_BUILD, "jib" if any(t.startswith("jib") for t in tasks) else "gradle", detail
            )
        )
    if any(t in ("cyclonedxBom", "cyclonedxDirectBom", "spdxSbom") for t in tasks):
        found.append(
            Found(SBOM, "cyclonedx" if any("cyclonedx" in t for t in tasks) else "spdx", detail)
        )
    if any(t in ("dependencyCheckAnalyze", "dependencyCheckAggregate") for t in tasks):
        found.append(Found(VULNERABILITY_SCAN, "dependency-check", detail))
    if "ossIndexAudit" in tasks:
        found.append(Found(VULNERABILITY_SCAN, "ossindex", detail))
    return found


def goreleaser_features(data: Mapping[str, Any], where: str, skip: str, detail: str) -> list[Found]:
    """What a goreleaser release does, from its configuration."""
    from cnmm.collect.ci._yaml import line_in

    skipped = {s.strip() for s in skip.split(",") if s.strip()}
    found: list[Found] = []

    def at(key: str) -> tuple[str, ...]:
        line = line_in(data, key)
        return (f"{where}:{line}" if line else where,)

    def has(key: str) -> bool:
        value = data.get(key)
        return bool(value) and isinstance(value, list | dict)

    for key in ("dockers", "dockers_v2", "docker_manifests", "kos"):
        if has(key) and not (
            ({"docker", "ko"} & skipped and key != "kos") or ("ko" in skipped and key == "kos")
        ):
            found.append(
                Found(IMAGE_BUILD, "goreleaser" if key != "kos" else "ko", detail, via=at(key))
            )
            break
    if has("sboms") and "sbom" not in skipped:
        found.append(Found(SBOM, "goreleaser", detail, via=at("sboms")))
    if "sign" not in skipped:
        signs = data.get("signs") if isinstance(data.get("signs"), list) else []
        cosign_signs = [
            s
            for s in signs or []
            if isinstance(s, Mapping) and command_name(str(s.get("cmd", ""))) == "cosign"
        ]
        if cosign_signs:
            found.append(Found(SIGNING, "cosign", detail, via=at("signs")))
        elif has("docker_signs") and "docker" not in skipped:
            found.append(Found(SIGNING, "cosign", detail, via=at("docker_signs")))
        elif any(
            isinstance(s, Mapping) and command_name(str(s.get("cmd", ""))) == "notation"
            for s in signs or []
        ):
            found.append(Found(SIGNING, "notation", detail, via=at("signs")))
    return found
