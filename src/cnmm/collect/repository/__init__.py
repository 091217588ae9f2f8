"""Repository evidence: one walk per scanned directory -> `RepositoryFacts` (I/O at the edge).

`collect_repository(dirs, since)` walks each directory once with the same rules as the
manifest collector (`cnmm.collect.files`: `.git`/`node_modules`/`vendor` skipped,
`--include`/`--exclude`, `.cnmmignore`, size limit, symlink loops, binary/UTF-8 guards),
reads only the files it recognises (Dockerfiles, Terraform/OpenTofu/Terragrunt, Rego,
YAML that names a policy engine, Crossplane, CloudFormation or Backstage, and the practice
files), hands every walked file to the CI collector (`cnmm.collect.ci.collect_pipelines`)
and reads delivery history from git with a bounded number of processes.
`repository_inventory(facts)` is the JSON inventory (see docs/repository.md).
"""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from cnmm.collect.files import FileReadError, WalkOptions, decode, read_bytes, read_text, walk
from cnmm.collect.repository.delivery import load_delivery_profile
from cnmm.collect.repository.detect import (
    document_practice,
    has_markers,
    iac_tool,
    is_backstage_entity,
    is_dockerfile,
    is_policy_test_path,
    policy_tool,
    renovate_in_package_json,
    root_practice,
    yaml_documents,
)
from cnmm.collect.repository.dockerfile import parse_dockerfile
from cnmm.collect.repository.hcl import parse_hcl, parse_hcl_json
from cnmm.collect.repository.history import (
    GitRunner,
    HistoryError,
    HistoryReader,
    parse_since,
)
from cnmm.collect.repository.inventory import repository_inventory
from cnmm.collect.repository.terraform import ParsedFile, terraform_facts
from cnmm.facts import FileError
from cnmm.facts.ci import Pipeline
from cnmm.facts.repository import (
    DeliveryHistory,
    Dockerfile,
    IacEvidence,
    PolicyFile,
    PracticeEvidence,
    RepositoryFacts,
    RepositoryRoot,
)

__all__ = [
    "RepositoryCollection",
    "collect_repository",
    "parse_since",
    "repository_inventory",
]

Progress = Callable[[str, int, int | None], None]

_TERRAFORM_SUFFIXES = (".tf", ".tofu", ".tf.json", ".tofu.json")
_YAML_SUFFIXES = (".yaml", ".yml")
_NOT_TERRAGRUNT = (".pkr.hcl", ".nomad.hcl", ".terraform.lock.hcl", ".tflint.hcl")
_TERRAGRUNT_BLOCKS = frozenset(
    {"remote_state", "include", "dependency", "dependencies", "generate"}
)


@dataclass
class RepositoryCollection:
    """Facts, file errors (path + reason), per-part statuses, and git process accounting."""

    facts: RepositoryFacts
    errors: list[FileError] = field(default_factory=list)
    statuses: dict[str, str] = field(default_factory=dict)
    git_processes: int = 0
    history_seconds: float = 0.0  # reading and computing delivery history (git included)
    git_seconds: float = 0.0  # of which waiting for git processes


@dataclass
class _Found:
    dockerfiles: list[Dockerfile] = field(default_factory=list)
    hcl: list[ParsedFile] = field(default_factory=list)
    lock_files: list[str] = field(default_factory=list)
    iac: list[IacEvidence] = field(default_factory=list)
    policies: list[PolicyFile] = field(default_factory=list)
    practices: list[PracticeEvidence] = field(default_factory=list)
    errors: list[FileError] = field(default_factory=list)
    pipelines: list[Pipeline] = field(default_factory=list)


