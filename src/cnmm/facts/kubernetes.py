"""Kubernetes facts: raw objects with their origin, normalised into typed records.

`KubeObject` is what every Kubernetes collector (files, Kustomize, Helm, live cluster)
produces; `cnmm.collect.kubernetes_facts.facts_from_objects` turns a set of them into
`KubernetesFacts`, so every rule works unchanged on files and on clusters.

Kinds are always matched by API group *and* kind: an Istio `Gateway`
(networking.istio.io) is not a Gateway API `Gateway` (gateway.networking.k8s.io), and a
Knative `Service` (serving.knative.dev) is not a core Service.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from cnmm.findings import Location, Subject


@dataclass(frozen=True)
class KubeObject:
    """One Kubernetes object and where it came from.

    `origin` is "file" (plain manifest), "kustomize", "helm" (rendered) or "cluster".
    `path`/`line` locate it: a file and 1-based line, or for cluster objects an API reference
    such as `cluster:prod/apps/v1/deployments/shop/web`.
    """

    api_version: str
    kind: str
    name: str
    namespace: str | None
    body: Mapping[str, Any] = field(repr=False, compare=False)
    path: str = ""
    line: int | None = None
    origin: str = "file"

    @property
    def group(self) -> str:
        """API group ("" for the core group)."""
        return self.api_version.rpartition("/")[0] if "/" in self.api_version else ""


def subject_of(obj: KubeObject) -> Subject:
    """The finding subject for an object (kind/namespace/name)."""
    return Subject(obj.kind, obj.name, obj.namespace)


def location_of(obj: KubeObject) -> Location | None:
    """Where an object was read (None when it has no path)."""
    return Location(obj.path, obj.line) if obj.path else None


def annotations_of(obj: KubeObject) -> Mapping[str, str]:
    """The object's metadata annotations as strings ({} when absent or malformed)."""
    metadata = obj.body.get("metadata")
    annotations = metadata.get("annotations") if isinstance(metadata, Mapping) else None
    if not isinstance(annotations, Mapping):
        return {}
    return {str(k): str(v) for k, v in annotations.items()}


@dataclass(frozen=True)
class EnvVar:
    """One container environment variable: a literal `value` or a reference (`from_ref`)."""

    name: str
    value: str | None
    from_ref: str | None = None  # "secretKeyRef", "configMapKeyRef", "fieldRef", ...


@dataclass(frozen=True)
class Container:
    """One container of a pod template. `role`: "container", "init", "sidecar", "ephemeral".

    A "sidecar" is an init container with `restartPolicy: Always` (native sidecars, 1.28+).
    """

    name: str
    image: str
    role: str
    readiness_probe: bool
    liveness_probe: bool
    startup_probe: bool
    requests: Mapping[str, str]
    limits: Mapping[str, str]
    security_context: Mapping[str, Any]
    env: tuple[EnvVar, ...] = ()
    host_ports: tuple[int, ...] = ()


@dataclass(frozen=True)
class PodTemplate:
    """The pod spec every workload kind boils down to."""

    labels: Mapping[str, str]
    annotations: Mapping[str, str]
    containers: tuple[Container, ...]
    init_containers: tuple[Container, ...]
    security_context: Mapping[str, Any]
    service_account: str | None
    automount_token: bool | None
    host_network: bool
    host_pid: bool
    host_ipc: bool
    host_path_volumes: tuple[str, ...]
    affinity: Mapping[str, Any]
    topology_spread: tuple[Mapping[str, Any], ...]
    restart_policy: str  # "Always" (the API default), "OnFailure" or "Never"
    os: str | None = None  # spec.os.name ("linux", "windows") when declared

    @property
    def all_containers(self) -> tuple[Container, ...]:
        """Regular containers followed by init containers."""
        return self.containers + self.init_containers


@dataclass(frozen=True)
class Workload:
    """A workload object normalised to its pod template.

    `long_running` is true for kinds whose pods are meant to keep serving (Deployment,
    StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Argo Rollout); Jobs, CronJobs
    and bare Pods are not (a bare Pod is usually a one-off or a test).
    `replicas` is None when the manifest leaves it to the default (1) or when the kind has no
    replica count (DaemonSet, Job, CronJob, Pod). A live cluster always reports a count; the
    cluster collector drops one that no user set (see `cnmm.collect.cluster`), so both agree.
    """

    object: KubeObject
    template: PodTemplate
    replicas: int | None
    replicated_kind: bool  # Deployment, StatefulSet, ReplicaSet, RC, Rollout
    long_running: bool
    selector: Mapping[str, Any]

    @property
    def kind(self) -> str:
        """Object kind."""
        return self.object.kind

    @property
    def name(self) -> str:
        """Object name."""
        return self.object.name

    @property
    def namespace(self) -> str | None:
        """Object namespace as written (None when unspecified)."""
        return self.object.namespace

    @property
    def subject(self) -> Subject:
        """Finding subject."""
        return subject_of(self.object)

    @property
    def location(self) -> Location | None:
        """Source location."""
        return location_of(self.object)

    @property
    def annotations(self) -> Mapping[str, str]:
        """The workload object's annotations (for `cnmm.io/exempt`)."""
        return annotations_of(self.object)


