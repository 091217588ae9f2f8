"""Orchestration of `cnmm scan`: collect -> facts -> findings -> inventory (I/O at the edges).

`run_scan(request)` reads manifests (plain files, Kustomize, Helm), optionally a git
repository collector and a live cluster, builds facts once, runs every rule through the
engine, and returns a `ScanResult` whose `to_json()` follows schema `cnmm/scan/v1`
(documented in docs/scan.md).
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cnmm.config import Config
from cnmm.facts import Facts, FileError
from cnmm.facts.kubernetes import KubeObject, KubernetesFacts
from cnmm.findings import Finding, Outcome

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

    from cnmm.collect.files import WalkOptions
    from cnmm.collect.repository import RepositoryCollection

SCHEMA = "cnmm/scan/v1"
STDIN = "-"

# Exit codes (documented in `cnmm scan --help` and docs/scan.md).
EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_PARTIAL = 3
EXIT_CANNOT_SCAN = 4

Progress = Callable[[str, int, int | None], None]


@dataclass(frozen=True)
class ScanRequest:
    """What to scan and how."""

    paths: tuple[str, ...] = ()
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    values: tuple[str, ...] = ()
    max_file_size: int | None = None
    config: Config = field(default_factory=Config)
    since: str | None = None
    history: bool = True  # read git history for delivery figures
    render: bool = True
    cluster: bool = False
    context: str | None = None
    kubeconfig: str | None = None
    namespaces: list[str] = field(default_factory=list)
    service_account_dir: str | None = None  # in-cluster credentials (default: the pod's)
    stdin_text: str | None = None  # content of `-`, read by the caller
    workers: int | None = None


@dataclass
class ScanResult:
    """Everything a scan found; `to_json()` is the `cnmm/scan/v1` document."""

    findings: list[Finding]
    errors: list[FileError]
    facts: Facts
    plain_objects: list[KubeObject]
    rendered_objects: list[KubeObject]
    helm_charts: list[str]
    kustomizations: list[str]
    renderers: dict[str, Any]
    repository_inventory: dict[str, Any] = field(default_factory=dict)
    repository_statuses: dict[str, str] = field(default_factory=dict)
    cluster: dict[str, Any] | None = None
    warnings: list[str] = field(default_factory=list)
    fatal: str | None = None  # why nothing could be scanned
    files_read: int = 0
    rules: dict[str, Any] = field(default_factory=dict)
    paths: list[str] = field(default_factory=list)
    cluster_objects: list[KubeObject] = field(default_factory=list)
    # One object per source (see cnmm.collect.manifests.Merged): what workloads/images count.
    inventory_facts: KubernetesFacts | None = None

    @property
    def exit_code(self) -> int:
        """4 nothing scanned; 3 some inputs unreadable; 1 failing findings; else 0."""
        if self.fatal:
            return EXIT_CANNOT_SCAN
        if self.errors:
            return EXIT_PARTIAL
        if any(f.counts_as_failure for f in self.findings):
            return EXIT_FINDINGS
        return EXIT_OK

    def summary(self) -> dict[str, Any]:
        """Counts of findings by outcome, plus exempted and file-error counts."""
        counts = Counter(f.outcome.value for f in self.findings)
        return {
            "findings": len(self.findings),
            "by_outcome": {o.value: counts.get(o.value, 0) for o in Outcome},
            "failing": sum(1 for f in self.findings if f.counts_as_failure),
            "exempted": sum(
                1 for f in self.findings if f.exemption is not None and not f.exemption.expired
            ),
            "file_errors": len(self.errors),
            "files_read": self.files_read,
            "exit_code": self.exit_code,
        }

    def inventory(self) -> dict[str, Any]:
        """The `inventory` section (see docs/scan.md)."""
        kube = self.facts.kubernetes or KubernetesFacts()
        counted = self.inventory_facts or kube
        found = self.plain_objects + self.cluster_objects
        kinds = Counter(o.kind for o in found)
        by_group = Counter(f"{o.kind}.{o.group}" if o.group else o.kind for o in found)
        inventory: dict[str, Any] = {
            "kubernetes": {
                "objects": len(found),
                "kinds": dict(sorted(kinds.items())),
                "kinds_by_api_group": dict(sorted(by_group.items())),
                "rendered_objects": len(self.rendered_objects),
            },
            "workloads": workload_inventory(counted),
            "images": image_inventory(counted),
            "helm_charts": list(self.helm_charts),
            "kustomizations": list(self.kustomizations),
            "capabilities": capability_inventory(counted),
        }
        for key, value in self.repository_inventory.items():
            inventory.setdefault(key, value)
        if self.cluster is not None:
            inventory["cluster"] = self.cluster
        return inventory

    def to_json(self) -> dict[str, Any]:
        """The `cnmm/scan/v1` document."""
        from cnmm import __version__

        return {
            "schema": SCHEMA,
            "cnmm_version": __version__,
            "scanned_at": date.today().isoformat(),
            "inputs": {"paths": list(self.paths), "cluster": self.cluster is not None},
            "summary": self.summary(),
            "inventory": self.inventory(),
            "findings": [f.to_json() for f in self.findings],
            "errors": [e.to_json() for e in self.errors],
            "renderers": self.renderers,
            "repository": self.repository_statuses,
            "warnings": list(self.warnings),
            "fatal": self.fatal,
        }


def workload_inventory(kube: KubernetesFacts) -> dict[str, int]:
    """Workload counts: total and how many meet each container-wide property."""
    from cnmm.rules.kubernetes._common import effective

    def every(w: Any, test: Callable[[Any], bool], regular_only: bool = False) -> bool:
        members = w.template.containers if regular_only else w.template.all_containers
        return bool(members) and all(test(c) for c in members)

    def non_root(w: Any, c: Any) -> bool:
        user = effective(c, w, "runAsUser")
        is_int = isinstance(user, int) and not isinstance(user, bool)
        if is_int and user == 0:
            return False
        return effective(c, w, "runAsNonRoot") is True or (isinstance(user, int) and user > 0)

    workloads = kube.workloads
    return {
        "total": len(workloads),
        "with_readiness_probe": sum(1 for w in workloads
                                    if every(w, lambda c: c.readiness_probe, True)),
        "with_liveness_probe": sum(1 for w in workloads
                                   if every(w, lambda c: c.liveness_probe, True)),
        "with_requests": sum(1 for w in workloads if every(
            w, lambda c: all(r in c.requests for r in ("cpu", "memory"))
        )),
        "with_limits": sum(1 for w in workloads
                           if every(w, lambda c: "cpu" in c.limits and "memory" in c.limits)),
        "run_as_non_root": sum(1 for w in workloads if _all_non_root(w, non_root)),
    }  # fmt: skip


def _all_non_root(w: Any, test: Callable[[Any, Any], bool]) -> bool:
    members = w.template.all_containers
    return bool(members) and all(test(w, c) for c in members)


def image_inventory(kube: KubernetesFacts) -> dict[str, int]:
    """Distinct image references: total, latest-or-untagged, digest-pinned (as written: an
    image a build tool tags at deploy time still counts as untagged)."""
    from cnmm.rules.kubernetes.image_tag_pinned import image_parts, unpinned

    images = {c.image for w in kube.workloads for c in w.template.all_containers if c.image}
    latest = sum(1 for image in images if unpinned(image) is not None)
    digest = sum(1 for image in images if image_parts(image)[2])
    return {"total": len(images), "latest_or_untagged": latest, "digest_pinned": digest}


def capability_inventory(kube: KubernetesFacts) -> dict[str, list[str]]:
    """{capability: [evidence paths]} for the capability names the inventory reports."""
    from cnmm.collect.kubernetes_facts import INVENTORY_CAPABILITIES

    found: dict[str, set[str]] = {}
    for capability in kube.capabilities:
        if capability.name in INVENTORY_CAPABILITIES:
            found.setdefault(capability.name, set()).add(capability.object.path or "(stdin)")
    return {name: sorted(found[name]) for name in INVENTORY_CAPABILITIES if name in found}


def _repository(
    request: ScanRequest, dirs: list[Path], walk: WalkOptions, progress: Progress | None
) -> tuple[RepositoryCollection, dict[str, Any]]:
    """The repository collection and its inventory (same walk filters as the manifests)."""
    from cnmm.collect.repository import collect_repository, repository_inventory

    # Walk errors (unreadable directories, symlink loops) are already reported by the
    # manifest walk over the same trees with the same filters.
    collection = collect_repository(
        dirs,
        request.since,
        progress=progress,
        walk_options=walk,
        report_walk_errors=False,
        read_history=request.history,
    )
    return collection, repository_inventory(collection.facts)


class _Relay:
    """Progress reported by the repository process, sent to the parent over a pipe."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def __call__(self, phase: str, done: int, total: int | None) -> None:
        self.connection.send(("progress", (phase, done, total)))