def collect_repository(
    dirs: Sequence[Path],
    since: str | None,
    progress: Progress | None = None,
    *,
    walk_options: WalkOptions | None = None,
    git: GitRunner | None = None,
    now: datetime | None = None,
    report_walk_errors: bool = True,
    read_history: bool = True,
) -> RepositoryCollection:
    """Collect repository facts for `dirs` (each walked once); nothing raises for bad input.

    `walk_options` carries --include/--exclude/size limit (suffixes are ignored: every file
    is considered). `report_walk_errors=False` leaves errors met while walking (unreadable
    directories, symlink loops) to a caller that walks the same trees itself.
    `read_history=False` leaves git history alone (delivery figures not available).
    """
    options = replace(walk_options or WalkOptions(), suffixes=("",))
    git = git or GitRunner()
    now = now or datetime.now(UTC)
    statuses: dict[str, str] = {}
    unavailable: dict[str, str] = {}
    found = _Found()
    roots: list[RepositoryRoot] = []
    history: list[DeliveryHistory] = []

    profile = load_delivery_profile()
    window_start: int | None
    if not read_history:
        window_start, window_label = None, "history not read (--no-history)"
    else:
        try:
            window_start, window_label = parse_since(
                since, now, str(profile.thresholds.get("default_window", "90d"))
            )
        except ValueError as exc:
            window_start, window_label = None, str(exc)

    reader = HistoryReader(git, now)
    history_seconds = 0.0
    for scanned in _distinct_roots(dirs, statuses, unavailable):
        if progress:
            progress("repository", 0, None)
        walked = walk([scanned], options)
        if report_walk_errors:
            found.errors.extend(walked.errors)
        owners = _repository_roots(scanned, walked.directories)
        counts: dict[Path, int] = dict.fromkeys(owners.values(), 0)
        for path in walked.files:
            owner = owners.get(path.parent, scanned)
            counts[owner] += 1
            _classify(owner, path, options.max_file_size, found)
        _pipelines(
            scanned,
            [p for p in walked.files if _regular(p)],
            options.max_file_size,
            found,
            statuses,
        )
        for root, files in counts.items():
            if root != scanned or files or len(counts) == 1:
                if progress:
                    progress("history", 0, None)
                started = time.perf_counter()
                roots.append(
                    _history(
                        reader,
                        root,
                        files,
                        window_start,
                        window_label,
                        history,
                        statuses,
                        unavailable,
                    )
                )
                history_seconds += time.perf_counter() - started

    terraform = terraform_facts(found.hcl, found.lock_files)
    facts = RepositoryFacts(
        roots=tuple(roots),
        pipelines=tuple(found.pipelines),
        dockerfiles=tuple(sorted(found.dockerfiles, key=lambda d: d.path)),
        terraform=terraform,
        iac=tuple(found.iac),
        policy_files=tuple(found.policies),
        practices=tuple(found.practices),
        delivery=tuple(history),
        unavailable=dict(unavailable),
    )
    statuses.setdefault(
        "files", f"ok: {sum(r.files for r in roots)} files under {len(roots)} directories"
    )
    return RepositoryCollection(
        facts=facts,
        errors=found.errors,
        statuses=statuses,
        git_processes=git.processes,
        history_seconds=history_seconds,
        git_seconds=git.seconds,
    )


def _regular(path: Path) -> bool:
    """A regular file (the CI collector is handed no FIFOs, devices or dangling links)."""
    try:
        return stat.S_ISREG(path.stat().st_mode)
    except OSError:
        return False


def _repository_roots(scanned: Path, directories: list[Path]) -> dict[Path, Path]:
    """Directory -> the repository it belongs to: the scanned directory, or the deepest git
    work tree (a directory holding `.git`) nested in it, as in a folder of clones."""
    owners: dict[Path, Path] = {scanned: scanned}
    for directory in directories:  # parents are listed before their children
        if directory == scanned:
            continue
        if (directory / ".git").exists():
            owners[directory] = directory
        else:
            owners[directory] = owners.get(directory.parent, scanned)
    return owners