@dataclass(frozen=True)
class Service:
    """A core v1 Service."""

    object: KubeObject
    type: str
    selector: Mapping[str, str]


@dataclass(frozen=True)
class Route:
    """An Ingress or Gateway API route (HTTPRoute, GRPCRoute, TLSRoute, TCPRoute, UDPRoute)."""

    object: KubeObject
    hosts: tuple[str, ...]
    backends: tuple[str, ...]
    tls: bool


@dataclass(frozen=True)
class ScaleTarget:
    """An HPA, VPA or KEDA ScaledObject and the workload it scales."""

    object: KubeObject
    scaler: str  # "hpa", "vpa", "keda"
    target_kind: str
    target_name: str
    min_replicas: int | None = None


@dataclass(frozen=True)
class DisruptionBudget:
    """A PodDisruptionBudget and its selector."""

    object: KubeObject
    selector: Mapping[str, Any]
    min_available: Any = None
    max_unavailable: Any = None


@dataclass(frozen=True)
class NetworkPolicy:
    """A networking.k8s.io NetworkPolicy (or a Cilium/Calico policy, marked by `flavour`)."""

    object: KubeObject
    pod_selector: Mapping[str, Any]
    flavour: str = "kubernetes"


@dataclass(frozen=True)
class RbacRule:
    """One rule of a Role/ClusterRole."""

    api_groups: tuple[str, ...]
    resources: tuple[str, ...]
    verbs: tuple[str, ...]
    non_resource_urls: tuple[str, ...] = ()


@dataclass(frozen=True)
class RbacRole:
    """A Role or ClusterRole with its rules (aggregated roles have none of their own)."""

    object: KubeObject
    rules: tuple[RbacRule, ...]
    aggregated: bool = False


@dataclass(frozen=True)
class RbacSubject:
    """A subject of a binding."""

    kind: str
    name: str
    namespace: str | None = None


@dataclass(frozen=True)
class RbacBinding:
    """A RoleBinding or ClusterRoleBinding."""

    object: KubeObject
    role_kind: str
    role_name: str
    subjects: tuple[RbacSubject, ...]


@dataclass(frozen=True)
class ConfigMapData:
    """A ConfigMap's string data (binaryData is ignored)."""

    object: KubeObject
    data: Mapping[str, str]


@dataclass(frozen=True)
class NamespaceFacts:
    """One namespace as seen through the objects: declared or merely used."""

    name: str
    declared: KubeObject | None
    workloads: int
    quotas: tuple[KubeObject, ...]
    limit_ranges: tuple[KubeObject, ...]
    network_policies: tuple[KubeObject, ...]


@dataclass(frozen=True)
class Capability:
    """An object revealing a platform capability or CNCF project (e.g. argocd, keda)."""

    name: str
    object: KubeObject
    detail: str = ""  # e.g. "Application", "PeerAuthentication STRICT"


@dataclass(frozen=True)
class KubernetesFacts:
    """Everything the Kubernetes collectors observed, normalised.

    `unavailable` maps a resource (e.g. "networkpolicies.networking.k8s.io") to why it could
    not be read; rules depending on it yield not-available findings with that reason.
    """

    objects: tuple[KubeObject, ...] = ()
    workloads: tuple[Workload, ...] = ()
    services: tuple[Service, ...] = ()
    routes: tuple[Route, ...] = ()
    scalers: tuple[ScaleTarget, ...] = ()
    pdbs: tuple[DisruptionBudget, ...] = ()
    network_policies: tuple[NetworkPolicy, ...] = ()
    roles: tuple[RbacRole, ...] = ()
    bindings: tuple[RbacBinding, ...] = ()
    config_maps: tuple[ConfigMapData, ...] = ()
    service_accounts: tuple[KubeObject, ...] = ()
    namespaces: tuple[NamespaceFacts, ...] = ()
    capabilities: tuple[Capability, ...] = ()
    unavailable: Mapping[str, str] = field(default_factory=dict)
    # Images a build tool in the scan builds and tags at deploy time (skaffold artifacts).
    built_images: frozenset[str] = frozenset()

    @cached_property
    def workloads_by_namespace(self) -> Mapping[str, tuple[Workload, ...]]:
        """Workloads by the namespace they land in (`default` for manifests naming none);
        per-namespace rules look them up here instead of scanning every workload."""
        found: dict[str, list[Workload]] = {}
        for workload in self.workloads:
            found.setdefault(workload.namespace or "default", []).append(workload)
        return {namespace: tuple(items) for namespace, items in found.items()}

    def unavailable_reason(self, *resources: str) -> str | None:
        """The reason the first of `resources` that could not be read, if any."""
        for resource in resources:
            if resource in self.unavailable:
                return self.unavailable[resource]
        return None

    def capability(self, *names: str) -> tuple[Capability, ...]:
        """Capability records with any of these names."""
        return tuple(c for c in self.capabilities if c.name in names)
