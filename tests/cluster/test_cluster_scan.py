"""`cnmm scan --cluster` end to end against a real kube-apiserver: same facts and findings as
the same manifests scanned as files, results naming the cluster, missing rights reported."""

from __future__ import annotations

import json
import socket
import time
from pathlib import Path
from typing import Any

import pytest

from cnmm.facts.kubernetes import KubernetesFacts
from cnmm.findings import Finding
from cnmm.scan import ScanRequest, ScanResult, run_scan
from tests.cluster.conftest import FIXTURES, KubeCluster, write_kubeconfig
from tests.conftest import run_cnmm

pytestmark = pytest.mark.cluster


def file_scan(cluster: KubeCluster) -> ScanResult:
    """The fixture manifests (and the RBAC the fixture applied) scanned as files."""
    return run_scan(ScanRequest(paths=(str(FIXTURES), *map(str, cluster.applied))))


def cluster_scan(cluster: KubeCluster, user: str = "reader", **kwargs: Any) -> ScanResult:
    """The same cluster scanned live as `user`."""
    request = ScanRequest(cluster=True, kubeconfig=str(cluster.kubeconfigs[user]), **kwargs)
    return run_scan(request)


def finding_keys(findings: list[Finding]) -> list[tuple[str, str, str, str]]:
    """Kubernetes findings without their location (a file:line here, an API path there);
    a directory scan also gets repository findings, which a cluster has no counterpart of."""
    return sorted(
        (f.rule, f.outcome.value, str(f.subject), f.message)
        for f in findings
        if f.rule.startswith("k8s.")
    )


def fact_view(facts: KubernetesFacts | None) -> dict[str, Any]:
    """The normalised facts, minus where each object was read."""
    assert facts is not None
    return {
        "workloads": sorted(
            (str(w.subject), w.replicas, w.long_running, w.template.restart_policy,
             tuple((c.name, c.image, c.role, c.readiness_probe, c.liveness_probe,
                    tuple(sorted(c.requests.items())), tuple(sorted(c.limits.items())),
                    json.dumps(c.security_context, sort_keys=True),
                    tuple((e.name, e.value, e.from_ref) for e in c.env))
                   for c in w.template.all_containers),
             w.template.service_account, w.template.automount_token, w.template.host_network,
             w.template.host_path_volumes)
            for w in facts.workloads
        ),
        "services": sorted((str(s.object.name), s.type, tuple(sorted(s.selector.items())))
                           for s in facts.services),
        "routes": sorted((r.object.kind, r.object.name, r.hosts, r.backends, r.tls)
                         for r in facts.routes),
        "scalers": sorted((s.scaler, s.target_kind, s.target_name, s.min_replicas)
                          for s in facts.scalers),
        "pdbs": sorted(p.object.name for p in facts.pdbs),
        "network_policies": sorted((p.object.namespace or "", p.object.name)
                                   for p in facts.network_policies),
        "roles": sorted((r.object.kind, r.object.name, r.rules) for r in facts.roles),
        "bindings": sorted((b.object.kind, b.object.name, b.role_name, b.subjects)
                           for b in facts.bindings),
        "config_maps": sorted((c.object.name, tuple(sorted(c.data.items())))
                              for c in facts.config_maps),
        "namespaces": sorted((n.name, n.declared is not None, n.workloads, len(n.quotas),
                              len(n.limit_ranges), len(n.network_policies))
                             for n in facts.namespaces),
        "capabilities": sorted((c.name, c.object.kind, c.object.name, c.detail)
                               for c in facts.capabilities),
    }  # fmt: skip


def test_cluster_scan_equals_file_scan(loaded_cluster: KubeCluster) -> None:
    files = file_scan(loaded_cluster)
    live = cluster_scan(loaded_cluster)
    assert files.errors == [] and live.errors == []
    view = fact_view(live.facts.kubernetes)
    assert view == fact_view(files.facts.kubernetes)
    # The comparison covers every fact family (each is non-empty in the fixtures).
    assert all(view[family] for family in view), [f for f in view if not view[f]]
    assert {w[0].split("/")[0] for w in view["workloads"]} >= {
        "Deployment", "StatefulSet", "DaemonSet", "ReplicationController", "CronJob", "Job", "Pod"
    }  # fmt: skip
    assert finding_keys(live.findings) == finding_keys(files.findings)
    # Every finding on an object points at it: a file:line there, an API path here.
    located = [f for f in live.findings if f.location]
    assert located and all(f.location.path.startswith("cluster:reader@cnmm-test/")
                           for f in located if f.location)  # fmt: skip
    inventory_files, inventory_live = files.inventory(), live.inventory()
    assert inventory_live.pop("cluster")["context"] == "reader@cnmm-test"
    # Evidence paths differ by nature (files vs API paths); the capability names do not.
    caps_files, caps_live = inventory_files.pop("capabilities"), inventory_live.pop("capabilities")
    assert set(caps_live) == set(caps_files)
    kube_keys = ("kubernetes", "workloads", "images", "helm_charts", "kustomizations")
    assert {k: inventory_live[k] for k in kube_keys} == {k: inventory_files[k] for k in kube_keys}
    assert inventory_live["workloads"]["total"] > 0


