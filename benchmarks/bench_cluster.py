"""Benchmark: a live-cluster scan of 5,000 objects in 50 namespaces on a real kube-apiserver.

Starts etcd + the cached kube-apiserver (see tests/cluster/conftest.py), loads objects of mixed
kinds through the API (concurrent POSTs as admin), then runs the scanner as a separate process
as the shipped read-only ServiceAccount and reports wall time, the number of API requests it
made (from the audit log) and its peak RSS. The load is done in two steps (a tenth, then all)
to show that requests grow with resource types and pages, not with objects.

    python benchmarks/bench_cluster.py [--namespaces 50] [--per-namespace 100]
"""

from __future__ import annotations

import argparse
import json
import os
import ssl
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import urllib3

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.cluster.conftest import (  # noqa: E402
    ADMIN_TOKEN,
    KubeCluster,
    missing_tools,
    running_cluster,
)

from cnmm.collect.cluster import USER_AGENT  # noqa: E402

# Per namespace: 100 objects of 10 kinds (the mix a typical application namespace has).
MIX = (
    ("ConfigMap", 20),
    ("Secret", 15),
    ("Deployment", 15),
    ("Service", 10),
    ("ServiceAccount", 10),
    ("Role", 10),
    ("RoleBinding", 10),
    ("NetworkPolicy", 5),
    ("PodDisruptionBudget", 3),
    ("HorizontalPodAutoscaler", 2),
)


def make_object(kind: str, ns: str, i: int) -> tuple[str, dict[str, Any]]:
    """(collection URL, body) of object number i of `kind` in namespace `ns`."""
    name = f"{kind.lower()}-{i}"
    meta = {"name": name, "namespace": ns, "labels": {"app": f"app-{i % 7}"}}
    labels = {"app": name}
    pod = {
        "metadata": {"labels": labels},
        "spec": {
            "containers": [
                {
                    "name": "app",
                    "image": f"registry.example.com/{ns}/app:{i}.0",
                    "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}},
                    "env": [{"name": "MODE", "value": "bench"}],
                }
            ]
        },
    }
    core = f"/api/v1/namespaces/{ns}"
    table: dict[str, tuple[str, dict[str, Any]]] = {
        "ConfigMap": (f"{core}/configmaps", {"data": {"k": "v" * 200, "other": str(i)}}),
        "Secret": (f"{core}/secrets", {"stringData": {"password": f"bench-secret-{i}"}}),
        "Deployment": (
            f"/apis/apps/v1/namespaces/{ns}/deployments",
            {"spec": {"replicas": 2, "selector": {"matchLabels": labels}, "template": pod}},
        ),
        "Service": (
            f"{core}/services",
            {"spec": {"selector": labels, "ports": [{"port": 80, "targetPort": 8080}]}},
        ),
        "ServiceAccount": (f"{core}/serviceaccounts", {"automountServiceAccountToken": False}),
        "Role": (
            f"/apis/rbac.authorization.k8s.io/v1/namespaces/{ns}/roles",
            {"rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list"]}]},
        ),
        "RoleBinding": (
            f"/apis/rbac.authorization.k8s.io/v1/namespaces/{ns}/rolebindings",
            {
                "roleRef": {
                    "apiGroup": "rbac.authorization.k8s.io",
                    "kind": "Role",
                    "name": f"role-{i}",
                },
                "subjects": [
                    {"kind": "ServiceAccount", "name": f"serviceaccount-{i}", "namespace": ns}
                ],
            },
        ),
        "NetworkPolicy": (
            f"/apis/networking.k8s.io/v1/namespaces/{ns}/networkpolicies",
            {"spec": {"podSelector": {}, "policyTypes": ["Ingress"]}},
        ),
        "PodDisruptionBudget": (
            f"/apis/policy/v1beta1/namespaces/{ns}/poddisruptionbudgets",
            {"spec": {"minAvailable": 1, "selector": {"matchLabels": {"app": f"deployment-{i}"}}}},
        ),
        "HorizontalPodAutoscaler": (
            f"/apis/autoscaling/v2beta2/namespaces/{ns}/horizontalpodautoscalers",
            {
                "spec": {
                    "scaleTargetRef": {
                        "apiVersion": "apps/v1",
                        "kind": "Deployment",
                        "name": f"deployment-{i}",
                    },
                    "minReplicas": 2,
                    "maxReplicas": 5,
                }
            },
        ),
    }
    url, spec = table[kind]
    api_version = {
        "Deployment": "apps/v1",
        "Role": "rbac.authorization.k8s.io/v1",
        "RoleBinding": "rbac.authorization.k8s.io/v1",
        "NetworkPolicy": "networking.k8s.io/v1",
        "PodDisruptionBudget": "policy/v1beta1",
        "HorizontalPodAutoscaler": "autoscaling/v2beta2",
    }.get(kind, "v1")
    return url, {"apiVersion": api_version, "kind": kind, "metadata": meta, **spec}