def _repository_process(
    connection: Connection,
    request: ScanRequest,
    dirs: list[Path],
    walk: WalkOptions,
    report_progress: bool,
) -> None:
    try:
        relay = _Relay(connection) if report_progress else None
        connection.send(("result", _repository(request, dirs, walk, relay)))
    except BaseException as exc:  # raised again in the parent
        connection.send(("error", exc))
    finally:
        connection.close()


def start_repository(
    request: ScanRequest, dirs: list[Path], walk: WalkOptions, progress: Progress | None
) -> Callable[[], tuple[RepositoryCollection, dict[str, Any]]]:
    """Start reading the repository (`_repository`); call the result for its outcome.

    With a core to spare, it is read in a process of its own from the start: it is pure
    Python and would otherwise take turns with the threads that plan and check the
    Kustomize builds, and the first moments of a scan leave a core idle anyway. Its
    progress is relayed. On one core (or `--workers 1`, or inside a daemon process, which
    may have no children) it is read here, when called.
    """
    cores = request.workers if request.workers is not None else (os.cpu_count() or 1)
    if cores < 2 or multiprocessing.current_process().daemon:
        return lambda: _repository(request, dirs, walk, progress)
    context = multiprocessing.get_context()
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(
        target=_repository_process,
        args=(sender, request, dirs, walk, progress is not None),
        name="cnmm-repository",
        daemon=True,
    )
    process.start()
    sender.close()  # the child's end: EOF here once it is gone

    def outcome() -> tuple[RepositoryCollection, dict[str, Any]]:
        try:
            while True:
                try:
                    kind, payload = receiver.recv()
                except EOFError:
                    process.join()
                    raise RuntimeError(
                        f"the repository collector ended without a result "
                        f"(exit code {process.exitcode})"
                    ) from None
                if kind == "progress" and progress is not None:
                    progress(*payload)
                elif kind == "result":
                    return payload
                elif kind == "error":
                    raise payload
        finally:
            receiver.close()
            process.join()

    return outcome