def test_json_names_the_cluster_and_context(loaded_cluster: KubeCluster) -> None:
    done = run_cnmm(
        "scan", "--cluster", "--kubeconfig", str(loaded_cluster.kubeconfigs["reader"]),
        "--format", "json",
    )  # fmt: skip
    assert done.returncode == 1, done.stderr  # completed, with failing findings
    data = json.loads(done.stdout)
    cluster = data["inventory"]["cluster"]
    assert cluster["name"] == "cnmm-test" and cluster["context"] == "reader@cnmm-test"
    assert cluster["server"] == loaded_cluster.server
    assert cluster["server_version"] == "v1.20.2"
    assert data["inputs"]["cluster"] is True
    assert data["inventory"]["workloads"]["total"] == len(
        file_scan(loaded_cluster).facts.kubernetes.workloads  # type: ignore[union-attr]
    )
    assert "argo" in cluster["projects"] and "keda" in cluster["projects"]
    # The terminal summary names them too, and what could not be read.
    done = run_cnmm("scan", "--cluster", "--kubeconfig", str(loaded_cluster.kubeconfigs["limited"]))
    text = " ".join(done.stdout.split())  # rich wraps at 80 columns
    assert "Cluster cnmm-test (context limited@cnmm-test" in text
    assert "Kubernetes v1.20.2" in text
    assert "not available: networkpolicies.networking.k8s.io: forbidden" in text


def test_fewer_rights_give_not_available_findings(loaded_cluster: KubeCluster) -> None:
    live = cluster_scan(loaded_cluster, user="limited")
    reason = "forbidden: list networkpolicies.networking.k8s.io"
    assert live.cluster is not None and live.cluster["unavailable"] == {
        "networkpolicies.networking.k8s.io": reason
    }
    policy = [f for f in live.findings if f.rule == "k8s.namespace.network-policy"]
    assert policy and {f.outcome.value for f in policy} <= {"not-available", "not-applicable"}
    assert {f.message for f in policy if f.outcome.value == "not-available"} == {reason}
    # Everything else is judged as with full rights.
    full = cluster_scan(loaded_cluster)
    others = [f for f in full.findings if f.rule != "k8s.namespace.network-policy"]
    assert finding_keys([f for f in live.findings if f.rule != "k8s.namespace.network-policy"
                         and f.rule not in NETWORK_POLICY_DEPENDENT]) == finding_keys(
        [f for f in others if f.rule not in NETWORK_POLICY_DEPENDENT])  # fmt: skip


# Rules that also read NetworkPolicies (so their findings legitimately change without them).
NETWORK_POLICY_DEPENDENT = {"k8s.platform.multi-tenancy"}


def test_unreachable_cluster_fails_fast_with_exit_4(
    tmp_path: Path, kube_cluster: KubeCluster
) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = write_kubeconfig(
        tmp_path / "dead.kubeconfig", f"https://127.0.0.1:{port}", kube_cluster.ca, "x", "dead"
    )
    started = time.monotonic()
    done = run_cnmm("scan", "--cluster", "--kubeconfig", str(config), "--format", "json")
    elapsed = time.monotonic() - started
    assert done.returncode == 4, done.stderr
    assert "cannot reach the Kubernetes API server" in done.stderr
    assert "connection refused" in done.stderr and "'dead'" in done.stderr
    assert json.loads(done.stdout)["fatal"].startswith("cluster: cannot reach")
    assert elapsed < 10  # interpreter start-up included


def test_in_cluster_service_account(
    loaded_cluster: KubeCluster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No kubeconfig, KUBERNETES_SERVICE_HOST set: the pod's service account is used."""
    account = tmp_path / "serviceaccount"
    account.mkdir()
    reader = json.loads(loaded_cluster.kubeconfigs["reader"].read_text())
    (account / "token").write_text(reader["users"][0]["user"]["token"])
    (account / "ca.crt").write_bytes(loaded_cluster.ca.read_bytes())
    (account / "namespace").write_text("cnmm")
    host, port = loaded_cluster.server.removeprefix("https://").rsplit(":", 1)
    monkeypatch.setenv("KUBERNETES_SERVICE_HOST", host)
    monkeypatch.setenv("KUBERNETES_SERVICE_PORT", port)
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "no-such-kubeconfig"))
    live = run_scan(ScanRequest(cluster=True, service_account_dir=str(account)))
    assert live.fatal is None, live.fatal
    assert live.cluster is not None and live.cluster["context"] == "in-cluster"
    assert finding_keys(live.findings) == finding_keys(cluster_scan(loaded_cluster).findings)


def test_server_side_applied_replicas_read_as_written(loaded_cluster: KubeCluster) -> None:
    """A manifest without `replicas`, server-side applied: the server's default of 1 is not
    mistaken for the manifest's choice (field ownership tells them apart)."""
    # In the `cnmm` namespace (which holds no workload) and deleted again: without a
    # controller-manager a namespace could not be deleted.
    manifest = (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: unset, namespace: cnmm}\n"
        "spec:\n  selector: {matchLabels: {app: unset}}\n  template:\n"
        "    metadata: {labels: {app: unset}}\n"
        "    spec: {containers: [{name: app, image: 'nginx:1.25'}]}\n"
    )
    loaded_cluster.kubectl("apply", "--server-side", "-f", "-", input=manifest)
    try:
        live = cluster_scan(loaded_cluster, namespaces=["cnmm"])
        (workload,) = live.facts.kubernetes.workloads  # type: ignore[union-attr]
        assert workload.replicas is None
        assert "replicas" not in workload.object.body["spec"]
        replicas = [f for f in live.findings if f.rule == "k8s.workload.replicas"]
        assert [f.message for f in replicas] == [
            "replicas unset (defaults to 1) and not autoscaled"
        ]
    finally:
        loaded_cluster.kubectl("-n", "cnmm", "delete", "deployment", "unset")