def load(cluster: KubeCluster, namespaces: range, per_namespace: int) -> int:
    """Create the namespaces and their objects through the API; returns objects created."""
    http = urllib3.PoolManager(maxsize=8, cert_reqs=ssl.CERT_REQUIRED, ca_certs=str(cluster.ca))
    headers = {"Authorization": f"Bearer {ADMIN_TOKEN}", "Content-Type": "application/json"}

    def post(item: tuple[str, dict[str, Any]]) -> None:
        url, body = item
        resp = http.request("POST", cluster.server + url, body=json.dumps(body), headers=headers)
        if resp.status not in (201, 409):
            raise RuntimeError(f"POST {url}: {resp.status} {resp.data[:300]!r}")

    names = [f"bench-{n:03d}" for n in namespaces]
    ns_items = [
        ("/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": n}})
        for n in names
    ]
    scale = per_namespace / 100
    items = [
        make_object(kind, ns, i)
        for ns in names
        for kind, count in MIX
        for i in range(max(1, round(count * scale)))
    ]
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(post, ns_items))
        list(pool.map(post, items))
    return len(ns_items) + len(items)


def scan(cluster: KubeCluster) -> dict[str, Any]:
    """Run one scan in a child process as the reader; wall time, peak RSS, API requests."""
    try:
        import cnmm.scan  # noqa: F401

        cmd = [
            sys.executable,
            "-m",
            "cnmm",
            "scan",
            "--cluster",
            "--kubeconfig",
            str(cluster.kubeconfigs["reader"]),
            "--format",
            "json",
        ]
        what = "cnmm scan --cluster --format json"
    except ImportError:
        code = (
            "import sys; from types import SimpleNamespace as T; "
            "from cnmm.collect.cluster import collect_cluster_objects as c; "
            "r = c(T(kubeconfig=sys.argv[1], context=None, namespaces=[])); "
            "print(len(r.objects), r.stats)"
        )
        cmd = [sys.executable, "-c", code, str(cluster.kubeconfigs["reader"])]
        what = "collect_cluster_objects (cnmm.scan not available)"
    mark = cluster.audit_mark()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.monotonic()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err)
        # wait4 gives this child's own peak RSS (not the high-water mark of all children).
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.monotonic() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        out_bytes, err_text = len(out.read()), err.read().decode(errors="replace")
    peak_kb = usage.ru_maxrss
    events = [e for e in cluster.audit_events()[mark:] if e.get("userAgent") == USER_AGENT]
    return {
        "command": what,
        "exit_code": proc.returncode,
        "wall_s": round(wall, 2),
        "peak_rss_mb": round(peak_kb / 1024, 1),
        "api_requests": len(events),
        "list_requests": sum(1 for e in events if e["verb"] == "list"),
        "verbs": sorted({e["verb"] for e in events}),
        "stderr_tail": err_text[-300:] if proc.returncode not in (0, 1) else "",
        "stdout_bytes": out_bytes,
    }


def main() -> None:
    """Run the benchmark and print a JSON report."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--namespaces", type=int, default=50)
    parser.add_argument("--per-namespace", type=int, default=100)
    args = parser.parse_args()
    reason = missing_tools()
    if reason:
        sys.exit(f"cannot run: {reason} (bash .ci/prepare.d/20-kube-apiserver.sh)")
    report: dict[str, Any] = {"steps": []}
    with (
        tempfile.TemporaryDirectory(prefix="cnmm-bench-") as tmp,
        running_cluster(Path(tmp)) as cluster,
    ):
        first = max(1, args.namespaces // 10)
        loaded = 0
        for namespaces in (range(first), range(first, args.namespaces)):
            started = time.monotonic()
            loaded += load(cluster, namespaces, args.per_namespace)
            load_s = round(time.monotonic() - started, 1)
            step = {"namespaces": namespaces.stop, "objects_loaded": loaded, "load_s": load_s}
            report["steps"].append({**step, **scan(cluster)})
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
