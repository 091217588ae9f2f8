"""Terraform/OpenTofu/Terragrunt facts from parsed HCL files (pure).

Files are grouped by directory (Terraform reads a directory as one module). A directory is
a *root* configuration when it declares a backend, a `cloud` block or a provider
configuration; otherwise it is a reusable *module*; directories under examples/, tests/,
fixtures/ or testdata/ are *examples* whatever they contain.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import parse_qs, urlsplit

from cnmm.collect.repository.hcl import Attribute, Block, HclFile
from cnmm.facts.repository import (
    TerraformBackend,
    TerraformDirectory,
    TerraformFacts,
    TerraformModuleCall,
    TerraformProvider,
)

EXAMPLE_DIRS = frozenset(
    {
        "example",
        "examples",
        "test",
        "tests",
        "testdata",
        "fixtures",
        "fixture",
        "testing",
        "_examples",
    }
)
_SHA = re.compile(r"^[0-9a-fA-F]{7,40}$")
_VERSIONISH = re.compile(r"(^|[^0-9A-Za-z])v?\d+(\.\d+)+|^v?\d+$")
_BRANCHES = frozenset(
    {
        "main",
        "master",
        "develop",
        "development",
        "dev",
        "trunk",
        "head",
        "latest",
        "stable",
        "release",
        "staging",
        "production",
    }
)
_REGISTRY = re.compile(
    r"^(?:(?P<host>[A-Za-z0-9.-]+\.[A-Za-z]{2,}(?::\d+)?)/)?"
    r"[A-Za-z0-9][A-Za-z0-9_-]*/[A-Za-z0-9][A-Za-z0-9_-]*/[A-Za-z0-9][A-Za-z0-9_-]*(//.*)?$"
)
_GIT_HOSTS = ("github.com/", "bitbucket.org/", "gitlab.com/")
_BUILTIN_PROVIDERS = frozenset({"terraform"})


@dataclass(frozen=True)
class ParsedFile:
    """One HCL file: `path` as displayed, `directory` its display directory, `relative`
    its directory relative to the scanned root (to tell examples apart)."""

    path: str
    directory: str
    hcl: HclFile
    terragrunt: bool = False
    relative: str = ""


def classify_source(source: str) -> str:
    """local, registry, git, mercurial, archive or unknown (Terraform's source rules)."""
    text = source.strip()
    if text.startswith(("./", "../", ".\\", "..\\")):
        return "local"
    if text.startswith("tfr://"):
        return "registry"
    if text.startswith(("git::", "git@")) or text.startswith(_GIT_HOSTS):
        return "git"
    if text.startswith("hg::"):
        return "mercurial"
    if text.startswith(("s3::", "gcs::", "http://", "https://")):
        lowered = urlsplit(text.removeprefix("git::")).path.lower()
        if lowered.endswith(".git") or ".git/" in lowered or "/_git/" in lowered:
            return "git"
        return "archive"
    if _REGISTRY.match(text):
        return "registry"
    return "unknown"


def _query(source: str) -> dict[str, list[str]]:
    query = source.partition("?")[2]
    return parse_qs(query, keep_blank_values=True) if query else {}


def judge_module_pin(source: str, version: str | None) -> tuple[str, str | None, bool | None, str]:
    """(source kind, ref, pinned, note) for one module source and version argument."""
    kind = classify_source(source)
    if kind == "local":
        return kind, None, None, "local module: versioned with this repository"
    if kind == "registry":
        if source.startswith("tfr://"):
            version = version or next(iter(_query(source).get("version") or []), None)
        if version and version.strip():
            return kind, None, True, f"version {version.strip()}"
        return kind, None, False, "registry module without a version argument"
    if kind in ("git", "mercurial"):
        refs = _query(source).get("ref") or _query(source).get("rev") or []
        ref = refs[0] if refs else None
        if not ref:
            return kind, None, False, "no ?ref=: follows the default branch"
        if _SHA.match(ref):
            return kind, ref, True, f"ref {ref} (commit)"
        if ref.lower() in _BRANCHES:
            return kind, ref, False, f"ref {ref} is a branch"
        if _VERSIONISH.search(ref):
            return kind, ref, True, f"ref {ref} (tag)"
        return kind, ref, False, f"ref {ref} does not look like a tag or commit (a branch?)"
    if kind == "archive":
        if _VERSIONISH.search(urlsplit(source).path) or _SHA.search(source.rsplit("/", 1)[-1]):
            return kind, None, True, "archive URL names a version"
        return kind, None, False, "archive URL names no version"
    if "?ref=" in source:  # a Terragrunt source built from locals, e.g. "${local.url}?ref=v1"
        ref = source.partition("?ref=")[2].split("&")[0].strip('"} ')
        pinned = bool(ref) and (bool(_SHA.match(ref)) or bool(_VERSIONISH.search(ref)))
        return kind, ref or None, pinned, f"ref {ref}" if pinned else "ref is not a tag or commit"
    return kind, None, None, "source kind not recognised"


def is_example(relative_directory: str) -> bool:
    """Under examples/, tests/, fixtures/, testdata/ ... of the scanned root."""
    return bool({p.lower() for p in PurePosixPath(relative_directory).parts} & EXAMPLE_DIRS)


def _role(relative: str, has_backend: bool, has_provider_config: bool) -> str:
    if is_example(relative):
        return "example"
    return "root" if has_backend or has_provider_config else "module"


def _provider_of(block: Block) -> str | None:
    explicit = block.attributes.get("provider")
    if explicit is not None and explicit.raw:
        return explicit.raw.split(".")[0].strip().strip('"')
    if not block.labels:
        return None
    return block.labels[0].split("_")[0]


def terraform_facts(files: Iterable[ParsedFile], lock_files: Iterable[str] = ()) -> TerraformFacts:
    """Group parsed files by directory and extract modules, providers and backends."""
    by_dir: dict[str, list[ParsedFile]] = {}
    relative_of: dict[str, str] = {}
    modules: list[TerraformModuleCall] = []
    terragrunt: list[TerraformBackend] = []
    all_files: list[str] = []
    locks = {str(PurePosixPath(p).parent): p for p in lock_files}
    for parsed in files:
        all_files.append(parsed.path)
        if parsed.terragrunt:
            modules.extend(_terragrunt_sources(parsed))
            terragrunt.extend(_terragrunt_backends(parsed))
            continue
        by_dir.setdefault(parsed.directory, []).append(parsed)
        relative_of[parsed.directory] = parsed.relative
        modules.extend(_module_calls(parsed))
    directories = [
        _directory(name, relative_of[name], members, locks.get(name))
        for name, members in sorted(by_dir.items())
    ]
    return TerraformFacts(
        directories=tuple(directories),
        modules=tuple(modules),
        terragrunt_backends=tuple(terragrunt),
        files=tuple(sorted(all_files)),
    )


def _module_calls(parsed: ParsedFile) -> list[TerraformModuleCall]:
    calls: list[TerraformModuleCall] = []
    for block in parsed.hcl.blocks:
        if block.type != "module" or not block.labels:
            continue
        source_attr = block.attributes.get("source")
        if source_attr is None:
            continue
        source = source_attr.literal if source_attr.literal is not None else source_attr.raw
        version = block.literal("version")
        if version is None and "version" in block.attributes:
            version = block.attributes["version"].raw
        kind, ref, pinned, note = judge_module_pin(source, version)
        calls.append(
            TerraformModuleCall(
                parsed.path,
                block.line,
                block.labels[0],
                source,
                kind,
                version,
                ref,
                pinned,
                note,
                example=is_example(parsed.relative),
            )
        )
    return calls


def _terragrunt_sources(parsed: ParsedFile) -> list[TerraformModuleCall]:
    calls: list[TerraformModuleCall] = []
    for block in parsed.hcl.blocks:
        if block.type != "terraform" or "source" not in block.attributes:
            continue
        attribute = block.attributes["source"]
        source = attribute.literal if attribute.literal is not None else attribute.raw.strip('"')
        kind, ref, pinned, note = judge_module_pin(source, None)
        calls.append(
            TerraformModuleCall(
                parsed.path,
                attribute.line,
                "terragrunt",
                source,
                kind,
                None,
                ref,
                pinned,
                note,
                via="terragrunt",
                example=is_example(parsed.relative),
            )
        )
    return calls


def _terragrunt_backends(parsed: ParsedFile) -> list[TerraformBackend]:
    backends: list[TerraformBackend] = []
    for block in parsed.hcl.blocks:
        if block.type == "remote_state":
            kind = block.literal("backend") or "unknown"
            backends.append(TerraformBackend(kind, parsed.path, block.line, via="terragrunt"))
        elif block.type == "generate":
            contents = block.attributes.get("contents")
            text = (contents.literal or contents.raw) if contents else ""
            match = re.search(r"backend\s+\"([A-Za-z0-9_-]+)\"", text or "")
            if match:
                backends.append(
                    TerraformBackend(match.group(1), parsed.path, block.line, via="terragrunt")
                )
    return backends


def _directory(
    name: str, relative: str, members: list[ParsedFile], lock_file: str | None
) -> TerraformDirectory:
    required: dict[str, TerraformProvider] = {}
    legacy: dict[str, TerraformProvider] = {}
    used: dict[str, TerraformProvider] = {}
    backends: list[TerraformBackend] = []
    provider_config = False
    for parsed in members:
        for block in parsed.hcl.blocks:
            if block.type == "terraform":
                for inner in block.blocks:
                    if inner.type == "backend":
                        kind = inner.labels[0] if inner.labels else "unknown"
                        backends.append(TerraformBackend(kind, parsed.path, inner.line))
                    elif inner.type == "cloud":
                        backends.append(TerraformBackend("cloud", parsed.path, inner.line))
                    elif inner.type == "required_providers":
                        for key, attr in inner.attributes.items():
                            required[key] = _requirement(key, attr, parsed.path)
            elif block.type == "provider" and block.labels:
                provider_config = True
                provider = block.labels[0]
                version = block.literal("version")
                if version:
                    legacy[provider] = TerraformProvider(
                        provider,
                        parsed.path,
                        block.line,
                        version=version,
                        declared="provider-block",
                    )
                used.setdefault(
                    provider, TerraformProvider(provider, parsed.path, block.line, declared="used")
                )
            elif block.type in ("resource", "data", "ephemeral"):
                implied = _provider_of(block)
                if implied and implied not in _BUILTIN_PROVIDERS:
                    used.setdefault(
                        implied,
                        TerraformProvider(implied, parsed.path, block.line, declared="used"),
                    )
    providers: dict[str, TerraformProvider] = {}
    for key in sorted(set(required) | set(legacy) | set(used)):
        if key in _BUILTIN_PROVIDERS:
            continue
        chosen = required.get(key)
        if chosen is None or not chosen.version:
            chosen = legacy.get(key) or chosen or used[key]
        providers[key] = chosen
    files = tuple(sorted(p.path for p in members))
    return TerraformDirectory(
        path=name,
        files=files,
        role=_role(relative, bool(backends), provider_config),
        providers=tuple(providers.values()),
        backends=tuple(backends),
        lock_file=lock_file,
    )


def _requirement(name: str, attribute: Attribute, path: str) -> TerraformProvider:
    if attribute.items is not None:
        source = attribute.items.get("source")
        version = attribute.items.get("version")
        version_text = None
        if version is not None:
            version_text = version.literal if version.literal is not None else version.raw
        return TerraformProvider(
            name,
            path,
            attribute.line,
            source=source.literal if source is not None else None,
            version=version_text or None,
        )
    if attribute.literal is not None:  # Terraform 0.12 form: aws = "~> 3.0"
        return TerraformProvider(name, path, attribute.line, version=attribute.literal or None)
    return TerraformProvider(name, path, attribute.line, version=None)