def _history(
    reader: HistoryReader,
    root: Path,
    files: int,
    window_start: int | None,
    window_label: str,
    history: list[DeliveryHistory],
    statuses: dict[str, str],
    unavailable: dict[str, str],
) -> RepositoryRoot:
    """Read one repository's delivery history; record why when it is not available."""
    display = str(root)
    key = f"history:{display}"
    git_root = None
    if window_start is None:
        unavailable[key] = window_label
    else:
        try:
            record = reader.read(root, display, window_start)
        except HistoryError as exc:
            unavailable[key] = str(exc)
        else:
            history.append(record)
            git_root = record.git_root
            statuses[key] = (
                f"ok: {record.commits} commits, {len(record.releases)} releases "
                f"since {window_label}"
            )
    if key in unavailable:
        statuses[key] = f"not-available: {unavailable[key]}"
    return RepositoryRoot(display, files, git_root)


def _pipelines(
    root: Path, files: list[Path], max_file_size: int, found: _Found, statuses: dict[str, str]
) -> None:
    from cnmm.collect.ci import collect_pipelines

    try:
        collection = collect_pipelines(root, files, max_file_size=max_file_size)
    except Exception as exc:  # one collector's bug must not lose the rest of the scan
        statuses[f"ci:{root}"] = f"error: {type(exc).__name__}: {exc}"
        found.errors.append(FileError(str(root), f"CI collector failed: {exc}"))
        return
    found.pipelines.extend(collection.pipelines)
    found.errors.extend(collection.errors)


def _distinct_roots(
    dirs: Sequence[Path], statuses: dict[str, str], unavailable: dict[str, str]
) -> list[Path]:
    """Directories to walk: not-a-directory inputs reported; nested repeats dropped."""
    chosen: list[tuple[Path, Path]] = []
    for directory in dirs:
        if not directory.is_dir():
            reason = "not a directory" if directory.exists() else "no such directory"
            unavailable[f"root:{directory}"] = reason
            statuses[f"root:{directory}"] = f"not-available: {reason}"
            continue
        resolved = directory.resolve()
        if any(resolved == seen or seen in resolved.parents for _, seen in chosen):
            statuses[f"root:{directory}"] = "skipped: inside another scanned directory"
            continue
        chosen = [(d, r) for d, r in chosen if resolved not in r.parents]
        chosen.append((directory, resolved))
    return [d for d, _ in chosen]


def _read(
    path: Path, display: str, max_size: int, found: _Found, report: bool = True
) -> str | None:
    try:
        return read_text(path, max_size)
    except FileReadError as exc:
        if report:
            found.errors.append(FileError(display, exc.reason))
        return None


