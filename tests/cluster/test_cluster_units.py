"""Pure parts of the live-cluster collector: version choice, project detection, RBAC file."""

from __future__ import annotations

from cnmm.collect.cluster import (
    NEEDED_RESOURCES,
    ResourceSpec,
    choose_versions,
    detect_projects,
    is_owned,
    is_system_object,
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
