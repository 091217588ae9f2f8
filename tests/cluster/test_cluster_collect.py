"""The live-cluster collector against a real kube-apiserver: discovery, permissions, privacy."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from cnmm.collect.cluster import (
    USER_AGENT,
    ClusterCollection,
    ClusterError,
    collect_cluster_objects,
)
from tests.cluster.conftest import FIXTURES, KubeCluster, write_kubeconfig

pytestmark = pytest.mark.cluster

SECRET_VALUE = "s3cr3t-fixture-value-do-not-leak"


@dataclass(frozen=True)
class Target:
    """What `cnmm scan --cluster` passes to the collector."""

    kubeconfig: str | None
    context: str | None = None
    namespaces: list[str] = field(default_factory=list)
    timeout: float | None = None
    page_size: int | None = None


def collect(cluster: KubeCluster, user: str = "admin", **kwargs: Any) -> ClusterCollection:
    """Collect as `user` through that user's kubeconfig."""
    return collect_cluster_objects(Target(str(cluster.kubeconfigs[user]), **kwargs))


def identities_in_files(paths: list[Path]) -> set[tuple[str, str, str | None, str]]:
    """(apiVersion, kind, namespace, name) of every object in the given files or folders."""
    files = [f for p in paths for f in (sorted(p.glob("*.yaml")) if p.is_dir() else [p])]
    found = set()
    for file in files:
        for doc in yaml.safe_load_all(file.read_text()):
            if doc:
                meta = doc["metadata"]
                found.add((doc["apiVersion"], doc["kind"], meta.get("namespace"), meta["name"]))
    return found


def identities(collection: ClusterCollection) -> set[tuple[str, str, str | None, str]]:
    """The same identities, from a cluster collection."""
    return {(o.api_version, o.kind, o.namespace, o.name) for o in collection.objects}


def cnmm_events(cluster: KubeCluster, since: int) -> list[dict[str, Any]]:
    """Audit events of requests cnmm made after the mark `since`."""
    return [e for e in cluster.audit_events()[since:] if e.get("userAgent") == USER_AGENT]


def test_objects_equal_the_loaded_manifests(loaded_cluster: KubeCluster) -> None:
    result = collect(loaded_cluster)
    expected = identities_in_files([FIXTURES, *loaded_cluster.applied])
    assert identities(result) == expected
    assert result.unavailable == {}
    assert result.errors == []
    assert all(o.origin == "cluster" for o in result.objects)
    web = next(o for o in result.objects if o.kind == "Deployment" and o.name == "web")
    assert web.path == "cluster:admin@cnmm-test/apps/v1/deployments/shop/web"
    assert web.body["spec"]["replicas"] == 3
    assert "managedFields" not in web.body["metadata"]
    # Generated (owned) Pods and control-plane objects are skipped, and counted.
    assert result.stats["owned_skipped"] == 1
    assert result.stats["system_skipped"] > 0


def test_discovery_picks_served_versions_and_names_the_cluster(loaded_cluster: KubeCluster) -> None:
    result = collect(loaded_cluster)
    info = result.cluster
    assert info["server_version"] == "v1.20.2"
    assert info["context"] == "admin@cnmm-test"
    assert info["name"] == "cnmm-test"
    assert info["server"] == loaded_cluster.server
    # A 1.20 server has neither policy/v1 nor autoscaling/v2 nor batch/v1 CronJobs.
    assert info["resources"]["poddisruptionbudgets.policy"] == "policy/v1beta1"
    assert info["resources"]["horizontalpodautoscalers.autoscaling"] == "autoscaling/v2beta2"
    assert info["resources"]["cronjobs.batch"] == "batch/v1beta1"
    # A CRD served at v1beta1 and v1: the GA version is read.
    assert info["resources"]["httproutes.gateway.networking.k8s.io"] == (
        "gateway.networking.k8s.io/v1"
    )
    assert "validatingadmissionpolicies.admissionregistration.k8s.io" in info["not_served"]
    assert set(info["projects"]) >= {
        "argo",
        "flux",
        "kyverno",
        "cert-manager",
        "istio",
        "keda",
        "prometheus-operator",
        "external-secrets",
        "chaos-mesh",
    }
    crd = next(o for o in result.objects if o.kind == "CustomResourceDefinition")
    assert "schema" not in crd.body["spec"]["versions"][0]


def test_secrets_are_listed_as_metadata_only(loaded_cluster: KubeCluster) -> None:
    mark = loaded_cluster.audit_mark()
    result = collect(loaded_cluster)
    secret = next(o for o in result.objects if o.kind == "Secret")
    assert (secret.namespace, secret.name) == ("payments", "db-credentials")
    assert set(secret.body) == {"apiVersion", "kind", "metadata"}
    dumped = json.dumps([o.body for o in result.objects])
    # kubectl apply copies the whole Secret into last-applied-configuration: dropped too.
    assert SECRET_VALUE not in dumped
    assert "last-applied-configuration" not in dumped
    secret_events = [
        e
        for e in cnmm_events(loaded_cluster, mark)
        if e.get("objectRef", {}).get("resource") == "secrets"
    ]
    assert secret_events, "secrets were not listed at all"
    for event in secret_events:
        assert event["verb"] == "list"
        assert "name" not in event["objectRef"]
        # The audit policy logs Secret responses: what the server sent was metadata only.
        response = event["responseObject"]
        assert response["kind"] == "PartialObjectMetadataList"
        for item in response["items"]:
            assert set(item) <= {"kind", "apiVersion", "metadata"}
            # The one place a value can still hide is kubectl's last-applied-configuration
            # annotation (client-side apply copies the Secret there); cnmm drops it on arrival.
            annotations = dict(item["metadata"].get("annotations") or {})
            annotations.pop("kubectl.kubernetes.io/last-applied-configuration", None)
            assert SECRET_VALUE not in json.dumps({**item, "metadata": {"a": annotations}})


