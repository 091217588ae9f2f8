"""Pure parts of the live-cluster collector: version choice, project detection, RBAC file."""

from __future__ import annotations

from cnmm.collect.cluster import (
    NEEDED_RESOURCES,
    ResourceSpec,
    choose_versions,
    detect_projects,
    is_owned,
    is_system_object,
    replicas_declared,
    version_rank,
)
from tests.cluster import rbac_yaml
from tests.cluster.conftest import READER_RBAC


def test_version_rank_prefers_richest_non_alpha() -> None:
    order = ["v2alpha1", "v1beta1", "v1", "v2beta1", "v2beta2", "v2"]
    assert sorted(order, key=version_rank) == order


def test_choose_versions_uses_only_what_is_served() -> None:
    served = {
        "autoscaling/v1": [
            {
                "name": "horizontalpodautoscalers",
                "kind": "HorizontalPodAutoscaler",
                "namespaced": True,
                "verbs": ["list", "get"],
            }
        ],
        "autoscaling/v2beta2": [
            {
                "name": "horizontalpodautoscalers",
                "kind": "HorizontalPodAutoscaler",
                "namespaced": True,
                "verbs": ["list"],
            },
            {
                "name": "horizontalpodautoscalers/status",
                "kind": "HorizontalPodAutoscaler",
                "namespaced": True,
                "verbs": ["get"],
            },
        ],
        "batch/v1": [{"name": "jobs", "kind": "Job", "namespaced": True, "verbs": ["list"]}],
        "batch/v2alpha1": [
            {"name": "cronjobs", "kind": "CronJob", "namespaced": True, "verbs": ["list"]}
        ],
        "batch/v1beta1": [
            {"name": "cronjobs", "kind": "CronJob", "namespaced": True, "verbs": ["list"]}
        ],
        "policy/v1beta1": [
            {
                "name": "podsecuritypolicies",
                "kind": "PodSecurityPolicy",
                "namespaced": False,
                "verbs": ["get"],
            }
        ],
    }
    chosen = {s.id: c.group_version for s, c in choose_versions(NEEDED_RESOURCES, served).items()}
    assert chosen == {
        "horizontalpodautoscalers.autoscaling": "autoscaling/v2beta2",
        "jobs.batch": "batch/v1",
        "cronjobs.batch": "batch/v1beta1",
    }


def test_projects_are_detected_from_api_groups() -> None:
    groups = [
        "apps",
        "argoproj.io",
        "source.toolkit.fluxcd.io",
        "helm.toolkit.fluxcd.io",
        "security.istio.io",
        "notistio.io",
        "bitnami.com",
        "kyverno.io",
    ]
    assert detect_projects(groups) == {
        "argo": ["argoproj.io"],
        "flux": ["helm.toolkit.fluxcd.io", "source.toolkit.fluxcd.io"],
        "istio": ["security.istio.io"],
        "sealed-secrets": ["bitnami.com"],
        "kyverno": ["kyverno.io"],
    }


def test_system_and_owned_objects() -> None:
    assert is_system_object("ConfigMap", {"metadata": {"namespace": "kube-system", "name": "x"}})
    assert is_system_object(
        "ClusterRole",
        {"metadata": {"name": "admin", "labels": {"kubernetes.io/bootstrapping": "rbac-defaults"}}},
    )
    assert not is_system_object("ConfigMap", {"metadata": {"namespace": "shop", "name": "x"}})
    # Written only by control-plane field managers (a namespace's default ServiceAccount).
    controller = [{"manager": "kube-controller-manager", "operation": "Update"}]
    assert is_system_object("ServiceAccount", {"metadata": {"managedFields": controller}})
    # Once a user (kubectl, Argo CD, Helm, ...) wrote it too, it is configuration.
    both = [*controller, {"manager": "kubectl-client-side-apply", "operation": "Update"}]
    assert not is_system_object("ServiceAccount", {"metadata": {"managedFields": both}})
    # A namespace's `default` ServiceAccount as the controller leaves it: no field of its own.
    assert is_system_object("ServiceAccount", {"metadata": {"name": "default"}})
    assert not is_system_object("ServiceAccount", {"metadata": {"name": "app"}})
    owned = {"metadata": {"ownerReferences": [{"kind": "ReplicaSet", "controller": True}]}}
    assert is_owned("Pod", owned)
    assert not is_owned("Deployment", owned)
    assert not is_owned("Pod", {"metadata": {}})


def test_shipped_rbac_grants_exactly_what_the_collector_lists() -> None:
    assert READER_RBAC.read_text() == rbac_yaml.render(), (
        "regenerate: python -m tests.cluster.rbac_yaml > deploy/rbac/cnmm-reader.yaml"
    )
    granted = {
        (group, resource)
        for rule in rbac_yaml.documents()[2]["rules"]
        for group in rule.get("apiGroups", [])
        for resource in rule.get("resources", [])
    }
    assert granted == {(s.group, s.resource) for s in NEEDED_RESOURCES}
    verbs = {v for rule in rbac_yaml.documents()[2]["rules"] for v in rule["verbs"]}
    assert verbs == {"list", "get"}  # get only on the discovery URLs
    assert ResourceSpec("", "secrets", metadata_only=True) in NEEDED_RESOURCES


def test_replicas_the_server_defaulted_are_recognised() -> None:
    applied = "kubectl.kubernetes.io/last-applied-configuration"
    # Client-side apply: the annotation is the manifest as applied.
    assert not replicas_declared({"annotations": {applied: '{"spec": {"template": {}}}'}})
    assert replicas_declared({"annotations": {applied: '{"spec": {"replicas": 3}}'}})
    # Server-side apply: field ownership says who set spec.replicas.
    owned = {"f:spec": {"f:replicas": {}, "f:template": {}}}
    not_owned = {"f:spec": {"f:template": {}}}
    assert not replicas_declared(
        {"managedFields": [{"operation": "Apply", "manager": "kubectl", "fieldsV1": not_owned}]}
    )
    assert replicas_declared(
        {"managedFields": [{"operation": "Apply", "manager": "kubectl", "fieldsV1": owned}]}
    )
    # An autoscaler writes through the scale subresource: not the manifest's doing.
    autoscaled = [
        {"operation": "Apply", "manager": "kubectl", "fieldsV1": not_owned},
        {"operation": "Update", "manager": "hpa", "subresource": "scale", "fieldsV1": owned},
    ]
    assert not replicas_declared({"managedFields": autoscaled})
    # Plain create/update attributes server defaults to the writer: no evidence, keep it.
    assert replicas_declared({"managedFields": [{"operation": "Update", "fieldsV1": owned}]})
    assert replicas_declared({})