def owning_directories(paths: list[Path]) -> tuple[list[Path], list[str]]:
    """The paths to read: a kustomization file or a chart's Chart.yaml stands for its
    directory (kustomize and Helm build from directories), and a path inside a chart's
    templates/ for the chart (templates are not YAML until rendered). Also a warning for
    each path replaced."""
    from cnmm.collect.kustomize import KUSTOMIZATION_FILES
    from cnmm.collect.manifests import HELM_CHART_FILE

    chosen: list[Path] = []
    warnings: list[str] = []
    for path in paths:
        owner: Path | None = None
        if path.is_file() and path.name in KUSTOMIZATION_FILES:
            owner, why = path.parent, "kustomize builds a kustomization from its directory"
        elif path.is_file() and path.name == HELM_CHART_FILE:
            owner, why = path.parent, "Helm renders a chart from its directory"
        else:
            absolute = path.absolute()
            for folder in (absolute, *absolute.parents):
                if folder.name == "templates" and (folder.parent / HELM_CHART_FILE).is_file():
                    chart = folder.parent
                    owner = chart if path.is_absolute() else Path(os.path.relpath(chart))
                    why = "Helm templates are read by rendering their chart"
                    break
        if owner is None:
            chosen.append(path)
            continue
        warnings.append(f"{path}: scanned {owner} instead ({why})")
        if owner not in chosen:
            chosen.append(owner)
    return chosen, warnings


@contextlib.contextmanager
def without_cyclic_gc() -> Iterator[None]:
    """Python's cycle collector paused for the block (and in processes it starts).

    A scan builds many small objects that live until it ends, and the collector scanned
    them again and again: pausing it took a 6,000-file repository from 6.6 to 3.7 s at the
    same peak memory (reference counting frees what a scan drops; it makes few cycles).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def run_scan(request: ScanRequest, progress: Progress | None = None) -> ScanResult:
    """Scan the request's paths (and cluster), evaluate every rule, build the result."""
    with without_cyclic_gc():
        return _scan(request, progress)


