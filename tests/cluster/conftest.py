"""A real kube-apiserver + etcd on loopback for the live-cluster tests (session fixture).

The binary is built once by .ci/prepare.d/20-kube-apiserver.sh and cached outside the
repository. Without it the tests skip, except in CI (CI=true), where that is a failure.
Users (token auth): `admin` (system:masters), the `cnmm-reader` ServiceAccount bound only to
the shipped deploy/rbac/cnmm-reader.yaml, and `limited` (a copy of that role without
networkpolicies). Every request is written to an audit log, so tests can prove what cnmm asked.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
CLUSTER_ONLY = Path(__file__).resolve().parent / "cluster-only"
READER_RBAC = REPO_ROOT / "deploy" / "rbac" / "cnmm-reader.yaml"
KUBECTL = shutil.which("kubectl") or "/usr/bin/kubectl"
# Where .ci/prepare.d/20-kube-apiserver.sh caches the binary (same variables, same default).
APISERVER = Path(
    os.environ.get(
        "CNMM_KUBE_APISERVER",
        Path(
            os.environ.get(
                "CNMM_KUBE_CACHE", Path.home() / ".cache" / "cnmm" / "kube-apiserver-1.20"
            )
        )
        / "kube-apiserver",
    )
)
ADMIN_TOKEN = "cnmm-test-admin-token"
LIMITED_TOKEN = "cnmm-test-limited-token"

# Every request at Metadata level (verb, URI, user, user agent, status); Secret reads also
# with the response, which proves that a list came back as PartialObjectMetadataList.
AUDIT_POLICY = """\
apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: ["RequestReceived"]
rules:
- level: RequestResponse
  verbs: ["get", "list", "watch"]
  resources:
  - group: ""
    resources: ["secrets"]
- level: Metadata
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _missing(reason: str) -> None:
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"{reason}: .ci/prepare must build it in CI")
    pytest.skip(f"{reason}: run bash .ci/prepare.d/20-kube-apiserver.sh")


def write_kubeconfig(
    path: Path, server: str, ca: Path, token: str, context: str, user: dict[str, Any] | None = None
) -> Path:
    """A kubeconfig with one user (a token unless `user` says otherwise) and one context."""
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [
            {"name": "cnmm-test", "cluster": {"server": server, "certificate-authority": str(ca)}}
        ],
        "users": [{"name": context, "user": user or {"token": token}}],
        "contexts": [{"name": context, "context": {"cluster": "cnmm-test", "user": context}}],
        "current-context": context,
    }
    path.write_text(json.dumps(config, indent=2))
    return path


@dataclass
class KubeCluster:
    """A running test cluster: its address, kubeconfigs per user, and its audit log."""

    server: str
    ca: Path
    workdir: Path
    audit_log: Path
    kubeconfigs: dict[str, Path] = field(default_factory=dict)
    # Manifests the fixture applied (RBAC): a file scan must include them to match the cluster.
    applied: list[Path] = field(default_factory=list)

    def kubectl(self, *args: str, user: str = "admin", input: str | None = None) -> str:
        """Run kubectl as `user`; fail the test with kubectl's output when it fails."""
        proc = subprocess.run(
            [KUBECTL, "--kubeconfig", str(self.kubeconfigs[user]), *args],
            input=input,
            capture_output=True,
            text=True,
            timeout=120,
        )
        if proc.returncode != 0:
            raise AssertionError(f"kubectl {' '.join(args)} failed:\n{proc.stderr}")
        return proc.stdout

    def audit_events(self) -> list[dict[str, Any]]:
        """Every audit event written so far."""
        if not self.audit_log.exists():
            return []
        lines = self.audit_log.read_text().splitlines()
        return [json.loads(line) for line in lines if line.strip()]

    def audit_mark(self) -> int:
        """How many events are logged now: later `audit_events()[mark:]` are new."""
        return len(self.audit_events())


def _write_limited_rbac(path: Path) -> Path:
    """The shipped reader role without networkpolicies, bound to the `limited` user."""
    from cnmm.collect.cluster import reader_policy_rules

    rules = []
    for rule in reader_policy_rules():
        resources = [r for r in rule.get("resources", []) if r != "networkpolicies"]
        if "resources" in rule and not resources:
            continue
        rules.append({**rule, "resources": resources} if "resources" in rule else rule)
    role = {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "ClusterRole",
        "metadata": {"name": "cnmm-limited"},
        "rules": rules,
    }
    binding = {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "ClusterRoleBinding",
        "metadata": {"name": "cnmm-limited"},
        "roleRef": {
            "apiGroup": "rbac.authorization.k8s.io",
            "kind": "ClusterRole",
            "name": "cnmm-limited",
        },
        "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "limited"}],
    }
    path.write_text(yaml.safe_dump_all([role, binding], sort_keys=False))
    return path


