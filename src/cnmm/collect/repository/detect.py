"""What a file is, from its path and (for YAML and a few others) its text (pure).

Repository-level practices are looked for where the hosting platforms look for them, at the
scanned root (`CODEOWNERS`, `.github/CODEOWNERS`, `SECURITY.md`, `.github/dependabot.yml`,
`renovate.json`, `.pre-commit-config.yaml`, ...): scan the repository root to see them.
Decision records, runbooks, Backstage entities, policies and infrastructure as code are
looked for anywhere in the tree.

YAML is not parsed here: the top-level `apiVersion:`/`kind:` lines of each document are
enough to tell a Kyverno policy or a Crossplane Composition, and they also work on Helm
templates that are not valid YAML before rendering.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath

DOC_SUFFIXES = (".md", ".markdown", ".rst", ".adoc", ".asciidoc", ".txt", ".org")
_TEMPLATE_SUFFIXES = (
    ".j2",
    ".jinja",
    ".jinja2",
    ".tmpl",
    ".tpl",
    ".template",
    ".erb",
    ".mustache",
    ".hbs",
    ".in",
    ".orig",
    ".rej",
    ".bak",
    ".swp",
    ".md",
    ".txt",
    ".sh",
    ".py",
    ".yaml",
    ".yml",
    ".json",
    ".lock",
    ".dockerignore",
    ".go",
    ".rs",
    ".js",
    ".ts",
    ".sample",
    ".example",
)
_DOCKERFILE_BASES = ("dockerfile", "containerfile")

RENOVATE_FILES = frozenset(
    {
        "renovate.json",
        "renovate.json5",
        ".renovaterc",
        ".renovaterc.json",
        ".renovaterc.json5",
        ".github/renovate.json",
        ".github/renovate.json5",
        ".gitlab/renovate.json",
        ".gitlab/renovate.json5",
    }
)
DEPENDABOT_FILES = frozenset(
    {
        ".github/dependabot.yml",
        ".github/dependabot.yaml",
        ".gitlab/dependabot.yml",
        ".gitlab/dependabot.yaml",
    }
)
CODEOWNERS_FILES = {
    "codeowners": "github",
    ".github/codeowners": "github",
    "docs/codeowners": "github",
    ".gitlab/codeowners": "gitlab",
    "owners": "prow",
}
_COMMUNITY_DIRS = ("", ".github/", "docs/", ".gitlab/")
_SECURITY = re.compile(r"^security(\.(md|markdown|rst|txt|adoc))?$")
_CONTRIBUTING = re.compile(r"^contributing(\.(md|markdown|rst|txt|adoc))?$")
PRE_COMMIT_FILES = {
    ".pre-commit-config.yaml": "pre-commit",
    ".pre-commit-config.yml": "pre-commit",
    "lefthook.yml": "lefthook",
    "lefthook.yaml": "lefthook",
    "lefthook.json": "lefthook",
    "lefthook.toml": "lefthook",
    ".lefthook.yml": "lefthook",
    ".lefthook.yaml": "lefthook",
}
_HUSKY_HOOKS = frozenset({"pre-commit", "pre-push", "commit-msg", "prepare-commit-msg"})

# Directory names that hold decision records / design documents.
ADR_DIRS = frozenset(
    {
        "adr",
        "adrs",
        "decisions",
        "decision-records",
        "decision_records",
        "architecture-decisions",
        "architecture-decision-records",
        "architectural-decisions",
        "architecture_decisions",
    }
)
DESIGN_DIRS = frozenset(
    {
        "design",
        "designs",
        "design-docs",
        "design_docs",
        "design-proposals",
        "rfc",
        "rfcs",
        "proposals",
        "enhancements",
        "keps",
    }
)
_ADR_FILE = re.compile(r"^(adr|decision)[-_ ]?\d+", re.IGNORECASE)
_DESIGN_FILE = re.compile(r"^(architecture|design)(\.(md|markdown|rst|adoc))$", re.IGNORECASE)
RUNBOOK_DIRS = frozenset({"runbook", "runbooks", "run-books", "run_books"})
_RUNBOOK_FILE = re.compile(r"run[-_ ]?book", re.IGNORECASE)

# YAML object groups that mark a tool (apiVersion group -> kinds, or None for any kind).
_TOP_KEY = re.compile(r"^(apiVersion|kind|AWSTemplateFormatVersion|Transform)\s*:\s*(.*?)\s*$")
_MARKERS = (
    b"kyverno.io",
    b"gatekeeper.sh",
    b"admissionregistration.k8s.io",
    b"crossplane.io",
    b"upbound.io",
    b"backstage.io",
    b"AWSTemplateFormatVersion",
    b"AWS::Serverless",
    b"kubewarden.io",
)


@dataclass(frozen=True)
class YamlDocument:
    """The top-level apiVersion and kind of one YAML document and its first line."""

    api_version: str
    kind: str
    line: int

    @property
    def group(self) -> str:
        """API group ('' for core)."""
        return self.api_version.rpartition("/")[0] if "/" in self.api_version else ""


def is_dockerfile(name: str) -> bool:
    """Dockerfile, Containerfile, Dockerfile.dev, api.Dockerfile, ... (not templates/docs)."""
    lowered = name.lower()
    if lowered in _DOCKERFILE_BASES:
        return True
    for base in _DOCKERFILE_BASES:
        if lowered.startswith((base + ".", base + "-", base + "_")) or lowered.endswith("." + base):
            return not lowered.endswith(_TEMPLATE_SUFFIXES)
    return False


def has_markers(raw: bytes) -> bool:
    """Whether YAML bytes may hold an object cnmm recognises (cheap pre-filter)."""
    return any(marker in raw for marker in _MARKERS)


def yaml_documents(text: str) -> Iterator[YamlDocument]:
    """Top-level apiVersion/kind of each document (`---` separated), also for templates."""
    api_version = kind = ""
    first = 1
    for number, line in enumerate(text.splitlines(), 1):
        if line.startswith("---"):
            if api_version or kind:
                yield YamlDocument(api_version, kind, first)
            api_version = kind = ""
            first = number + 1
            continue
        if not line[:1].isalpha():
            continue
        match = _TOP_KEY.match(line)
        if not match:
            continue
        value = match.group(2).split("#", 1)[0].strip().strip("'\"")
        if match.group(1) == "apiVersion":
            api_version = value
        elif match.group(1) == "kind":
            kind = value
        elif match.group(1) == "AWSTemplateFormatVersion" or (
            match.group(1) == "Transform" and value.startswith("AWS::")
        ):
            kind = kind or "CloudFormationTemplate"
            api_version = api_version or "cloudformation"
    if api_version or kind:
        yield YamlDocument(api_version, kind, first)


def policy_tool(doc: YamlDocument) -> tuple[str, bool] | None:
    """(tool, is a test) for a policy-as-code object, else None."""
    group, kind = doc.group, doc.kind
    if group == "cli.kyverno.io" and kind == "Test":
        return "kyverno", True
    if group.endswith("kyverno.io") and kind.endswith("Policy"):
        return "kyverno", False
    if group == "templates.gatekeeper.sh" and kind == "ConstraintTemplate":
        return "gatekeeper", False
    if group in ("constraints.gatekeeper.sh", "mutations.gatekeeper.sh") and kind:
        return "gatekeeper", False
    if group == "test.gatekeeper.sh" and kind == "Suite":
        return "gatekeeper", True
    if group == "admissionregistration.k8s.io":
        if kind in ("ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding"):
            return "validating-admission-policy", False
        if kind in ("MutatingAdmissionPolicy", "MutatingAdmissionPolicyBinding"):
            return "mutating-admission-policy", False
    if group == "policies.kubewarden.io" and kind.endswith("Policy"):
        return "kubewarden", False
    return None


_POLICY_TEST_DIRS = frozenset({".chainsaw-test", ".kyverno-test", "chainsaw-tests"})
_POLICY_TEST_FILES = frozenset({"kyverno-test.yaml", "chainsaw-test.yaml"})


def is_policy_test_path(relative: str) -> bool:
    """Policies under a Kyverno/Chainsaw test directory are test fixtures, not policies."""
    parts = PurePosixPath(relative).parts
    return bool(_POLICY_TEST_DIRS & set(parts[:-1])) or (
        bool(parts) and parts[-1] in _POLICY_TEST_FILES
    )


def iac_tool(doc: YamlDocument) -> str | None:
    """crossplane or cloudformation for a YAML document, else None."""
    group = doc.group
    if doc.api_version == "cloudformation":
        return "cloudformation"
    if group.endswith((".crossplane.io", ".upbound.io")) or group in (
        "crossplane.io",
        "upbound.io",
    ):
        return "crossplane"
    return None


def is_backstage_entity(doc: YamlDocument) -> bool:
    """A Backstage catalog entity (backstage.io/v1alpha1, v1beta1 ...), software templates
    (scaffolder.backstage.io/v1beta3 Template) included: they are registered in the catalog
    like any other entity."""
    return (doc.group == "backstage.io" or doc.group.endswith(".backstage.io")) and bool(doc.kind)


def renovate_in_package_json(text: str) -> bool:
    """package.json with a top-level `renovate` configuration."""
    try:
        data = json.loads(text)
    except ValueError:
        return False
    return isinstance(data, dict) and isinstance(data.get("renovate"), dict)


@dataclass(frozen=True)
class RootPractice:
    """A practice file found at a standard place under a scanned root."""

    practice: str
    tool: str


def root_practice(relative: str) -> RootPractice | None:
    """The repository-level practice a root-relative path shows, if any."""
    lowered = relative.lower()
    if lowered in RENOVATE_FILES:
        return RootPractice("dependency-updates", "renovate")
    if lowered in DEPENDABOT_FILES:
        return RootPractice("dependency-updates", "dependabot")
    if lowered in CODEOWNERS_FILES:
        return RootPractice("codeowners", CODEOWNERS_FILES[lowered])
    if lowered in PRE_COMMIT_FILES:
        return RootPractice("pre-commit", PRE_COMMIT_FILES[lowered])
    parent, _, name = lowered.rpartition("/")
    if parent == ".husky" and name in _HUSKY_HOOKS:
        return RootPractice("pre-commit", "husky")
    directory = parent + "/" if parent else ""
    if directory in _COMMUNITY_DIRS:
        if _SECURITY.match(name):
            return RootPractice("security-policy", "security-md")
        if _CONTRIBUTING.match(name):
            return RootPractice("contributing", "contributing")
    return None


def document_practice(relative: str) -> tuple[str, str] | None:
    """(practice, tool) for decision records, design docs and runbooks anywhere."""
    path = PurePosixPath(relative)
    name = path.name
    if name == ".adr-dir":
        return "decision-records", "adr"
    if not name.lower().endswith(DOC_SUFFIXES):
        return None
    folders = [p.lower() for p in path.parts[:-1]]
    if any(f in RUNBOOK_DIRS for f in folders) or _RUNBOOK_FILE.search(name):
        return "runbooks", "runbook"
    if any(f in ADR_DIRS for f in folders) or _ADR_FILE.match(name):
        return "decision-records", "adr"
    if any(f in DESIGN_DIRS for f in folders) or (not folders and _DESIGN_FILE.match(name)):
        return "decision-records", "design-docs"
    return None