def _scan(request: ScanRequest, progress: Progress | None) -> ScanResult:
    from cnmm.collect.files import WalkOptions
    from cnmm.collect.kubernetes_facts import facts_from_objects
    from cnmm.collect.manifests import (
        ManifestCollection,
        ManifestOptions,
        merge_rendered,
        parse_text,
        start_manifests,
    )
    from cnmm.engine import evaluate, expired_exemptions
    from cnmm.rules.base import discover_rules

    config = request.config
    max_size = request.max_file_size or config.scan.max_file_size
    options = ManifestOptions(
        walk=WalkOptions(
            include=tuple(request.include) or tuple(config.scan.include),
            exclude=tuple(request.exclude) + tuple(config.scan.exclude),
            max_file_size=max_size,
        ),
        values=tuple(request.values),
        render=request.render,
        workers=request.workers,
    )
    paths, path_warnings = owning_directories([Path(p) for p in request.paths if p != STDIN])
    # The repository is read in its own process while the manifests are parsed and built.
    dirs = [p for p in paths if p.is_dir()]
    reading = start_repository(request, dirs, options.walk, progress) if dirs else None
    pending = start_manifests(paths, options, progress) if paths else None
    rules = discover_rules()  # imports every rule module while the builds run
    repository = reading() if reading else None
    collection = pending.result() if pending else ManifestCollection()
    if STDIN in request.paths:
        parsed = parse_text(request.stdin_text or "", "<stdin>")
        collection.files_read += 1
        if parsed.error:
            collection.errors.append(FileError("<stdin>", parsed.error))
        collection.objects.extend(parsed.objects)

    errors = list(collection.errors)
    unavailable: dict[str, str] = {}
    cluster_info: dict[str, Any] | None = None
    cluster_objects: list[KubeObject] = []
    fatal: str | None = None
    if request.cluster:
        from cnmm.collect.cluster import ClusterError, collect_cluster_objects

        if progress:
            progress("cluster", 0, None)
        try:
            cluster = collect_cluster_objects(request)
        except ClusterError as exc:
            fatal = f"cluster: {exc}"
        else:
            cluster_objects = list(cluster.objects)
            unavailable = dict(cluster.unavailable)
            cluster_info = dict(cluster.cluster)
            cluster_info["unavailable"] = unavailable
            errors.extend(cluster.errors)

    repo_inventory: dict[str, Any] = {}
    repo_statuses: dict[str, str] = {}
    repo_facts = None
    if repository is not None:
        repo_collection, repo_inventory = repository
        repo_facts = repo_collection.facts
        # A broken YAML file (a workflow, say) is read by both collectors: report it once.
        reported = {e.path for e in errors}
        errors.extend(e for e in repo_collection.errors if e.path not in reported)
        repo_statuses = dict(repo_collection.statuses)

    merged = merge_rendered(collection.objects, collection.rendered)
    built = collection.built_images
    kube_facts = facts_from_objects(merged.judged + cluster_objects, unavailable, built)
    inventory_facts = (
        kube_facts
        if merged.inventory is merged.judged
        else facts_from_objects(merged.inventory + cluster_objects, unavailable, built)
    )
    facts = Facts(kubernetes=kube_facts, repository=repo_facts, errors=tuple(errors))
    if fatal is None and not request.cluster and collection.files_read == 0 and not dirs:
        fatal = "no readable input: " + (
            "; ".join(f"{e.path}: {e.reason}" for e in errors[:3]) or "nothing to scan"
        )
    findings = evaluate(facts, rules, config) if fatal is None else []
    return ScanResult(
        findings=findings,
        errors=errors,
        facts=facts,
        plain_objects=list(collection.objects),
        rendered_objects=list(collection.rendered),
        helm_charts=collection.helm_charts,
        kustomizations=collection.kustomizations,
        renderers=collection.renderers,
        repository_inventory=repo_inventory,
        repository_statuses=repo_statuses,
        cluster=cluster_info,
        warnings=path_warnings + expired_exemptions(config),
        fatal=fatal,
        files_read=collection.files_read,
        rules={
            rule_id: {"title": r.title, "remediation": r.remediation}
            for rule_id, r in rules.items()
        },
        paths=list(request.paths),
        cluster_objects=cluster_objects,
        inventory_facts=inventory_facts,
    )


def read_stdin() -> str:
    """The whole of standard input (for `-`)."""
    return sys.stdin.read()