def _wait_ready(server: str, proc: subprocess.Popen[bytes], log: Path, deadline: float) -> None:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    request = urllib.request.Request(
        f"{server}/readyz", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}
    )
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"kube-apiserver exited:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(request, context=context, timeout=2) as resp:
                if resp.read().strip() == b"ok":
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"kube-apiserver not ready in time:\n{log.read_text()[-3000:]}")


def _stop(proc: subprocess.Popen[bytes] | None) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _client_certificate(work: Path) -> None:
    """A client CA (given to the apiserver) and a client certificate in system:masters."""

    def openssl(*args: str) -> None:
        subprocess.run(["openssl", *args], check=True, capture_output=True, cwd=work)

    openssl(
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "1",
        "-subj",
        "/CN=cnmm-ca",
        "-keyout",
        "client-ca.key",
        "-out",
        "client-ca.crt",
    )
    openssl(
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-subj",
        "/O=system:masters/CN=cert-admin",
        "-keyout",
        "client.key",
        "-out",
        "client.csr",
    )
    openssl(
        "x509",
        "-req",
        "-in",
        "client.csr",
        "-CA",
        "client-ca.crt",
        "-CAkey",
        "client-ca.key",
        "-CAcreateserial",
        "-days",
        "1",
        "-out",
        "client.crt",
    )


def missing_tools() -> str | None:
    """Why a test cluster cannot start here, or None."""
    if not APISERVER.is_file():
        return f"kube-apiserver binary not found at {APISERVER}"
    if shutil.which("etcd") is None:
        return "etcd not installed (Debian package etcd-server)"
    if not Path(KUBECTL).is_file():
        return f"{KUBECTL} not found"
    return None


@pytest.fixture(scope="session")
def kube_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KubeCluster]:
    """Start etcd + kube-apiserver, install the shipped reader RBAC, yield, stop both."""
    reason = missing_tools()
    if reason:
        _missing(reason)
    with running_cluster(tmp_path_factory.mktemp("kube")) as cluster:
        yield cluster