def _classify(root: Path, path: Path, max_size: int, found: _Found) -> None:
    """Record what one walked file shows; read it only when its content matters."""
    relative = path.relative_to(root).as_posix()
    display = str(path)
    root_display = str(root)
    name = path.name
    lowered = name.lower()

    practice = root_practice(relative)
    if practice is not None:
        found.practices.append(
            PracticeEvidence(practice.practice, display, root_display, practice.tool)
        )
    document = document_practice(relative)
    if document is not None:
        found.practices.append(PracticeEvidence(document[0], display, root_display, document[1]))
    if relative == "package.json":
        text = _read(path, display, max_size, found, report=False)
        if text and renovate_in_package_json(text):
            found.practices.append(
                PracticeEvidence("dependency-updates", display, root_display, "renovate")
            )
        return

    if is_dockerfile(name):
        text = _read(path, display, max_size, found)
        if text is not None:
            found.dockerfiles.append(parse_dockerfile(text, display))
        return
    if lowered.endswith(_TERRAFORM_SUFFIXES):
        text = _read(path, display, max_size, found)
        tool = "opentofu" if ".tofu" in lowered else "terraform"
        found.iac.append(IacEvidence(tool, display, root_display))
        if text is not None:
            hcl = parse_hcl_json(text) if lowered.endswith(".json") else parse_hcl(text)
            found.hcl.append(ParsedFile(display, _parent(display), hcl, relative=_parent(relative)))
        return
    if lowered == ".terraform.lock.hcl":
        found.lock_files.append(display)
        return
    if lowered.endswith(".hcl") and not lowered.endswith(_NOT_TERRAGRUNT):
        _terragrunt(root, path, display, root_display, max_size, found)
        return
    if lowered.endswith(".rego"):
        found.policies.append(
            PolicyFile(display, "rego", root_display, test=lowered.endswith("_test.rego"))
        )
        return
    if lowered.endswith(".sentinel"):
        found.policies.append(
            PolicyFile(display, "sentinel", root_display, test=lowered.endswith("_test.sentinel"))
        )
        return
    if lowered == "conftest.toml":
        found.policies.append(PolicyFile(display, "conftest", root_display))
        return
    if lowered in ("pulumi.yaml", "pulumi.yml"):
        found.iac.append(IacEvidence("pulumi", display, root_display))
        return
    if lowered == "cdk.json":
        found.iac.append(IacEvidence("cdk", display, root_display))
        return
    if lowered.endswith(".bicep"):
        found.iac.append(IacEvidence("bicep", display, root_display))
        return
    if lowered in ("catalog-info.yaml", "catalog-info.yml"):
        found.practices.append(
            PracticeEvidence("service-catalog", display, root_display, "backstage")
        )
    if lowered.endswith(_YAML_SUFFIXES):
        _yaml(path, relative, display, root_display, max_size, found)


def _parent(display: str) -> str:
    parent = str(PurePosixPath(display.replace(os.sep, "/")).parent)
    return parent


def _terragrunt(
    root: Path, path: Path, display: str, root_display: str, max_size: int, found: _Found
) -> None:
    text = _read(path, display, max_size, found, report=path.name == "terragrunt.hcl")
    if text is None:
        return
    hcl = parse_hcl(text)
    types = {b.type for b in hcl.blocks}
    has_source = any(b.type == "terraform" and "source" in b.attributes for b in hcl.blocks)
    if path.name != "terragrunt.hcl" and not (types & _TERRAGRUNT_BLOCKS or has_source):
        return
    if path.name != "terragrunt.hcl" and "remote_state" not in types and not has_source:
        return  # e.g. an env.hcl holding only locals: nothing to judge
    found.iac.append(IacEvidence("terragrunt", display, root_display))
    relative = path.relative_to(root).as_posix()
    found.hcl.append(
        ParsedFile(display, _parent(display), hcl, terragrunt=True, relative=_parent(relative))
    )


def _yaml(
    path: Path, relative: str, display: str, root_display: str, max_size: int, found: _Found
) -> None:
    """Policy engines, Crossplane, CloudFormation and Backstage objects in a YAML file.

    Read errors are not reported here: the manifest collector reads YAML files too and
    reports them once.
    """
    try:
        raw = read_bytes(path, max_size)
        if not has_markers(raw):
            return
        text = decode(raw)
    except FileReadError:
        return
    in_tests = is_policy_test_path(relative)
    tools_seen: set[str] = set()
    catalog = False
    for doc in yaml_documents(text):
        policy = policy_tool(doc)
        if policy is not None:
            found.policies.append(
                PolicyFile(
                    display, policy[0], root_display, doc.kind, doc.line, policy[1] or in_tests
                )
            )
            continue
        tool = iac_tool(doc)
        if tool is not None and tool not in tools_seen:
            tools_seen.add(tool)
            found.iac.append(IacEvidence(tool, display, root_display, doc.line, doc.kind))
            continue
        if is_backstage_entity(doc) and not catalog:
            catalog = True
            if path.name.lower() not in ("catalog-info.yaml", "catalog-info.yml"):
                found.practices.append(
                    PracticeEvidence("service-catalog", display, root_display, "backstage")
                )