READER = "system:serviceaccount:cnmm:cnmm-reader"


def test_audit_log_shows_only_reads(loaded_cluster: KubeCluster) -> None:
    mark = loaded_cluster.audit_mark()
    result = collect(loaded_cluster, user="reader")
    # Everything the reader's token did, whatever user agent it claimed: all of it is cnmm.
    events = [e for e in loaded_cluster.audit_events()[mark:] if e["user"]["username"] == READER]
    assert events == cnmm_events(loaded_cluster, mark)
    assert len(events) == result.stats["requests"]
    assert {e["verb"] for e in events} <= {"get", "list", "watch"}
    assert all(e["responseStatus"]["code"] == 200 for e in events)
    assert not [e for e in events if e.get("objectRef", {}).get("name")]  # no single-object GET
    lists = [e for e in events if e["verb"] == "list"]
    # One list per served resource type: requests grow with types, not objects.
    assert len(lists) == result.stats["resource_types"] == result.stats["pages"]
    assert len({e["requestURI"].split("?")[0] for e in lists}) == len(lists)


def test_reader_token_sees_what_admin_sees(loaded_cluster: KubeCluster) -> None:
    admin = collect(loaded_cluster)
    reader = collect(loaded_cluster, user="reader")
    assert reader.unavailable == {}
    assert identities(reader) == identities(admin)


@pytest.mark.parametrize("user", ["cert", "exec"])
def test_client_certificates_and_exec_plugins_work(loaded_cluster: KubeCluster, user: str) -> None:
    result = collect(loaded_cluster, user=user)
    assert result.unavailable == {}
    assert identities(result) == identities(collect(loaded_cluster))


def test_missing_permission_becomes_unavailable_with_reason(loaded_cluster: KubeCluster) -> None:
    result = collect(loaded_cluster, user="limited")
    assert result.unavailable == {
        "networkpolicies.networking.k8s.io": "forbidden: list networkpolicies.networking.k8s.io"
    }
    assert not [o for o in result.objects if o.kind == "NetworkPolicy"]
    assert [o for o in result.objects if o.kind == "Deployment"]


def test_pagination_follows_continue_tokens(loaded_cluster: KubeCluster) -> None:
    mark = loaded_cluster.audit_mark()
    paged = collect(loaded_cluster, page_size=2)
    lists = [e["requestURI"] for e in cnmm_events(loaded_cluster, mark) if e["verb"] == "list"]
    assert identities(paged) == identities(collect(loaded_cluster))
    assert any("continue=" in u for u in lists)
    assert all("limit=2" in u for u in lists)
    assert paged.stats["pages"] > paged.stats["resource_types"]


def test_namespace_scope_lists_only_those_namespaces(loaded_cluster: KubeCluster) -> None:
    mark = loaded_cluster.audit_mark()
    result = collect(loaded_cluster, namespaces=["shop"])
    assert {o.namespace for o in result.objects} == {"shop", None}
    assert {o.name for o in result.objects if o.kind == "Namespace"} == {"shop"}
    namespaced = [
        e["requestURI"]
        for e in cnmm_events(loaded_cluster, mark)
        if e["verb"] == "list" and e.get("objectRef", {}).get("namespace")
    ]
    assert namespaced and all("/namespaces/shop/" in u for u in namespaced)


def test_unreachable_server_fails_within_seconds(kube_cluster: KubeCluster, tmp_path: Path) -> None:
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = write_kubeconfig(
        tmp_path / "dead.kubeconfig", f"https://127.0.0.1:{port}", kube_cluster.ca, "x", "dead"
    )
    started = time.monotonic()
    with pytest.raises(ClusterError, match=r"cannot reach the Kubernetes API server .*refused"):
        collect_cluster_objects(Target(str(config)))
    assert time.monotonic() - started < 5
    # A black-holed address: the connect timeout bounds the wait.
    config = write_kubeconfig(
        tmp_path / "blackhole.kubeconfig", "https://10.255.255.1:6443", kube_cluster.ca, "x", "bh"
    )
    started = time.monotonic()
    with pytest.raises(ClusterError, match="cannot reach"):
        collect_cluster_objects(Target(str(config), timeout=1.5))
    assert time.monotonic() - started < 5


def test_bad_credentials_and_contexts_are_clear(kube_cluster: KubeCluster, tmp_path: Path) -> None:
    config = write_kubeconfig(
        tmp_path / "bad.kubeconfig", kube_cluster.server, kube_cluster.ca, "wrong", "bad"
    )
    with pytest.raises(ClusterError, match="rejected the credentials"):
        collect_cluster_objects(Target(str(config)))
    with pytest.raises(ClusterError, match="context 'nope' not found"):
        collect_cluster_objects(Target(str(config), context="nope"))
    with pytest.raises(ClusterError, match="does not exist"):
        collect_cluster_objects(Target(str(tmp_path / "missing")))
