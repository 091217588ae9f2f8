"""Kubernetes objects -> typed facts (pure).

Every collector (plain files, Kustomize, Helm, live cluster) yields `KubeObject`s; this module
normalises them once, so rules never look at raw YAML shapes. Kinds are matched by API group
and kind together (see `WORKLOAD_KINDS`, `CAPABILITY_GROUPS`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from cnmm.facts.kubernetes import (
    Capability,
    ConfigMapData,
    Container,
    DisruptionBudget,
    EnvVar,
    KubeObject,
    KubernetesFacts,
    NamespaceFacts,
    NetworkPolicy,
    PodTemplate,
    RbacBinding,
    RbacRole,
    RbacRule,
    RbacSubject,
    Route,
    ScaleTarget,
    Service,
    Workload,
)

# (group, kind) -> (path to the pod template spec holder, replicated kind, long-running kind)
WORKLOAD_KINDS: dict[tuple[str, str], tuple[tuple[str, ...], bool, bool]] = {
    ("", "Pod"): ((), False, True),  # long-running only with restartPolicy Always, see below
    ("", "ReplicationController"): (("spec", "template"), True, True),
    ("apps", "Deployment"): (("spec", "template"), True, True),
    ("extensions", "Deployment"): (("spec", "template"), True, True),
    ("apps", "StatefulSet"): (("spec", "template"), True, True),
    ("apps", "DaemonSet"): (("spec", "template"), False, True),
    ("extensions", "DaemonSet"): (("spec", "template"), False, True),
    ("apps", "ReplicaSet"): (("spec", "template"), True, True),
    ("extensions", "ReplicaSet"): (("spec", "template"), True, True),
    ("batch", "Job"): (("spec", "template"), False, False),
    ("batch", "CronJob"): (("spec", "jobTemplate", "spec", "template"), False, False),
    ("argoproj.io", "Rollout"): (("spec", "template"), True, True),
}

# Capability name -> API groups (exact, or suffix when starting with ".").
CAPABILITY_GROUPS: dict[str, tuple[str, ...]] = {
    "argocd": (),  # argoproj.io is shared with Rollouts/Workflows: matched by kind below
    "flux": (".fluxcd.io",),  # toolkit controllers and extensions (ArtifactGenerator)
    # certmanager.k8s.io: cert-manager's group before v0.11 (still in older repositories).
    "cert-manager": ("cert-manager.io", "acme.cert-manager.io", "certmanager.k8s.io"),
    "istio": (".istio.io",),
    "linkerd": ("linkerd.io", ".linkerd.io"),
    "spire": ("spire.spiffe.io",),
    "kyverno": ("kyverno.io", ".kyverno.io"),
    "gatekeeper": ("gatekeeper.sh", ".gatekeeper.sh"),
    "prometheus-operator": ("monitoring.coreos.com",),
    "opentelemetry": ("opentelemetry.io",),
    "crossplane": ("crossplane.io", ".crossplane.io"),
    "cluster-api": ("cluster.x-k8s.io", ".cluster.x-k8s.io"),
    "karmada": (".karmada.io",),
    "capsule": ("capsule.clastix.io",),
    "keda": ("keda.sh", ".keda.sh"),
    "dapr": ("dapr.io", ".dapr.io"),
    "litmus": ("litmuschaos.io",),
    "chaos-mesh": ("chaos-mesh.org",),
    # Falco's operator: instance.falcosecurity.dev (Falco, Component), artifact.* (Rulesfile...).
    "falco": ("falcosecurity.dev", ".falcosecurity.dev"),
    "external-secrets": ("external-secrets.io", ".external-secrets.io"),
    "sealed-secrets": ("bitnami.com",),
}
ARGOCD_KINDS = frozenset({"Application", "ApplicationSet", "AppProject"})
# Pods opt in to a mesh sidecar or the Dapr sidecar on the pod template's metadata:
# (capability, key, value, whether a label counts too). Only Istio reads a label.
POD_OPT_INS: tuple[tuple[str, str, str, bool], ...] = (
    ("linkerd", "linkerd.io/inject", "enabled", False),
    ("istio", "sidecar.istio.io/inject", "true", True),
    ("dapr", "dapr.io/enabled", "true", False),
)
# Projects are also recognised by the images of their own components: those without CRDs
# of their own, and installs (a chart with default values) that create no custom resource.
CAPABILITY_IMAGES: dict[str, tuple[str, ...]] = {
    "falco": ("falcosecurity/falco",),
    # SPIFFE/SPIRE: the servers and agents, and the SPIFFE project's other workload-side parts.
    "spire": (
        "spiffe/spire-server",
        "spiffe/spire-agent",
        "spiffe/spire-ha-agent",
        "spiffe/spire-controller-manager",
        "spiffe/oidc-discovery-provider",
        "spiffe/spiffe-csi-driver",
        "spiffe/spiffe-helper",
        # The same project's images on its registry before ghcr.io (SPIRE up to 1.5).
        "spiffe-io/spire-server",
        "spiffe-io/spire-agent",
        "spiffe-io/k8s-workload-registrar",
        "spiffe-io/oidc-discovery-provider",
    ),
    "argocd": ("argoproj/argocd",),
    "linkerd": ("linkerd/proxy", "linkerd/controller"),
    "opentelemetry": ("opentelemetry-collector",),
    "cert-manager": ("jetstack/cert-manager-controller", "jetstack/cert-manager-webhook"),
    "crossplane": ("crossplane/crossplane:", "crossplane/crossplane@"),
    "istio": ("istio/pilot", "istio/proxyv2"),
    "kyverno": ("kyverno/kyverno:", "kyverno/kyverno@", "kyverno/background-controller"),
    "gatekeeper": ("openpolicyagent/gatekeeper",),
    "prometheus-operator": ("prometheus-operator/prometheus-operator",),
    "flux": ("fluxcd/source-controller", "fluxcd/kustomize-controller", "fluxcd/helm-controller"),
    "keda": ("kedacore/keda",),
    "external-secrets": ("external-secrets/external-secrets",),
    "sealed-secrets": ("sealed-secrets-controller",),
    "dapr": ("daprio/dapr",),
    # The controller manager, and the daemon, dashboard and DNS server it works with.
    "chaos-mesh": (
        "chaos-mesh/chaos-mesh",
        "chaos-mesh/chaos-daemon",
        "chaos-mesh/chaos-dashboard",
        "chaos-mesh/chaos-coredns",
    ),
    "vpa": ("autoscaling/vpa-recommender", "autoscaling/vpa-updater"),
}
# Names reported in `inventory.capabilities` (other records, e.g. VAP, stay internal).
INVENTORY_CAPABILITIES = (
    "argocd", "flux", "cert-manager", "istio", "linkerd", "spire", "falco", "kyverno",
    "gatekeeper", "prometheus-operator", "opentelemetry", "crossplane", "cluster-api",
    "karmada", "capsule", "keda", "dapr", "litmus", "chaos-mesh", "external-secrets",
    "sealed-secrets", "hpa", "vpa", "pdb", "network-policy",
)  # fmt: skip
ROUTE_KINDS = frozenset({"HTTPRoute", "GRPCRoute", "TLSRoute", "TCPRoute", "UDPRoute"})


def _map(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _dig(body: Mapping[str, Any], path: Iterable[str]) -> Any:
    current: Any = body
    for key in path:
        if not isinstance(current, Mapping):
            return None
        current = current.get(key)
    return current


def _str_map(value: Any) -> dict[str, str]:
    return {str(k): str(v) for k, v in _map(value).items()}


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


def _container(raw: Any, role: str) -> Container | None:
    if not isinstance(raw, Mapping):
        return None
    resources = _map(raw.get("resources"))
    env: list[EnvVar] = []
    for item in _list(raw.get("env")):
        if not isinstance(item, Mapping) or "name" not in item:
            continue
        value_from = _map(item.get("valueFrom"))
        ref = next(iter(value_from), None)
        value = item.get("value")
        env.append(EnvVar(str(item["name"]), None if value is None else str(value), ref))
    host_ports = tuple(
        port
        for p in _list(raw.get("ports"))
        if isinstance(p, Mapping) and (port := _int(p.get("hostPort")))
    )
    return Container(
        name=str(raw.get("name", "")),
        image=str(raw.get("image") or ""),
        role=role,
        readiness_probe=isinstance(raw.get("readinessProbe"), Mapping),
        liveness_probe=isinstance(raw.get("livenessProbe"), Mapping),
        startup_probe=isinstance(raw.get("startupProbe"), Mapping),
        requests=_str_map(resources.get("requests")),
        limits=_str_map(resources.get("limits")),
        security_context=_map(raw.get("securityContext")),
        env=tuple(env),
        host_ports=host_ports,
    )


def pod_template(template: Mapping[str, Any]) -> PodTemplate:
    """Normalise a pod template (`metadata` + `spec`) or a Pod object body."""
    metadata = _map(template.get("metadata"))
    spec = _map(template.get("spec"))
    containers = tuple(
        c for raw in _list(spec.get("containers")) if (c := _container(raw, "container"))
    )
    init: list[Container] = []
    for raw in _list(spec.get("initContainers")):
        role = "sidecar" if _map(raw).get("restartPolicy") == "Always" else "init"
        if c := _container(raw, role):
            init.append(c)
    automount = spec.get("automountServiceAccountToken")
    return PodTemplate(
        labels=_str_map(metadata.get("labels")),
        annotations=_str_map(metadata.get("annotations")),
        containers=containers,
        init_containers=tuple(init),
        security_context=_map(spec.get("securityContext")),
        service_account=(
            str(spec.get("serviceAccountName") or spec.get("serviceAccount") or "") or None
        ),
        automount_token=automount if isinstance(automount, bool) else None,
        host_network=spec.get("hostNetwork") is True,
        host_pid=spec.get("hostPID") is True,
        host_ipc=spec.get("hostIPC") is True,
        host_path_volumes=tuple(
            str(v.get("name", ""))
            for v in _list(spec.get("volumes"))
            if isinstance(v, Mapping) and isinstance(v.get("hostPath"), Mapping)
        ),
        affinity=_map(spec.get("affinity")),
        topology_spread=tuple(
            c for c in _list(spec.get("topologySpreadConstraints")) if isinstance(c, Mapping)
        ),
        # The API server's default, so facts from files and from clusters agree.
        restart_policy=str(spec.get("restartPolicy") or "Always"),
        os=str(_map(spec.get("os")).get("name") or "") or None,
    )


def workload_of(obj: KubeObject) -> Workload | None:
    """The workload view of an object, or None when it is not a workload kind."""
    shape = WORKLOAD_KINDS.get((obj.group, obj.kind))
    if shape is None:
        return None
    path, replicated, long_running = shape
    holder = _dig(obj.body, path) if path else obj.body
    if not isinstance(holder, Mapping):
        return None
    template = pod_template(holder)
    if obj.kind == "Pod":
        # A bare Pod that restarts forever serves like a Deployment; one-offs and Helm test
        # hooks (restartPolicy Never/OnFailure or helm.sh/hook) do not.
        hook = "helm.sh/hook" in _str_map(_dig(obj.body, ("metadata", "annotations")))
        long_running = template.restart_policy == "Always" and not hook
    spec = _map(obj.body.get("spec"))
    return Workload(
        object=obj,
        template=template,
        replicas=_int(spec.get("replicas")) if replicated else None,
        replicated_kind=replicated,
        long_running=long_running,
        selector=_map(spec.get("selector")),
    )


def _group_matches(group: str, patterns: tuple[str, ...]) -> bool:
    return any(group.endswith(p) if p.startswith(".") else group == p for p in patterns)


def capability_of_group(group: str, kind: str) -> str | None:
    """The capability an object of (group, kind) reveals, if any."""
    if group == "argoproj.io":
        return "argocd" if kind in ARGOCD_KINDS else None
    for name, patterns in CAPABILITY_GROUPS.items():
        if patterns and _group_matches(group, patterns):
            return name
    return None


def _capabilities(obj: KubeObject, workload: Workload | None) -> list[Capability]:
    found: list[Capability] = []
    group, kind = obj.group, obj.kind
    if name := capability_of_group(group, kind):
        found.append(Capability(name, obj, kind))
    if group == "apiextensions.k8s.io" and kind == "CustomResourceDefinition":
        spec = _map(obj.body.get("spec"))
        crd_group = str(spec.get("group", ""))
        crd_kind = str(_map(spec.get("names")).get("kind", ""))
        if name := capability_of_group(crd_group, crd_kind):
            found.append(Capability(name, obj, f"CRD {crd_kind}.{crd_group}"))
        # The VPA is an add-on (kubernetes/autoscaler), installed like any other project: its
        # CRD reveals it even where no VerticalPodAutoscaler object is kept in the repository.
        if (crd_group, crd_kind) == ("autoscaling.k8s.io", "VerticalPodAutoscaler"):
            found.append(Capability("vpa", obj, f"CRD {crd_kind}.{crd_group}"))
    if group == "autoscaling" and kind == "HorizontalPodAutoscaler":
        found.append(Capability("hpa", obj, kind))
    if group == "autoscaling.k8s.io" and kind == "VerticalPodAutoscaler":
        found.append(Capability("vpa", obj, kind))
    if group == "policy" and kind == "PodDisruptionBudget":
        found.append(Capability("pdb", obj, kind))
    if (group, kind) in {
        ("networking.k8s.io", "NetworkPolicy"),
        ("extensions", "NetworkPolicy"),  # the same object, served until Kubernetes 1.16
        ("cilium.io", "CiliumNetworkPolicy"),
        ("cilium.io", "CiliumClusterwideNetworkPolicy"),
        ("crd.projectcalico.org", "NetworkPolicy"),
        ("crd.projectcalico.org", "GlobalNetworkPolicy"),
        ("projectcalico.org", "NetworkPolicy"),
        ("projectcalico.org", "GlobalNetworkPolicy"),
    }:
        found.append(Capability("network-policy", obj, kind))
    if group == "admissionregistration.k8s.io" and kind in (
        "ValidatingAdmissionPolicy",
        "ValidatingAdmissionPolicyBinding",
    ):
        found.append(Capability("validating-admission-policy", obj, kind))
    if workload is not None:
        for container in workload.template.all_containers:
            image = container.image.lower()
            for name, needles in CAPABILITY_IMAGES.items():
                if any(n in image for n in needles):
                    found.append(Capability(name, obj, f"image {container.image}"))
        template = workload.template
        for name, key, value, label in POD_OPT_INS:
            found_value = template.annotations.get(key) or (label and template.labels.get(key))
            if str(found_value).lower() == value:
                found.append(Capability(name, obj, f"pod {key}: {value}"))
    if kind == "Namespace" and group == "":
        annotations = _str_map(_dig(obj.body, ("metadata", "annotations")))
        labels = _str_map(_dig(obj.body, ("metadata", "labels")))
        if annotations.get("linkerd.io/inject") == "enabled":
            found.append(Capability("linkerd", obj, "namespace linkerd.io/inject"))
        if labels.get("istio-injection") == "enabled" or "istio.io/rev" in labels:
            found.append(Capability("istio", obj, "namespace injection label"))
    return found


def _scale_target(obj: KubeObject) -> ScaleTarget | None:
    spec = _map(obj.body.get("spec"))
    if obj.group == "autoscaling" and obj.kind == "HorizontalPodAutoscaler":
        ref, scaler = _map(spec.get("scaleTargetRef")), "hpa"
    elif obj.group == "autoscaling.k8s.io" and obj.kind == "VerticalPodAutoscaler":
        ref, scaler = _map(spec.get("targetRef")), "vpa"
    elif obj.group == "keda.sh" and obj.kind == "ScaledObject":
        ref, scaler = _map(spec.get("scaleTargetRef")), "keda"
    else:
        return None
    return ScaleTarget(
        obj,
        scaler,
        str(ref.get("kind") or "Deployment"),  # KEDA defaults to a Deployment
        str(ref.get("name", "")),
        _int(spec.get("minReplicas", spec.get("minReplicaCount"))),
    )


def _rbac_rules(raw: Any) -> tuple[RbacRule, ...]:
    def strings(value: Any) -> tuple[str, ...]:
        return tuple(str(v) for v in _list(value))

    return tuple(
        RbacRule(
            strings(r.get("apiGroups")),
            strings(r.get("resources")),
            strings(r.get("verbs")),
            strings(r.get("nonResourceURLs")),
        )
        for r in _list(raw)
        if isinstance(r, Mapping)
    )


def _route(obj: KubeObject) -> Route | None:
    spec = _map(obj.body.get("spec"))
    if obj.kind == "Ingress" and obj.group in ("networking.k8s.io", "extensions"):
        hosts = tuple(str(r.get("host")) for r in _list(spec.get("rules")) if _map(r).get("host"))
        backends: list[str] = []
        for r in _list(spec.get("rules")):
            for p in _list(_map(_map(r).get("http")).get("paths")):
                backend = _map(_map(p).get("backend"))
                name = _map(backend.get("service")).get("name") or backend.get("serviceName")
                if name:
                    backends.append(str(name))
        return Route(obj, hosts, tuple(backends), bool(_list(spec.get("tls"))))
    if obj.group == "gateway.networking.k8s.io" and obj.kind in ROUTE_KINDS:
        hosts = tuple(str(h) for h in _list(spec.get("hostnames")))
        backends = [
            str(_map(b).get("name"))
            for r in _list(spec.get("rules"))
            for b in _list(_map(r).get("backendRefs"))
            if _map(b).get("name")
        ]
        return Route(obj, hosts, tuple(backends), obj.kind in ("TLSRoute", "GRPCRoute"))
    return None


def namespace_key(namespace: str | None) -> str:
    """The namespace an object lands in: manifests without one go to `default`."""
    return namespace or "default"


def facts_from_objects(
    objects: Iterable[KubeObject],
    unavailable: Mapping[str, str] | None = None,
    built_images: Iterable[str] = (),
) -> KubernetesFacts:
    """Normalise objects into `KubernetesFacts` (pure).

    `unavailable` maps a resource such as "networkpolicies.networking.k8s.io" to the reason it
    could not be read; rules that depend on it report not-available with that reason.
    `built_images`: images a build tool in the scan builds and tags at deploy time.
    """
    all_objects = tuple(objects)
    workloads: list[Workload] = []
    services: list[Service] = []
    routes: list[Route] = []
    scalers: list[ScaleTarget] = []
    pdbs: list[DisruptionBudget] = []
    policies: list[NetworkPolicy] = []
    roles: list[RbacRole] = []
    bindings: list[RbacBinding] = []
    config_maps: list[ConfigMapData] = []
    service_accounts: list[KubeObject] = []
    capabilities: list[Capability] = []
    declared_ns: dict[str, KubeObject] = {}
    quotas: dict[str, list[KubeObject]] = {}
    limit_ranges: dict[str, list[KubeObject]] = {}
    ns_policies: dict[str, list[KubeObject]] = {}
    ns_workloads: dict[str, int] = {}

    for obj in all_objects:
        group, kind = obj.group, obj.kind
        spec = _map(obj.body.get("spec"))
        workload = workload_of(obj)
        capabilities.extend(_capabilities(obj, workload))
        if workload is not None:
            workloads.append(workload)
            key = namespace_key(obj.namespace)
            ns_workloads[key] = ns_workloads.get(key, 0) + 1
        elif group == "" and kind == "Service":
            services.append(Service(obj, str(spec.get("type") or "ClusterIP"),
                                    _str_map(spec.get("selector"))))  # fmt: skip
        elif (route := _route(obj)) is not None:
            routes.append(route)
        elif (target := _scale_target(obj)) is not None:
            scalers.append(target)
        elif group == "policy" and kind == "PodDisruptionBudget":
            pdbs.append(
                DisruptionBudget(obj, _map(spec.get("selector")),
                                 spec.get("minAvailable"), spec.get("maxUnavailable"))
            )  # fmt: skip
        elif group in ("networking.k8s.io", "extensions") and kind == "NetworkPolicy":
            policies.append(NetworkPolicy(obj, _map(spec.get("podSelector"))))
            ns_policies.setdefault(namespace_key(obj.namespace), []).append(obj)
        elif group == "cilium.io" and kind == "CiliumNetworkPolicy":
            policies.append(NetworkPolicy(obj, _map(spec.get("endpointSelector")), "cilium"))
            ns_policies.setdefault(namespace_key(obj.namespace), []).append(obj)
        elif group == "rbac.authorization.k8s.io" and kind in ("Role", "ClusterRole"):
            roles.append(
                RbacRole(obj, _rbac_rules(obj.body.get("rules")),
                         aggregated=isinstance(obj.body.get("aggregationRule"), Mapping))
            )  # fmt: skip
        elif group == "rbac.authorization.k8s.io" and kind in ("RoleBinding", "ClusterRoleBinding"):
            ref = _map(obj.body.get("roleRef"))
            subjects = tuple(
                RbacSubject(str(s.get("kind", "")), str(s.get("name", "")),
                            str(s["namespace"]) if s.get("namespace") else None)
                for s in _list(obj.body.get("subjects"))
                if isinstance(s, Mapping)
            )  # fmt: skip
            bindings.append(
                RbacBinding(obj, str(ref.get("kind", "")), str(ref.get("name", "")), subjects)
            )
        elif group == "" and kind == "ConfigMap":
            data = {str(k): v for k, v in _map(obj.body.get("data")).items()}
            config_maps.append(
                ConfigMapData(obj, {k: "" if v is None else str(v) for k, v in data.items()})
            )
        elif group == "" and kind == "ServiceAccount":
            service_accounts.append(obj)
        elif group == "" and kind == "Namespace":
            declared_ns[obj.name] = obj
        elif group == "" and kind == "ResourceQuota":
            quotas.setdefault(namespace_key(obj.namespace), []).append(obj)
        elif group == "" and kind == "LimitRange":
            limit_ranges.setdefault(namespace_key(obj.namespace), []).append(obj)

    names = sorted(set(declared_ns) | set(ns_workloads) | set(quotas) | set(ns_policies))
    namespaces = tuple(
        NamespaceFacts(
            name=name,
            declared=declared_ns.get(name),
            workloads=ns_workloads.get(name, 0),
            quotas=tuple(quotas.get(name, ())),
            limit_ranges=tuple(limit_ranges.get(name, ())),
            network_policies=tuple(ns_policies.get(name, ())),
        )
        for name in names
    )
    return KubernetesFacts(
        objects=all_objects,
        workloads=tuple(workloads),
        services=tuple(services),
        routes=tuple(routes),
        scalers=tuple(scalers),
        pdbs=tuple(pdbs),
        network_policies=tuple(policies),
        roles=tuple(roles),
        bindings=tuple(bindings),
        config_maps=tuple(config_maps),
        service_accounts=tuple(service_accounts),
        namespaces=namespaces,
        capabilities=tuple(capabilities),
        unavailable=dict(unavailable or {}),
        built_images=frozenset(built_images),
    )


def label_selector_matches(selector: Mapping[str, Any], labels: Mapping[str, str]) -> bool:
    """Whether a LabelSelector (matchLabels + matchExpressions) selects `labels`.

    An empty selector selects everything (as for NetworkPolicy podSelector and PDB v1).
    """
    for key, value in _map(selector.get("matchLabels")).items():
        if labels.get(str(key)) != str(value):
            return False
    for expr in _list(selector.get("matchExpressions")):
        expr = _map(expr)
        key, op = str(expr.get("key", "")), str(expr.get("operator", ""))
        values = {str(v) for v in _list(expr.get("values"))}
        present = key in labels
        if op == "In" and not (present and labels[key] in values):
            return False
        if op == "NotIn" and present and labels[key] in values:
            return False
        if op == "Exists" and not present:
            return False
        if op == "DoesNotExist" and present:
            return False
    return True