@contextlib.contextmanager
def running_cluster(work: Path) -> Iterator[KubeCluster]:
    """etcd + kube-apiserver with their state, logs and kubeconfigs under `work` (also used by
    benchmarks/bench_cluster.py)."""
    etcd = shutil.which("etcd") or "etcd"
    certs = work / "certs"
    certs.mkdir()
    for args in (
        ["genrsa", "-out", str(work / "sa.key"), "2048"],
        ["rsa", "-in", str(work / "sa.key"), "-pubout", "-out", str(work / "sa.pub")],
    ):
        subprocess.run(["openssl", *args], check=True, capture_output=True)
    _client_certificate(work)
    (work / "tokens.csv").write_text(
        f'{ADMIN_TOKEN},admin,uid-admin,"system:masters"\n{LIMITED_TOKEN},limited,uid-limited\n'
    )
    (work / "audit-policy.yaml").write_text(AUDIT_POLICY)
    audit_log = work / "audit.log"
    etcd_port, peer_port, api_port = _free_port(), _free_port(), _free_port()
    etcd_proc = api_proc = None
    etcd_log = (work / "etcd.log").open("wb")
    api_log_path = work / "apiserver.log"
    api_log = api_log_path.open("wb")
    try:
        etcd_proc = subprocess.Popen(
            [
                etcd,
                "--name=cnmm-test",
                f"--data-dir={work / 'etcd'}",
                f"--listen-client-urls=http://127.0.0.1:{etcd_port}",
                f"--advertise-client-urls=http://127.0.0.1:{etcd_port}",
                f"--listen-peer-urls=http://127.0.0.1:{peer_port}",
                f"--initial-advertise-peer-urls=http://127.0.0.1:{peer_port}",
                f"--initial-cluster=cnmm-test=http://127.0.0.1:{peer_port}",
                "--unsafe-no-fsync",
            ],
            stdout=etcd_log,
            stderr=subprocess.STDOUT,
        )
        api_proc = subprocess.Popen(
            [
                str(APISERVER),
                f"--etcd-servers=http://127.0.0.1:{etcd_port}",
                "--bind-address=127.0.0.1",
                "--advertise-address=127.0.0.1",
                f"--secure-port={api_port}",
                "--insecure-port=0",
                f"--cert-dir={certs}",
                f"--token-auth-file={work / 'tokens.csv'}",
                "--authorization-mode=RBAC",
                "--service-account-issuer=https://kubernetes.default.svc",
                f"--service-account-key-file={work / 'sa.pub'}",
                f"--service-account-signing-key-file={work / 'sa.key'}",
                "--service-cluster-ip-range=10.96.0.0/16",
                "--endpoint-reconciler-type=none",
                f"--client-ca-file={work / 'client-ca.crt'}",
                "--allow-privileged=true",
                # No controller-manager creates `default` ServiceAccounts, which this admission
                # plugin would require for every Pod.
                "--disable-admission-plugins=ServiceAccount",
                f"--audit-log-path={audit_log}",
                f"--audit-policy-file={work / 'audit-policy.yaml'}",
                "--audit-log-mode=blocking",
            ],
            stdout=api_log,
            stderr=subprocess.STDOUT,
        )
        server = f"https://127.0.0.1:{api_port}"
        _wait_ready(server, api_proc, api_log_path, time.monotonic() + 60)
        ca = certs / "apiserver.crt"
        cluster = KubeCluster(server=server, ca=ca, workdir=work, audit_log=audit_log)
        cluster.kubeconfigs["admin"] = write_kubeconfig(
            work / "admin.kubeconfig", server, ca, ADMIN_TOKEN, "admin@cnmm-test"
        )
        limited_rbac = _write_limited_rbac(work / "limited-rbac.yaml")
        for manifest in (READER_RBAC, limited_rbac):
            cluster.kubectl("apply", "-f", str(manifest))
            cluster.applied.append(manifest)
        reader_token = cluster.kubectl(
            "-n", "cnmm", "create", "token", "cnmm-reader", "--duration=2h"
        ).strip()
        cluster.kubeconfigs["reader"] = write_kubeconfig(
            work / "reader.kubeconfig", server, ca, reader_token, "reader@cnmm-test"
        )
        cluster.kubeconfigs["limited"] = write_kubeconfig(
            work / "limited.kubeconfig", server, ca, LIMITED_TOKEN, "limited@cnmm-test"
        )
        # The same cluster through the other kubeconfig auth methods cnmm must support.
        cert_user = {
            "client-certificate": str(work / "client.crt"),
            "client-key": str(work / "client.key"),
        }
        cluster.kubeconfigs["cert"] = write_kubeconfig(
            work / "cert.kubeconfig", server, ca, "", "cert@cnmm-test", cert_user
        )
        plugin = work / "exec-credential.py"
        plugin.write_text(
            "import json\n"
            "print(json.dumps({'apiVersion': 'client.authentication.k8s.io/v1beta1',"
            f" 'kind': 'ExecCredential', 'status': {{'token': {reader_token!r}}}}}))\n"
        )
        exec_user = {
            "exec": {
                "apiVersion": "client.authentication.k8s.io/v1beta1",
                "command": sys.executable,
                "args": [str(plugin)],
            }
        }
        cluster.kubeconfigs["exec"] = write_kubeconfig(
            work / "exec.kubeconfig", server, ca, "", "exec@cnmm-test", exec_user
        )
        yield cluster
    finally:
        # The apiserver first (it writes to etcd until it exits), then etcd.
        _stop(api_proc)
        _stop(etcd_proc)
        etcd_log.close()
        api_log.close()


@pytest.fixture(scope="session")
def loaded_cluster(kube_cluster: KubeCluster) -> KubeCluster:
    """The cluster with tests/cluster/fixtures applied (CRDs first), plus cluster-only objects."""
    kube_cluster.kubectl("apply", "-f", str(FIXTURES / "00-crds.yaml"))
    kube_cluster.kubectl(
        "wait", "--for=condition=established", "--timeout=60s", "-f", str(FIXTURES / "00-crds.yaml")
    )
    kube_cluster.kubectl("apply", "-f", str(FIXTURES))
    kube_cluster.kubectl("apply", "-f", str(CLUSTER_ONLY))
    # What a real control plane adds to every namespace (this one has no controller-manager):
    # objects only control-plane field managers ever wrote, which a scan must leave out.
    kube_cluster.kubectl(
        "-n", "shop", "create", "serviceaccount", "default",
        "--field-manager=kube-controller-manager",
    )  # fmt: skip
    kube_cluster.kubectl(
        "-n", "payments", "create", "configmap", "kube-root-ca.crt", "--from-literal=ca.crt=x",
        "--field-manager=kube-controller-manager",
    )  # fmt: skip
    return kube_cluster
